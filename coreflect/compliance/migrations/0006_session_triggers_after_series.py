"""On SQLite, adding the series columns to supervision_session (supervision 0004 and 0005)
rebuilt the table, and a rebuilt table loses its triggers: the revision triggers on sessions
are put back as 0003 made them. PostgreSQL alters tables in place and keeps them."""

from importlib import import_module

from django.db import migrations

STORED = import_module("coreflect.compliance.migrations.0003_stored_results")
TABLE = "supervision_session"


SQLITE = [s for s in STORED.SQLITE if f" ON {TABLE} " in s]
SQLITE_DROP = [s for s in STORED.SQLITE_DROP if f"{TABLE}_revise_" in s]


def reinstall(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_DROP + SQLITE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0005_truncate_bumps_every_token"),
        ("supervision", "0005_session_uid_unique"),
    ]

    operations = [migrations.RunPython(reinstall, migrations.RunPython.noop)]
