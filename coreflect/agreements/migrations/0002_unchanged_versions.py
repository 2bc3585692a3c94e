"""Refuse any UPDATE of an agreement version or a signature (agreements/guard.py)."""

from django.db import migrations

from coreflect.agreements import guard


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = guard.postgresql_sql() if vendor == "postgresql" else guard.sqlite_sql()
    for statement in statements:
        schema_editor.execute(statement, params=None)


def uninstall(apps, schema_editor):
    for statement in guard.drop_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("agreements", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall)]
