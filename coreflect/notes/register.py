"""The notes register (audit KPI 1, spec §4): for every held one-to-one, the state of its
notes on a day, its deadlines and the dates they were met. Never note content: nothing here
reads a version, a comment or an action, only the sessions and the notes' state changes.

Deadlines are worked out from the policy in force whenever they are shown, never stored.
A register as of an earlier day shows the notes as they were that day (from NotesEvent).

The command (`coreflect notes-register`) and the page's CSV download write lines(); the page
counts with tallies(). All three read one query and make their clocks with clock();
docs/notes.md, "The notes register", is the contract.
"""

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from django.db.models import (
    Aggregate,
    Case,
    F,
    Field,
    IntegerField,
    Max,
    Min,
    Q,
    QuerySet,
    Value,
    When,
)

from coreflect.agreements import rules as agreement_rules
from coreflect.agreements import standing as agreement_standing
from coreflect.notes import rules, workdays
from coreflect.notes.models import NotesState
from coreflect.people.models import Service
from coreflect.policy.models import PolicySettings
from coreflect.supervision.models import Attendance, AttendanceStatus, Session, SessionKind


@dataclass(frozen=True)
class Deadlines:
    """The policy's turnaround, as numbers of working days in a region, and the turnaround
    each relationship's signed agreement set instead (spec §4, §6), by (supervisor id,
    supervisee id)."""

    share_days: int
    response_days: int
    region: str
    agreed: Mapping[tuple[int, int], tuple[agreement_rules.Turnaround, ...]] = field(
        default_factory=dict, compare=False, hash=False
    )

    @classmethod
    def of(cls, policy: PolicySettings, *, people: Iterable[int] | None = None) -> "Deadlines":
        """The policy's, with the agreements of everyone's relationships (or only those where
        one of `people` is a side: enough for the sessions of those people)."""
        return cls(
            share_days=policy.notes_share_working_days,
            response_days=policy.notes_response_working_days,
            region=policy.holiday_region,
            agreed=agreement_standing.agreed_turnarounds(people),
        )

    def for_session(
        self, session_date: dt.date, supervisor_id: int, supervisee_id: int | None
    ) -> "Deadlines":
        """The turnaround of one session's notes: that of the two's agreement signed by both
        on or before the session's date, else the policy's."""
        agreed = self.agreed.get((supervisor_id, supervisee_id or 0))
        found = agreement_rules.turnaround_on(agreed, session_date) if agreed else None
        if found is None:
            return self
        return Deadlines(found.share_days, found.response_days, self.region)

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
        return shown_id(self.session_id, self.session_external_id)


def shown_id(pk: int, external_id: str | None) -> str:
    """A session's id in the register: the import's, or "#" and the database id for a session
    recorded in Coreflect ("#" is never in an imported id, so the two cannot clash)."""
    return external_id or f"#{pk}"


def held_one_to_ones(as_of: dt.date) -> QuerySet[Session]:
    """One-to-ones dated on or before the day, not cancelled, the supervisee attended."""
    return Session.objects.filter(
        kind=SessionKind.ONE_TO_ONE,
        date__lte=as_of,
        cancelled_at__isnull=True,
        attendance__status=AttendanceStatus.ATTENDED,
    )


def of_service(sessions: QuerySet[Session], service: Service) -> QuerySet[Session]:
    """The one-to-ones whose supervisee (not the supervisor) is in the service."""
    supervisees = Attendance.objects.filter(person__service=service).exclude(
        person=F("session__lead")
    )
    return sessions.filter(pk__in=supervisees.values("session"))


# The states a NotesEvent records (notes are never moved back to not_written), as plain
# strings: the register compares them hundreds of thousands of times.
EVENT_STATES: tuple[str, ...] = (
    NotesState.DRAFT.value,
    NotesState.SHARED.value,
    NotesState.CHANGES_REQUESTED.value,
    NotesState.REVIEW_TOGETHER.value,
    NotesState.ACCEPTED.value,
)
NOT_WRITTEN: str = NotesState.NOT_WRITTEN.value

# The figures of a session's notes up to the day, as each row of the queries ends.
FIGURES = ("first_shared", "last_shared", "last_event_on", "latest")


def _latest_event(up_to: Q) -> Aggregate:
    """The latest event up to the day, as one number: its id times the number of states
    plus its state's place in EVENT_STATES. The highest id has the highest number whatever
    its state, so one MAX finds both the latest event and its state (EVENT_STATES[n % k])."""
    k = len(EVENT_STATES)
    place = Case(
        *(When(notes__events__state=state, then=Value(n)) for n, state in enumerate(EVENT_STATES)),
        output_field=IntegerField(),
    )
    # A plain Field: the database's integer as it comes, without Django converting every
    # row's (an IntegerField's converter is the only one these rows would need).
    return Max(F("notes__events__pk") * Value(k) + place, filter=up_to, output_field=Field())


def _figures(as_of: dt.date) -> dict[str, Aggregate]:
    """The dates of the notes' first and latest sharing up to the day, the date of their
    latest event up to the day, and that event with its state (_latest_event).

    The events of one set of notes are written one after another (actions lock the notes
    first), so the latest by id is the latest by time: the state on the day is that of the
    highest id, and where that state is an answer (or acceptance) the latest event's date is
    the answer's. Every figure is a MIN or MAX, so a join that repeats a session's rows does
    not change it."""
    up_to = Q(notes__events__on__lte=as_of)

    def of(*states: str) -> Q:
        return up_to & Q(notes__events__state__in=states)

    return {
        "first_shared": Min("notes__events__on", filter=of(NotesState.SHARED)),
        "last_shared": Max("notes__events__on", filter=of(NotesState.SHARED)),
        "last_event_on": Max("notes__events__on", filter=up_to),
        "latest": _latest_event(up_to),
    }


# What each row of _register_rows holds, in order (the figures start at FIRST_FIGURE).
ROW_FIELDS = (
    "pk",
    "external_id",
    "date",
    "lead_id",
    "lead__external_id",
    "supervisee",
    "supervisee_external_id",
    *FIGURES,
)
FIRST_FIGURE = 7


def _register_rows(sessions: QuerySet[Session], as_of: dt.date) -> QuerySet[Session, Any]:
    """One row a session (ROW_FIELDS), in the register's order: by date, then imported
    sessions by their ids, then those recorded in Coreflect in the order they were recorded
    (NULLS LAST on every database: SQLite would put them first). The attendance join is the
    caller's own where it filtered on attendance (as held_one_to_ones does), so the
    supervisee is the person who attended."""
    supervisee = ~Q(attendance__person=F("lead"))
    return (
        sessions.order_by()
        .values("pk", "external_id", "date", "lead_id", "lead__external_id")
        .annotate(
            supervisee=Min("attendance__person", filter=supervisee),
            supervisee_external_id=Min("attendance__person__external_id", filter=supervisee),
            **_figures(as_of),
        )
        .order_by("date", F("external_id").asc(nulls_last=True), "pk")
        .values_list(*ROW_FIELDS)
    )


def _tally_rows(sessions: QuerySet[Session], as_of: dt.date) -> QuerySet[Session, Any]:
    """(lead id, date, supervisee id, *FIGURES) a session, in no order: what the page counts,
    without the ids and the sort the listing needs (the supervisee for their agreement's
    turnaround)."""
    return (
        sessions.order_by()
        .values("pk", "date", "lead_id")
        .annotate(
            supervisee=Min("attendance__person", filter=~Q(attendance__person=F("lead"))),
            **_figures(as_of),
        )
        .values_list("lead_id", "date", "supervisee", *FIGURES)
    )


def _state(latest: int | None) -> str:
    """The state of the latest event (_latest_event); not_written without any."""
    return NOT_WRITTEN if latest is None else EVENT_STATES[latest % len(EVENT_STATES)]


def clock(
    *,
    state: str,
    session_date: dt.date,
    first_shared: dt.date | None,
    last_shared: dt.date | None,
    last_event_on: dt.date | None,
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
        answered_on=last_event_on if state in rules.ANSWERS else None,
        accepted_on=last_event_on if state == NotesState.ACCEPTED else None,
        as_of=as_of,
    )


class _Clocks:
    """Clocks, each made once for its state and dates (sessions on a day share most of them),
    with what the listing and the counts take from each. Forgets them all now and then, so
    a whole organisation's register never holds more than LIMIT."""

    LIMIT = 50_000

    def __init__(self, *, as_of: dt.date, deadlines: Deadlines) -> None:
        self.as_of, self.deadlines = as_of, deadlines
        self.made: dict[tuple[Any, ...], tuple[rules.Clock, tuple[Any, ...], tuple[int, ...]]] = {}

    def of(
        self, date: dt.date, figures: tuple[Any, ...], pair: tuple[int, int | None] = (0, None)
    ) -> tuple[rules.Clock, tuple[Any, ...], tuple[int, ...]]:
        """The clock of notes of a session on this date with these FIGURES, held by this
        (supervisor, supervisee) pair, its columns in a line of the register and its marks in
        a tally."""
        first_shared, last_shared, last_event_on, latest = figures
        deadlines = self.deadlines.for_session(date, *pair)
        state = _state(latest)
        # Only what the clock keeps is in the key (the latest event's id never is, its date
        # only for an answer), so sessions on a day whose notes stand alike share one clock.
        answered = last_event_on if state in rules.ANSWERS else None
        key = (
            date,
            state,
            first_shared,
            last_shared,
            answered,
            deadlines.share_days,
            deadlines.response_days,
        )
        found = self.made.get(key)
        if found is None:
            if len(self.made) >= self.LIMIT:
                self.made.clear()
            made = clock(
                state=state,
                session_date=date,
                first_shared=first_shared,
                last_shared=last_shared,
                last_event_on=last_event_on,
                as_of=self.as_of,
                deadlines=deadlines,
            )
            found = self.made[key] = (made, _columns(made), Tally.marks(made))
        return found


def iter_entries(
    sessions: QuerySet[Session],
    *,
    as_of: dt.date,
    deadlines: Deadlines,
    chunk_size: int = 2000,
) -> Iterator[Entry]:
    """The register's entry for each of the sessions (from held_one_to_ones, filtered as the
    caller needs), by date and then session id, read in one query as they are used."""
    clocks = _Clocks(as_of=as_of, deadlines=deadlines)
    for row in _register_rows(sessions, as_of).iterator(chunk_size=chunk_size):
        pk, external_id, date, lead_id, lead_external_id, supervisee, supervisee_external_id = row[
            :FIRST_FIGURE
        ]
        yield Entry(
            session_id=pk,
            session_external_id=external_id,
            date=date,
            supervisor_id=lead_id,
            supervisee_id=supervisee,
            clock=clocks.of(date, row[FIRST_FIGURE:], (lead_id, supervisee))[0],
            supervisor_external_id=lead_external_id,
            supervisee_external_id=supervisee_external_id or "",
        )


def entries(sessions: QuerySet[Session], *, as_of: dt.date, deadlines: Deadlines) -> list[Entry]:
    """The register's entry for each of the sessions (from held_one_to_ones, filtered as the
    caller needs), in one query however many there are."""
    return list(iter_entries(sessions, as_of=as_of, deadlines=deadlines))


def for_sessions(
    session_ids: Iterable[int], *, as_of: dt.date, deadlines: Deadlines
) -> dict[int, Entry]:
    """Entries of these sessions (those held), by session id."""
    held = held_one_to_ones(as_of).filter(pk__in=list(session_ids))
    return {e.session_id: e for e in entries(held, as_of=as_of, deadlines=deadlines)}


# The lines of the command and the download (docs/notes.md is their contract).

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

# One line: the columns' values, None where not applicable.
Line = tuple[Any, ...]


def _columns(c: rules.Clock) -> tuple[Any, ...]:
    """The clock's part of a line, from notes_state to overdue."""
    return (c.state, c.share_due, c.shared_on, c.response_due, c.accepted_on, c.overdue)


def line(entry: Entry) -> Line:
    """One entry as the register's columns."""
    return (
        entry.shown_id,
        entry.date,
        entry.supervisor_external_id,
        entry.supervisee_external_id,
        *_columns(entry.clock),
    )


def lines(
    sessions: QuerySet[Session], *, as_of: dt.date, deadlines: Deadlines, chunk_size: int = 2000
) -> Iterator[Line]:
    """line() of each of iter_entries(), without making an Entry for each: the same query,
    the same clocks."""
    clocks = _Clocks(as_of=as_of, deadlines=deadlines)
    for row in _register_rows(sessions, as_of).iterator(chunk_size=chunk_size):
        yield (
            row[1] or f"#{row[0]}",
            row[2],
            row[4],
            row[6] or "",
            *clocks.of(row[2], row[FIRST_FIGURE:], (row[3], row[5]))[1],
        )


def _json_value(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


def json_chunks(rows: Iterable[Line], *, as_of: dt.date, batch: int = 1000) -> Iterator[str]:
    """The register as JSON, a piece at a time: `{"as_of": …, "sessions": [`, a session a
    line, then `]}`; a whole organisation's is never one string in memory."""
    yield json.dumps({"as_of": as_of.isoformat()})[:-1] + ', "sessions": ['
    pending: list[str] = []
    separator = "\n"
    for row in rows:
        pending.append(json.dumps(dict(zip(COLUMNS, map(_json_value, row), strict=True))))
        if len(pending) >= batch:
            yield separator + ",\n".join(pending)
            separator, pending = ",\n", []
    if pending:
        yield separator + ",\n".join(pending)
        separator = ",\n"
    yield "]}\n" if separator == "\n" else "\n]}\n"


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
    session; empty for null, true/false for overdue."""
    yield list(COLUMNS)
    for row in rows:
        yield [_csv_value(value) for value in row]


# The page: counts per supervisor.


@dataclass
class Tally:
    """Held one-to-ones (one supervisor's, or everyone's), counted by where their notes
    stand. The counts overlap: notes shared late and answered on time count in both."""

    held: int = 0
    not_written: int = 0
    shared_on_time: int = 0
    shared_late: int = 0
    waiting: int = 0
    answered_on_time: int = 0
    answered_late: int = 0
    share_overdue: int = 0
    response_overdue: int = 0
    overdue: int = 0

    @staticmethod
    def marks(c: rules.Clock) -> tuple[int, ...]:
        """1 in each count (in field order) that notes with this clock add to, else 0."""
        shared = c.shared_on is not None
        answered = c.answered_on is not None
        return (
            1,
            c.state == NOT_WRITTEN,
            shared and not c.shared_late,
            c.shared_late,
            c.state == NotesState.SHARED,
            answered and not c.answered_late,
            c.answered_late,
            c.share_overdue,
            c.response_overdue,
            c.overdue,
        )

    def add(self, marks: tuple[int, ...], times: int = 1) -> None:
        for name, mark in zip(_TALLY_FIELDS, marks, strict=True):
            if mark:
                setattr(self, name, getattr(self, name) + times)

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(*(getattr(self, n) + getattr(other, n) for n in _TALLY_FIELDS))

    @property
    def not_shared(self) -> int:
        """Never shared by the day: no notes, or a first draft."""
        return self.held - self.shared_on_time - self.shared_late

    @property
    def answered(self) -> int:
        return self.answered_on_time + self.answered_late


_TALLY_FIELDS = tuple(f.name for f in fields(Tally))


def tallies(
    sessions: QuerySet[Session], *, as_of: dt.date, deadlines: Deadlines
) -> dict[int, Tally]:
    """Each supervisor's tally of these sessions (as the register would list them), by the
    supervisor's person id, in one query."""
    clocks = _Clocks(as_of=as_of, deadlines=deadlines)
    counted: Counter[tuple[int, tuple[int, ...]]] = Counter()
    for row in _tally_rows(sessions, as_of).iterator(chunk_size=2000):
        counted[row[0], clocks.of(row[1], row[3:], (row[0], row[2]))[2]] += 1
    found: dict[int, Tally] = {}
    for (lead_id, marks), times in counted.items():
        found.setdefault(lead_id, Tally()).add(marks, times)
    return found
