import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from coreflect.audit.models import AuditEvent
from coreflect.supervision import actions, rules
from coreflect.supervision.models import Attendance, Session, SupervisionRelationship

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)


def one_to_one(sam, alice, day=TODAY, location="Room 1"):
    return actions.create_one_to_one(
        by=sam.user,
        lead=sam,
        supervisee=alice,
        date=day,
        start_time=dt.time(10),
        duration_minutes=60,
        modality="in_person",
        location=location,
    )


def session_form(**extra):
    return {
        "date": "2026-11-20",
        "start_time": "10:00",
        "duration_minutes": "60",
        "modality": "video",
        "location": "Teams",
        **extra,
    }


# Pure rules.


def test_last_wednesday_of_november_2026_is_the_25th():
    assert rules.last_weekday_of_month(2026, 11, rules.WEDNESDAY) == dt.date(2026, 11, 25)
    assert rules.last_weekday_of_month(2026, 12, rules.WEDNESDAY) == dt.date(2026, 12, 30)


def test_default_co_reflection_date_moves_to_next_month_once_passed():
    assert rules.default_co_reflection_date(dt.date(2026, 11, 25)) == dt.date(2026, 11, 25)
    assert rules.default_co_reflection_date(dt.date(2026, 11, 26)) == dt.date(2026, 12, 30)


def test_location_given_under_seven_days_ahead_is_late():
    assert rules.location_is_late(dt.date(2026, 12, 7), dt.date(2026, 12, 1), 7)
    assert not rules.location_is_late(dt.date(2026, 12, 8), dt.date(2026, 12, 1), 7)


# Actions.


def test_past_one_to_one_marks_the_supervisee_attended(sam, alice):
    session = one_to_one(sam, alice, TODAY - dt.timedelta(days=3))
    assert session.attendance.get().status == "attended"
    assert AuditEvent.objects.filter(action="session.create", object_id=str(session.pk)).exists()


def test_future_one_to_one_marks_the_supervisee_invited(sam, alice):
    assert one_to_one(sam, alice, TODAY + dt.timedelta(days=3)).attendance.get().status == (
        "invited"
    )


def test_co_reflection_leaves_the_facilitator_off_the_register(sam, alice, pat):
    session = actions.create_co_reflection(
        by=sam.user,
        lead=sam,
        participants=[alice, pat, sam],
        date=TODAY,
        start_time=dt.time(10),
        duration_minutes=180,
        modality="in_person",
        location="Hub",
    )
    assert set(session.attendance.values_list("person__external_id", flat=True)) == {
        "ALICE",
        "PAT",
    }


def test_second_edit_from_the_same_version_is_refused(sam, alice):
    session = one_to_one(sam, alice)
    opened = session.version
    actions.update_session(by=sam.user, session=session, version=opened, changes={"location": "A"})
    with pytest.raises(actions.StaleEdit):
        actions.update_session(
            by=sam.user, session=session, version=opened, changes={"location": "B"}
        )
    assert Session.objects.get(pk=session.pk).location == "A"


def test_cancelling_needs_a_reason(sam, alice):
    session = one_to_one(sam, alice)
    with pytest.raises(ValidationError):
        actions.cancel_session(
            by=sam.user,
            session=session,
            version=session.version,
            cancelled_by_side="supervisor",
            reason="  ",
        )


def test_cancelling_marks_every_participant(sam, alice):
    session = one_to_one(sam, alice, TODAY + dt.timedelta(days=2))
    actions.cancel_session(
        by=sam.user,
        session=session,
        version=session.version,
        cancelled_by_side="supervisee",
        reason="Unwell",
        alternative_offered="Friday at 2pm",
    )
    session.refresh_from_db()
    assert session.is_cancelled and session.alternative_offered == "Friday at 2pm"
    assert session.attendance.get().status == "cancelled_by_supervisee"


def test_second_overlapping_peer_work_supervisor_is_refused(sam, alice, pat):
    with pytest.raises(ValidationError, match="already has a peer work supervisor"):
        actions.start_relationship(
            by=pat.user,
            supervisee=alice,
            supervisor=pat,
            type="peer_work",
            start_date=TODAY,
        )


def test_new_supervisor_after_the_old_relationship_ends_is_accepted(sam, alice, pat):
    current = SupervisionRelationship.objects.get(supervisee=alice)
    actions.end_relationship(by=pat.user, relationship=current, end_date=TODAY)
    actions.start_relationship(
        by=pat.user,
        supervisee=alice,
        supervisor=pat,
        type="peer_work",
        start_date=TODAY + dt.timedelta(days=1),
    )
    assert SupervisionRelationship.objects.filter(supervisee=alice).count() == 2


def test_clinical_supervisor_beside_the_peer_work_one_is_fine(sam, alice, lena):
    actions.start_relationship(
        by=lena.user, supervisee=alice, supervisor=lena, type="clinical", start_date=TODAY
    )
    assert not SupervisionRelationship.objects.get(type="clinical").supervisor_is_peer


# Pages.


def test_supervisor_records_a_one_to_one_through_the_page(login, sam, alice):
    client = login(sam)
    form = client.get("/sessions/new/one-to-one/")
    assert "Alice Able" in form.content.decode()
    response = client.post(
        "/sessions/new/one-to-one/", session_form(supervisee=alice.pk), follow=True
    )
    assert "One-to-one with Alice Able recorded." in response.content.decode()
    assert Attendance.objects.get(person=alice).status == "attended"


def test_one_to_one_with_someone_not_supervised_is_a_form_error(login, sam, olly):
    response = login(sam).post("/sessions/new/one-to-one/", session_form(supervisee=olly.pk))
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not Session.objects.exists()


def test_missing_fields_are_listed_in_the_error_summary(login, sam, alice):
    response = login(sam).post("/sessions/new/one-to-one/", {"supervisee": alice.pk})
    text = response.content.decode()
    assert "There is a problem" in text
    assert 'href="#id_date"' in text and 'href="#id_modality_0"' in text


def test_create_pages_without_permission_are_404(login, alice, lena, gus):
    for person in (alice, lena, gus):
        client = login(person)
        assert client.get("/sessions/").status_code == 404
        assert client.get("/sessions/new/one-to-one/").status_code == 404
        assert client.get("/sessions/new/co-reflection/").status_code == 404


def test_co_reflection_page_defaults_to_the_last_wednesday_and_ticks_a_register(
    login, sam, alice, pat
):
    client = login(sam)
    page = client.get("/sessions/new/co-reflection/")
    assert page.context["form"].initial["date"] == dt.date(2026, 11, 25)
    assert page.context["form"].initial["duration_minutes"] == 180
    response = client.post(
        "/sessions/new/co-reflection/",
        session_form(date="2026-11-25", participants=[alice.pk, pat.pk]),
    )
    session = Session.objects.get(kind="co_reflection")
    assert response["Location"] == f"/sessions/{session.pk}/"
    client.post(
        f"/sessions/{session.pk}/",
        {
            "version": session.version,
            f"status_{alice.pk}": "attended",
            f"status_{pat.pk}": "apologies",
        },
    )
    statuses = dict(session.attendance.values_list("person__external_id", "status"))
    assert statuses == {"ALICE": "attended", "PAT": "apologies"}


def test_stale_register_is_refused_with_a_message(login, sam, alice):
    session = one_to_one(sam, alice)
    client = login(sam)
    stale = session.version
    client.post(f"/sessions/{session.pk}/", {"version": stale, f"status_{alice.pk}": "apologies"})
    response = client.post(
        f"/sessions/{session.pk}/",
        {"version": stale, f"status_{alice.pk}": "did_not_attend"},
        follow=True,
    )
    assert "Someone else changed this session" in response.content.decode()
    assert Attendance.objects.get(person=alice).status == "apologies"


def test_supervisee_sees_the_session_but_not_the_register_form(login, sam, alice):
    session = one_to_one(sam, alice)
    response = login(alice).get(f"/sessions/{session.pk}/")
    assert response.status_code == 200
    assert response.context["form"] is None
    assert login(alice).post(f"/sessions/{session.pk}/", {}).status_code == 404


def test_session_detail_without_permission_is_404(login, sam, alice, olly, sue):
    session = one_to_one(sam, alice)
    assert login(olly).get(f"/sessions/{session.pk}/").status_code == 404
    assert login(sue).get(f"/sessions/{session.pk}/").status_code == 404
    assert login(sam).get("/sessions/999999/").status_code == 404


def test_edit_and_cancel_without_permission_are_404(login, sam, alice, pat, hana):
    session = one_to_one(sam, alice)
    for person in (alice, pat, hana):
        assert login(person).get(f"/sessions/{session.pk}/edit/").status_code == 404
        assert login(person).get(f"/sessions/{session.pk}/cancel/").status_code == 404


def test_lead_changes_the_location_late_and_sees_the_flag(login, sam, alice):
    session = one_to_one(sam, alice, TODAY + dt.timedelta(days=3), location="")
    client = login(sam)
    response = client.post(
        f"/sessions/{session.pk}/edit/",
        session_form(date=str(session.date), location="Cafe", version=session.version),
        follow=True,
    )
    text = response.content.decode()
    assert "Session changed." in text
    assert "Location given late (less than 7 days' notice)" in text


def test_lead_cancels_with_reason_and_alternative(login, sam, alice):
    session = one_to_one(sam, alice, TODAY + dt.timedelta(days=3))
    client = login(sam)
    empty = client.post(f"/sessions/{session.pk}/cancel/", {"version": session.version})
    assert "There is a problem" in empty.content.decode()
    response = client.post(
        f"/sessions/{session.pk}/cancel/",
        {
            "version": session.version,
            "cancelled_by_side": "supervisor",
            "reason": "On leave",
            "alternative_offered": "Mon 30 Nov 10am",
        },
        follow=True,
    )
    text = response.content.decode()
    assert "Reason: On leave" in text and "Alternative offered: Mon 30 Nov 10am" in text


def test_session_list_shows_upcoming_and_recent(login, sam, alice):
    one_to_one(sam, alice, TODAY + dt.timedelta(days=3))
    one_to_one(sam, alice, TODAY - dt.timedelta(days=3))
    response = login(sam).get("/sessions/")
    assert len(response.context["upcoming"]) == 1 and len(response.context["recent"]) == 1


def test_admin_adds_a_relationship_and_a_clash_is_explained(login, ada, alice, pat):
    client = login(ada)
    response = client.post(
        "/sessions/relationships/",
        {
            "supervisee": alice.pk,
            "supervisor": pat.pk,
            "type": "peer_work",
            "start_date": "2026-11-23",
        },
    )
    assert "already has a peer work supervisor (Sam Senior)" in response.content.decode()
    client.post(
        "/sessions/relationships/",
        {
            "supervisee": alice.pk,
            "supervisor": pat.pk,
            "type": "clinical",
            "start_date": "2026-11-23",
        },
    )
    assert SupervisionRelationship.objects.filter(type="clinical").exists()


def test_relationships_page_without_permission_is_404(login, sam, lena, gus):
    for person in (sam, lena, gus):
        assert login(person).get("/sessions/relationships/").status_code == 404
