"""Person revision tokens (kept by database triggers) and the matrix rows kept against them."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coreflect.compliance import matrix
from coreflect.compliance.models import PersonRevision
from coreflect.compliance.tests.test_views import one_to_one
from coreflect.people.models import Absence, EmploymentPeriod, Person, Role
from coreflect.supervision.models import Attendance, Session, SupervisionRelationship
from coreflect.testing import make_person

DAY = dt.date(2026, 5, 6)


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


def test_renaming_a_supervisor_changes_their_supervisees_tokens(alice, sam, olly):
    """The matrix shows each person's supervisor by name."""
    assert changes(
        lambda: Person.objects.filter(pk=sam.pk).update(name="Sam Senior-Smith"), sam, alice, olly
    ) == [True, True, False]


def test_renaming_a_service_or_locality_changes_its_peoples_tokens(alice, olly, north):
    assert changes(
        lambda: type(north).objects.filter(pk=north.pk).update(name="Northam"), alice, olly
    ) == [
        True,
        False,
    ]
    service = north.service
    assert changes(
        lambda: type(service).objects.filter(pk=service.pk).update(name="Northern"), alice, olly
    ) == [True, False]


def test_a_kept_row_answers_without_recomputing(login, hana, alice, sam):
    client = login(hana)
    client.get("/matrix/")
    with CaptureQueriesContext(connection) as warm:
        again = client.get("/matrix/")
    matrix.KEPT.clear()
    with CaptureQueriesContext(connection) as cold:
        client.get("/matrix/")
    assert len(warm) < len(cold)
    assert [r.person for r in again.context["rows"]] == [alice, hana, sam]


def test_a_kept_row_gives_way_to_a_new_attendance(login, hana, alice, sam):
    """Recording a session changes the matrix straight away, kept rows or not."""
    client = login(hana)
    before = client.get("/matrix/?year=2025&as_of=2026-01-31").context["rows"]
    row = next(r for r in before if r.person == alice)
    assert row.result.quarters[1].component("one_to_one").attended == 0
    one_to_one(sam, alice, dt.date(2025, 8, 6))
    after = client.get("/matrix/?year=2025&as_of=2026-01-31").context["rows"]
    row = next(r for r in after if r.person == alice)
    assert row.result.quarters[1].component("one_to_one").attended == 1


def test_a_supervisors_new_name_shows_on_their_supervisees_rows(login, hana, alice, sam):
    client = login(hana)
    assert "Supervisor: Sam Senior" in client.get("/matrix/").content.decode()
    Person.objects.filter(pk=sam.pk).update(name="Sam Senior-Smith")
    assert "Supervisor: Sam Senior-Smith" in client.get("/matrix/").content.decode()


def test_kept_rows_are_bounded_least_recently_used_first():
    kept = matrix.Kept(size=2)
    kept.put(("a",), "row a")
    kept.put(("b",), "row b")
    assert kept.get(("a",)) == "row a"
    kept.put(("c",), "row c")
    assert kept.get(("b",)) is None
    assert kept.get(("a",)) == "row a" and kept.get(("c",)) == "row c"


def test_a_new_person_gets_a_token(db):
    person = make_person("NEW", "New Person", Role.PEER_WORKER, login=False)
    assert tokens(person) != [None]


def test_an_import_changes_the_tokens_of_the_people_it_changes(db, tmp_path, capsys):
    """On PostgreSQL the import writes with COPY and UPDATE … FROM: the triggers fire for
    those too."""
    from django.core.management import call_command

    from coreflect.imports.tests.samples import GOOD, varied, write

    call_command("import", str(write(tmp_path / "first", GOOD)))
    jo, sam = Person.objects.get(external_id="P01"), Person.objects.get(external_id="P02")
    assert None not in tokens(jo, sam)
    changed = write(
        tmp_path / "second", varied(attendance=("S1,P01,attended", "S1,P01,did_not_attend"))
    )
    assert changes(lambda: call_command("import", str(changed)), jo, sam) == [True, False]
    capsys.readouterr()
