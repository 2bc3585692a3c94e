"""The notes register (audit KPI 1, spec §4): for every held one-to-one, the state of its
notes on a day, its deadlines and the dates they were met. Never note content: nothing here
reads a version, a comment or an action, only the sessions and the notes' state changes.

Deadlines are worked out from the policy in force whenever they are shown, never stored.
A register as of an earlier day shows the notes as they were that day (from NotesEvent).

The command (`coreflect notes-register`), the page's counts and its CSV download all read
their rows through iter_entries(); docs/notes.md, "The notes register", is the contract.
"""

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Max, Min, Q, QuerySet

from coreflect.notes import rules, workdays
from coreflect.notes.models import NotesState
from coreflect.policy.models import PolicySettings
from coreflect.supervision.models import AttendanceStatus, Session, SessionKind


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
    # The import's ids of the two people ("" only for entries made without them).
    supervisor_external_id: str = ""
    supervisee_external_id: str = ""

    @property
    def state(self) -> str:
        return self.clock.state

    @property
    def shown_id(self) -> str:
        """The session's id in the register: the import's, or "#" and the database id for a
        session recorded in Coreflect ("#" is never in an imported id, so the two cannot
        clash)."""
        return self.session_external_id or f"#{self.session_id}"


def held_one_to_ones(as_of: dt.date) -> QuerySet[Session]:
    """One-to-ones dated on or before the day, not cancelled, the supervisee attended."""
    return Session.objects.filter(
        kind=SessionKind.ONE_TO_ONE,
        date__lte=as_of,
        cancelled_at__isnull=True,
        attendance__status=AttendanceStatus.ATTENDED,
    )


# The states a NotesEvent records (notes are never moved back to not_written).
EVENT_STATES = (
    NotesState.DRAFT,
    NotesState.SHARED,
    NotesState.CHANGES_REQUESTED,
    NotesState.REVIEW_TOGETHER,
    NotesState.ACCEPTED,
)


def _register_rows(sessions: QuerySet[Session], as_of: dt.date) -> QuerySet[Session, Any]:
    """One row a session, in the register's order: its ids, date and people, the dates of the
    notes' sharings and answers up to the day, and for each state the id of its latest event
    up to the day.

    The events of one set of notes are written one after another (actions lock the notes
    first), so the latest by id is the latest by time: the state on the day is that of the
    highest id. Every figure is a MIN or MAX, so the joins may repeat rows without changing
    it; the attendance join is the caller's own where it filtered on attendance (as
    held_one_to_ones does), so the supervisee is the person who attended.
    """
    up_to = Q(notes__events__on__lte=as_of)

    def of(*states: str) -> Q:
        return up_to & Q(notes__events__state__in=states)

    supervisee = ~Q(attendance__person=F("lead"))
    return (
        sessions.order_by()
        .values("pk", "external_id", "date", "lead_id", "lead__external_id")
        .annotate(
            supervisee=Min("attendance__person", filter=supervisee),
            supervisee_external_id=Min("attendance__person__external_id", filter=supervisee),
            first_shared=Min("notes__events__on", filter=of(NotesState.SHARED)),
            last_shared=Max("notes__events__on", filter=of(NotesState.SHARED)),
            last_answer=Max("notes__events__on", filter=of(*rules.ANSWERS)),
            accepted=Max("notes__events__on", filter=of(NotesState.ACCEPTED)),
            **{
                f"latest_{state}": Max("notes__events__pk", filter=of(state))
                for state in EVENT_STATES
            },
        )
        # Imported sessions by their ids, then those recorded in Coreflect in the order they
        # were recorded (NULLS LAST on every database: SQLite puts them first otherwise).
        .order_by("date", F("external_id").asc(nulls_last=True), "pk")
        .values_list(
            "pk",
            "external_id",
            "date",
            "lead_id",
            "lead__external_id",
            "supervisee",
            "supervisee_external_id",
            "first_shared",
            "last_shared",
            "last_answer",
            "accepted",
            *(f"latest_{state}" for state in EVENT_STATES),
        )
    )


def _state(latest: tuple[int | None, ...]) -> str:
    """The state whose latest event is the latest of all; not_written without any."""
    state, highest = NotesState.NOT_WRITTEN.value, 0
    for candidate, pk in zip(EVENT_STATES, latest, strict=True):
        if pk is not None and pk > highest:
            state, highest = candidate.value, pk
    return state


def iter_entries(
    sessions: QuerySet[Session],
    *,
    as_of: dt.date,
    deadlines: Deadlines,
    chunk_size: int = 2000,
) -> Iterator[Entry]:
    """The register's entry for each of the sessions (from held_one_to_ones, filtered as the
    caller needs), by date and then session id, read in one query as they are used."""
    # Many sessions share their dates: a clock is made once for each set of dates.
    clocks: dict[tuple[Any, ...], rules.Clock] = {}
    for (
        pk,
        external_id,
        date,
        lead_id,
        lead_external_id,
        supervisee_id,
        supervisee_external_id,
        first_shared,
        last_shared,
        last_answer,
        accepted,
        *latest,
    ) in _register_rows(sessions, as_of).iterator(chunk_size=chunk_size):
        state = _state(tuple(latest))
        key = (state, date, first_shared, last_shared, last_answer, accepted)
        found = clocks.get(key)
        if found is None:
            found = clocks[key] = clock(
                state=state,
                session_date=date,
                first_shared=first_shared,
                last_shared=last_shared,
                last_answer=last_answer,
                accepted=accepted,
                as_of=as_of,
                deadlines=deadlines,
            )
        yield Entry(
            session_id=pk,
            session_external_id=external_id,
            date=date,
            supervisor_id=lead_id,
            supervisee_id=supervisee_id,
            clock=found,
            supervisor_external_id=lead_external_id,
            supervisee_external_id=supervisee_external_id or "",
        )


def entries(sessions: QuerySet[Session], *, as_of: dt.date, deadlines: Deadlines) -> list[Entry]:
    """The register's entry for each of the sessions (from held_one_to_ones, filtered as the
    caller needs), in one query however many there are."""
    return list(iter_entries(sessions, as_of=as_of, deadlines=deadlines))


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


# The rows of the command and the download (docs/notes.md is their contract).

COLUMNS = (
    "session_id",
    "date",
    "supervisor_id",
    "supervisee_id",
    "notes_state",
    "share_due",
    "shared_on",
    "response_due",
    "accepted_on",
    "overdue",
)

Line = tuple[
    str, dt.date, str, str, str, dt.date, dt.date | None, dt.date | None, dt.date | None, bool
]


def line(entry: Entry) -> Line:
    """One entry as the register's columns."""
    c = entry.clock
    return (
        entry.shown_id,
        entry.date,
        entry.supervisor_external_id,
        entry.supervisee_external_id,
        c.state,
        c.share_due,
        c.shared_on,
        c.response_due,
        c.accepted_on,
        c.overdue,
    )


def lines(sessions: QuerySet[Session], *, as_of: dt.date, deadlines: Deadlines) -> Iterator[Line]:
    for entry in iter_entries(sessions, as_of=as_of, deadlines=deadlines):
        yield line(entry)


def _json_value(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


def json_chunks(rows: Iterable[Line], *, as_of: dt.date, batch: int = 1000) -> Iterator[str]:
    """The register as JSON, a piece at a time: `{"as_of": …, "sessions": [` and then a
    session a line, so a whole organisation's is never one string in memory."""
    yield f'{{"as_of": "{as_of.isoformat()}", "sessions": ['
    pending: list[str] = []
    first = True
    for row in rows:
        pending.append(json.dumps(dict(zip(COLUMNS, map(_json_value, row), strict=True))))
        if len(pending) >= batch:
            yield ("\n" if first else ",\n") + ",\n".join(pending)
            first, pending = False, []
    if pending:
        yield ("\n" if first else ",\n") + ",\n".join(pending)
        first = False
    yield "]}\n" if first else "\n]}\n"


def _csv_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def csv_table(rows: Iterable[Line]) -> Iterator[list[str]]:
    """The register as a table for compliance.exports.csv_lines: the header, then a row a
    session; empty for null, true/false for the overdue flag."""
    yield list(COLUMNS)
    for row in rows:
        yield [_csv_value(value) for value in row]


# The page: counts per supervisor.


@dataclass
class Tally:
    """One supervisor's held one-to-ones, counted by where their notes stand."""

    supervisor_id: int
    held: int = 0
    not_written: int = 0
    shared_on_time: int = 0
    shared_late: int = 0
    waiting: int = 0
    answered_on_time: int = 0
    answered_late: int = 0
    overdue: int = 0
    share_overdue: int = 0
    response_overdue: int = 0
    states: Counter[str] = field(default_factory=Counter)

    def add(self, c: rules.Clock) -> None:
        self.held += 1
        self.states[c.state] += 1
        if c.state == NotesState.NOT_WRITTEN:
            self.not_written += 1
        if c.shared_on is not None:
            if c.shared_late:
                self.shared_late += 1
            else:
                self.shared_on_time += 1
        if c.state == NotesState.SHARED:
            self.waiting += 1
        if c.answered_on is not None:
            if c.answered_late:
                self.answered_late += 1
            else:
                self.answered_on_time += 1
        if c.share_overdue:
            self.share_overdue += 1
        if c.response_overdue:
            self.response_overdue += 1
        if c.overdue:
            self.overdue += 1

    def merge(self, other: "Tally") -> None:
        for name in (
            "held",
            "not_written",
            "shared_on_time",
            "shared_late",
            "waiting",
            "answered_on_time",
            "answered_late",
            "overdue",
            "share_overdue",
            "response_overdue",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.states.update(other.states)

    @property
    def not_shared(self) -> int:
        """Written (or not) but never shared: a draft, or no notes at all."""
        return self.held - self.shared_on_time - self.shared_late


def tallies(
    sessions: QuerySet[Session], *, as_of: dt.date, deadlines: Deadlines
) -> dict[int, Tally]:
    """Each supervisor's tally of these sessions, by the supervisor's person id."""
    found: dict[int, Tally] = {}
    for entry in iter_entries(sessions, as_of=as_of, deadlines=deadlines):
        tally = found.get(entry.supervisor_id)
        if tally is None:
            tally = found[entry.supervisor_id] = Tally(entry.supervisor_id)
        tally.add(entry.clock)
    return found
