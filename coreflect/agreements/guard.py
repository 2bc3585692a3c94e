"""The triggers that keep a written agreement version and its signatures unchanged (spec §6:
every signed version is kept, each signature is of the exact version read). Any UPDATE is
refused; a change is a new version. Deleting stays possible (a relationship entered by
mistake, and the test suite's flush), as for any other record of the relationship.

Installed by migration 0002 (which calls this module: change it only with a new migration).
"""

TABLES = ("agreements_agreementversion", "agreements_signature")

POSTGRESQL_FUNCTION = """CREATE OR REPLACE FUNCTION coreflect_agreement_unchanged() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'UPDATE on % refused: a written agreement version never changes',
        TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END
$$"""


def postgresql_sql() -> list[str]:
    return [POSTGRESQL_FUNCTION] + [
        f"CREATE TRIGGER {table}_unchanged BEFORE UPDATE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION coreflect_agreement_unchanged()"
        for table in TABLES
    ]


def sqlite_sql() -> list[str]:
    return [
        f"CREATE TRIGGER {table}_unchanged BEFORE UPDATE ON {table} FOR EACH ROW BEGIN "
        f"SELECT RAISE(ABORT, 'UPDATE on {table} refused: a written agreement version never "
        "changes'); END"
        for table in TABLES
    ]


def drop_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {t}_unchanged ON {t}" for t in TABLES] + [
            "DROP FUNCTION IF EXISTS coreflect_agreement_unchanged()"
        ]
    return [f"DROP TRIGGER IF EXISTS {t}_unchanged" for t in TABLES]
