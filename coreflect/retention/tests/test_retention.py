"""Retention (spec §5): notes carry a retention date from the policy, years after their
supervision ends; past it they are listed for the head of peer work, never deleted on their
own; deleting them after review takes their versions, comments, topics and access records, and
leaves a tombstone and an audit entry holding no content."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from coreflect.audit.actions import record_read
from coreflect.audit.models import AuditEvent, NotesAccess, ReadHow, Tombstone
from coreflect.notes.models import Comment, Notes, NotesVersion, Topic
from coreflect.notes.retention import past_retention, retention_of
from coreflect.notes.tests.conftest import one_to_one, write_notes
from coreflect.policy.actions import change_policy
from coreflect.policy.models import PolicySettings
from coreflect.retention import actions
from coreflect.supervision.models import Attendance, Session, SupervisionRelationship

TODAY = dt.date(2026, 11, 23)  # the frozen clock's day


def due(today=TODAY):
    years = PolicySettings.objects.current().retention_years
    return list(past_retention(today, years).values_list("pk", flat=True))


def read(person, session, how=ReadHow.PAGE):
    return record_read(
        by=person.user,
        person=person,
        notes_pk=session.notes.pk,
        session_pk=session.pk,
        version=1,
        how=how,
    )


def set_years(years):
    policy = PolicySettings.objects.current()
    change_policy(
        by=None, policy=policy, version=policy.version, changes={"retention_years": years}
    )


# Which notes are due


def test_notes_of_a_supervision_that_ended_long_enough_ago_are_due(old, current):
    assert due() == [old.notes.pk]


def test_notes_of_a_supervision_that_goes_on_are_never_due(current):
    assert due(today=dt.date(2090, 1, 1)) == []


@pytest.mark.parametrize(
    ("ended", "listed"),
    [(dt.date(2020, 11, 22), True), (dt.date(2020, 11, 23), False)],
    ids=["kept-until-yesterday", "kept-until-today"],
)
def test_due_the_day_after_the_last_day_kept(sam, alice, ended, listed):
    SupervisionRelationship.objects.create(
        supervisor=sam,
        supervisee=alice,
        type="peer_work",
        start_date=dt.date(2019, 1, 1),
        end_date=ended,
    )
    session = one_to_one(sam, alice, dt.date(2020, 6, 4))
    write_notes(sam, session)
    assert due() == ([session.notes.pk] if listed else [])


def test_the_years_are_the_policys(old):
    set_years(10)  # kept until 31 March 2029
    assert due() == []
    assert due(today=dt.date(2029, 4, 1)) == [old.notes.pk]


def test_a_one_to_one_outside_any_recorded_supervision_counts_from_its_day(pat, alice):
    # Pat never supervised Alice: a one-to-one Pat held is kept six years from its own day.
    session = one_to_one(pat, alice, dt.date(2020, 6, 4))
    write_notes(pat, session)
    assert due(today=dt.date(2026, 6, 4)) == []
    assert due(today=dt.date(2026, 6, 5)) == [Notes.objects.get(session=session).pk]


def test_the_notes_carry_their_retention_date(old, current):
    years = PolicySettings.objects.current().retention_years
    gone_by = retention_of(old.notes, years)
    assert (gone_by.ended, gone_by.until, gone_by.is_past) == (
        dt.date(2019, 3, 31),
        dt.date(2025, 3, 31),
        True,
    )
    going_on = retention_of(current.notes, years)
    assert (going_on.ended, going_on.until, going_on.is_past) == (None, None, False)


# Nothing goes on its own


def test_a_session_with_notes_cannot_be_deleted(old):
    with pytest.raises(ProtectedError), transaction.atomic():
        Session.objects.filter(pk=old.pk).delete()
    assert Notes.objects.filter(session=old).exists()


def test_an_access_record_of_notes_still_there_cannot_go_even_with_a_tombstone(old, hana):
    read(old.lead, old)
    Tombstone.objects.create(
        at=old.notes.created_at,
        by=hana.user,
        by_username="hana",
        by_name="Hana Head",
        reason="Forged",
        notes_pk=old.notes.pk,
        session_pk=old.pk,
        session_date=old.date,
        supervisee_pk=1,
        supervisee_name="A",
        supervisor_pk=2,
        supervisor_name="B",
        supervision_ended=old.date,
        retain_until=old.date,
        versions=0,
        comments=0,
        topics=0,
        access_records=0,
    )
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        NotesAccess.objects.filter(notes_pk=old.notes.pk).delete()
    assert NotesAccess.objects.filter(notes_pk=old.notes.pk).count() == 1


# Deleting after review


@pytest.fixture
def reviewed(old, current, sam, alice):
    """The old notes have been read twice, commented on and had a topic brought; the current
    notes have been read once."""
    read(sam, old)
    read(alice, old, ReadHow.PDF)
    read(sam, current)
    version = old.notes.versions.get(kind="shared")
    Comment.objects.create(
        version=version, author=alice, text="A comment", created_at=version.updated_at
    )
    Topic.objects.create(session=old, author=alice, text="A topic", created_at=version.updated_at)
    return old


def test_deleting_takes_the_notes_and_everything_of_them_and_leaves_a_tombstone(
    reviewed, current, hana, alice, sam
):
    notes_pk = reviewed.notes.pk
    [tombstone] = actions.delete_after_review(
        by=hana.user, notes_pks=[notes_pk], reason="Reviewed: no open matter", today=TODAY
    )
    assert not Notes.objects.filter(pk=notes_pk).exists()
    assert not NotesVersion.objects.filter(notes_id=notes_pk).exists()
    assert not Comment.objects.filter(version__notes_id=notes_pk).exists()
    assert not Topic.objects.filter(session=reviewed).exists()
    assert not NotesAccess.objects.filter(notes_pk=notes_pk).exists()
    # The session and who came stay (attendance counts for compliance); the current notes too.
    assert Attendance.objects.filter(session=reviewed, person=alice).exists()
    assert Notes.objects.filter(pk=current.notes.pk).exists()
    assert NotesAccess.objects.filter(notes_pk=current.notes.pk).count() == 1
    assert (
        tombstone.notes_pk,
        tombstone.session_pk,
        tombstone.session_date,
        tombstone.supervisee_name,
        tombstone.supervisor_name,
        tombstone.supervision_ended,
        tombstone.retain_until,
        tombstone.versions,
        tombstone.comments,
        tombstone.topics,
        tombstone.access_records,
        tombstone.by_name,
        tombstone.reason,
    ) == (
        notes_pk,
        reviewed.pk,
        dt.date(2018, 6, 7),
        "Alice Able",
        "Sam Senior",
        dt.date(2019, 3, 31),
        dt.date(2025, 3, 31),
        1,  # one version: shared as written
        1,
        1,
        2,
        "Hana Head",
        "Reviewed: no open matter",
    )
    event = AuditEvent.objects.get(action="retention.delete")
    assert event.actor == hana.user
    assert event.detail == {
        "notes": [notes_pk],
        "tombstones": [tombstone.pk],
        "reason": "Reviewed: no open matter",
    }
    assert "Old notes" not in str(event.detail) and "A comment" not in str(event.detail)


def test_notes_not_past_their_date_are_refused_and_nothing_goes(reviewed, current, hana):
    with pytest.raises(actions.DeletionRefused, match="no longer past"):
        actions.delete_after_review(
            by=hana.user,
            notes_pks=[reviewed.notes.pk, current.notes.pk],
            reason="Reviewed",
            today=TODAY,
        )
    assert Notes.objects.count() == 2
    assert not Tombstone.objects.exists()


def test_a_supervision_found_to_have_run_longer_keeps_its_notes(reviewed, sam, alice, hana):
    # Listed, then the record is corrected: the supervision ran to the end of 2023, so the
    # notes are kept until the end of 2029.
    assert due() == [reviewed.notes.pk]
    SupervisionRelationship.objects.filter(
        supervisor=sam, supervisee=alice, end_date=dt.date(2019, 3, 31)
    ).update(end_date=dt.date(2023, 12, 31))
    with pytest.raises(actions.DeletionRefused):
        actions.delete_after_review(
            by=hana.user, notes_pks=[reviewed.notes.pk], reason="Reviewed", today=TODAY
        )
    assert Notes.objects.filter(pk=reviewed.notes.pk).exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reason_is_needed(reviewed, hana, reason):
    with pytest.raises(actions.DeletionRefused, match="Say why"):
        actions.delete_after_review(
            by=hana.user, notes_pks=[reviewed.notes.pk], reason=reason, today=TODAY
        )
    assert Notes.objects.filter(pk=reviewed.notes.pk).exists()
