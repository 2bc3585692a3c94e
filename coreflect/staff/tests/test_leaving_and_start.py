"""A leaving date ends the person's employment, placement and supervision relationships on
their last day, and a start opens a new employment period and placement for someone coming
back; no overlaps, no end before a start; a stale form refused; audited; the matrix counts a
leaver only up to their last day, at once."""

import datetime as dt

import pytest

from coreflect.audit.models import AuditEvent
from coreflect.people.models import EmploymentPeriod, Placement
from coreflect.staff import actions
from coreflect.staff.tests.conftest import text, words
from coreflect.supervision.models import RelationshipType, SupervisionRelationship
from coreflect.testing import EMPLOYED_FROM

STALE = "Someone changed this person's record since you opened it"


def leaving_url(person):
    return f"/staff/{person.pk}/leaving/"


def start_url(person):
    return f"/staff/{person.pk}/start/"


def opened(person):
    return actions.as_opened(person)


def leave(client, person, day, **extra):
    data = {"leaving": day, "confirm": "on", "opened": opened(person), **extra}
    return client.post(leaving_url(person), data)


@pytest.fixture
def placed(alice, north):
    Placement.objects.create(
        person=alice,
        role=alice.role,
        service=north.service,
        locality=north,
        start_date=EMPLOYED_FROM,
    )
    return alice


def matrix_names(client, **query):
    return {row.person.name for row in client.get("/matrix/", query).context["rows"]}


@pytest.mark.parametrize("who", ["hana", "ada"])
def test_a_leaving_date_ends_employment_placement_and_relationships_and_is_audited(
    login, everyone, placed, who
):
    client = login(everyone[who])
    page = client.get(leaving_url(placed))
    assert "Sam Senior supervises Alice Able (peer work supervision)" in text(page)
    response = leave(client, placed, "2026-11-30")
    assert response.status_code == 302 and response.url == f"/staff/{placed.pk}/"
    assert list(EmploymentPeriod.objects.filter(person=placed).values_list("end_date")) == [
        (dt.date(2026, 11, 30),)
    ]
    assert list(Placement.objects.filter(person=placed).values_list("end_date")) == [
        (dt.date(2026, 11, 30),)
    ]
    relationship = SupervisionRelationship.objects.get(supervisee=placed)
    assert relationship.end_date == dt.date(2026, 11, 30)
    event = AuditEvent.objects.get(action="person.leaving")
    assert event.actor == everyone[who].user and event.object_id == str(placed.pk)
    assert event.detail["leaving"] == "2026-11-30"
    assert event.detail["employment"] == {
        "before": {"start": "2024-01-01", "end": None},
        "after": {"start": "2024-01-01", "end": "2026-11-30"},
    }
    assert event.detail["relationships_ended"] == [relationship.pk]


def test_a_leaver_is_not_counted_after_their_last_day(login, hana, alice):
    client = login(hana)
    assert "Alice Able" in matrix_names(client)
    # Her last day is the last of the 2025 recording year: she is in that year's matrix only.
    leave(client, alice, "2026-03-31")
    assert "Alice Able" not in matrix_names(client)
    assert "Alice Able" in matrix_names(client, year="2025")
    assert "Left" in text(client.get("/staff/", {"text": "alice"}))


def test_a_supervisor_who_leaves_stops_supervising_on_their_last_day(login, hana, sam, alice):
    leave(login(hana), sam, "2026-11-30")
    assert SupervisionRelationship.objects.get(supervisor=sam).end_date == dt.date(2026, 11, 30)


def test_a_relationship_that_ended_sooner_is_left_as_it_was(login, hana, alice):
    SupervisionRelationship.objects.filter(supervisee=alice).update(end_date=dt.date(2026, 6, 30))
    leave(login(hana), alice, "2026-11-30")
    assert SupervisionRelationship.objects.get(supervisee=alice).end_date == dt.date(2026, 6, 30)
    assert AuditEvent.objects.get(action="person.leaving").detail["relationships_ended"] == []


def test_a_leaving_date_before_the_start_is_refused(login, hana, alice):
    response = leave(login(hana), alice, "2023-12-31")
    assert "The leaving date is before 1 January 2024, when their employment began" in text(
        response
    )
    assert EmploymentPeriod.objects.get(person=alice).end_date is None
    assert not AuditEvent.objects.filter(action="person.leaving").exists()


def test_a_relationship_starting_after_the_leaving_date_is_refused(login, hana, alice, pat):
    SupervisionRelationship.objects.create(
        supervisee=alice,
        supervisor=pat,
        type=RelationshipType.CLINICAL,
        start_date=dt.date(2026, 12, 1),
    )
    response = leave(login(hana), alice, "2026-11-30")
    assert "Pat Lead starts supervising Alice Able (clinical supervision) on 1 December 2026" in (
        text(response)
    )
    assert EmploymentPeriod.objects.get(person=alice).end_date is None
    assert SupervisionRelationship.objects.get(supervisor=pat).end_date is None


def test_leaving_asks_for_a_confirmation(login, hana, alice):
    response = login(hana).post(
        leaving_url(alice), {"leaving": "2026-11-30", "opened": opened(alice)}
    )
    assert "Tick the box to confirm the leaving date" in text(response)
    assert EmploymentPeriod.objects.get(person=alice).end_date is None


def test_someone_with_nothing_recorded_has_nothing_to_end(login, hana, lena):
    response = leave(login(hana), lena, "2026-11-30")
    assert "Lena Line has no employment or placement recorded to end" in text(response)


def test_a_stale_leaving_form_is_refused(login, hana, alice):
    client = login(hana)
    data = {"leaving": "2026-11-30", "confirm": "on", "opened": opened(alice)}
    EmploymentPeriod.objects.create(
        person=alice, start_date=dt.date(2020, 1, 1), end_date=dt.date(2020, 12, 31)
    )
    response = client.post(leaving_url(alice), data)
    assert STALE in words(response)
    assert EmploymentPeriod.objects.get(person=alice, start_date=EMPLOYED_FROM).end_date is None


@pytest.mark.parametrize("who", ["alice", "sam", "lena", "pat", "gus"])
def test_leaving_and_start_without_permission(login, everyone, who):
    alice = everyone["alice"]
    client = login(everyone[who])
    for url in (leaving_url(alice), start_url(alice)):
        assert client.get(url).status_code == 404
    assert leave(client, alice, "2026-11-30").status_code == 404
    assert (
        client.post(start_url(alice), {"start": "2026-12-01", "opened": opened(alice)}).status_code
        == 404
    )
    assert list(EmploymentPeriod.objects.filter(person=alice).values_list("end_date")) == [(None,)]


# Starts.


@pytest.fixture
def returner(hana, placed):
    actions.record_leaving(
        by=hana.user, person=placed, opened=opened(placed), leaving=dt.date(2026, 3, 31)
    )
    return placed


def test_a_returner_starts_again_with_new_employment_and_placement(login, hana, returner):
    client = login(hana)
    assert "Alice Able" not in matrix_names(client)
    response = client.post(start_url(returner), {"start": "2026-09-01", "opened": opened(returner)})
    assert response.status_code == 302
    assert list(
        EmploymentPeriod.objects.filter(person=returner)
        .order_by("start_date")
        .values_list("start_date", "end_date")
    ) == [(EMPLOYED_FROM, dt.date(2026, 3, 31)), (dt.date(2026, 9, 1), None)]
    assert list(
        Placement.objects.filter(person=returner)
        .order_by("start_date")
        .values_list("locality__name", "start_date", "end_date")
    ) == [
        ("Northton", EMPLOYED_FROM, dt.date(2026, 3, 31)),
        ("Northton", dt.date(2026, 9, 1), None),
    ]
    event = AuditEvent.objects.get(action="person.start")
    assert event.detail == {"start": "2026-09-01", "employment": True, "placement": True}
    assert "Alice Able" in matrix_names(client)


@pytest.mark.parametrize(
    ("start", "says"),
    [
        ("2026-03-31", "overlaps a start on 31 March 2026"),
        ("2025-01-01", "overlaps a start on 1 January 2025"),
    ],
)
def test_a_start_that_overlaps_earlier_employment_is_refused(login, hana, returner, start, says):
    response = login(hana).post(start_url(returner), {"start": start, "opened": opened(returner)})
    assert says in text(response)
    assert EmploymentPeriod.objects.filter(person=returner).count() == 1


def test_a_start_while_still_employed_is_refused(login, hana, alice):
    response = login(hana).post(start_url(alice), {"start": "2026-12-01", "opened": opened(alice)})
    assert "Employment from 1 January 2024 is still going on: record a leaving date first" in text(
        response
    )
    assert EmploymentPeriod.objects.filter(person=alice).count() == 1


def test_outside_peer_work_a_start_is_a_placement_only(login, hana, lena):
    client = login(hana)
    client.post(start_url(lena), {"start": "2026-12-01", "opened": opened(lena)})
    assert list(Placement.objects.filter(person=lena).values_list("role", "start_date")) == [
        ("line_manager", dt.date(2026, 12, 1))
    ]
    assert not EmploymentPeriod.objects.filter(person=lena).exists()
    again = client.post(start_url(lena), {"start": "2026-12-02", "opened": opened(lena)})
    assert "Lena Line is in post from 1 December 2026, which this start overlaps" in text(again)


def test_a_stale_start_form_is_refused(login, hana, ada, returner):
    client = login(hana)
    data = {"start": "2026-09-01", "opened": opened(returner)}
    actions.record_start(
        by=ada.user, person=returner, opened=opened(returner), start=dt.date(2026, 10, 1)
    )
    response = client.post(start_url(returner), data)
    assert STALE in words(response)
    assert (
        EmploymentPeriod.objects.filter(person=returner, start_date=dt.date(2026, 9, 1)).count()
        == 0
    )
