"""Retention (spec §5): how long notes, and the records of who read them, are kept, and which
are past it, in one query at any size.

A set of notes belongs to the supervision in force between its supervisee and the supervisor
who held the session, on the session's day. Its records are kept the policy's retention_years
after that supervision ends; while it goes on, they are kept. A one-to-one held outside any
recorded supervision (cover, or a record corrected later) counts as a supervision of that one
day. Past the date the notes are listed for the head of peer work to review
(coreflect/retention), and nothing is deleted without that review.

The first three functions are pure (dates in, dates out); the rest ask the database.
"""

import datetime as dt
from dataclasses import dataclass
from typing import overload

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from coreflect.audit.models import NotesAccess
from coreflect.notes.models import Notes
from coreflect.supervision.models import SupervisionRelationship


@overload
def retain_until(ended: dt.date, years: int) -> dt.date: ...
@overload
def retain_until(ended: None, years: int) -> None: ...
@overload
def retain_until(ended: dt.date | None, years: int) -> dt.date | None: ...
def retain_until(ended: dt.date | None, years: int) -> dt.date | None:
    """The last day the records are kept: `years` after the supervision ended (29 February
    becomes 28 February in a year without it); None while the supervision goes on."""
    if ended is None:
        return None
    until: dt.date = ended + relativedelta(years=years)
    return until


def is_past(until: dt.date | None, today: dt.date) -> bool:
    """Whether records kept until `until` are due for review today."""
    return until is not None and until < today


def ended_by(today: dt.date, years: int) -> dt.date:
    """The last day a supervision may have ended for its records to be past retention today:
    ended <= ended_by(today, years) exactly when is_past(retain_until(ended, years), today), as
    a bound a query can use. (Not simply today less the years: 29 February has no twin.)"""
    day: dt.date = today - dt.timedelta(days=1) - relativedelta(years=years)
    following = day + dt.timedelta(days=1)
    if is_past(retain_until(following, years), today):  # 29 February, kept until 28 February
        day = following
    return day


def _in_force() -> QuerySet[SupervisionRelationship]:
    """The supervisions between the notes' two people in force on the session's day."""
    return SupervisionRelationship.objects.filter(
        supervisee=OuterRef("session__attendance__person"),
        supervisor=OuterRef("session__lead"),
        start_date__lte=OuterRef("session__date"),
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=OuterRef("session__date")))


ANNOTATED = ("supervision_open", "supervision_ended")


def with_supervision_end(notes: QuerySet[Notes]) -> QuerySet[Notes]:
    """Each set of notes with `supervision_open` (its supervision goes on) and
    `supervision_ended` (the day it ended, when it has)."""
    in_force = _in_force()
    return notes.annotate(
        supervision_open=Exists(in_force.filter(end_date__isnull=True)),
        supervision_ended=Coalesce(
            Subquery(
                in_force.filter(end_date__isnull=False).order_by("-end_date").values("end_date")[:1]
            ),
            F("session__date"),
        ),
    )


# What the review shows and the tombstone keeps of each set of notes due (described()).
DUE = (
    "pk",
    "session_id",
    "session_date",
    "supervisee_pk",
    "supervisee_name",
    "session__lead_id",
    "supervisor_name",
    "supervision_ended",
    "version_count",
    "access_count",
)


def past_retention(today: dt.date, years: int) -> QuerySet[Notes]:
    """Notes due for review today, oldest one-to-one first.

    Due when the one-to-one is old enough and no supervision in force on its day ends after
    the bound (or goes on): the same as its supervision having ended by the bound, asked as
    NOT EXISTS, which the database answers for every candidate at once (an anti-join) rather
    than one subquery a row. Each row's details are for the page shown (described())."""
    bound = ended_by(today, years)
    keeps = _in_force().filter(Q(end_date__isnull=True) | Q(end_date__gt=bound))
    return (
        # A supervision ends on or after its sessions: only sessions this old can be past.
        Notes.objects.filter(session__date__lte=bound)
        .filter(~Exists(keeps))
        .order_by("session__date", "pk")
    )


def described(notes: QuerySet[Notes]) -> QuerySet[Notes]:
    """These notes (a page of them) with the two people, the supervision's end and how many
    versions and access records each has: the fields of DUE."""
    return (
        with_supervision_end(notes)
        .annotate(
            supervisee_pk=F("session__attendance__person"),
            supervisee_name=F("session__attendance__person__name"),
            supervisor_name=F("session__lead__name"),
            session_date=F("session__date"),
            version_count=Count("versions", distinct=True),
            access_count=Subquery(
                NotesAccess.objects.filter(notes_pk=OuterRef("pk"))
                .order_by()
                .values("notes_pk")
                .annotate(n=Count("pk"))
                .values("n")[:1]
            ),
        )
        .order_by("session__date", "pk")
    )


@dataclass(frozen=True)
class Retention:
    """How long one set of notes is kept."""

    years: int
    ended: dt.date | None  # None while the supervision goes on
    until: dt.date | None

    @property
    def is_past(self) -> bool:
        return is_past(self.until, timezone.localdate())


def retention_of(notes: Notes, years: int) -> Retention:
    row = with_supervision_end(Notes.objects.filter(pk=notes.pk)).values(*ANNOTATED)[0]
    ended = None if row["supervision_open"] else row["supervision_ended"]
    return Retention(years=years, ended=ended, until=retain_until(ended, years))
