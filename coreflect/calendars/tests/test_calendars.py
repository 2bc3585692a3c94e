"""Calendar feeds, the command and iTIP messages, read back with icalendar."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from icalendar import Calendar

from coreflect.audit.models import AuditEvent
from coreflect.calendars import actions, ics
from coreflect.calendars.models import CalendarSubscription
from coreflect.supervision import actions as sessions
from coreflect.supervision.tests.conftest import TODAY

LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def one_to_one(lead, supervisee, day=TODAY, start=dt.time(10), location="Room 1"):
    return sessions.create_one_to_one(
        by=lead.user,
        lead=lead,
        supervisee=supervisee,
        date=day,
        start_time=start,
        duration_minutes=60,
        modality="in_person",
        location=location,
    )


def events(body: bytes) -> list:
    return list(Calendar.from_ical(body).walk("VEVENT"))


def subscribe(person) -> str:
    return actions.make_address(by=person.user, person=person)


def test_a_feed_holds_each_session_once_with_its_uid_sequence_and_london_time(client, sam, alice):
    session = one_to_one(sam, alice, day=dt.date(2026, 12, 8))
    response = client.get(f"/calendar/{subscribe(alice)}.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"{session.uid}@coreflect"
    assert event["SEQUENCE"] == 1
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert event.start == dt.datetime(2026, 12, 8, 10, tzinfo=LONDON)
    assert event.end == dt.datetime(2026, 12, 8, 11, tzinfo=LONDON)
    assert str(event["SUMMARY"]) == "One-to-one supervision with Sam Senior"
    assert str(event["LOCATION"]) == "Room 1"
    assert str(event["STATUS"]) == "CONFIRMED"


def test_the_lead_sees_the_supervisee_named(client, sam, alice):
    one_to_one(sam, alice)
    [event] = events(client.get(f"/calendar/{subscribe(sam)}.ics").content)
    assert str(event["SUMMARY"]) == "One-to-one supervision with Alice Able"


def test_a_session_across_the_october_clock_change_keeps_its_wall_clock_time(sam, alice):
    # 24 October 2027 is a BST day, 31 October a GMT one (the clocks go back that morning).
    before = one_to_one(sam, alice, day=dt.date(2027, 10, 30), start=dt.time(23, 30))
    after = one_to_one(sam, alice, day=dt.date(2027, 11, 1))
    found = {str(e["UID"]): e for e in events(ics.feed(alice, ics.sessions_of(alice)))}
    late = found[f"{before.uid}@coreflect"]
    assert late.start.utcoffset() == dt.timedelta(hours=1)
    # Starts 23:30 BST, ends 00:30 on the 31st: one hour later in real time, still BST then.
    assert late.end - late.start == dt.timedelta(hours=1)
    assert found[f"{after.uid}@coreflect"].start.utcoffset() == dt.timedelta(0)
    assert found[f"{after.uid}@coreflect"].start.astimezone(dt.UTC).hour == 10


def test_a_move_keeps_the_uid_and_raises_the_sequence(client, sam, alice):
    session = one_to_one(sam, alice, day=dt.date(2026, 12, 8))
    token = subscribe(alice)
    sessions.update_session(
        by=sam.user, session=session, version=session.version, date=dt.date(2026, 12, 9)
    )
    [event] = events(client.get(f"/calendar/{token}.ics").content)
    assert str(event["UID"]) == f"{session.uid}@coreflect" and event["SEQUENCE"] == 2
    assert event.start.date() == dt.date(2026, 12, 9)


def test_a_cancelled_session_stays_in_the_feed_as_cancelled(client, sam, alice):
    session = one_to_one(sam, alice, day=dt.date(2026, 12, 8))
    sessions.cancel_session(
        by=sam.user, session=session, version=1, cancelled_by_side="supervisor", reason="Ill"
    )
    [event] = events(client.get(f"/calendar/{subscribe(alice)}.ics").content)
    assert str(event["STATUS"]) == "CANCELLED" and event["SEQUENCE"] == 2
    assert b"Ill" not in client.get(f"/calendar/{subscribe(alice)}.ics").content


def test_a_feed_holds_only_the_persons_sessions(client, sam, alice, sue, olly):
    one_to_one(sam, alice)
    one_to_one(sue, olly)
    assert len(events(client.get(f"/calendar/{subscribe(alice)}.ics").content)) == 1


def test_a_group_occurrence_is_in_each_members_feed(client, sam, alice):
    sessions.create_series(
        by=sam.user,
        kind="co_reflection",
        lead=sam,
        name="North group",
        recurrence_rule="FREQ=MONTHLY;BYDAY=-1WE",
        start_date=TODAY,
        start_time=dt.time(13),
        duration_minutes=180,
        modality="video",
        location="",
        members=[alice],
    )
    found = events(client.get(f"/calendar/{subscribe(alice)}.ics").content)
    assert len(found) == 12
    assert str(found[0]["SUMMARY"]) == "Co-reflection: North group"
    assert str(found[0]["LOCATION"]) == "Video call"


def test_a_feed_takes_a_fixed_number_of_queries(client, sam, alice, django_assert_max_num_queries):
    token = subscribe(alice)
    for day in range(1, 6):
        one_to_one(sam, alice, day=dt.date(2026, 12, day))
    # The token, the sessions, their people; whether today's fetch is on the audit log yet, and
    # writing it once a day.
    with django_assert_max_num_queries(6):
        assert len(events(client.get(f"/calendar/{token}.ics").content)) == 5


@pytest.mark.parametrize("token", ["not-a-token", "x" * 43, "x" * 500])
def test_any_other_address_answers_404(client, sam, alice, token):
    subscribe(alice)
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_only_a_hash_of_the_token_is_kept(alice):
    token = subscribe(alice)
    stored = CalendarSubscription.objects.get(person=alice)
    assert token not in stored.token_hash and stored.token_hash == actions.token_hash(token)


def test_regenerating_stops_the_old_address_and_is_audited(client, login, alice):
    old = subscribe(alice)
    response = login(alice).post("/calendar/", {"do": "make"})
    address = response.context["address"]
    new = address.rsplit("/", 1)[1].removesuffix(".ics")
    assert new != old
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    assert client.get(f"/calendar/{new}.ics").status_code == 200
    entry = AuditEvent.objects.filter(action="calendar.regenerate").get()
    assert new not in str(entry.detail) and entry.detail == {"person": "ALICE"}


def test_revoking_stops_the_address(client, login, alice):
    token = subscribe(alice)
    login(alice).post("/calendar/", {"do": "revoke"})
    assert client.get(f"/calendar/{token}.ics").status_code == 404
    assert AuditEvent.objects.filter(action="calendar.revoke").exists()


def test_everyone_with_a_person_has_the_page(login, everyone):
    for person in everyone.values():
        response = login(person).get("/calendar/")
        assert response.status_code == 200, person
        assert "Calendar subscription" in response.content.decode()


def test_the_page_without_a_person_answers_404(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("root", password="x"))
    assert client.get("/calendar/").status_code == 404


def test_the_page_signed_out_sends_to_sign_in(client):
    assert client.get("/calendar/").status_code == 302


def test_the_command_prints_the_same_calendar_within_the_dates(capsys, sam, alice):
    one_to_one(sam, alice, day=dt.date(2026, 12, 8))
    one_to_one(sam, alice, day=dt.date(2027, 2, 8))
    call_command("calendar", "ALICE", "--from", "2026-12-01", "--to", "2026-12-31")
    [event] = events(capsys.readouterr().out.encode())
    assert event.start.date() == dt.date(2026, 12, 8)


def test_itip_messages_keep_the_uid_and_sequence(sam, alice):
    session = one_to_one(sam, alice)
    for method in ("REQUEST", "CANCEL"):
        calendar = Calendar.from_ical(ics.itip(session, method=method, attendee=alice).to_ical())
        assert str(calendar["METHOD"]) == method
        [event] = calendar.walk("VEVENT")
        assert str(event["UID"]) == f"{session.uid}@coreflect" and event["SEQUENCE"] == 1
        assert str(event["ATTENDEE"]) == f"mailto:{alice.email}"
    assert str(event["STATUS"]) == "CANCELLED"
