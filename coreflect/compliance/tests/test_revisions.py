"""Person revision tokens, kept by database triggers: which writes change whose token, that
every table the engine reads is watched, and that the triggers installed are the ones the
migration froze."""

import datetime as dt
import importlib
import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coreflect.compliance import matrix, revisions
from coreflect.compliance.models import PersonRevision, current_policy
from coreflect.people.models import Absence, EmploymentPeriod, Person, Role
from coreflect.supervision.models import Attendance, Session, SupervisionRelationship
from coreflect.testing import make_person

DAY = dt.date(2026, 5, 6)
# The latest migration that changed the trigger SQL.
FROZEN = importlib.import_module("coreflect.compliance.migrations.0005_truncate_bumps_every_token")


def tokens(*people: Person) -> list[int | None]:
    found = dict(PersonRevision.objects.values_list("person_id", "token"))
    return [found.get(p.pk) for p in people]


def changes(write, *people: Person) -> list[bool]:
    """For each person, whether `write()` changed their token."""
    before = tokens(*people)
    write()
    return [b != a for b, a in zip(before, tokens(*people), strict=True)]


@pytest.fixture
def session(sam, alice, olly):
    session = Session.objects.create(
        kind="co_reflection",
        date=DAY,
        start_time=dt.time(13),
        duration_minutes=180,
        lead=sam,
        modality="in_person",
    )
    Attendance.objects.create(session=session, person=alice, status="invited")
    return session


def test_attendance_changes_the_attendees_token_only(session, alice, olly):
    assert changes(
        lambda: Attendance.objects.create(session=session, person=olly, status="invited"),
        olly,
        alice,
    ) == [True, False]
    assert changes(
        lambda: Attendance.objects.filter(person=alice).update(status="attended"), alice, olly
    ) == [True, False]
    assert changes(lambda: Attendance.objects.filter(person=olly).delete(), olly, alice) == [
        True,
        False,
    ]


def test_changing_a_session_changes_everyone_on_its_register(session, alice, olly):
    assert changes(
        lambda: Session.objects.filter(pk=session.pk).update(date=DAY + dt.timedelta(days=1)),
        alice,
        olly,
    ) == [True, False]


def test_employment_absence_and_supervision_change_the_persons_token(alice, sam, olly):
    assert changes(
        lambda: EmploymentPeriod.objects.filter(person=alice).update(end_date=DAY), alice, olly
    ) == [True, False]
    assert changes(
        lambda: Absence.objects.create(person=alice, type="sickness", start_date=DAY, end_date=DAY),
        alice,
        olly,
    ) == [True, False]
    assert changes(
        lambda: SupervisionRelationship.objects.filter(supervisee=alice).update(end_date=DAY),
        alice,
        sam,
    ) == [True, False]


def test_changing_a_person_changes_their_token_only(alice, sam, olly):
    """A supervisor's name is read with their supervisees' rows, not stored with them."""
    assert changes(
        lambda: Person.objects.filter(pk=sam.pk).update(name="Sam Senior-Smith"), sam, alice, olly
    ) == [True, False, False]


def test_deleting_a_person_changes_their_token(alice, olly):
    """Their stored result is then recomputed: no longer in anyone's matrix."""
    assert changes(lambda: Person.objects.filter(pk=olly.pk).delete(), olly, alice) == [
        True,
        False,
    ]


def test_a_new_person_gets_a_token(db):
    person = make_person("NEW", "New Person", Role.PEER_WORKER, login=False)
    assert tokens(person) != [None]


def test_an_import_changes_the_tokens_of_the_people_it_changes(db, tmp_path, capsys):
    """On PostgreSQL the import writes with COPY and UPDATE … FROM: the triggers fire for
    those too."""
    from coreflect.imports.tests.samples import GOOD, varied, write

    call_command("import", str(write(tmp_path / "first", GOOD)))
    jo, sam = Person.objects.get(external_id="P01"), Person.objects.get(external_id="P02")
    assert None not in tokens(jo, sam)
    changed = write(
        tmp_path / "second", varied(attendance=("S1,P01,attended", "S1,P01,did_not_attend"))
    )
    assert changes(lambda: call_command("import", str(changed)), jo, sam) == [True, False]
    capsys.readouterr()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no TRUNCATE")
@pytest.mark.parametrize(
    "model", [Attendance, Session, EmploymentPeriod, Absence, SupervisionRelationship, Person]
)
def test_truncating_a_watched_table_changes_everyones_token(session, alice, olly, model):
    """TRUNCATE names no rows, so it changes every token."""

    def truncate():
        with connection.cursor() as cursor:
            # The test's rows' deferred foreign key checks first: TRUNCATE refuses to run
            # while any are pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {model._meta.db_table} CASCADE")

    assert changes(truncate, alice, olly) == [True, True]


# What the triggers watch, and that the database has them.


def tables_in(sql: str) -> set[str]:
    """The tables of the project's models that a query names."""
    names = {model._meta.db_table for model in apps.get_models()}
    return {name for name in names if re.search(rf'(?<![\w"]){name}(?![\w"])|"{name}"', sql)}


@pytest.mark.parametrize("many", [False, True], ids=["named by id", "selected by a query"])
def test_every_table_the_engine_reads_is_watched(everyone, monkeypatch, many):
    """A result is kept while its person's token holds, so a table the engine reads whose
    writes change no token would leave results stale: read every query `matrix.compute` makes,
    both ways it names people, and compare the tables with the triggers'."""
    if many:
        monkeypatch.setattr(matrix, "LISTED_IDS", 0)
    policy = current_policy()
    context = matrix.Context(2026, dt.date(2026, 11, 23), policy)
    ids = list(Person.objects.values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as queries:
        matrix.compute(ids, context, within=Person.objects.filter(pk__in=ids))
    read = set().union(*(tables_in(q["sql"]) for q in queries.captured_queries))
    watched = {watch.table for watch in revisions.WATCHED}
    assert read, "no tables found in the engine's queries"
    assert read <= watched, f"read but not watched: {sorted(read - watched)}"


def test_the_migration_holds_the_trigger_sql_revisions_writes():
    """The triggers are installed from SQL frozen in the migration, not from this code: if
    they differ, the models or the watched tables changed, and a new migration must install
    what revisions.py now writes."""
    assert revisions.postgresql_sql() == FROZEN.POSTGRESQL
    assert revisions.postgresql_drop_sql() == FROZEN.POSTGRESQL_DROP
    assert revisions.sqlite_sql() == FROZEN.SQLITE
    assert revisions.sqlite_drop_sql() == FROZEN.SQLITE_DROP


def installed_triggers() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {name for (name,) in cursor.fetchall()}


def test_the_database_has_a_trigger_for_every_watched_write(db):
    events = {"postgresql": ("TRUNCATE",), "sqlite": ()}[connection.vendor]
    expected = {
        f"{watch.table}_revise_{event.lower()}"
        for watch in revisions.WATCHED
        for event in (*watch.events, *events)
    }
    assert {
        name
        for name in installed_triggers()
        if name.endswith(("_revise_insert", "_revise_update", "_revise_delete", "_revise_truncate"))
    } == expected
