"""The audit log: sign-ins, failed sign-ins, sign-outs and downloads of people's records are
recorded; governance and administrators search it by person, actor, action and dates and
download it as CSV (recorded too); a disclosure's details are withheld; everyone else gets
404."""

import csv
import datetime as dt
import html
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from coreflect.audit.actions import record
from coreflect.audit.models import AuditEvent
from coreflect.auditlog import search

LONDON = ZoneInfo("Europe/London")


def sign_in(client, username, password):
    return client.post(
        reverse("account_login"), {"login": username, "password": password}, REMOTE_ADDR="192.0.2.7"
    )


@pytest.fixture
def password(everyone):
    for person in everyone.values():
        person.user.set_password("a long enough password")
        person.user.save()
    return "a long enough password"


def test_a_sign_in_is_recorded_with_the_connections_address(client, alice, password):
    response = client.post(
        reverse("account_login"),
        {"login": "alice", "password": password},
        REMOTE_ADDR="192.0.2.7",
        HTTP_X_FORWARDED_FOR="203.0.113.99",
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="auth.sign_in")
    assert event.actor == alice.user and event.detail == {"address": "192.0.2.7"}
    assert (event.object_type, event.object_id) == ("auth.user", str(alice.user.pk))


def test_a_failed_sign_in_keeps_the_account_tried_and_never_the_password(client, alice):
    sign_in(client, "Alice", "not her password")
    event = AuditEvent.objects.get(action="auth.sign_in_failed")
    assert event.actor is None
    assert event.detail == {"username": "alice", "known_account": True, "address": "192.0.2.7"}
    assert "not her password" not in str(AuditEvent.objects.values_list("detail"))


def test_a_username_that_is_no_account_is_not_kept(client, alice):
    # Perhaps a password typed into the wrong box: the log never changes, so it is not written.
    sign_in(client, "correct-horse-battery", "alice")
    event = AuditEvent.objects.get(action="auth.sign_in_failed")
    assert event.detail == {"username": "", "known_account": False, "address": "192.0.2.7"}


def test_a_sign_out_is_recorded(login, alice):
    client = login(alice)
    client.post(reverse("account_logout"))
    assert AuditEvent.objects.filter(action="auth.sign_out", actor=alice.user).count() == 1


def test_downloading_the_matrix_is_recorded(login, hana):
    client = login(hana)
    for suffix in ("csv", "xlsx"):
        response = client.get(f"/matrix.{suffix}")
        assert response.status_code == 200
        b"".join(response.streaming_content if response.streaming else [response.content])
    downloads = AuditEvent.objects.filter(action="export.matrix", actor=hana.user)
    assert sorted(d.detail["format"] for d in downloads) == ["csv", "xlsx"]


def test_downloading_the_notes_register_is_recorded(login, hana):
    response = login(hana).get("/notes/register.csv")
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="export.notes_register", actor=hana.user).exists()


# The page


@pytest.mark.parametrize("who", ["gus", "ada"])
def test_governance_and_administrators_reach_it_from_the_navigation(login, everyone, who):
    client = login(everyone[who])
    assert 'href="/audit/"' in client.get("/").text
    assert client.get("/audit/").status_code == 200


@pytest.mark.parametrize("who", ["alice", "sam", "lena", "hana", "sue"])
@pytest.mark.parametrize("path", ["/audit/", "/audit/audit-log.csv"])
def test_no_one_else_reaches_it(login, everyone, who, path):
    client = login(everyone[who])
    assert 'href="/audit/"' not in client.get("/").text
    assert client.get(path).status_code == 404


@pytest.fixture
def history(everyone):
    """Entries on three days: Sam records a session on 2 November, Lena one on 10 November,
    a failed sign-in as alice on 20 November."""
    sam, lena, alice = everyone["sam"], everyone["lena"], everyone["alice"]
    with time_machine.travel(dt.datetime(2026, 11, 2, 12, 0, tzinfo=LONDON), tick=False):
        record(by=sam.user, action="session.create", target=alice)
    with time_machine.travel(dt.datetime(2026, 11, 10, 12, 0, tzinfo=LONDON), tick=False):
        record(by=lena.user, action="session.update", target=sam)
    with time_machine.travel(dt.datetime(2026, 11, 20, 12, 0, tzinfo=LONDON), tick=False):
        record(by=None, action="auth.sign_in_failed", username="alice")


def actions_of(filters):
    return [e.action for e in search.matching(filters)]


def test_searching_by_person_finds_what_they_did_and_what_was_done_to_their_record(history):
    assert actions_of(search.Filters(person="Sam Senior")) == ["session.update", "session.create"]
    assert actions_of(search.Filters(person="ALICE")) == ["session.create"]


def test_searching_by_actor_action_and_dates(history):
    assert actions_of(search.Filters(actor="lena")) == ["session.update"]
    assert actions_of(search.Filters(action="session")) == ["session.update", "session.create"]
    assert actions_of(search.Filters(action="session.create")) == ["session.create"]
    assert actions_of(search.Filters(action="sess")) == []
    november = search.Filters(date_from=dt.date(2026, 11, 3), date_to=dt.date(2026, 11, 20))
    assert actions_of(november) == ["auth.sign_in_failed", "session.update"]
    assert actions_of(search.Filters(date_to=dt.date(2026, 11, 2))) == ["session.create"]


def test_the_page_shows_the_search(login, gus, history):
    page = login(gus).get("/audit/", {"actor": "sam"}).text
    assert "session.create" in page and "session.update" not in page


def test_an_end_before_the_start_is_refused_and_nothing_listed(login, gus, history):
    page = login(gus).get("/audit/", {"date_from": "2026-11-20", "date_to": "2026-11-01"}).text
    assert "The end date must be on or after the start date" in page
    assert "session.create" not in page


def test_older_entries_a_page_at_a_time(login, gus, sam, monkeypatch):
    monkeypatch.setattr(search, "PAGE_SIZE", 2)
    for n in range(5):
        record(by=sam.user, action=f"test.step{n}")
    client = login(gus)
    first = client.get("/audit/", {"actor": "sam"}).text
    assert "test.step4" in first and "test.step3" in first and "test.step2" not in first
    older = next(
        part.split('"')[0] for part in first.split('href="?') if "before=" in part.split('"')[0]
    )
    second = client.get(f"/audit/?{older.replace('&amp;', '&')}").text
    assert "test.step2" in second and "test.step1" in second and "test.step4" not in second


def test_a_disclosures_details_are_withheld(login, gus, sam, alice):
    record(by=sam.user, action="disclosure.recorded", target=alice, supervisee="ALICE")
    page = login(gus).get("/audit/", {"action": "disclosure"}).text
    assert "disclosure.recorded" in page and html.escape(search.WITHHELD) in page
    assert "supervisee=ALICE" not in page and "people.person" not in page


def test_the_csv_has_every_match_and_its_download_is_recorded(login, ada, history):
    response = login(ada).get("/audit/audit-log.csv", {"action": "session"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == search.CSV_HEADER
    assert [row[4] for row in rows[1:]] == ["session.update", "session.create"]
    download = AuditEvent.objects.get(action="export.audit_log")
    assert download.actor == ada.user and download.detail["filters"] == {"action": "session"}


# A person's own records: what imports and pages did to them is found under the person.


@pytest.fixture
def imported(db):
    """GOOD imported (from the command line, so Gina's governance role is taken)."""
    from coreflect.imports import actions
    from coreflect.imports.tests.samples import GOOD

    files = {name: text.splitlines(keepends=True) for name, text in GOOD.items()}
    assert actions.import_files(by=None, files=files, grant_privileged=True).ok


def rows_found(filters):
    return sorted(
        (e.detail["file"], e.detail["line"])
        for e in search.matching(filters)
        if e.action.startswith("import.row.")
    )


def test_a_person_search_finds_the_rows_an_import_wrote_about_their_records(imported):
    # Jo: her person row, employment, both supervisions, absence, her two sessions and places.
    assert rows_found(search.Filters(person="Jo Bell")) == [
        ("absences.csv", 2),
        ("attendance.csv", 2),
        ("attendance.csv", 3),
        ("employment.csv", 2),
        ("people.csv", 2),
        ("sessions.csv", 2),
        ("sessions.csv", 3),
        ("supervision.csv", 2),
        ("supervision.csv", 3),
    ]
    # Sam: his person row, employment, the supervision he gives, the sessions he leads.
    assert rows_found(search.Filters(person="P02")) == [
        ("employment.csv", 3),
        ("employment.csv", 4),
        ("people.csv", 3),
        ("sessions.csv", 2),
        ("sessions.csv", 3),
        ("supervision.csv", 2),
    ]


def test_a_person_search_with_an_action_and_dates_narrows_to_them(imported, history):
    found = search.Filters(person="Jo Bell", action="import.row", date_to=dt.date(2026, 11, 23))
    assert len(list(search.matching(found))) == 9
    assert list(search.matching(search.Filters(person="Jo Bell", action="session"))) == []
    before = search.Filters(person="Jo Bell", date_to=dt.date(2026, 11, 22))
    assert list(search.matching(before)) == []


def test_the_csv_of_a_person_search_over_dates_has_their_entries(login, gus, history):
    response = login(gus).get(
        "/audit/audit-log.csv",
        {"person": "Sam Senior", "date_from": "2026-11-01", "date_to": "2026-11-05"},
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row[4] for row in rows[1:]] == ["session.create"]
    assert rows[1][1] == "2026-11-02T12:00:00+00:00"
    download = AuditEvent.objects.get(action="export.audit_log")
    assert download.detail["filters"] == {
        "person": "Sam Senior",
        "date_from": "2026-11-01",
        "date_to": "2026-11-05",
    }


def test_a_person_search_takes_the_same_queries_however_many_records_they_have(
    login, gus, alice, sam, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from coreflect.people.models import Absence

    client = login(gus)
    with CaptureQueriesContext(connection) as one:
        client.get("/audit/", {"person": "Alice"})
    for month in range(1, 13):
        absence = Absence.objects.create(
            person=alice,
            type="annual_leave",
            start_date=dt.date(2025, month, 1),
            end_date=dt.date(2025, month, 2),
        )
        record(by=sam.user, action="absence.test", target=absence)
    with django_assert_max_num_queries(len(one)):
        page = client.get("/audit/", {"person": "Alice"}).text
    assert page.count("absence.test") == 12
