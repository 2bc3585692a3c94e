import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from coreflect.audit.models import AuditEvent
from coreflect.supervision import actions
from coreflect.supervision.models import Session, SupervisionRelationship
from coreflect.supervision.tests.conftest import TODAY


def audit_actions(session):
    return list(
        AuditEvent.objects.filter(object_type="supervision.session", object_id=str(session.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


def statuses(session):
    return dict(session.attendance.values_list("person__external_id", "status"))


# Creating sessions.


def test_past_one_to_one_marks_the_supervisee_attended(sam, alice, one_to_one):
    session = one_to_one(sam, alice, TODAY - dt.timedelta(days=3))
    assert statuses(session) == {"ALICE": "attended"}
    assert session.kind == "one_to_one" and session.lead == sam
    assert audit_actions(session) == ["session.create"]


def test_one_to_one_today_marks_the_supervisee_attended(sam, alice, one_to_one):
    assert statuses(one_to_one(sam, alice, TODAY)) == {"ALICE": "attended"}


def test_future_one_to_one_marks_the_supervisee_invited(sam, alice, one_to_one):
    assert statuses(one_to_one(sam, alice, TODAY + dt.timedelta(days=1))) == {"ALICE": "invited"}


def test_location_given_at_creation_records_when(sam, alice, one_to_one):
    assert one_to_one(sam, alice, location="Room 1").location_set_at is not None
    assert one_to_one(sam, alice, location="").location_set_at is None


def test_co_reflection_invites_everyone_but_the_facilitator(sam, alice, pat, co_reflection):
    session = co_reflection(sam, [alice, pat, sam])
    assert session.kind == "co_reflection"
    assert statuses(session) == {"ALICE": "invited", "PAT": "invited"}
    assert audit_actions(session) == ["session.create"]


# The register.


def test_register_sets_each_participants_status(sam, alice, pat, co_reflection):
    session = co_reflection(sam, [alice, pat])
    actions.record_register(
        by=sam.user,
        session=session,
        statuses={alice.pk: "attended", pat.pk: "apologies"},
        version=session.version,
    )
    assert statuses(session) == {"ALICE": "attended", "PAT": "apologies"}
    assert Session.objects.get(pk=session.pk).version == 2
    entry = AuditEvent.objects.get(action="session.register")
    assert entry.detail["changes"] == {
        str(alice.pk): ["invited", "attended"],
        str(pat.pk): [
            "invited",
            "apologies",
        ],
    }


def test_every_attendance_status_can_be_recorded(sam, alice, one_to_one):
    session = one_to_one(sam, alice)
    for status in (
        "attended",
        "cancelled_by_supervisee",
        "cancelled_by_supervisor",
        "did_not_attend",
        "apologies",
        "tentative",
        "invited",
    ):
        actions.set_attendance_status(
            by=sam.user, session=session, person=alice, status=status, version=session.version
        )
        assert statuses(session) == {"ALICE": status}


def test_one_persons_status_changes_without_touching_the_others(sam, alice, pat, co_reflection):
    session = co_reflection(sam, [alice, pat])
    actions.set_attendance_status(
        by=sam.user, session=session, person=pat, status="did_not_attend", version=1
    )
    assert statuses(session) == {"ALICE": "invited", "PAT": "did_not_attend"}


def test_register_refuses_someone_not_on_it(sam, alice, olly, one_to_one):
    session = one_to_one(sam, alice)
    with pytest.raises(ValidationError, match="Only people on this session's register"):
        actions.record_register(
            by=sam.user, session=session, statuses={olly.pk: "attended"}, version=1
        )
    assert Session.objects.get(pk=session.pk).version == 1


def test_register_refuses_an_unknown_status(sam, alice, one_to_one):
    session = one_to_one(sam, alice)
    with pytest.raises(ValidationError, match="Unknown attendance status"):
        actions.record_register(
            by=sam.user, session=session, statuses={alice.pk: "late"}, version=1
        )


def test_stale_register_is_refused_and_the_first_save_kept(sam, alice, one_to_one):
    session = one_to_one(sam, alice)
    actions.record_register(
        by=sam.user, session=session, statuses={alice.pk: "apologies"}, version=1
    )
    with pytest.raises(actions.StaleEdit):
        actions.record_register(
            by=sam.user, session=session, statuses={alice.pk: "did_not_attend"}, version=1
        )
    assert statuses(session) == {"ALICE": "apologies"}


# Changing a session.


def test_second_edit_from_the_same_version_is_refused_and_the_first_kept(sam, alice, one_to_one):
    session = one_to_one(sam, alice)
    opened = session.version
    first = Session.objects.get(pk=session.pk)
    second = Session.objects.get(pk=session.pk)
    actions.update_session(by=sam.user, session=first, version=opened, location="Room A")
    with pytest.raises(actions.StaleEdit):
        actions.update_session(by=sam.user, session=second, version=opened, location="Room B")
    saved = Session.objects.get(pk=session.pk)
    assert (saved.location, saved.version) == ("Room A", opened + 1)
    assert audit_actions(session) == ["session.create", "session.update"]


def test_changing_the_location_records_when_it_was_set(sam, alice, one_to_one):
    session = one_to_one(sam, alice, location="")
    actions.update_session(by=sam.user, session=session, version=1, location="Cafe")
    assert Session.objects.get(pk=session.pk).location_set_at is not None


def test_keeping_the_location_leaves_its_time_alone(sam, alice, one_to_one):
    session = one_to_one(sam, alice, location="Room 1")
    set_at = session.location_set_at
    actions.update_session(
        by=sam.user, session=session, version=1, location="Room 1", duration_minutes=90
    )
    saved = Session.objects.get(pk=session.pk)
    assert (saved.location_set_at, saved.duration_minutes) == (set_at, 90)


def test_update_records_before_and_after(sam, alice, one_to_one):
    session = one_to_one(sam, alice)
    actions.update_session(by=sam.user, session=session, version=1, start_time=dt.time(14, 30))
    entry = AuditEvent.objects.get(action="session.update")
    assert entry.detail == {
        "before": {"start_time": "10:00:00"},
        "after": {"start_time": "14:30:00"},
    }


def test_only_the_editable_fields_can_be_changed(sam, alice, one_to_one):
    session = one_to_one(sam, alice)
    with pytest.raises(ValueError, match="not editable"):
        actions.update_session(by=sam.user, session=session, version=1, lead=alice)


# Cancelling.


def test_cancelling_needs_a_reason(sam, alice, one_to_one):
    session = one_to_one(sam, alice)
    with pytest.raises(ValidationError, match="reason"):
        actions.cancel_session(
            by=sam.user, session=session, version=1, cancelled_by_side="supervisor", reason="  "
        )
    saved = Session.objects.get(pk=session.pk)
    assert (saved.cancelled_at, saved.version) == (None, 1)


def test_cancelling_marks_every_participant_and_keeps_the_alternative(
    sam, alice, pat, co_reflection
):
    session = co_reflection(sam, [alice, pat], TODAY + dt.timedelta(days=2))
    actions.cancel_session(
        by=sam.user,
        session=session,
        version=1,
        cancelled_by_side="supervisor",
        reason="Facilitator unwell",
        alternative_offered="Wednesday 2 December, 1pm",
    )
    saved = Session.objects.get(pk=session.pk)
    assert saved.is_cancelled and saved.cancelled_by == sam.user
    assert saved.cancellation_reason == "Facilitator unwell"
    assert saved.alternative_offered == "Wednesday 2 December, 1pm"
    assert statuses(session) == {
        "ALICE": "cancelled_by_supervisor",
        "PAT": "cancelled_by_supervisor",
    }
    assert audit_actions(session) == ["session.create", "session.cancel"]


def test_cancelling_by_the_supervisee_marks_them(sam, alice, one_to_one):
    session = one_to_one(sam, alice, TODAY + dt.timedelta(days=2))
    actions.cancel_session(
        by=sam.user, session=session, version=1, cancelled_by_side="supervisee", reason="Unwell"
    )
    assert statuses(session) == {"ALICE": "cancelled_by_supervisee"}


def test_stale_cancel_is_refused(sam, alice, one_to_one):
    session = one_to_one(sam, alice)
    actions.update_session(by=sam.user, session=session, version=1, location="Room 2")
    with pytest.raises(actions.StaleEdit):
        actions.cancel_session(
            by=sam.user, session=session, version=1, cancelled_by_side="supervisor", reason="Ill"
        )
    assert not Session.objects.get(pk=session.pk).is_cancelled


def test_a_cancelled_session_cannot_be_changed_or_registered(sam, alice, one_to_one):
    session = one_to_one(sam, alice)
    actions.cancel_session(
        by=sam.user, session=session, version=1, cancelled_by_side="supervisor", reason="Ill"
    )
    with pytest.raises(ValidationError):
        actions.update_session(by=sam.user, session=session, version=2, location="Room 2")
    with pytest.raises(ValidationError):
        actions.record_register(
            by=sam.user, session=session, statuses={alice.pk: "attended"}, version=2
        )
    with pytest.raises(ValidationError, match="already cancelled"):
        actions.cancel_session(
            by=sam.user, session=session, version=2, cancelled_by_side="supervisor", reason="Ill"
        )


# Relationships.


def test_second_open_peer_work_supervisor_is_refused(sam, alice, pat):
    with pytest.raises(ValidationError, match=r"already has a peer work supervisor \(Sam Senior\)"):
        actions.start_relationship(
            by=pat.user, supervisee=alice, supervisor=pat, type="peer_work", start_date=TODAY
        )
    assert SupervisionRelationship.objects.filter(supervisee=alice).count() == 1


def test_dated_peer_work_supervisor_overlapping_a_dated_one_is_refused(olly, pat, sue):
    SupervisionRelationship.objects.filter(supervisee=olly).update(end_date=TODAY)
    with pytest.raises(ValidationError):
        actions.start_relationship(
            by=pat.user,
            supervisee=olly,
            supervisor=pat,
            type="peer_work",
            start_date=TODAY - dt.timedelta(days=30),
            end_date=TODAY + dt.timedelta(days=30),
        )


def test_new_peer_work_supervisor_after_the_old_one_ends_is_accepted(sam, alice, pat):
    current = SupervisionRelationship.objects.get(supervisee=alice)
    actions.end_relationship(by=pat.user, relationship=current, end_date=TODAY)
    relationship = actions.start_relationship(
        by=pat.user,
        supervisee=alice,
        supervisor=pat,
        type="peer_work",
        start_date=TODAY + dt.timedelta(days=1),
    )
    assert relationship.supervisor_is_peer
    assert AuditEvent.objects.filter(action="relationship.start").count() == 1


def test_clinical_supervisor_beside_the_peer_work_one_is_fine(sam, alice, lena):
    actions.start_relationship(
        by=lena.user, supervisee=alice, supervisor=lena, type="clinical", start_date=TODAY
    )
    assert not SupervisionRelationship.objects.get(type="clinical").supervisor_is_peer


def test_nobody_supervises_themselves(alice):
    with pytest.raises(ValidationError, match="cannot supervise themselves"):
        actions.start_relationship(
            by=alice.user, supervisee=alice, supervisor=alice, type="clinical", start_date=TODAY
        )


def test_ending_a_peer_work_relationship_later_cannot_overlap_the_next_one(sam, alice, pat):
    first = SupervisionRelationship.objects.get(supervisee=alice)
    actions.end_relationship(by=pat.user, relationship=first, end_date=TODAY)
    actions.start_relationship(
        by=pat.user,
        supervisee=alice,
        supervisor=pat,
        type="peer_work",
        start_date=TODAY + dt.timedelta(days=1),
    )
    with pytest.raises(ValidationError, match=r"already has a peer work supervisor \(Pat Lead\)"):
        actions.end_relationship(
            by=pat.user, relationship=first, end_date=TODAY + dt.timedelta(days=5)
        )
    first.refresh_from_db()
    assert first.end_date == TODAY


def test_moving_an_end_date_keeps_the_one_it_replaced_in_the_audit(sam, alice, pat):
    relationship = SupervisionRelationship.objects.get(supervisee=alice)
    actions.end_relationship(by=pat.user, relationship=relationship, end_date=TODAY)
    actions.end_relationship(
        by=pat.user, relationship=relationship, end_date=TODAY - dt.timedelta(days=3)
    )
    ended = AuditEvent.objects.filter(action="relationship.end").order_by("pk")
    assert [(e.detail["before"], e.detail["end_date"]) for e in ended] == [
        (None, str(TODAY)),
        (str(TODAY), str(TODAY - dt.timedelta(days=3))),
    ]


def test_cancelling_keeps_each_status_it_replaced_in_the_audit(sam, alice, pat, co_reflection):
    """A register already taken can be read back from the cancellation's audit entry."""
    session = co_reflection(sam, [alice, pat], TODAY - dt.timedelta(days=2))
    session.attendance.filter(person=alice).update(status="attended")
    session.attendance.filter(person=pat).update(status="apologies")
    actions.cancel_session(
        by=sam.user, session=session, version=1, cancelled_by_side="supervisor", reason="Mistake"
    )
    cancelled = AuditEvent.objects.get(action="session.cancel")
    assert cancelled.detail["register"] == {
        str(alice.pk): ["attended", "cancelled_by_supervisor"],
        str(pat.pk): ["apologies", "cancelled_by_supervisor"],
    }


@pytest.mark.parametrize("account", ["gus", "ada"])
def test_governance_and_administrator_accounts_cannot_be_made_supervisors(
    request, account, hana, olly
):
    supervisor = request.getfixturevalue(account)
    with pytest.raises(ValidationError, match="cannot supervise anyone"):
        actions.start_relationship(
            by=hana.user, supervisee=olly, supervisor=supervisor, type="clinical", start_date=TODAY
        )
    assert not SupervisionRelationship.objects.filter(supervisor=supervisor).exists()


def test_a_supervisor_without_a_peer_work_role_is_recorded_as_non_peer(hana, lena, olly):
    SupervisionRelationship.objects.filter(supervisee=olly).update(end_date=TODAY)
    relationship = actions.start_relationship(
        by=hana.user,
        supervisee=olly,
        supervisor=lena,
        type="peer_work",
        start_date=TODAY + dt.timedelta(days=1),
    )
    assert not relationship.supervisor_is_peer


def test_the_same_relationship_twice_is_refused_with_a_reason(hana, lena, alice):
    actions.start_relationship(
        by=hana.user, supervisee=alice, supervisor=lena, type="clinical", start_date=TODAY
    )
    with pytest.raises(ValidationError, match="already recorded: Lena Line supervises Alice"):
        actions.start_relationship(
            by=hana.user, supervisee=alice, supervisor=lena, type="clinical", start_date=TODAY
        )
    with pytest.raises(ValidationError, match="already recorded"):
        actions.start_relationship(
            by=hana.user,
            supervisee=alice,
            supervisor=lena,
            type="clinical",
            start_date=TODAY + dt.timedelta(days=10),
        )
    assert SupervisionRelationship.objects.filter(type="clinical").count() == 1


def test_the_same_two_people_again_after_the_first_relationship_ended_is_accepted(
    hana, lena, alice
):
    first = actions.start_relationship(
        by=hana.user,
        supervisee=alice,
        supervisor=lena,
        type="clinical",
        start_date=TODAY - dt.timedelta(days=60),
        end_date=TODAY - dt.timedelta(days=30),
    )
    second = actions.start_relationship(
        by=hana.user, supervisee=alice, supervisor=lena, type="clinical", start_date=TODAY
    )
    assert first.pk != second.pk


# Corrections are marked in the audit log, with what changed.


def test_a_corrected_register_is_audited_as_a_correction_with_the_change(
    hana, sam, alice, one_to_one
):
    session = one_to_one(sam, alice, TODAY - dt.timedelta(days=3))
    actions.record_register(
        by=hana.user,
        session=session,
        statuses={alice.pk: "did_not_attend"},
        version=1,
        correction=True,
    )
    entry = AuditEvent.objects.get(action="session.register")
    assert entry.actor == hana.user
    assert entry.detail == {
        "changes": {str(alice.pk): ["attended", "did_not_attend"]},
        "correction": True,
    }


def test_a_corrected_session_change_and_cancellation_are_audited_as_corrections(
    hana, sam, alice, one_to_one
):
    session = one_to_one(sam, alice, TODAY - dt.timedelta(days=3))
    actions.update_session(
        by=hana.user, session=session, version=1, correction=True, start_time=dt.time(11)
    )
    actions.cancel_session(
        by=hana.user,
        session=session,
        version=2,
        cancelled_by_side="supervisor",
        reason="Recorded by mistake",
        correction=True,
    )
    update = AuditEvent.objects.get(action="session.update")
    assert update.detail == {
        "before": {"start_time": "10:00:00"},
        "after": {"start_time": "11:00:00"},
        "correction": True,
    }
    assert AuditEvent.objects.get(action="session.cancel").detail["correction"] is True


def test_a_leads_own_change_is_not_marked_as_a_correction(sam, alice, one_to_one):
    session = one_to_one(sam, alice)
    actions.record_register(
        by=sam.user, session=session, statuses={alice.pk: "apologies"}, version=1
    )
    assert "correction" not in AuditEvent.objects.get(action="session.register").detail
