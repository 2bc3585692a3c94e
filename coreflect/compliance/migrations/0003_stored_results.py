"""Stored results, and the person revision triggers as literal SQL.

The triggers' SQL is frozen here as revisions.py wrote it on the day; test_revisions.py checks
that revisions.py still writes the same, so a change there needs a new migration. They replace
the triggers 0002 once installed, which also watched services and localities (whose names
results no longer hold) and did not cover TRUNCATE.
"""

from django.db import migrations, models

# The triggers 0002 installed, whatever their SQL was.
OLD = [
    ("supervision_attendance", ("insert", "update", "delete")),
    ("supervision_session", ("update", "delete")),
    ("people_employmentperiod", ("insert", "update", "delete")),
    ("people_absence", ("insert", "update", "delete")),
    ("supervision_supervisionrelationship", ("insert", "update", "delete")),
    ("people_person", ("insert", "update", "delete")),
    ("people_service", ("update",)),
    ("people_locality", ("update",)),
]

# Everyone gets a token now: a stored result is kept for everyone with one.
TOKENS = {
    "postgresql": "INSERT INTO compliance_personrevision (person_id, token) "
    "SELECT id, (random() * 9.2e18)::bigint FROM people_person ON CONFLICT (person_id) DO NOTHING",
    "sqlite": "INSERT INTO compliance_personrevision (person_id, token) "
    "SELECT id, random() FROM people_person WHERE true ON CONFLICT (person_id) DO NOTHING",
}

POSTGRESQL = [
    """CREATE FUNCTION coreflect_bump(people bigint[]) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO compliance_personrevision (person_id, token)
    SELECT p, (random() * 9.2e18)::bigint
      FROM (SELECT DISTINCT unnest(people) AS p) AS d WHERE p IS NOT NULL
    ON CONFLICT (person_id) DO UPDATE SET token = EXCLUDED.token
$$""",
    """CREATE FUNCTION coreflect_bump_everyone() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO compliance_personrevision (person_id, token)
    SELECT id, (random() * 9.2e18)::bigint FROM people_person
    ON CONFLICT (person_id) DO UPDATE SET token = EXCLUDED.token;
    RETURN NULL;
END
$$""",
    """CREATE FUNCTION supervision_attendance_revise() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM coreflect_bump(ARRAY(SELECT person_id FROM new_rows));
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM coreflect_bump(ARRAY(SELECT person_id FROM old_rows));
    END IF;
    RETURN NULL;
END
$$""",
    "CREATE TRIGGER supervision_attendance_revise_insert AFTER INSERT ON supervision_attendance REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION supervision_attendance_revise()",
    "CREATE TRIGGER supervision_attendance_revise_update AFTER UPDATE ON supervision_attendance REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION supervision_attendance_revise()",
    "CREATE TRIGGER supervision_attendance_revise_delete AFTER DELETE ON supervision_attendance REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION supervision_attendance_revise()",
    "CREATE TRIGGER supervision_attendance_revise_truncate AFTER TRUNCATE ON supervision_attendance FOR EACH STATEMENT EXECUTE FUNCTION coreflect_bump_everyone()",
    """CREATE FUNCTION supervision_session_revise() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM coreflect_bump(ARRAY(SELECT a.person_id FROM supervision_attendance a JOIN new_rows r ON a.session_id = r.id));
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM coreflect_bump(ARRAY(SELECT a.person_id FROM supervision_attendance a JOIN old_rows r ON a.session_id = r.id));
    END IF;
    RETURN NULL;
END
$$""",
    "CREATE TRIGGER supervision_session_revise_update AFTER UPDATE ON supervision_session REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION supervision_session_revise()",
    "CREATE TRIGGER supervision_session_revise_delete AFTER DELETE ON supervision_session REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION supervision_session_revise()",
    "CREATE TRIGGER supervision_session_revise_truncate AFTER TRUNCATE ON supervision_session FOR EACH STATEMENT EXECUTE FUNCTION coreflect_bump_everyone()",
    """CREATE FUNCTION people_employmentperiod_revise() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM coreflect_bump(ARRAY(SELECT person_id FROM new_rows));
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM coreflect_bump(ARRAY(SELECT person_id FROM old_rows));
    END IF;
    RETURN NULL;
END
$$""",
    "CREATE TRIGGER people_employmentperiod_revise_insert AFTER INSERT ON people_employmentperiod REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION people_employmentperiod_revise()",
    "CREATE TRIGGER people_employmentperiod_revise_update AFTER UPDATE ON people_employmentperiod REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION people_employmentperiod_revise()",
    "CREATE TRIGGER people_employmentperiod_revise_delete AFTER DELETE ON people_employmentperiod REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION people_employmentperiod_revise()",
    "CREATE TRIGGER people_employmentperiod_revise_truncate AFTER TRUNCATE ON people_employmentperiod FOR EACH STATEMENT EXECUTE FUNCTION coreflect_bump_everyone()",
    """CREATE FUNCTION people_absence_revise() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM coreflect_bump(ARRAY(SELECT person_id FROM new_rows));
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM coreflect_bump(ARRAY(SELECT person_id FROM old_rows));
    END IF;
    RETURN NULL;
END
$$""",
    "CREATE TRIGGER people_absence_revise_insert AFTER INSERT ON people_absence REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION people_absence_revise()",
    "CREATE TRIGGER people_absence_revise_update AFTER UPDATE ON people_absence REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION people_absence_revise()",
    "CREATE TRIGGER people_absence_revise_delete AFTER DELETE ON people_absence REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION people_absence_revise()",
    "CREATE TRIGGER people_absence_revise_truncate AFTER TRUNCATE ON people_absence FOR EACH STATEMENT EXECUTE FUNCTION coreflect_bump_everyone()",
    """CREATE FUNCTION supervision_supervisionrelationship_revise() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM coreflect_bump(ARRAY(SELECT supervisee_id FROM new_rows));
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM coreflect_bump(ARRAY(SELECT supervisee_id FROM old_rows));
    END IF;
    RETURN NULL;
END
$$""",
    "CREATE TRIGGER supervision_supervisionrelationship_revise_insert AFTER INSERT ON supervision_supervisionrelationship REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION supervision_supervisionrelationship_revise()",
    "CREATE TRIGGER supervision_supervisionrelationship_revise_update AFTER UPDATE ON supervision_supervisionrelationship REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION supervision_supervisionrelationship_revise()",
    "CREATE TRIGGER supervision_supervisionrelationship_revise_delete AFTER DELETE ON supervision_supervisionrelationship REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION supervision_supervisionrelationship_revise()",
    "CREATE TRIGGER supervision_supervisionrelationship_revise_truncate AFTER TRUNCATE ON supervision_supervisionrelationship FOR EACH STATEMENT EXECUTE FUNCTION coreflect_bump_everyone()",
    """CREATE FUNCTION people_person_revise() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM coreflect_bump(ARRAY(SELECT id FROM new_rows));
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM coreflect_bump(ARRAY(SELECT id FROM old_rows));
    END IF;
    RETURN NULL;
END
$$""",
    "CREATE TRIGGER people_person_revise_insert AFTER INSERT ON people_person REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION people_person_revise()",
    "CREATE TRIGGER people_person_revise_update AFTER UPDATE ON people_person REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION people_person_revise()",
    "CREATE TRIGGER people_person_revise_delete AFTER DELETE ON people_person REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION people_person_revise()",
    "CREATE TRIGGER people_person_revise_truncate AFTER TRUNCATE ON people_person FOR EACH STATEMENT EXECUTE FUNCTION coreflect_bump_everyone()",
]

POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS supervision_attendance_revise_insert ON supervision_attendance",
    "DROP TRIGGER IF EXISTS supervision_attendance_revise_update ON supervision_attendance",
    "DROP TRIGGER IF EXISTS supervision_attendance_revise_delete ON supervision_attendance",
    "DROP TRIGGER IF EXISTS supervision_attendance_revise_truncate ON supervision_attendance",
    "DROP FUNCTION IF EXISTS supervision_attendance_revise()",
    "DROP TRIGGER IF EXISTS supervision_session_revise_update ON supervision_session",
    "DROP TRIGGER IF EXISTS supervision_session_revise_delete ON supervision_session",
    "DROP TRIGGER IF EXISTS supervision_session_revise_truncate ON supervision_session",
    "DROP FUNCTION IF EXISTS supervision_session_revise()",
    "DROP TRIGGER IF EXISTS people_employmentperiod_revise_insert ON people_employmentperiod",
    "DROP TRIGGER IF EXISTS people_employmentperiod_revise_update ON people_employmentperiod",
    "DROP TRIGGER IF EXISTS people_employmentperiod_revise_delete ON people_employmentperiod",
    "DROP TRIGGER IF EXISTS people_employmentperiod_revise_truncate ON people_employmentperiod",
    "DROP FUNCTION IF EXISTS people_employmentperiod_revise()",
    "DROP TRIGGER IF EXISTS people_absence_revise_insert ON people_absence",
    "DROP TRIGGER IF EXISTS people_absence_revise_update ON people_absence",
    "DROP TRIGGER IF EXISTS people_absence_revise_delete ON people_absence",
    "DROP TRIGGER IF EXISTS people_absence_revise_truncate ON people_absence",
    "DROP FUNCTION IF EXISTS people_absence_revise()",
    "DROP TRIGGER IF EXISTS supervision_supervisionrelationship_revise_insert ON supervision_supervisionrelationship",
    "DROP TRIGGER IF EXISTS supervision_supervisionrelationship_revise_update ON supervision_supervisionrelationship",
    "DROP TRIGGER IF EXISTS supervision_supervisionrelationship_revise_delete ON supervision_supervisionrelationship",
    "DROP TRIGGER IF EXISTS supervision_supervisionrelationship_revise_truncate ON supervision_supervisionrelationship",
    "DROP FUNCTION IF EXISTS supervision_supervisionrelationship_revise()",
    "DROP TRIGGER IF EXISTS people_person_revise_insert ON people_person",
    "DROP TRIGGER IF EXISTS people_person_revise_update ON people_person",
    "DROP TRIGGER IF EXISTS people_person_revise_delete ON people_person",
    "DROP TRIGGER IF EXISTS people_person_revise_truncate ON people_person",
    "DROP FUNCTION IF EXISTS people_person_revise()",
    "DROP FUNCTION IF EXISTS coreflect_bump_everyone()",
    "DROP FUNCTION IF EXISTS coreflect_bump(bigint[])",
]

SQLITE = [
    "CREATE TRIGGER supervision_attendance_revise_insert AFTER INSERT ON supervision_attendance FOR EACH ROW BEGIN INSERT INTO compliance_personrevision (person_id, token) SELECT changed.*, random() FROM (SELECT person_id FROM (SELECT NEW.person_id AS person_id)) AS changed WHERE true ON CONFLICT (person_id) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER supervision_attendance_revise_update AFTER UPDATE ON supervision_attendance FOR EACH ROW BEGIN INSERT INTO compliance_personrevision (person_id, token) SELECT changed.*, random() FROM (SELECT person_id FROM (SELECT NEW.person_id AS person_id)) AS changed WHERE true ON CONFLICT (person_id) DO UPDATE SET token = excluded.token; INSERT INTO compliance_personrevision (person_id, token) SELECT changed.*, random() FROM (SELECT person_id FROM (SELECT OLD.person_id AS person_id)) AS changed WHERE true ON CONFLICT (person_id) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER supervision_attendance_revise_delete AFTER DELETE ON supervision_attendance FOR EACH ROW BEGIN INSERT INTO compliance_personrevision (person_id, token) SELECT changed.*, random() FROM (SELECT person_id FROM (SELECT OLD.person_id AS person_id)) AS changed WHERE true ON CONFLICT (person_id) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER supervision_session_revise_update AFTER UPDATE ON supervision_session FOR EACH ROW BEGIN INSERT INTO compliance_personrevision (person_id, token) SELECT changed.*, random() FROM (SELECT a.person_id FROM supervision_attendance a JOIN (SELECT NEW.id AS id) r ON a.session_id = r.id) AS changed WHERE true ON CONFLICT (person_id) DO UPDATE SET token = excluded.token; INSERT INTO compliance_personrevision (person_id, token) SELECT changed.*, random() FROM (SELECT a.person_id FROM supervision_attendance a JOIN (SELECT OLD.id AS id) r ON a.session_id = r.id) AS changed WHERE true ON CONFLICT (person_id) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER supervision_session_revise_delete AFTER DELETE ON supervision_session FOR EACH ROW BEGIN INSERT INTO compliance_personrevision (person_id, token) SELECT changed.*, random() FROM (SELECT a.person_id FROM supervision_attendance a JOIN (SELECT OLD.id AS id) r ON a.session_id = r.id) AS changed WHERE true ON CONFLICT (person_id) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER people_employmentperiod_revise_insert AFTER INSERT ON people_employmentperiod FOR EACH ROW BEGIN INSERT INTO compliance_personrevision (person_id, token) SELECT changed.*, random() FROM (SELECT person_id FROM (SELECT NEW.person_id AS person_id)) AS changed WHERE true ON CONFLICT (person_id) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER people_employmentperiod_revise_update AFTER UPDATE ON people_employmentperiod FOR EACH ROW BEGIN INSERT INTO compliance_personrevision (person_id, token) SELECT changed.*, random() FROM (SELECT person_id FROM (SELECT NEW.person_id AS person_id)) AS changed WHERE true ON CONFLICT (person_id) DO UPDATE SET token = excluded.token; INSERT INTO compliance_personrevision (person_id, token) SELECT changed.*, random() FROM (SELECT person_id FROM (SELECT OLD.person_id AS person_id)) AS changed WHERE true ON CONFLICT (person_id) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER people_employmentperiod_revise_delete AFTER DELETE ON people_employmentperiod FOR EACH ROW BEGIN INSERT INTO compliance_personrevision (person_id, token) SELECT changed.*, random() FROM (SELECT person_id FROM (SELECT OLD.person_id AS person_id)) AS changed WHERE true ON CONFLICT (person_id) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER people_absence_revise_insert AFTER INSERT ON people_absence FOR EACH ROW BEGIN INSERT INTO compliance_personrevision (person_id, token) SELECT changed.*, random() FROM (SELECT person_id FROM (SELECT NEW.person_id AS person_id)) AS changed WHERE true ON CONFLICT (person_id) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER people_absence_revise_update AFTER UPDATE ON people_absence FOR EACH ROW BEGIN INSERT INTO compliance_personrevision (person_id, token) SELECT changed.*, random() FROM (SELECT person_id FROM (SELECT NEW.person_id AS person_id)) AS changed WHERE true ON CONFLICT (person_id) DO UPDATE SET token = excluded.token; INSERT INTO compliance_personrevision (person_id, token) SELECT changed.*, random() FROM (SELECT person_id FROM (SELECT OLD.person_id AS person_id)) AS changed WHERE true ON CONFLICT (person_id) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER people_absence_revise_delete AFTER DELETE ON people_absence FOR EACH ROW BEGIN INSERT INTO compliance_personrevision (person_id, token) SELECT changed.*, random() FROM (SELECT person_id FROM (SELECT OLD.person_id AS person_id)) AS changed WHERE true ON CONFLICT (person_id) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER supervision_supervisionrelationship_revise_insert AFTER INSERT ON supervision_supervisionrelationship FOR EACH ROW BEGIN INSERT INTO compliance_personrevision (person_id, token) SELECT changed.*, random() FROM (SELECT supervisee_id FROM (SELECT NEW.supervisee_id AS supervisee_id)) AS changed WHERE true ON CONFLICT (person_id) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER supervision_supervisionrelationship_revise_update AFTER UPDATE ON supervision_supervisionrelationship FOR EACH ROW BEGIN INSERT INTO compliance_personrevision (person_id, token) SELECT changed.*, random() FROM (SELECT supervisee_id FROM (SELECT NEW.supervisee_id AS supervisee_id)) AS changed WHERE true ON CONFLICT (person_id) DO UPDATE SET token = excluded.token; INSERT INTO compliance_personrevision (person_id, token) SELECT changed.*, random() FROM (SELECT supervisee_id FROM (SELECT OLD.supervisee_id AS supervisee_id)) AS changed WHERE true ON CONFLICT (person_id) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER supervision_supervisionrelationship_revise_delete AFTER DELETE ON supervision_supervisionrelationship FOR EACH ROW BEGIN INSERT INTO compliance_personrevision (person_id, token) SELECT changed.*, random() FROM (SELECT supervisee_id FROM (SELECT OLD.supervisee_id AS supervisee_id)) AS changed WHERE true ON CONFLICT (person_id) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER people_person_revise_insert AFTER INSERT ON people_person FOR EACH ROW BEGIN INSERT INTO compliance_personrevision (person_id, token) SELECT changed.*, random() FROM (SELECT id FROM (SELECT NEW.id AS id)) AS changed WHERE true ON CONFLICT (person_id) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER people_person_revise_update AFTER UPDATE ON people_person FOR EACH ROW BEGIN INSERT INTO compliance_personrevision (person_id, token) SELECT changed.*, random() FROM (SELECT id FROM (SELECT NEW.id AS id)) AS changed WHERE true ON CONFLICT (person_id) DO UPDATE SET token = excluded.token; INSERT INTO compliance_personrevision (person_id, token) SELECT changed.*, random() FROM (SELECT id FROM (SELECT OLD.id AS id)) AS changed WHERE true ON CONFLICT (person_id) DO UPDATE SET token = excluded.token; END",
    "CREATE TRIGGER people_person_revise_delete AFTER DELETE ON people_person FOR EACH ROW BEGIN INSERT INTO compliance_personrevision (person_id, token) SELECT changed.*, random() FROM (SELECT id FROM (SELECT OLD.id AS id)) AS changed WHERE true ON CONFLICT (person_id) DO UPDATE SET token = excluded.token; END",
]

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS supervision_attendance_revise_insert",
    "DROP TRIGGER IF EXISTS supervision_attendance_revise_update",
    "DROP TRIGGER IF EXISTS supervision_attendance_revise_delete",
    "DROP TRIGGER IF EXISTS supervision_session_revise_update",
    "DROP TRIGGER IF EXISTS supervision_session_revise_delete",
    "DROP TRIGGER IF EXISTS people_employmentperiod_revise_insert",
    "DROP TRIGGER IF EXISTS people_employmentperiod_revise_update",
    "DROP TRIGGER IF EXISTS people_employmentperiod_revise_delete",
    "DROP TRIGGER IF EXISTS people_absence_revise_insert",
    "DROP TRIGGER IF EXISTS people_absence_revise_update",
    "DROP TRIGGER IF EXISTS people_absence_revise_delete",
    "DROP TRIGGER IF EXISTS supervision_supervisionrelationship_revise_insert",
    "DROP TRIGGER IF EXISTS supervision_supervisionrelationship_revise_update",
    "DROP TRIGGER IF EXISTS supervision_supervisionrelationship_revise_delete",
    "DROP TRIGGER IF EXISTS people_person_revise_insert",
    "DROP TRIGGER IF EXISTS people_person_revise_update",
    "DROP TRIGGER IF EXISTS people_person_revise_delete",
]


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in TOKENS:
        raise NotImplementedError(f"person revision triggers for {vendor}")
    for table, events in OLD:
        for event in events:
            if vendor == "postgresql":
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_revise_{event} ON {table}")
            else:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_revise_{event}")
        if vendor == "postgresql":
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_revise()")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS coreflect_bump(bigint[])")
    for statement in POSTGRESQL if vendor == "postgresql" else SQLITE:
        schema_editor.execute(statement)
    schema_editor.execute(TOKENS[vendor])


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in POSTGRESQL_DROP if vendor == "postgresql" else SQLITE_DROP:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0002_person_revisions"),
    ]

    operations = [
        migrations.CreateModel(
            name="StoredResult",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("person_id", models.BigIntegerField()),
                ("start_year", models.PositiveSmallIntegerField()),
                ("as_of", models.DateField()),
                (
                    "policy",
                    models.CharField(
                        help_text="matrix.fingerprint() of the policy.", max_length=16
                    ),
                ),
                (
                    "token",
                    models.BigIntegerField(
                        help_text="The person's revision token, read before computing."
                    ),
                ),
                (
                    "computed_on",
                    models.DateField(help_text="Rows not computed since the day before go."),
                ),
                (
                    "name",
                    models.CharField(
                        help_text="The person's name, to list in order.", max_length=200
                    ),
                ),
                (
                    "member",
                    models.BooleanField(
                        help_text="In the year's matrix: a peer-work role, employment overlapping the year."
                    ),
                ),
                (
                    "q1_status",
                    models.CharField(
                        choices=[
                            ("not_applicable", "Not applicable"),
                            ("not_started", "Not started"),
                            ("met", "Met"),
                            ("not_met", "Not met"),
                            ("on_track", "On track"),
                            ("at_risk", "At risk"),
                        ],
                        max_length=16,
                    ),
                ),
                (
                    "q2_status",
                    models.CharField(
                        choices=[
                            ("not_applicable", "Not applicable"),
                            ("not_started", "Not started"),
                            ("met", "Met"),
                            ("not_met", "Not met"),
                            ("on_track", "On track"),
                            ("at_risk", "At risk"),
                        ],
                        max_length=16,
                    ),
                ),
                (
                    "q3_status",
                    models.CharField(
                        choices=[
                            ("not_applicable", "Not applicable"),
                            ("not_started", "Not started"),
                            ("met", "Met"),
                            ("not_met", "Not met"),
                            ("on_track", "On track"),
                            ("at_risk", "At risk"),
                        ],
                        max_length=16,
                    ),
                ),
                (
                    "q4_status",
                    models.CharField(
                        choices=[
                            ("not_applicable", "Not applicable"),
                            ("not_started", "Not started"),
                            ("met", "Met"),
                            ("not_met", "Not met"),
                            ("on_track", "On track"),
                            ("at_risk", "At risk"),
                        ],
                        max_length=16,
                    ),
                ),
                (
                    "year_status",
                    models.CharField(
                        choices=[
                            ("not_applicable", "Not applicable"),
                            ("not_started", "Not started"),
                            ("met", "Met"),
                            ("not_met", "Not met"),
                            ("on_track", "On track"),
                            ("at_risk", "At risk"),
                        ],
                        max_length=16,
                    ),
                ),
                (
                    "supervisor_id",
                    models.BigIntegerField(
                        help_text="The current peer work supervisor on the as-of date (in the year).",
                        null=True,
                    ),
                ),
                ("counts", models.JSONField(help_text="The 16 numbers of rules.COUNT_KEYS.")),
                (
                    "eligible_days",
                    models.JSONField(help_text="Eligible days in each quarter, then the year."),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="personrevision",
            index=models.Index(fields=["person_id"], include=("token",), name="revision_token"),
        ),
        migrations.AddIndex(
            model_name="storedresult",
            index=models.Index(
                fields=["start_year", "as_of", "policy", "name", "person_id"],
                include=(
                    "token",
                    "computed_on",
                    "member",
                    "q1_status",
                    "q2_status",
                    "q3_status",
                    "q4_status",
                    "year_status",
                    "supervisor_id",
                ),
                name="stored_result_by_name",
            ),
        ),
        migrations.AddIndex(
            model_name="storedresult",
            index=models.Index(fields=["computed_on"], name="stored_result_computed_on"),
        ),
        migrations.AddConstraint(
            model_name="storedresult",
            constraint=models.UniqueConstraint(
                fields=("start_year", "as_of", "policy", "person_id"), name="stored_result_key"
            ),
        ),
        migrations.RunPython(install, uninstall),
    ]
