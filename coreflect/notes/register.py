"""The notes register (audit KPI 1, spec §4): for every held one-to-one, the state of its
notes on a day, its deadlines and the dates they were met. Never note content.

Deadlines are worked out from the policy in force whenever they are shown, never stored.
A register as of an earlier day shows the notes as they were that day (from NotesEvent).
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Max, Min, OuterRef, Q, QuerySet, Subquery

from coreflect.notes import rules, workdays
from coreflect.notes.models import NotesEvent, NotesState
from coreflect.policy.models import PolicySettings
from coreflect.supervision.models import Attendance, AttendanceStatus, Session, SessionKind


@dataclass(frozen=True)
class Deadlines:
    """The policy's turnaround, as numbers of working days in a region."""

    share_days: int
    response_days: int
    region: str

    @classmethod
    def of(cls, policy: PolicySettings) -> "Deadlines":
        return cls(
            share_days=policy.notes_share_working_days,
            response_days=policy.notes_response_working_days,
            region=policy.holiday_region,
        )

    def share_due(self, session_date: dt.date) -> dt.date:
        return workdays.add_working_days(session_date, self.share_days, self.region)

    def response_due(self, shared_on: dt.date) -> dt.date:
        return workdays.add_working_days(shared_on, self.response_days, self.region)


@dataclass(frozen=True)
class Entry:
    """One held one-to-one in the register."""

    session_id: int
    session_external_id: str | None
    date: dt.date
    supervisor_id: int
    supervisee_id: int
    clock: rules.Clock

    @property
    def state(self) -> str:
        return self.clock.state


def held_one_to_ones(as_of: dt.date) -> QuerySet[Session]:
    """One-to-ones dated on or before the day, not cancelled, the supervisee attended."""
    return Session.objects.filter(
        kind=SessionKind.ONE_TO_ONE,
        date__lte=as_of,
        cancelled_at__isnull=True,
        attendance__status=AttendanceStatus.ATTENDED,
    )


def _supervisee() -> Subquery:
    return Subquery(
        Attendance.objects.filter(session=OuterRef("pk"))
        .exclude(person=OuterRef("lead"))
        .values("person")[:1]
    )


def entries(sessions: QuerySet[Session], *, as_of: dt.date, deadlines: Deadlines) -> list[Entry]:
    """The register's entry for each of the sessions (from held_one_to_ones, filtered as the
    caller needs), in two queries however many there are."""
    rows = list(
        sessions.annotate(supervisee_id=_supervisee()).values_list(
            "pk", "external_id", "date", "lead_id", "supervisee_id"
        )
    )
    latest = NotesEvent.objects.filter(notes=OuterRef("notes"), on__lte=as_of).order_by(
        "-at", "-pk"
    )
    events = {
        session_id: (state, first_shared, last_shared, last_answer, accepted)
        for session_id, state, first_shared, last_shared, last_answer, accepted in (
            NotesEvent.objects.filter(notes__session__in=sessions.values("pk"), on__lte=as_of)
            .values("notes__session_id")
            .annotate(
                state=Subquery(latest.values("state")[:1]),
                first_shared=Min("on", filter=Q(state=NotesState.SHARED)),
                last_shared=Max("on", filter=Q(state=NotesState.SHARED)),
                last_answer=Max("on", filter=Q(state__in=rules.ANSWERS)),
                accepted=Max("on", filter=Q(state=NotesState.ACCEPTED)),
            )
            .values_list(
                "notes__session_id",
                "state",
                "first_shared",
                "last_shared",
                "last_answer",
                "accepted",
            )
        )
    }
    found = []
    for pk, external_id, date, lead_id, supervisee_id in rows:
        state, first_shared, last_shared, last_answer, accepted = events.get(
            pk, (NotesState.NOT_WRITTEN, None, None, None, None)
        )
        found.append(
            Entry(
                session_id=pk,
                session_external_id=external_id,
                date=date,
                supervisor_id=lead_id,
                supervisee_id=supervisee_id,
                clock=clock(
                    state=state,
                    session_date=date,
                    first_shared=first_shared,
                    last_shared=last_shared,
                    last_answer=last_answer,
                    accepted=accepted,
                    as_of=as_of,
                    deadlines=deadlines,
                ),
            )
        )
    return found


def clock(
    *,
    state: str,
    session_date: dt.date,
    first_shared: dt.date | None,
    last_shared: dt.date | None,
    last_answer: dt.date | None,
    accepted: dt.date | None,
    as_of: dt.date,
    deadlines: Deadlines,
) -> rules.Clock:
    """The clock of one set of notes: shared_on is the first sharing (the share deadline is
    met once); the response deadline runs from the latest sharing, and is answered when the
    supervisee has answered since then."""
    return rules.Clock(
        state=state,
        share_due=deadlines.share_due(session_date),
        shared_on=first_shared,
        response_due=deadlines.response_due(last_shared) if last_shared else None,
        answered_on=last_answer if state in rules.ANSWERS else None,
        accepted_on=accepted if state == NotesState.ACCEPTED else None,
        as_of=as_of,
    )


def for_sessions(
    session_ids: Iterable[int], *, as_of: dt.date, deadlines: Deadlines
) -> dict[int, Entry]:
    """Entries of these sessions (those held), by session id."""
    held = held_one_to_ones(as_of).filter(pk__in=list(session_ids))
    return {e.session_id: e for e in entries(held, as_of=as_of, deadlines=deadlines)}
