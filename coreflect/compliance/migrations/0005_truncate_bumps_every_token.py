"""On PostgreSQL a TRUNCATE now changes every token there is, not only those of the people left
afterwards: TRUNCATE of people_person left the tokens of the people it removed as they were, so
their stored results still looked current and the overview went on counting them.

The trigger SQL as of this migration is 0003's with the new coreflect_bump_everyone();
test_revisions.py checks that revisions.py writes exactly this.
"""

from importlib import import_module

from django.db import migrations

BEFORE = import_module("coreflect.compliance.migrations.0003_stored_results")

BUMP_EVERYONE = """CREATE FUNCTION coreflect_bump_everyone() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE compliance_personrevision SET token = (random() * 9.2e18)::bigint;
    INSERT INTO compliance_personrevision (person_id, token)
    SELECT id, (random() * 9.2e18)::bigint FROM people_person
    ON CONFLICT (person_id) DO NOTHING;
    RETURN NULL;
END
$$"""


def _is_bump_everyone(statement: str) -> bool:
    return statement.startswith("CREATE FUNCTION coreflect_bump_everyone()")


(OLD_BUMP_EVERYONE,) = [s for s in BEFORE.POSTGRESQL if _is_bump_everyone(s)]
POSTGRESQL = [BUMP_EVERYONE if _is_bump_everyone(s) else s for s in BEFORE.POSTGRESQL]
POSTGRESQL_DROP = BEFORE.POSTGRESQL_DROP
SQLITE = BEFORE.SQLITE
SQLITE_DROP = BEFORE.SQLITE_DROP


def _replace(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0004_delete_policysettings"),
    ]

    operations = [
        migrations.RunPython(_replace(BUMP_EVERYONE), _replace(OLD_BUMP_EVERYONE)),
    ]
