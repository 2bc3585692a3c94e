"""Recording an absence: a line manager for the people they manage, a supervisor for the people
they supervise, and no one else; overlaps and a last day before the first are refused; the
absence is audited and shows on the person's page and in the matrix's arithmetic at once."""

import datetime as dt

import pytest

from coreflect.audit.models import AuditEvent
from coreflect.people.models import Absence

URL = "/absences/new/"


def post(client, person, **data):
    return client.post(
        URL,
        {
            "person": person.external_id,
            "type": "sickness",
            "start_date": "2026-10-01",
            "end_date": "2026-11-20",
            **data,
        },
    )


@pytest.mark.parametrize("who", ["lena", "sam"])  # Alice's line manager; her supervisor
def test_her_line_manager_or_supervisor_records_it_and_it_shows_at_once(login, everyone, who):
    alice = everyone["alice"]
    client = login(everyone[who])
    page = client.get(f"/people/{alice.external_id}/").text
    assert f"{URL}?person={alice.external_id}" in page
    response = post(client, alice)
    assert response.status_code == 302 and response.url == f"/people/{alice.external_id}/"
    absence = Absence.objects.get(person=alice)
    assert (absence.type, absence.start_date, absence.end_date) == (
        "sickness",
        dt.date(2026, 10, 1),
        dt.date(2026, 11, 20),
    )
    event = AuditEvent.objects.get(action="absence.record")
    assert event.actor == everyone[who].user and event.detail["start"] == "2026-10-01"
    shown = client.get(f"/people/{alice.external_id}/").text
    assert "Sickness, 1 Oct 2026 to 20 Nov 2026 (reduces requirements)" in shown


@pytest.mark.parametrize("who", ["alice", "gus", "ada", "hana"])
def test_people_who_neither_manage_nor_supervise_anyone_get_404(login, everyone, who):
    client = login(everyone[who])
    assert client.get(URL).status_code == 404
    assert post(client, everyone["alice"]).status_code == 404
    assert not Absence.objects.exists()


def test_a_supervisor_cannot_record_for_someone_they_do_not_supervise(login, sue, olly, alice):
    client = login(sue)  # supervises Olly, not Alice
    response = post(client, alice)
    assert response.status_code == 200 and "Select a valid choice" in response.text
    assert not Absence.objects.exists()


def test_an_overlap_and_a_last_day_before_the_first_are_refused(login, lena, alice):
    client = login(lena)
    post(client, alice)
    overlapping = post(client, alice, type="annual_leave", start_date="2026-11-20")
    assert "already has sickness recorded from 1 October 2026 to 20 November 2026" in (
        overlapping.text
    )
    backwards = post(client, alice, start_date="2026-11-22", end_date="2026-11-21")
    assert "The last day must be on or after the first day" in backwards.text
    assert Absence.objects.count() == 1


# Changing and removing


@pytest.fixture
def recorded(login, lena, alice):
    post(login(lena), alice)
    return Absence.objects.get(person=alice)


def opened(absence):
    return f"{absence.type}|{absence.start_date.isoformat()}|{absence.end_date.isoformat()}"


def test_changing_an_absence_keeps_what_it_was_in_the_audit_log(login, lena, alice, recorded):
    client = login(lena)
    page = client.get(f"/people/{alice.external_id}/").text
    assert f'href="/absences/{recorded.pk}/"' in page
    response = client.post(
        f"/absences/{recorded.pk}/",
        {
            "opened": opened(recorded),
            "type": "sickness",
            "start_date": "2026-10-01",
            "end_date": "2026-11-27",
        },
    )
    assert response.status_code == 302
    recorded.refresh_from_db()
    assert recorded.end_date == dt.date(2026, 11, 27)
    event = AuditEvent.objects.get(action="absence.change")
    assert event.detail["before"]["end"] == "2026-11-20"
    assert event.detail["after"]["end"] == "2026-11-27"


def test_a_stale_change_is_refused_and_shows_the_absence_as_it_is(login, lena, sam, recorded):
    was = opened(recorded)
    login(sam).post(
        f"/absences/{recorded.pk}/",
        {"opened": was, "type": "sickness", "start_date": "2026-10-01", "end_date": "2026-10-31"},
    )
    response = login(lena).post(
        f"/absences/{recorded.pk}/",
        {"opened": was, "type": "sickness", "start_date": "2026-10-01", "end_date": "2026-12-31"},
        follow=True,
    )
    assert "Someone changed this absence since you opened it" in response.text
    recorded.refresh_from_db()
    assert recorded.end_date == dt.date(2026, 10, 31)
    assert 'value="2026-10-31"' in response.text


def test_removing_an_absence_is_audited(login, lena, recorded):
    response = login(lena).post(
        f"/absences/{recorded.pk}/", {"opened": opened(recorded), "remove": "yes"}
    )
    assert response.status_code == 302
    assert not Absence.objects.exists()
    assert AuditEvent.objects.get(action="absence.remove").detail["end"] == "2026-11-20"


@pytest.mark.parametrize("who", ["gus", "hana", "sue", "alice"])
def test_no_one_else_changes_or_removes_it(login, everyone, recorded, olly, who):
    client = login(everyone[who])
    assert client.get(f"/absences/{recorded.pk}/").status_code == 404
    answer = client.post(f"/absences/{recorded.pk}/", {"opened": opened(recorded), "remove": "y"})
    assert answer.status_code == 404
    assert Absence.objects.filter(pk=recorded.pk).exists()
