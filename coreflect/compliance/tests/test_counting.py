"""The compliance counts production computes in SQL (`matrix.attendance_counts`), against a
plain reference written from spec §3 "Counting", on registers hypothesis generates."""

import datetime as dt
from dataclasses import dataclass, replace

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coreflect.compliance import matrix, rules
from coreflect.compliance.rules import Span, Status
from coreflect.people.models import Person, Role
from coreflect.policy import presets
from coreflect.supervision.models import Attendance, AttendanceStatus, Session, SessionKind

PROTOCOL = rules.requirements_of(presets.PROTOCOL)

pytestmark = pytest.mark.django_db

D = dt.date
ONE_DAY = dt.timedelta(days=1)

# The reference: spec §3 "Counting" (and §2 on facilitators), in its own words. It shares
# nothing with the SQL but the layout of its answer.

ATTENDED = "attended"
# "not a cancellation, did_not_attend or apologies"
NOT_SCHEDULED = {
    "cancelled_by_supervisee",
    "cancelled_by_supervisor",
    "did_not_attend",
    "apologies",
}
CANCELLATIONS = ["cancelled_by_supervisee", "cancelled_by_supervisor"]
# The 16 numbers, as `rules.evaluate_counted` reads them: for each quarter in turn, the
# one-to-ones then the co-reflections, each as (attended, scheduled).
KINDS_IN_ORDER = ("one_to_one", "co_reflection")


@dataclass(frozen=True)
class Planned:
    """A generated session; people are numbered, `register` maps a number to a status."""

    date: dt.date
    kind: str
    lead: int
    register: dict[int, str]
    cancelled: bool = False


def quarter_number(day: dt.date, year_start_month: int) -> int:
    """The recording year's quarters are its months in threes from its first month."""
    return (day.month - year_start_month) % 12 // 3 + 1


def expected_counts(
    sessions: list[Planned], person: int, year: rules.Period, as_of: dt.date
) -> tuple[int, ...]:
    """The 16 counts of one person (numbered), as of a date."""
    attended = {(q, kind): 0 for q in range(1, 5) for kind in KINDS_IN_ORDER}
    scheduled = dict(attended)
    for session in sessions:
        if person not in session.register:
            continue
        if person == session.lead:
            continue  # a facilitator is not a participant for counting purposes
        if session.cancelled:
            continue  # it did not take place, and is not still scheduled
        if not year.start <= session.date <= year.end:
            continue  # it counts only in the period that contains its date
        key = (quarter_number(session.date, year.start.month), session.kind)
        status = session.register[person]
        if session.date <= as_of and status == ATTENDED:
            attended[key] += 1
        if session.date > as_of and status not in NOT_SCHEDULED:
            scheduled[key] += 1
    return tuple(
        n
        for q in range(1, 5)
        for kind in KINDS_IN_ORDER
        for n in (attended[q, kind], scheduled[q, kind])
    )


NOTHING = (0,) * 16


# Writing the generated rows.

PEOPLE = 5


@pytest.fixture
def people() -> list[Person]:
    return [
        Person.objects.create(external_id=f"P{n}", name=f"Person {n}", role=Role.PEER_WORKER)
        for n in range(PEOPLE)
    ]


def insert(sessions: list[Planned], people: list[Person]) -> None:
    created = Session.objects.bulk_create(
        Session(
            kind=s.kind,
            date=s.date,
            start_time=dt.time(10),
            duration_minutes=60,
            lead=people[s.lead],
            modality="video",
            cancelled_at=timezone.now() if s.cancelled else None,
            cancellation_reason="Unwell" if s.cancelled else "",
        )
        for s in sessions
    )
    Attendance.objects.bulk_create(
        Attendance(session=row, person=people[n], status=status)
        for row, s in zip(created, sessions, strict=True)
        for n, status in s.register.items()
    )


def counted(sessions, people, asked, year, as_of):
    """`attendance_counts` for the people numbered in `asked`, given as a query and as ids
    (each must give the same answer); the rows written are rolled back afterwards."""
    with transaction.atomic():
        insert(sessions, people)
        ids = [people[n].pk for n in sorted(asked)]
        answers = [matrix.attendance_counts(ids, year, as_of)]
        if ids:  # an empty query cannot be compiled (EmptyResultSet); no caller passes one
            query = Person.objects.filter(pk__in=ids)
            answers.append(matrix.attendance_counts(query, year, as_of))
        transaction.set_rollback(True)
    return answers


# The generated scenarios: recording years of different shapes; dates on both sides of every
# quarter's edges and of the as-of date, and anywhere around the year; every status, with
# `attended` the most frequent; facilitators on their own registers; cancelled sessions.

YEARS = [
    rules.recording_year(2025, PROTOCOL),  # April to March
    rules.recording_year(2024, replace(PROTOCOL, year_start_month=1)),  # a leap year
    rules.recording_year(2023, replace(PROTOCOL, year_start_month=9)),  # 29 Feb in Q2
]


def edges(year: rules.Period) -> list[dt.date]:
    """The first day of each quarter and of the next year, and the day before each."""
    firsts = []
    for n in range(5):
        months = year.start.month - 1 + 3 * n
        firsts.append(dt.date(year.start.year + months // 12, months % 12 + 1, 1))
    return sorted({day - shift * ONE_DAY for day in firsts for shift in (0, 1)})


@dataclass(frozen=True)
class Scenario:
    year: rules.Period
    as_of: dt.date
    sessions: list[Planned]
    asked: frozenset[int]


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    year = draw(st.sampled_from(YEARS))
    on_edge = st.sampled_from(edges(year))
    around = st.dates(year.start - 60 * ONE_DAY, year.end + 60 * ONE_DAY)
    as_of = draw(st.one_of(on_edge, around))
    day = st.one_of(
        on_edge, st.sampled_from([as_of - ONE_DAY, as_of, as_of + ONE_DAY]), on_edge, around
    )
    person = st.integers(0, PEOPLE - 1)
    status = st.one_of(st.just(ATTENDED), st.sampled_from(AttendanceStatus.values))
    sessions = []
    for _ in range(draw(st.integers(1, 16))):
        lead = draw(person)
        # Each person on the register or not; often the lead too (imports allow it).
        register = {n: mark for n in range(PEOPLE) if (mark := draw(st.one_of(st.none(), status)))}
        # Cancelling a session gives every participant the cancelling side's status
        # (supervision.actions.cancel_session); a register written otherwise (by hand, or
        # before imports refused it) may still say anything, and must not count.
        cancelled_by = draw(st.one_of(st.none(), st.none(), st.sampled_from(CANCELLATIONS)))
        if cancelled_by is not None and draw(st.booleans()):
            register = dict.fromkeys(register, cancelled_by)
        sessions.append(
            Planned(
                date=draw(day),
                kind=draw(st.sampled_from(SessionKind.values)),
                lead=lead,
                register=register,
                cancelled=cancelled_by is not None,
            )
        )
    # Usually everyone, sometimes some: the people not asked about must not be answered for.
    asked = draw(st.one_of(st.just(frozenset(range(PEOPLE))), st.frozensets(person)))
    return Scenario(year, as_of, sessions, asked)


@settings(
    max_examples=100,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios())
def test_attendance_counts_agree_with_the_spec_on_generated_registers(people, scenario):
    expected = {
        people[n].pk: expected_counts(scenario.sessions, n, scenario.year, scenario.as_of)
        for n in scenario.asked
    }
    for answer in counted(scenario.sessions, people, scenario.asked, scenario.year, scenario.as_of):
        assert set(answer) <= set(expected), "counts for someone not asked about"
        assert {pk: answer.get(pk, NOTHING) for pk in expected} == expected


# Named examples of the rules above, each the smallest case that shows one.

YEAR = rules.recording_year(2025, PROTOCOL)


def counts_of(sessions, people, person, as_of):
    """One person's (attended, scheduled) by (quarter, kind)."""
    (by_ids, by_query) = counted(sessions, people, {person}, YEAR, as_of)
    assert by_ids == by_query
    numbers = by_ids.get(people[person].pk, NOTHING)
    return {key: numbers[2 * i : 2 * i + 2] for i, key in enumerate(rules.COUNT_KEYS)}


def test_a_facilitator_on_their_own_register_is_not_counted(people):
    sessions = [
        Planned(D(2025, 4, 30), "co_reflection", lead=0, register={0: "attended", 1: "attended"}),
        Planned(D(2025, 5, 28), "co_reflection", lead=0, register={0: "invited", 1: "invited"}),
    ]
    assert counts_of(sessions, people, 0, as_of=D(2025, 5, 1))[1, "co_reflection"] == (0, 0)
    assert counts_of(sessions, people, 1, as_of=D(2025, 5, 1))[1, "co_reflection"] == (1, 1)


def test_a_session_on_the_as_of_date_counts_as_attended_and_the_day_after_as_scheduled(people):
    sessions = [
        Planned(D(2025, 5, 1), "one_to_one", lead=0, register={1: "attended"}),
        Planned(D(2025, 5, 2), "one_to_one", lead=0, register={1: "attended"}),
    ]
    assert counts_of(sessions, people, 1, as_of=D(2025, 5, 1))[1, "one_to_one"] == (1, 1)


def test_sessions_either_side_of_each_quarters_edge_count_in_their_own_quarter(people):
    days = [
        D(2025, 3, 31),  # last year
        *(D(2025, 4, 1), D(2025, 6, 30)),
        *(D(2025, 7, 1), D(2025, 9, 30)),
        *(D(2025, 10, 1), D(2025, 12, 31)),
        *(D(2026, 1, 1), D(2026, 3, 31)),
        D(2026, 4, 1),  # next year
    ]
    sessions = [Planned(day, "one_to_one", lead=0, register={1: "attended"}) for day in days]
    after = counts_of(sessions, people, 1, as_of=D(2026, 4, 1))
    assert [after[q, "one_to_one"] for q in range(1, 5)] == [(2, 0)] * 4
    before = counts_of(sessions, people, 1, as_of=D(2025, 3, 31))
    assert [before[q, "one_to_one"] for q in range(1, 5)] == [(0, 2)] * 4


def test_a_cancelled_session_counts_neither_attended_nor_scheduled_whatever_its_register(people):
    sessions = [
        Planned(D(2025, 4, 10), "one_to_one", lead=0, register={1: "attended"}, cancelled=True),
        Planned(D(2025, 5, 20), "one_to_one", lead=0, register={1: "invited"}, cancelled=True),
    ]
    assert counts_of(sessions, people, 1, as_of=D(2025, 5, 1))[1, "one_to_one"] == (0, 0)


# The engine fed by the SQL: statuses worked out by hand from the spec.


def test_statuses_from_counted_sessions_follow_the_spec(people):
    as_of = D(2025, 5, 1)
    one, co = "one_to_one", "co_reflection"
    sessions = [
        # Person 1: both one-to-ones and a co-reflection attended by the as-of date.
        Planned(D(2025, 4, 10), one, lead=0, register={1: "attended"}),
        Planned(D(2025, 5, 1), one, lead=0, register={1: "attended"}),
        Planned(D(2025, 4, 30), co, lead=3, register={1: "attended", 2: "attended", 3: ATTENDED}),
        # Person 2: one one-to-one attended and one booked, and the co-reflection above
        # attended: on track.
        Planned(D(2025, 4, 11), one, lead=0, register={2: "attended"}),
        Planned(D(2025, 5, 20), one, lead=0, register={2: "invited"}),
        # Person 3: two one-to-ones, but their co-reflection was the one they facilitated:
        # at risk, with nothing booked.
        Planned(D(2025, 4, 12), one, lead=0, register={3: "attended"}),
        Planned(D(2025, 4, 13), one, lead=0, register={3: "attended"}),
        # Person 4: last year's one-to-one does not count, the next is in Q2 and they sent
        # apologies for the one booked this quarter: at risk, though a co-reflection is booked.
        Planned(D(2025, 3, 31), one, lead=0, register={4: "attended"}),
        Planned(D(2025, 7, 1), one, lead=0, register={4: "invited"}),
        Planned(D(2025, 5, 21), one, lead=0, register={4: "apologies"}),
        Planned(D(2025, 5, 28), co, lead=0, register={4: "tentative"}),
    ]
    expected = {
        1: (Status.MET, Status.NOT_STARTED),
        2: (Status.ON_TRACK, Status.NOT_STARTED),
        3: (Status.AT_RISK, Status.NOT_STARTED),
        4: (Status.AT_RISK, Status.NOT_STARTED),
    }
    (counts, _) = counted(sessions, people, set(expected), YEAR, as_of)
    found = {}
    for n in expected:
        result = rules.evaluate_counted(
            year=YEAR,
            as_of=as_of,
            policy=PROTOCOL,
            employment=[Span(D(2020, 1, 1))],
            absences=[],
            counted=counts.get(people[n].pk, NOTHING),
        )
        found[n] = (result.quarters[0].status, result.quarters[1].status)
    assert found == expected
