"""Person revisions: a token per person that changes whenever anything in their matrix row may
have changed, so computed rows can be kept between requests (see matrix.KEPT).

The tokens are kept by database triggers, not by the code that writes, so no way of writing
can forget them: pages, actions, the admin, imports (COPY included) and raw SQL all fire them.
A token is a fresh random number rather than a counter, so a write that rolls back can never
bring an old token back with new data behind it.

What changes a person's row, and so their token:

| table | rows written | people whose token changes |
|---|---|---|
| attendance | any | the attendee |
| session | changed or deleted | everyone on its register (date, kind, lead, cancellation) |
| employment period, absence | any | the person |
| supervision relationship | any | the supervisee |
| person | any | the person, and everyone they have supervised (their name is shown) |
| service, locality | changed | the people in it (its name is shown) |

The policy, the year and the as-of date are part of the kept row's key instead.
"""

from dataclasses import dataclass

from django.db.backends.base.schema import BaseDatabaseSchemaEditor

TABLE = "compliance_personrevision"


@dataclass(frozen=True)
class Watch:
    """A table whose writes change people's rows: `people` selects their ids from `{rows}`,
    the written rows (with `columns`)."""

    table: str
    columns: tuple[str, ...]
    people: str
    events: tuple[str, ...] = ("INSERT", "UPDATE", "DELETE")


WATCHED = [
    Watch("supervision_attendance", ("person_id",), "SELECT person_id FROM {rows}"),
    Watch(
        "supervision_session",
        ("id",),
        "SELECT a.person_id FROM supervision_attendance a JOIN {rows} r ON a.session_id = r.id",
        events=("UPDATE", "DELETE"),
    ),
    Watch("people_employmentperiod", ("person_id",), "SELECT person_id FROM {rows}"),
    Watch("people_absence", ("person_id",), "SELECT person_id FROM {rows}"),
    Watch(
        "supervision_supervisionrelationship",
        ("supervisee_id",),
        "SELECT supervisee_id FROM {rows}",
    ),
    Watch(
        "people_person",
        ("id",),
        "SELECT id FROM {rows} UNION SELECT s.supervisee_id FROM "
        "supervision_supervisionrelationship s JOIN {rows} r ON s.supervisor_id = r.id",
    ),
    Watch(
        "people_service",
        ("id",),
        "SELECT p.id FROM people_person p JOIN {rows} r ON p.service_id = r.id",
        events=("UPDATE",),
    ),
    Watch(
        "people_locality",
        ("id",),
        "SELECT p.id FROM people_person p JOIN {rows} r ON p.locality_id = r.id",
        events=("UPDATE",),
    ),
]


def postgresql_sql() -> list[str]:
    """Statement-level triggers: a bulk write (an import's COPY) changes each token once."""
    statements = [
        f"""
        CREATE OR REPLACE FUNCTION coreflect_bump(people bigint[]) RETURNS void
        LANGUAGE sql AS $$
            INSERT INTO {TABLE} (person_id, token)
            SELECT p, (random() * 9.2e18)::bigint
              FROM (SELECT DISTINCT unnest(people) AS p) AS d WHERE p IS NOT NULL
            ON CONFLICT (person_id) DO UPDATE SET token = EXCLUDED.token
        $$
        """
    ]
    for watch in WATCHED:
        new, old = watch.people.format(rows="new_rows"), watch.people.format(rows="old_rows")
        statements.append(
            f"""
            CREATE OR REPLACE FUNCTION {watch.table}_revise() RETURNS trigger
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
            $$
            """
        )
        for event in watch.events:
            tables = {
                "INSERT": "NEW TABLE AS new_rows",
                "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
                "DELETE": "OLD TABLE AS old_rows",
            }[event]
            statements.append(
                f"CREATE TRIGGER {watch.table}_revise_{event.lower()} AFTER {event} "
                f"ON {watch.table} REFERENCING {tables} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {watch.table}_revise()"
            )
    return statements


def sqlite_sql() -> list[str]:
    """Row-level triggers (SQLite has no others)."""
    statements = []
    for watch in WATCHED:
        for event in watch.events:
            sides = {"INSERT": ["NEW"], "UPDATE": ["NEW", "OLD"], "DELETE": ["OLD"]}[event]
            body = []
            for side in sides:
                rows = "(SELECT " + ", ".join(f"{side}.{c} AS {c}" for c in watch.columns) + ")"
                body.append(
                    f"INSERT INTO {TABLE} (person_id, token) "
                    f"SELECT id, random() FROM people_person "
                    f"WHERE id IN ({watch.people.format(rows=rows)}) "
                    "ON CONFLICT (person_id) DO UPDATE SET token = excluded.token;"
                )
            statements.append(
                f"CREATE TRIGGER {watch.table}_revise_{event.lower()} AFTER {event} "
                f"ON {watch.table} FOR EACH ROW BEGIN {' '.join(body)} END"
            )
    return statements


def install(schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = postgresql_sql()
    elif vendor == "sqlite":
        statements = sqlite_sql()
    else:
        raise NotImplementedError(f"person revision triggers for {vendor}")
    for statement in statements:
        schema_editor.execute(statement)


def uninstall(schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    for watch in WATCHED:
        for event in watch.events:
            name = f"{watch.table}_revise_{event.lower()}"
            if vendor == "postgresql":
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {watch.table}")
            else:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
        if vendor == "postgresql":
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {watch.table}_revise()")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS coreflect_bump(bigint[])")
