"""The audit log and the notes access records become append-only: triggers refuse UPDATE,
DELETE and (PostgreSQL) TRUNCATE. The SQL as of this migration; test_append_only.py checks
that coreflect/audit/append_only.py writes exactly this."""

from django.db import migrations

POSTGRESQL = [
    "CREATE OR REPLACE FUNCTION coreflect_append_only() RETURNS trigger\nLANGUAGE plpgsql AS $$\nBEGIN\n    RAISE EXCEPTION '% on % refused: the table is append-only', TG_OP, TG_TABLE_NAME\n        USING ERRCODE = 'restrict_violation';\nEND\n$$",
    'CREATE TRIGGER audit_auditevent_append_only BEFORE UPDATE OR DELETE ON audit_auditevent FOR EACH ROW EXECUTE FUNCTION coreflect_append_only()',
    'CREATE TRIGGER audit_auditevent_no_truncate BEFORE TRUNCATE ON audit_auditevent FOR EACH STATEMENT EXECUTE FUNCTION coreflect_append_only()',
    'CREATE TRIGGER audit_notesaccess_append_only BEFORE UPDATE OR DELETE ON audit_notesaccess FOR EACH ROW EXECUTE FUNCTION coreflect_append_only()',
    'CREATE TRIGGER audit_notesaccess_no_truncate BEFORE TRUNCATE ON audit_notesaccess FOR EACH STATEMENT EXECUTE FUNCTION coreflect_append_only()',
]

POSTGRESQL_DROP = [
    'DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent',
    'DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON audit_auditevent',
    'DROP TRIGGER IF EXISTS audit_notesaccess_append_only ON audit_notesaccess',
    'DROP TRIGGER IF EXISTS audit_notesaccess_no_truncate ON audit_notesaccess',
    'DROP FUNCTION IF EXISTS coreflect_append_only()',
]

SQLITE = [
    "CREATE TRIGGER audit_auditevent_append_only_update BEFORE UPDATE ON audit_auditevent FOR EACH ROW BEGIN SELECT RAISE(ABORT, 'UPDATE on audit_auditevent refused: the table is append-only'); END",
    "CREATE TRIGGER audit_auditevent_append_only_delete BEFORE DELETE ON audit_auditevent FOR EACH ROW BEGIN SELECT RAISE(ABORT, 'DELETE on audit_auditevent refused: the table is append-only'); END",
    "CREATE TRIGGER audit_notesaccess_append_only_update BEFORE UPDATE ON audit_notesaccess FOR EACH ROW BEGIN SELECT RAISE(ABORT, 'UPDATE on audit_notesaccess refused: the table is append-only'); END",
    "CREATE TRIGGER audit_notesaccess_append_only_delete BEFORE DELETE ON audit_notesaccess FOR EACH ROW BEGIN SELECT RAISE(ABORT, 'DELETE on audit_notesaccess refused: the table is append-only'); END",
]

SQLITE_DROP = [
    'DROP TRIGGER IF EXISTS audit_auditevent_append_only_update',
    'DROP TRIGGER IF EXISTS audit_auditevent_append_only_delete',
    'DROP TRIGGER IF EXISTS audit_notesaccess_append_only_update',
    'DROP TRIGGER IF EXISTS audit_notesaccess_append_only_delete',
]


def _run(postgresql: list[str], sqlite: list[str]):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        statements = {"postgresql": postgresql, "sqlite": sqlite}.get(vendor)
        if statements is None:
            raise NotImplementedError(f"No append-only triggers written for {vendor}")
        for statement in statements:
            # params=None: the function's RAISE uses %, which is not a query parameter here.
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_actor_copies_and_notes_access"),
    ]

    operations = [
        migrations.RunPython(_run(POSTGRESQL, SQLITE), _run(POSTGRESQL_DROP, SQLITE_DROP)),
    ]
