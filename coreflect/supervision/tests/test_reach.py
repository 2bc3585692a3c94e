"""Reach follows the relationship, not the role: who may record, change and correct a session."""

import datetime as dt

import pytest

from coreflect.audit.models import AuditEvent
from coreflect.people.models import Role
from coreflect.supervision import access
from coreflect.supervision.models import Attendance, Session, SupervisionRelationship
from coreflect.supervision.rules import Right
from coreflect.supervision.tests.conftest import TODAY
from coreflect.testing import make_person

YESTERDAY = TODAY - dt.timedelta(days=1)


def text(response):
    return response.content.decode()


def end_peer_work(supervisee, on=YESTERDAY):
    SupervisionRelationship.objects.filter(supervisee=supervisee, type="peer_work").update(
        end_date=on
    )


def change_form(session, **extra):
    return {
        "date": str(session.date),
        "start_time": "15:00",
        "duration_minutes": "60",
        "modality": "phone",
        "location": "",
        "version": session.version,
        **extra,
    }


def saved(session):
    return Session.objects.get(pk=session.pk)


def status_of(person):
    return Attendance.objects.get(person=person).status


# A supervisor whose relationship has ended.


def test_former_supervisor_can_no_longer_change_an_old_one_to_one(login, sam, alice, one_to_one):
    session = one_to_one(sam, alice, TODAY - dt.timedelta(days=20))
    end_peer_work(alice)
    client = login(sam)
    assert client.get(f"/sessions/{session.pk}/edit/").status_code == 404
    moved = client.post(f"/sessions/{session.pk}/edit/", change_form(session, date="2026-11-01"))
    assert moved.status_code == 404
    assert client.get(f"/sessions/{session.pk}/cancel/").status_code == 404
    cancelled = client.post(
        f"/sessions/{session.pk}/cancel/",
        {"version": 1, "cancelled_by_side": "supervisor", "reason": "Ill"},
    )
    assert cancelled.status_code == 404
    register = client.post(
        f"/sessions/{session.pk}/", {"version": 1, f"status_{alice.pk}": "did_not_attend"}
    )
    assert register.status_code == 404
    assert (saved(session).date, saved(session).version) == (session.date, 1)
    assert status_of(alice) == "attended"


def test_former_supervisor_is_told_who_corrects_the_closed_record(login, sam, alice, one_to_one):
    session = one_to_one(sam, alice, TODAY - dt.timedelta(days=20))
    end_peer_work(alice)
    response = login(sam).get(f"/sessions/{session.pk}/")
    assert response.status_code == 200 and response.context["form"] is None
    page = text(response)
    assert "You no longer supervise Alice Able in peer work" in page
    assert "Change date, time or place" not in page


def test_supervisor_keeps_the_record_open_on_the_last_day_of_the_relationship(
    login, sam, alice, one_to_one
):
    session = one_to_one(sam, alice, TODAY - dt.timedelta(days=20))
    end_peer_work(alice, on=TODAY)
    assert login(sam).get(f"/sessions/{session.pk}/edit/").status_code == 200


def test_a_new_supervisor_cannot_change_the_former_supervisors_sessions(
    login, sam, alice, pat, one_to_one
):
    session = one_to_one(sam, alice, TODAY - dt.timedelta(days=20))
    end_peer_work(alice)
    SupervisionRelationship.objects.create(
        supervisee=alice, supervisor=pat, type="peer_work", start_date=TODAY
    )
    # Pat may correct it as the North peer lead, but not as Alice's supervisor: it is
    # audited as a correction.
    right = access.right_over(pat.user, access.get_session_for(pat.user, session.pk), on=TODAY)
    assert right is Right.CORRECT


# Whoever leads through a current relationship records, whatever their role.


def test_executive_director_records_a_one_to_one_with_the_head_she_supervises(login, eve, hana):
    client = login(eve)
    page = client.get("/sessions/new/one-to-one/")
    assert page.status_code == 200 and "Hana Head" in text(page)
    response = client.post(
        "/sessions/new/one-to-one/",
        {
            "supervisee": hana.pk,
            "date": "2026-11-30",
            "start_time": "09:00",
            "duration_minutes": "60",
            "modality": "video",
            "location": "Teams",
        },
        follow=True,
    )
    assert "One-to-one with Hana Head recorded." in text(response)
    session = Session.objects.get(lead=eve)
    assert status_of(hana) == "invited"
    assert client.get("/sessions/").status_code == 200
    assert client.get(f"/sessions/{session.pk}/edit/").status_code == 200
    response = client.post(
        f"/sessions/{session.pk}/", {"version": 1, f"status_{hana.pk}": "tentative"}
    )
    assert response.status_code == 302 and status_of(hana) == "tentative"


def test_executive_director_sees_sessions_in_the_navigation(login, eve):
    assert ">Sessions</a>" in text(login(eve).get("/"))


def test_executive_director_without_a_supervisee_records_nothing(login, eve, hana):
    end_peer_work(hana)
    client = login(eve)
    assert client.get("/sessions/").status_code == 404
    assert client.get("/sessions/new/one-to-one/").status_code == 404
    assert ">Sessions</a>" not in text(client.get("/"))


def test_line_manager_who_supervises_someones_peer_work_records_their_one_to_ones(
    login, lena, olly
):
    end_peer_work(olly)
    SupervisionRelationship.objects.create(
        supervisee=olly,
        supervisor=lena,
        type="peer_work",
        start_date=TODAY,
        supervisor_is_peer=False,
    )
    page = login(lena).get("/sessions/new/one-to-one/")
    assert page.status_code == 200 and "Olly Other" in text(page)


# Who may record co-reflections: a peer-work role that records sessions, or anyone who
# supervises in peer work now.


def test_executive_director_who_supervises_facilitates_a_co_reflection(login, eve, alice):
    response = login(eve).post(
        "/sessions/new/co-reflection/",
        {
            "date": "2026-11-25",
            "start_time": "13:00",
            "duration_minutes": "180",
            "modality": "in_person",
            "location": "Hub",
            "participants": [alice.pk],
        },
    )
    assert response.status_code == 302
    assert Session.objects.get(lead=eve).kind == "co_reflection"


def test_facilitator_who_left_a_facilitating_role_can_no_longer_change_the_group(
    login, sam, alice, pat, co_reflection
):
    session = co_reflection(sam, [alice, pat], TODAY - dt.timedelta(days=3))
    end_peer_work(alice)  # Sam supervises no one now
    sam.role = Role.PEER_WORKER
    sam.save(update_fields=["role"])
    client = login(sam)
    response = client.post(
        f"/sessions/{session.pk}/",
        {"version": 1, f"status_{alice.pk}": "attended", f"status_{pat.pk}": "attended"},
    )
    assert response.status_code == 404
    assert client.get("/sessions/").status_code == 404


# Corrections to closed records: the head of peer work, or the peer lead or co-ordinator of
# the supervisee's service; audited with what changed.


@pytest.mark.parametrize("corrector", ["hana", "pat"])
def test_closed_register_is_corrected_by_the_head_or_the_service_lead(
    request, login, sam, alice, one_to_one, corrector
):
    session = one_to_one(sam, alice, TODAY - dt.timedelta(days=20))
    end_peer_work(alice)
    person = request.getfixturevalue(corrector)
    client = login(person)
    page = client.get(f"/sessions/{session.pk}/")
    assert "This record is closed: Sam Senior no longer supervises Alice Able" in text(page)
    assert "Save the correction" in text(page)
    response = client.post(
        f"/sessions/{session.pk}/", {"version": 1, f"status_{alice.pk}": "did_not_attend"}
    )
    assert response.status_code == 302
    assert status_of(alice) == "did_not_attend"
    entry = AuditEvent.objects.get(action="session.register")
    assert entry.actor == person.user
    assert entry.detail == {
        "changes": {str(alice.pk): ["attended", "did_not_attend"]},
        "correction": True,
    }


def test_head_of_peer_work_corrects_the_date_of_a_closed_one_to_one(
    login, hana, sam, alice, one_to_one
):
    session = one_to_one(sam, alice, TODAY - dt.timedelta(days=20))
    end_peer_work(alice)
    client = login(hana)
    assert "This record is closed" in text(client.get(f"/sessions/{session.pk}/edit/"))
    response = client.post(f"/sessions/{session.pk}/edit/", change_form(session, date="2026-11-02"))
    assert response.status_code == 302
    assert saved(session).date == dt.date(2026, 11, 2)
    entry = AuditEvent.objects.get(action="session.update")
    assert entry.detail["before"]["date"] == str(session.date)
    assert entry.detail["after"]["date"] == "2026-11-02"
    assert entry.detail["correction"] is True


def test_head_of_peer_work_cancels_a_closed_session_as_a_correction(
    login, hana, sam, alice, one_to_one
):
    session = one_to_one(sam, alice, TODAY + dt.timedelta(days=5))
    end_peer_work(alice)
    response = login(hana).post(
        f"/sessions/{session.pk}/cancel/",
        {"version": 1, "cancelled_by_side": "supervisor", "reason": "Supervisor has left"},
    )
    assert response.status_code == 302
    assert saved(session).is_cancelled
    assert AuditEvent.objects.get(action="session.cancel").detail["correction"] is True


def test_correction_without_permission(login, sam, alice, olly, sue, lena, gus, one_to_one):
    """Another service's staff, a line manager and governance cannot correct a closed record;
    nor can the North peer lead correct a South one."""
    north = one_to_one(sam, alice, TODAY - dt.timedelta(days=20))
    end_peer_work(alice)
    south = one_to_one(sue, olly, TODAY - dt.timedelta(days=20))
    end_peer_work(olly)
    attempts = [(sue, north), (lena, north), (gus, north), (alice, north)]
    north_lead = make_person("PAT2", "Pip Lead", Role.PEER_LEAD, locality=alice.locality)
    attempts.append((north_lead, south))
    for person, session in attempts:
        client = login(person)
        participant = session.attendance.get().person
        response = client.post(
            f"/sessions/{session.pk}/", {"version": 1, f"status_{participant.pk}": "apologies"}
        )
        assert response.status_code == 404, person
        assert client.get(f"/sessions/{session.pk}/edit/").status_code == 404
        assert client.get(f"/sessions/{session.pk}/cancel/").status_code == 404
    assert set(Attendance.objects.values_list("status", flat=True)) == {"attended"}


def test_an_open_record_is_its_leads_alone(login, hana, pat, sam, alice, one_to_one):
    session = one_to_one(sam, alice, TODAY - dt.timedelta(days=2))
    for person in (hana, pat):
        client = login(person)
        assert "Save register" not in text(client.get(f"/sessions/{session.pk}/"))
        response = client.post(
            f"/sessions/{session.pk}/", {"version": 1, f"status_{alice.pk}": "apologies"}
        )
        assert response.status_code == 404
    assert status_of(alice) == "attended"


def test_closed_group_is_corrected_by_the_lead_of_everyone_on_it(
    login, sam, alice, pat, hana, olly, co_reflection
):
    """A service lead corrects a closed group only when everyone on it is in their service."""
    north_only = co_reflection(sam, [alice], TODAY - dt.timedelta(days=3))
    mixed = co_reflection(sam, [alice, olly], TODAY - dt.timedelta(days=3))
    end_peer_work(alice)
    sam.role = Role.PEER_WORKER
    sam.save(update_fields=["role"])
    assert access.right_over(pat.user, north_only, on=TODAY) is Right.CORRECT
    assert access.right_over(pat.user, mixed, on=TODAY) is None
    assert access.right_over(hana.user, mixed, on=TODAY) is Right.CORRECT
