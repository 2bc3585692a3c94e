"""The triggers that keep the audit log, the notes access records and the tombstones
append-only.

On PostgreSQL a row-level BEFORE UPDATE OR DELETE trigger and a statement-level BEFORE
TRUNCATE trigger call a function that raises; on SQLite (row-level triggers only, and no
TRUNCATE) BEFORE UPDATE and BEFORE DELETE triggers RAISE(ABORT). There is no setting that lets
a change through. Only the tables' owner can drop the triggers (and the tables), and in
production the app runs as a role that owns nothing (docs/database-role.md).

One way out, for retention (docs/confidentiality.md): an access record may be deleted once the
notes it is about are gone and a tombstone for them exists. The database checks both, so even
the app cannot delete a record of who read notes that still exist, or without leaving a
tombstone, which itself can never be changed or deleted. The audit log has no way out at all.

Emptying the whole database (the flush command, which the test suite's transactional tests
run between tests) drops the triggers, empties every table and puts the triggers back, in one
transaction (audit/management/commands/flush.py): as the app role that fails, as it should.

Migration 0004 holds this SQL as it was then (0003 the first version); test_append_only.py
checks they agree. A future migration that alters one of these tables on SQLite rebuilds the
table without its triggers, so it must install them again (the tests refusing changes would
fail otherwise).
"""

from django.db.backends.base.base import BaseDatabaseWrapper

TABLES = ("audit_auditevent", "audit_notesaccess", "audit_tombstone")
# The table whose rows may be deleted, and when (PostgreSQL: NEW/OLD as in a trigger function;
# SQLite: the same condition in the trigger's WHEN).
DELETABLE = "audit_notesaccess"
DELETABLE_WHEN = (
    "EXISTS (SELECT 1 FROM audit_tombstone WHERE notes_pk = OLD.notes_pk) "
    "AND NOT EXISTS (SELECT 1 FROM notes_notes WHERE id = OLD.notes_pk)"
)

FUNCTION = """CREATE OR REPLACE FUNCTION coreflect_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on % refused: the table is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END
$$"""

TOMBSTONED_MESSAGE = (
    "% on % refused: the table is append-only, but for the records of notes deleted after review"
)
TOMBSTONED_FUNCTION = f"""CREATE OR REPLACE FUNCTION coreflect_append_only_but_tombstoned()
RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND {DELETABLE_WHEN} THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '{TOMBSTONED_MESSAGE}', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END
$$"""

FUNCTIONS = ("coreflect_append_only()", "coreflect_append_only_but_tombstoned()")


def _function_of(table: str) -> str:
    return FUNCTIONS[1] if table == DELETABLE else FUNCTIONS[0]


def postgresql_sql(tables: tuple[str, ...] = TABLES) -> list[str]:
    statements = [FUNCTION, TOMBSTONED_FUNCTION]
    for table in tables:
        statements += [
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {_function_of(table)}",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION coreflect_append_only()",
        ]
    return statements


def postgresql_drop_sql(tables: tuple[str, ...] = TABLES, *, function: bool = True) -> list[str]:
    statements = []
    for table in tables:
        statements += [
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        ]
    if function:
        statements += [f"DROP FUNCTION IF EXISTS {name}" for name in FUNCTIONS]
    return statements


def sqlite_sql(tables: tuple[str, ...] = TABLES) -> list[str]:
    statements = []
    for table in tables:
        for event in ("UPDATE", "DELETE"):
            when = (
                f" WHEN NOT ({DELETABLE_WHEN})" if (table, event) == (DELETABLE, "DELETE") else ""
            )
            statements.append(
                f"CREATE TRIGGER {table}_append_only_{event.lower()} BEFORE {event} ON {table} "
                f"FOR EACH ROW{when} BEGIN SELECT RAISE(ABORT, '{event} on {table} refused: "
                "the table is append-only'); END"
            )
    return statements


def sqlite_drop_sql(tables: tuple[str, ...] = TABLES) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_append_only_{event.lower()}"
        for table in tables
        for event in ("UPDATE", "DELETE")
    ]


def installed(connection: BaseDatabaseWrapper) -> list[str]:
    """The append-only triggers the database has, by name."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
                "AND tgname LIKE %s ORDER BY tgname",
                ["audit\\_%"],
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s "
                "ESCAPE '\\' ORDER BY name",
                ["audit\\_%"],
            )
        return [name for (name,) in cursor.fetchall()]


def existing_tables(connection: BaseDatabaseWrapper) -> tuple[str, ...]:
    present = set(connection.introspection.table_names())
    return tuple(table for table in TABLES if table in present)


def drop(connection: BaseDatabaseWrapper, tables: tuple[str, ...]) -> None:
    statements = (
        postgresql_drop_sql(tables, function=False)
        if connection.vendor == "postgresql"
        else sqlite_drop_sql(tables)
    )
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def create(connection: BaseDatabaseWrapper, tables: tuple[str, ...]) -> None:
    statements = postgresql_sql(tables) if connection.vendor == "postgresql" else sqlite_sql(tables)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
