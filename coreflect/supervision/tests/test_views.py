import datetime as dt

import pytest

from coreflect.policy.models import PolicySettings
from coreflect.supervision import actions
from coreflect.supervision.models import Attendance, Session, SupervisionRelationship
from coreflect.supervision.tests.conftest import TODAY

STALE = (
    "Someone else changed this session since you opened it. Your changes were not saved; "
    "here is the current version."
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


def text(response):
    return response.content.decode()


# The list of sessions.


def test_lead_sees_upcoming_then_recent_sessions(login, sam, alice, one_to_one):
    one_to_one(sam, alice, TODAY + dt.timedelta(days=3))
    one_to_one(sam, alice, TODAY - dt.timedelta(days=3))
    response = login(sam).get("/sessions/")
    assert response.status_code == 200
    assert len(response.context["upcoming"]) == 1 and len(response.context["recent"]) == 1
    assert "Record a one-to-one" in text(response) and "Record a co-reflection" in text(response)


def test_session_list_does_not_show_other_supervisors_sessions(login, sam, sue, olly, one_to_one):
    one_to_one(sue, olly)
    response = login(sam).get("/sessions/")
    assert not response.context["upcoming"] and not response.context["recent"]


def test_session_list_without_permission(login, alice, lena, gus):
    for person in (alice, lena, gus):
        assert login(person).get("/sessions/").status_code == 404


# Recording a one-to-one.


def test_supervisor_records_a_one_to_one_through_the_page(login, sam, alice, olly):
    client = login(sam)
    page = client.get("/sessions/new/one-to-one/")
    assert "Alice Able" in text(page) and "Olly Other" not in text(page)
    assert page.context["form"].initial["duration_minutes"] == 60
    response = client.post(
        "/sessions/new/one-to-one/", session_form(supervisee=alice.pk), follow=True
    )
    assert "One-to-one with Alice Able recorded." in text(response)
    session = Session.objects.get()
    assert (session.lead, session.kind, session.modality) == (sam, "one_to_one", "video")
    assert Attendance.objects.get(person=alice).status == "attended"


def test_one_to_one_length_comes_from_the_policy(login, sam, alice):
    policy = PolicySettings.objects.current()
    policy.one_to_one_minutes = 50
    policy.save(update_fields=["one_to_one_minutes"])
    page = login(sam).get("/sessions/new/one-to-one/")
    assert page.context["form"].initial["duration_minutes"] == 50


def test_location_hint_gives_the_policys_notice(login, sam, alice):
    policy = PolicySettings.objects.current()
    policy.location_notice_days = 10
    policy.save(update_fields=["location_notice_days"])
    page = text(login(sam).get("/sessions/new/one-to-one/"))
    assert "Tell the supervisee at least 10 days ahead" in page


def test_one_to_one_with_someone_not_supervised_is_a_form_error(login, sam, alice, olly):
    response = login(sam).post("/sessions/new/one-to-one/", session_form(supervisee=olly.pk))
    assert response.status_code == 200
    assert "There is a problem" in text(response)
    assert 'href="#id_supervisee"' in text(response)
    assert not Session.objects.exists()


def test_one_to_one_with_a_former_supervisee_is_a_form_error(login, sam, alice):
    SupervisionRelationship.objects.filter(supervisee=alice).update(
        end_date=TODAY - dt.timedelta(days=1)
    )
    response = login(sam).post("/sessions/new/one-to-one/", session_form(supervisee=alice.pk))
    assert "There is a problem" in text(response)
    assert not Session.objects.exists()


def test_missing_fields_are_listed_in_the_error_summary(login, sam, alice):
    response = login(sam).post("/sessions/new/one-to-one/", {"supervisee": alice.pk})
    assert "There is a problem" in text(response)
    assert 'href="#id_date"' in text(response) and 'href="#id_modality_0"' in text(response)


def test_new_one_to_one_without_permission(login, alice, lena):
    for person in (alice, lena):
        client = login(person)
        assert client.get("/sessions/new/one-to-one/").status_code == 404
        assert (
            client.post("/sessions/new/one-to-one/", session_form(supervisee=alice.pk)).status_code
            == 404
        )
    assert not Session.objects.exists()


# Recording a co-reflection.


def test_co_reflection_page_defaults_to_the_last_wednesday_and_the_policy_length(login, sam):
    page = login(sam).get("/sessions/new/co-reflection/")
    assert page.context["form"].initial["date"] == dt.date(2026, 11, 25)
    assert page.context["form"].initial["duration_minutes"] == 180


def test_co_reflection_offers_the_facilitators_service_as_checkboxes(login, sam, alice, olly):
    page = text(login(sam).get("/sessions/new/co-reflection/"))
    assert 'type="checkbox"' in page
    assert "Alice Able" in page and "Olly Other" not in page


def test_co_reflection_facilitator_without_a_service_sees_every_peer_worker(
    login, hana, alice, olly
):
    page = text(login(hana).get("/sessions/new/co-reflection/"))
    assert "Alice Able" in page and "Olly Other" in page


def test_facilitator_records_a_co_reflection(login, sam, alice, pat):
    response = login(sam).post(
        "/sessions/new/co-reflection/",
        session_form(date="2026-11-25", duration_minutes="180", participants=[alice.pk, pat.pk]),
    )
    session = Session.objects.get(kind="co_reflection")
    assert response["Location"] == f"/sessions/{session.pk}/"
    assert dict(session.attendance.values_list("person__external_id", "status")) == {
        "ALICE": "invited",
        "PAT": "invited",
    }


def test_co_reflection_with_someone_from_another_service_is_a_form_error(login, sam, alice, olly):
    response = login(sam).post(
        "/sessions/new/co-reflection/", session_form(participants=[alice.pk, olly.pk])
    )
    assert "There is a problem" in text(response)
    assert not Session.objects.exists()


def test_new_co_reflection_without_permission(login, alice, gus):
    for person in (alice, gus):
        client = login(person)
        assert client.get("/sessions/new/co-reflection/").status_code == 404
        assert (
            client.post("/sessions/new/co-reflection/", session_form(participants=[alice.pk]))
        ).status_code == 404


# The session page and its register.


def test_lead_ticks_the_register(login, sam, alice, pat, co_reflection):
    session = co_reflection(sam, [alice, pat])
    client = login(sam)
    page = client.get(f"/sessions/{session.pk}/")
    assert "Save register" in text(page) and 'name="version"' in text(page)
    response = client.post(
        f"/sessions/{session.pk}/",
        {"version": 1, f"status_{alice.pk}": "attended", f"status_{pat.pk}": "apologies"},
        follow=True,
    )
    assert "Register saved." in text(response)
    assert dict(session.attendance.values_list("person__external_id", "status")) == {
        "ALICE": "attended",
        "PAT": "apologies",
    }


def test_stale_register_is_refused_and_the_current_one_shown(login, sam, alice, one_to_one):
    session = one_to_one(sam, alice)
    client = login(sam)
    client.post(f"/sessions/{session.pk}/", {"version": 1, f"status_{alice.pk}": "apologies"})
    response = client.post(
        f"/sessions/{session.pk}/", {"version": 1, f"status_{alice.pk}": "did_not_attend"}
    )
    assert STALE in text(response) and "nhsuk-error-summary" in text(response)
    form = response.context["form"]
    assert form.initial["version"] == 2 and form[f"status_{alice.pk}"].initial == "apologies"
    assert Attendance.objects.get(person=alice).status == "apologies"


def test_supervisee_sees_the_statuses_in_words_but_no_register_form(login, sam, alice, one_to_one):
    session = one_to_one(sam, alice, TODAY - dt.timedelta(days=1))
    client = login(alice)
    response = client.get(f"/sessions/{session.pk}/")
    assert response.status_code == 200 and response.context["form"] is None
    assert "Alice Able: Attended" in text(response)
    assert client.post(f"/sessions/{session.pk}/", {"version": 1}).status_code == 404


def test_line_manager_of_a_participant_sees_the_session(
    login, sue, alice, olly, lena, co_reflection
):
    """Lena sees her report's status, not the other member's, and changes nothing."""
    session = co_reflection(sue, [alice, olly], TODAY - dt.timedelta(days=1))
    actions.record_register(
        by=sue.user,
        session=session,
        statuses={alice.pk: "attended", olly.pk: "did_not_attend"},
        version=1,
    )
    response = login(lena).get(f"/sessions/{session.pk}/")
    assert response.status_code == 200
    page = text(response)
    assert "Alice Able: Attended" in page
    assert "<li>Olly Other</li>" in page and "Did not attend" not in page
    assert response.context["form"] is None and "Save register" not in page
    assert "Change date, time or place" not in page and "Cancel this session" not in page


def test_location_given_late_is_flagged_with_the_policys_notice(login, sam, alice, one_to_one):
    session = one_to_one(sam, alice, TODAY + dt.timedelta(days=3))
    page = text(login(sam).get(f"/sessions/{session.pk}/"))
    assert "Location given late (less than 7 days' notice)" in page


def test_session_recorded_after_it_happened_is_not_flagged_late(login, sam, alice, one_to_one):
    session = one_to_one(sam, alice, TODAY - dt.timedelta(days=3), location="Room 4")
    assert "Location given late" not in text(login(sam).get(f"/sessions/{session.pk}/"))


def test_location_given_in_good_time_is_not_flagged(login, sam, alice, one_to_one):
    session = one_to_one(sam, alice, TODAY + dt.timedelta(days=7))
    assert "Location given late" not in text(login(sam).get(f"/sessions/{session.pk}/"))


def test_late_location_flag_follows_the_policy(login, sam, alice, one_to_one):
    policy = PolicySettings.objects.current()
    policy.location_notice_days = 14
    policy.save(update_fields=["location_notice_days"])
    session = one_to_one(sam, alice, TODAY + dt.timedelta(days=10))
    page = text(login(sam).get(f"/sessions/{session.pk}/"))
    assert "Location given late (less than 14 days' notice)" in page


def test_session_detail_without_permission(login, sam, alice, olly, sue, one_to_one):
    session = one_to_one(sam, alice)
    assert login(olly).get(f"/sessions/{session.pk}/").status_code == 404
    assert login(sue).get(f"/sessions/{session.pk}/").status_code == 404
    assert login(sam).get("/sessions/999999/").status_code == 404


def test_register_post_by_someone_who_can_see_but_does_not_lead_is_404(
    login, sam, alice, pat, one_to_one
):
    session = one_to_one(sam, alice)
    response = login(pat).post(
        f"/sessions/{session.pk}/", {"version": 1, f"status_{alice.pk}": "did_not_attend"}
    )
    assert response.status_code == 404
    assert Attendance.objects.get(person=alice).status == "attended"


# Changing a session.


def test_lead_changes_the_session(login, sam, alice, one_to_one):
    session = one_to_one(sam, alice)
    client = login(sam)
    page = client.get(f"/sessions/{session.pk}/edit/")
    assert page.context["form"].initial["version"] == 1
    response = client.post(
        f"/sessions/{session.pk}/edit/",
        session_form(date="2026-11-23", start_time="14:00", version=1),
        follow=True,
    )
    assert "Session changed." in text(response)
    saved = Session.objects.get(pk=session.pk)
    assert (saved.start_time, saved.modality, saved.location) == (dt.time(14), "video", "Teams")


def test_edit_form_fills_the_browser_date_and_time_pickers(login, sam, alice, one_to_one):
    session = one_to_one(sam, alice)
    page = text(login(sam).get(f"/sessions/{session.pk}/edit/"))
    assert 'type="date" name="date" value="2026-11-23"' in page
    assert 'type="time" name="start_time" value="10:00"' in page


def test_lead_changes_the_location_late_and_sees_the_flag(login, sam, alice, one_to_one):
    session = one_to_one(sam, alice, TODAY + dt.timedelta(days=3), location="")
    response = login(sam).post(
        f"/sessions/{session.pk}/edit/",
        session_form(date=str(session.date), location="Cafe", version=1),
        follow=True,
    )
    assert "Location given late (less than 7 days' notice)" in text(response)


def test_stale_edit_is_refused_and_the_current_version_shown(login, sam, alice, one_to_one):
    session = one_to_one(sam, alice)
    client = login(sam)
    client.post(f"/sessions/{session.pk}/edit/", session_form(location="Room A", version=1))
    response = client.post(
        f"/sessions/{session.pk}/edit/", session_form(location="Room B", version=1)
    )
    assert response.status_code == 200
    assert STALE in text(response) and "nhsuk-error-summary" in text(response)
    assert response.context["form"].initial["location"] == "Room A"
    assert response.context["form"].initial["version"] == 2
    assert Session.objects.get(pk=session.pk).location == "Room A"


def test_the_cancel_page_warns_when_the_register_says_the_session_took_place(
    login, sam, alice, one_to_one
):
    taken = one_to_one(sam, alice, TODAY - dt.timedelta(days=1))  # recorded after: attended
    page = text(login(sam).get(f"/sessions/{taken.pk}/cancel/"))
    assert "The register says the session took place" in page
    assert "1 person is marked as attended" in page
    booked = one_to_one(sam, alice, TODAY + dt.timedelta(days=9))
    assert "took place" not in text(login(sam).get(f"/sessions/{booked.pk}/cancel/"))


def test_cancelled_session_cannot_be_edited(login, sam, alice, one_to_one):
    session = one_to_one(sam, alice)
    actions.cancel_session(
        by=sam.user, session=session, version=1, cancelled_by_side="supervisor", reason="Ill"
    )
    response = login(sam).get(f"/sessions/{session.pk}/edit/", follow=True)
    assert "This session is cancelled, so it cannot be changed." in text(response)


def test_edit_without_permission(login, sam, alice, pat, hana, sue, one_to_one):
    session = one_to_one(sam, alice)
    for person in (alice, pat, hana, sue):
        client = login(person)
        assert client.get(f"/sessions/{session.pk}/edit/").status_code == 404
        assert (
            client.post(f"/sessions/{session.pk}/edit/", session_form(version=1)).status_code == 404
        )
    assert Session.objects.get(pk=session.pk).version == 1


# Cancelling a session.


def test_cancel_needs_a_reason(login, sam, alice, one_to_one):
    session = one_to_one(sam, alice, TODAY + dt.timedelta(days=3))
    response = login(sam).post(
        f"/sessions/{session.pk}/cancel/", {"version": 1, "cancelled_by_side": "supervisor"}
    )
    assert "There is a problem" in text(response) and 'href="#id_reason"' in text(response)
    assert not Session.objects.get(pk=session.pk).is_cancelled


def test_lead_cancels_with_reason_and_alternative(login, sam, alice, one_to_one):
    session = one_to_one(sam, alice, TODAY + dt.timedelta(days=3))
    response = login(sam).post(
        f"/sessions/{session.pk}/cancel/",
        {
            "version": 1,
            "cancelled_by_side": "supervisee",
            "reason": "On leave",
            "alternative_offered": "Mon 30 Nov 10am",
        },
        follow=True,
    )
    page = text(response)
    assert "Session cancelled." in page
    assert "Reason: On leave" in page and "Alternative offered: Mon 30 Nov 10am" in page
    assert "Alice Able: Cancelled by supervisee" in page
    assert Attendance.objects.get(person=alice).status == "cancelled_by_supervisee"


def test_stale_cancel_is_refused_and_keeps_what_was_typed(login, sam, alice, one_to_one):
    session = one_to_one(sam, alice)
    actions.update_session(by=sam.user, session=session, version=1, location="Room 2")
    response = login(sam).post(
        f"/sessions/{session.pk}/cancel/",
        {"version": 1, "cancelled_by_side": "supervisor", "reason": "Ill"},
    )
    assert STALE in text(response)
    assert response.context["form"].initial["reason"] == "Ill"
    assert response.context["form"].initial["version"] == 2
    assert not Session.objects.get(pk=session.pk).is_cancelled


def test_cancel_without_permission(login, sam, alice, pat, hana, sue, one_to_one):
    session = one_to_one(sam, alice)
    for person in (alice, pat, hana, sue):
        client = login(person)
        assert client.get(f"/sessions/{session.pk}/cancel/").status_code == 404
        response = client.post(
            f"/sessions/{session.pk}/cancel/",
            {"version": 1, "cancelled_by_side": "supervisor", "reason": "Ill"},
        )
        assert response.status_code == 404
    assert not Session.objects.get(pk=session.pk).is_cancelled


# Supervision relationships.


@pytest.mark.parametrize("manager", ["ada", "hana"])
def test_admin_or_head_of_peer_work_adds_a_relationship(request, login, manager, alice, pat):
    client = login(request.getfixturevalue(manager))
    assert "Alice Able" in text(client.get("/sessions/relationships/"))
    response = client.post(
        "/sessions/relationships/",
        {
            "supervisee": alice.pk,
            "supervisor": pat.pk,
            "type": "clinical",
            "start_date": "2026-11-23",
        },
        follow=True,
    )
    assert "Relationship recorded." in text(response)
    assert SupervisionRelationship.objects.filter(type="clinical", supervisor=pat).exists()


def test_second_peer_work_supervisor_is_explained_on_the_page(login, ada, alice, pat):
    response = login(ada).post(
        "/sessions/relationships/",
        {
            "supervisee": alice.pk,
            "supervisor": pat.pk,
            "type": "peer_work",
            "start_date": "2026-11-23",
        },
    )
    assert "There is a problem" in text(response)
    assert "already has a peer work supervisor (Sam Senior)" in text(response)
    assert SupervisionRelationship.objects.filter(supervisee=alice).count() == 1


def test_relationships_without_permission(login, sam, alice, pat, lena, gus):
    for person in (sam, alice, lena, pat, gus):
        client = login(person)
        assert client.get("/sessions/relationships/").status_code == 404
        response = client.post(
            "/sessions/relationships/",
            {
                "supervisee": alice.pk,
                "supervisor": pat.pk,
                "type": "clinical",
                "start_date": "2026-11-23",
            },
        )
        assert response.status_code == 404
    assert not SupervisionRelationship.objects.filter(type="clinical").exists()


def test_admin_ends_a_relationship_so_a_new_supervisor_can_start(login, ada, sam, alice, pat):
    client = login(ada)
    current = SupervisionRelationship.objects.get(supervisee=alice)
    response = client.post(
        f"/sessions/relationships/{current.pk}/end/",
        {"end_date": "2026-11-30", "confirm": "on"},
        follow=True,
    )
    assert "Sam Senior no longer supervises Alice Able" in text(response)
    current.refresh_from_db()
    assert current.end_date == dt.date(2026, 11, 30)
    client.post(
        "/sessions/relationships/",
        {
            "supervisee": alice.pk,
            "supervisor": pat.pk,
            "type": "peer_work",
            "start_date": "2026-12-01",
        },
    )
    assert SupervisionRelationship.objects.filter(supervisee=alice, supervisor=pat).exists()


def test_ending_a_relationship_before_it_started_is_refused(login, ada, alice):
    current = SupervisionRelationship.objects.get(supervisee=alice)
    response = login(ada).post(
        f"/sessions/relationships/{current.pk}/end/", {"end_date": "2020-01-01", "confirm": "on"}
    )
    assert response.status_code == 200
    assert "There is a problem" in text(response)
    assert "The end date is before the start date." in text(response)
    current.refresh_from_db()
    assert current.end_date is None


def test_end_relationship_without_permission(login, sam, alice, lena, pat, gus):
    current = SupervisionRelationship.objects.get(supervisee=alice)
    for person in (sam, alice, lena, pat, gus):
        client = login(person)
        assert client.get(f"/sessions/relationships/{current.pk}/end/").status_code == 404
        response = client.post(
            f"/sessions/relationships/{current.pk}/end/",
            {"end_date": "2026-11-30", "confirm": "on"},
        )
        assert response.status_code == 404
    current.refresh_from_db()
    assert current.end_date is None


def test_error_summary_names_what_to_do_for_each_missing_field(login, sam, alice):
    response = login(sam).post("/sessions/new/one-to-one/", {"supervisee": alice.pk})
    summary = text(response)
    assert "Enter date" in summary and "Select how will you meet" in summary
    assert "This field is required" not in summary


def test_ending_a_relationship_asks_for_the_last_day_and_a_confirmation(login, hana, alice):
    current = SupervisionRelationship.objects.get(supervisee=alice)
    client = login(hana)
    listing = text(client.get("/sessions/relationships/"))
    assert f'href="/sessions/relationships/{current.pk}/end/"' in listing
    page = client.get(f"/sessions/relationships/{current.pk}/end/")
    assert page.status_code == 200
    html = text(page)
    assert "End a supervision relationship" in html
    assert 'type="date" name="end_date" value="2026-11-23"' in html
    assert 'type="checkbox"' in html and "Yes, end this relationship" in html
    assert f'action="/sessions/relationships/{current.pk}/end/"' in html
    assert "Sam Senior no longer sees Alice Able's attendance" in html


def test_ending_a_relationship_without_confirming_changes_nothing(login, hana, alice):
    current = SupervisionRelationship.objects.get(supervisee=alice)
    response = login(hana).post(
        f"/sessions/relationships/{current.pk}/end/", {"end_date": "2026-11-30"}
    )
    assert response.status_code == 200
    assert "There is a problem" in text(response)
    assert 'href="#id_confirm"' in text(response)
    assert "Tick the box to confirm you want to end the relationship" in text(response)
    current.refresh_from_db()
    assert current.end_date is None


def test_ending_a_relationship_without_a_date_changes_nothing(login, hana, alice):
    current = SupervisionRelationship.objects.get(supervisee=alice)
    response = login(hana).post(f"/sessions/relationships/{current.pk}/end/", {"confirm": "on"})
    assert 'href="#id_end_date"' in text(response)
    current.refresh_from_db()
    assert current.end_date is None


def test_ending_page_for_a_missing_relationship_is_404(login, hana):
    client = login(hana)
    assert client.get("/sessions/relationships/999999/end/").status_code == 404


def relationship_form(supervisee, supervisor, type="clinical", start="2026-11-23"):
    return {
        "supervisee": supervisee.pk,
        "supervisor": supervisor.pk,
        "type": type,
        "start_date": start,
    }


def test_governance_and_administrator_accounts_are_not_offered_as_supervisors(
    login, hana, gus, ada, alice, lena
):
    supervisors = login(hana).get("/sessions/relationships/").context["form"]
    offered = set(supervisors.fields["supervisor"].queryset.values_list("external_id", flat=True))
    assert "LENA" in offered and "HANA" in offered
    assert not offered & {"GUS", "ADA"}


def test_choosing_a_governance_account_as_supervisor_is_a_form_error(login, hana, gus, alice):
    response = login(hana).post("/sessions/relationships/", relationship_form(alice, gus))
    assert response.status_code == 200 and "There is a problem" in text(response)
    assert not SupervisionRelationship.objects.filter(supervisor=gus).exists()


def test_a_duplicate_relationship_is_a_form_error_not_a_server_error(login, ada, alice, lena):
    client = login(ada)
    client.post("/sessions/relationships/", relationship_form(alice, lena))
    response = client.post("/sessions/relationships/", relationship_form(alice, lena))
    assert response.status_code == 200
    assert "There is a problem" in text(response)
    assert "This relationship is already recorded" in text(response)
    assert SupervisionRelationship.objects.filter(type="clinical").count() == 1


def test_non_peer_supervisor_is_recorded_from_the_role_not_chosen(login, hana, eve, olly):
    SupervisionRelationship.objects.filter(supervisee=olly).update(
        end_date=TODAY - dt.timedelta(days=1)
    )
    client = login(hana)
    assert "supervisor_is_peer" not in client.get("/sessions/relationships/").context["form"].fields
    client.post("/sessions/relationships/", relationship_form(olly, eve, type="peer_work"))
    relationship = SupervisionRelationship.objects.get(supervisee=olly, supervisor=eve)
    assert not relationship.supervisor_is_peer
    rows = client.get("/sessions/relationships/").context["relationships"]
    assert [r.supervisor_is_peer for r in rows if r.supervisee == olly] == [False]
