"""Deleting notes after a retention review: the only way notes, and the records of who read
them, ever leave the database. Each set leaves a tombstone and an audit entry; neither holds
anything the notes said."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from coreflect.audit.actions import name_of, record
from coreflect.audit.models import NotesAccess, Tombstone
from coreflect.notes import retention
from coreflect.notes.models import Comment, Notes, NotesVersion, Topic
from coreflect.notes.retention import DUE, described, past_retention
from coreflect.policy.models import PolicySettings


class DeletionRefused(Exception):
    """Nothing was deleted; the message says why."""


def delete_after_review(
    *, by: User, notes_pks: Iterable[int], reason: str, today: dt.date | None = None
) -> list[Tombstone]:
    """Delete these sets of notes, each with its versions, comments, topics brought and the
    records of who read them, leaving a tombstone of each. All or nothing: refused if any of
    them is not past its retention date today (a supervision may have been reopened since the
    list was shown)."""
    reason = reason.strip()
    if not reason:
        raise DeletionRefused("Say why, after your review, these notes need not be kept.")
    today = today or timezone.localdate()
    wanted = sorted(set(notes_pks))
    if not wanted:
        raise DeletionRefused("Select the notes to delete.")
    years = PolicySettings.objects.current().retention_years
    with transaction.atomic():
        # Two reviewers at once: the second waits here, then finds the notes gone.
        list(Notes.objects.filter(pk__in=wanted).select_for_update().values_list("pk"))
        rows = list(described(past_retention(today, years).filter(pk__in=wanted)).values(*DUE))
        if len(rows) != len(wanted):
            raise DeletionRefused(
                "Some of these notes are no longer past their retention date (their "
                "supervision may have been reopened). Nothing was deleted; look at the list again."
            )
        now = timezone.now()
        comments = dict(
            Comment.objects.filter(version__notes_id__in=wanted)
            .values_list("version__notes_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        topics = dict(
            Topic.objects.filter(session_id__in=[row["session_id"] for row in rows])
            .values_list("session_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        tombstones = []
        for row in rows:
            ended: dt.date = row["supervision_ended"]  # past retention: it has ended
            until = retention.retain_until(ended, years)
            tombstone = Tombstone(
                at=now,
                by=by,
                by_username=by.get_username(),
                by_name=name_of(by),
                reason=reason,
                notes_pk=row["pk"],
                session_pk=row["session_id"],
                session_date=row["session_date"],
                supervisee_pk=row["supervisee_pk"],
                supervisee_name=row["supervisee_name"],
                supervisor_pk=row["session__lead_id"],
                supervisor_name=row["supervisor_name"],
                supervision_ended=row["supervision_ended"],
                retain_until=until,
                versions=row["version_count"],
                comments=comments.get(row["pk"], 0),
                topics=topics.get(row["session_id"], 0),
                access_records=row["access_count"] or 0,
            )
            tombstones.append(tombstone)
        tombstones = Tombstone.objects.bulk_create(tombstones)
        _delete(rows)
        record(
            by=by,
            action="retention.delete",
            notes=[t.notes_pk for t in tombstones],
            tombstones=[t.pk for t in tombstones],
            reason=reason,
        )
    return tombstones


def _delete(rows: list[dict[str, Any]]) -> None:
    """The notes first, then their access records: the database lets an access record go only
    once its notes are gone and their tombstone is written (coreflect/audit/append_only.py)."""
    notes_pks = [row["pk"] for row in rows]
    session_pks = [row["session_id"] for row in rows]
    # Each version protects the one it was based on; they all go together here.
    NotesVersion.objects.filter(notes_id__in=notes_pks).update(based_on=None)
    Topic.objects.filter(session_id__in=session_pks).delete()
    Notes.objects.filter(pk__in=notes_pks).delete()
    NotesAccess.objects.filter(notes_pk__in=notes_pks).delete()
