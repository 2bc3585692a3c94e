"""Person revisions: a token per person that changes whenever anything their matrix result is
computed from changes, so a stored result (matrix.py) is known to be current while its stamp
still holds the person's token.

The tokens are kept by database triggers, not by the code that writes, so no way of writing
can forget them: pages, actions, the admin, imports (COPY included), raw SQL and, on
PostgreSQL, TRUNCATE all fire them. A token is a fresh random number rather than a counter, so
a write that rolls back can never bring an old token back with new data behind it.

What the engine reads (`matrix.compute`), and so whose token a write changes:

| table | rows written | people whose token changes |
|---|---|---|
| attendance | any | the attendee |
| session | changed or deleted | everyone on its register (date, kind, lead) |
| employment period, absence | any | the person |
| supervision relationship | any | the supervisee |
| person | any | the person (a new person gets their first token) |
| any of these, emptied by TRUNCATE | | everyone |

What a row only shows (names, services, localities, the supervisor's name) is read with the
row, never stored, so it needs no token. The policy, the year and the as-of date are part of
the stored result's key instead.

This module describes the triggers from the models (`WATCHED`, table names from `_meta`) and
writes their SQL; the migrations hold that SQL as it was when they were written, and
test_revisions.py checks the two still agree and that every table the engine reads is watched.
A change here therefore needs a new migration with the new SQL.
"""

from dataclasses import dataclass

from coreflect.compliance.models import PersonRevision
from coreflect.people.models import Absence, EmploymentPeriod, Person
from coreflect.supervision.models import Attendance, Session, SupervisionRelationship

REVISIONS = PersonRevision._meta.db_table
PEOPLE = Person._meta.db_table
ATTENDANCE = Attendance._meta.db_table


@dataclass(frozen=True)
class Watch:
    """A table whose writes change people's results: `people` selects their ids from `{rows}`,
    the written rows (with `columns`)."""

    table: str
    columns: tuple[str, ...]
    people: str
    events: tuple[str, ...] = ("INSERT", "UPDATE", "DELETE")


def _own(model: type, column: str = "person_id") -> Watch:
    """A table whose rows each belong to one person, named in `column`."""
    return Watch(model._meta.db_table, (column,), f"SELECT {column} FROM {{rows}}")  # type: ignore[attr-defined]


WATCHED = [
    _own(Attendance),
    # A new session has no register yet; its attendance rows change tokens as they are added.
    Watch(
        Session._meta.db_table,
        ("id",),
        f"SELECT a.person_id FROM {ATTENDANCE} a JOIN {{rows}} r ON a.session_id = r.id",
        events=("UPDATE", "DELETE"),
    ),
    _own(EmploymentPeriod),
    _own(Absence),
    _own(SupervisionRelationship, "supervisee_id"),
    _own(Person, "id"),
]


def postgresql_sql() -> list[str]:
    """Statement-level triggers: a bulk write (an import's COPY) changes each token once."""
    statements = [
        f"""CREATE FUNCTION coreflect_bump(people bigint[]) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO {REVISIONS} (person_id, token)
    SELECT p, (random() * 9.2e18)::bigint
      FROM (SELECT DISTINCT unnest(people) AS p) AS d WHERE p IS NOT NULL
    ON CONFLICT (person_id) DO UPDATE SET token = EXCLUDED.token
$$""",
        # TRUNCATE has no rows to name: it changes every token there is (the people it
        # removed included, when it empties the people), and gives anyone without one theirs.
        f"""CREATE FUNCTION coreflect_bump_everyone() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE {REVISIONS} SET token = (random() * 9.2e18)::bigint;
    INSERT INTO {REVISIONS} (person_id, token)
    SELECT id, (random() * 9.2e18)::bigint FROM {PEOPLE}
    ON CONFLICT (person_id) DO NOTHING;
    RETURN NULL;
END
$$""",
    ]
    transition = {
        "INSERT": "NEW TABLE AS new_rows",
        "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "DELETE": "OLD TABLE AS old_rows",
    }
    for watch in WATCHED:
        new, old = watch.people.format(rows="new_rows"), watch.people.format(rows="old_rows")
        statements.append(
            f"""CREATE FUNCTION {watch.table}_revise() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM coreflect_bump(ARRAY({new}));
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM coreflect_bump(ARRAY({old}));
    END IF;
    RETURN NULL;
END
$$"""
        )
        for event in watch.events:
            statements.append(
                f"CREATE TRIGGER {watch.table}_revise_{event.lower()} AFTER {event} "
                f"ON {watch.table} REFERENCING {transition[event]} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {watch.table}_revise()"
            )
        statements.append(
            f"CREATE TRIGGER {watch.table}_revise_truncate AFTER TRUNCATE ON {watch.table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION coreflect_bump_everyone()"
        )
    return statements


def postgresql_drop_sql() -> list[str]:
    statements = []
    for watch in WATCHED:
        for event in (*watch.events, "TRUNCATE"):
            statements.append(
                f"DROP TRIGGER IF EXISTS {watch.table}_revise_{event.lower()} ON {watch.table}"
            )
        statements.append(f"DROP FUNCTION IF EXISTS {watch.table}_revise()")
    statements.append("DROP FUNCTION IF EXISTS coreflect_bump_everyone()")
    statements.append("DROP FUNCTION IF EXISTS coreflect_bump(bigint[])")
    return statements


def sqlite_sql() -> list[str]:
    """Row-level triggers (SQLite has no others, and no TRUNCATE)."""
    sides = {"INSERT": ["NEW"], "UPDATE": ["NEW", "OLD"], "DELETE": ["OLD"]}
    statements = []
    for watch in WATCHED:
        for event in watch.events:
            body = []
            for side in sides[event]:
                rows = "(SELECT " + ", ".join(f"{side}.{c} AS {c}" for c in watch.columns) + ")"
                # WHERE true: without it SQLite reads ON CONFLICT as part of the SELECT.
                body.append(
                    f"INSERT INTO {REVISIONS} (person_id, token) "
                    "SELECT changed.*, random() "
                    f"FROM ({watch.people.format(rows=rows)}) AS changed "
                    "WHERE true ON CONFLICT (person_id) DO UPDATE SET token = excluded.token;"
                )
            statements.append(
                f"CREATE TRIGGER {watch.table}_revise_{event.lower()} AFTER {event} "
                f"ON {watch.table} FOR EACH ROW BEGIN {' '.join(body)} END"
            )
    return statements


def sqlite_drop_sql() -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {watch.table}_revise_{event.lower()}"
        for watch in WATCHED
        for event in watch.events
    ]
