"""The protocol's attendance requirements and statuses (spec §3), on plain values.

Pure: no Django, no clock. Every number comes in through `Policy`; every date through
arguments, so the same inputs always give the same answer.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import NamedTuple, Protocol

# Re-exported: part of this module's interface, since Policy holds one.
from coreflect.policy.presets import Rounding as Rounding

ONE_DAY = dt.timedelta(days=1)

ONE_TO_ONE = "one_to_one"
CO_REFLECTION = "co_reflection"
TOTAL = "total"
KINDS = (ONE_TO_ONE, CO_REFLECTION)
SICKNESS = "sickness"

# Statuses that mean the person will not be there, so a future session does not count
# as scheduled (spec §3, "Counting").
NOT_COMING = frozenset(
    {"cancelled_by_supervisee", "cancelled_by_supervisor", "did_not_attend", "apologies"}
)


class Status(StrEnum):
    NOT_APPLICABLE = "not_applicable"
    NOT_STARTED = "not_started"
    MET = "met"
    NOT_MET = "not_met"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Policy:
    """The numbers of spec §3 (coreflect.policy.presets holds the protocol's defaults)."""

    year_start_month: int
    quarter_one_to_one: int
    quarter_co_reflection: int
    year_total: int
    long_term_sickness_days: int
    prorating_absence_types: frozenset[str]
    rounding: Rounding


class PolicyNumbers(Protocol):
    """Where requirement numbers come from: a preset, or the organisation's policy row."""

    @property
    def year_start_month(self) -> int: ...
    @property
    def quarter_one_to_one(self) -> int: ...
    @property
    def quarter_co_reflection(self) -> int: ...
    @property
    def year_total(self) -> int: ...
    @property
    def long_term_sickness_days(self) -> int: ...
    @property
    def prorating_absence_types(self) -> Iterable[str]: ...
    @property
    def rounding(self) -> str: ...


def requirements_of(source: PolicyNumbers) -> Policy:
    """The attendance-requirement numbers of a preset or policy row, as these rules take them."""
    return Policy(
        year_start_month=source.year_start_month,
        quarter_one_to_one=source.quarter_one_to_one,
        quarter_co_reflection=source.quarter_co_reflection,
        year_total=source.year_total,
        long_term_sickness_days=source.long_term_sickness_days,
        prorating_absence_types=frozenset(source.prorating_absence_types),
        rounding=Rounding(source.rounding),
    )


class Span(NamedTuple):
    """Consecutive calendar days, both ends included; `end` None means open-ended.

    A tuple, so that the spans of everyone in an organisation hash cheaply as cache keys."""

    start: dt.date
    end: dt.date | None = None

    def clip(self, period: Period) -> Span | None:
        start = max(self.start, period.start)
        end = period.end if self.end is None else min(self.end, period.end)
        return Span(start, end) if start <= end else None

    @property
    def days(self) -> int:
        if self.end is None:
            raise ValueError("an open-ended span has no length")
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Absence:
    type: str
    start: dt.date
    end: dt.date


class Period(NamedTuple):
    start: dt.date
    end: dt.date
    label: str

    @property
    def calendar_days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month `months` after the first of day's month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def recording_year(start_year: int, policy: Policy) -> Period:
    """The recording year that starts in `start_year` (e.g. 2025 → 2025/26)."""
    start = dt.date(start_year, policy.year_start_month, 1)
    end = add_months(start, 12) - ONE_DAY
    label = str(start_year) if end.year == start_year else f"{start_year}/{end.year % 100:02d}"
    return Period(start, end, label)


def day_within(period: Period, day: dt.date) -> dt.date:
    """The day itself if the period holds it, else the period's end nearest to it: the day
    whose peer work supervisor a row of the period's matrix shows."""
    return min(max(day, period.start), period.end)


def year_containing(day: dt.date, policy: Policy) -> int:
    """The start year of the recording year that contains `day`."""
    return day.year if day.month >= policy.year_start_month else day.year - 1


@functools.cache
def quarters(year: Period) -> tuple[Period, ...]:
    """The four quarters of a recording year, in order."""
    result = []
    for number in range(4):
        start = add_months(year.start, 3 * number)
        result.append(Period(start, add_months(start, 3) - ONE_DAY, f"Q{number + 1}"))
    return tuple(result)


def merge(spans: Iterable[Span]) -> list[Span]:
    """Spans joined where they overlap or touch, in date order."""
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: s.start):
        if merged:
            last = merged[-1]
            if last.end is None or span.start <= last.end + ONE_DAY:
                end = None if last.end is None or span.end is None else max(last.end, span.end)
                merged[-1] = Span(last.start, end)
                continue
        merged.append(span)
    return merged


def prorating_absences(absences: Iterable[Absence], policy: Policy) -> list[Span]:
    """Absences that reduce requirements: long-term sickness spells and marked types.

    Back-to-back sickness records make one spell, so a fit note renewed without a gap
    counts as one absence for the long-term threshold.
    """
    absences = list(absences)
    if not absences:
        return []
    sickness = merge(Span(a.start, a.end) for a in absences if a.type == SICKNESS)
    spans = [s for s in sickness if s.days >= policy.long_term_sickness_days]
    spans += [Span(a.start, a.end) for a in absences if a.type in policy.prorating_absence_types]
    return merge(spans)


def eligible_days(period: Period, employment: Iterable[Span], absences: Iterable[Span]) -> int:
    """Days of the period in employment and outside every pro-rating absence."""
    employed = merge(c for s in employment if (c := s.clip(period)) is not None)
    away = merge(c for s in absences if (c := s.clip(period)) is not None)
    total = sum(span.days for span in employed)
    for gap in away:
        for span in employed:
            overlap = gap.clip(Period(span.start, span.end or period.end, ""))
            if overlap is not None:
                total -= overlap.days
    return total


def divide(numerator: int, denominator: int, rounding: Rounding) -> int:
    """numerator / denominator as a whole number, by the policy's rounding, exactly."""
    if rounding is Rounding.UP:
        return -(-numerator // denominator)
    if rounding is Rounding.DOWN:
        return numerator // denominator
    return (2 * numerator + denominator) // (2 * denominator)


class Requirement(NamedTuple):
    base: int
    eligible_days: int
    calendar_days: int
    required: int

    @property
    def is_pro_rata(self) -> bool:
        return self.eligible_days != self.calendar_days

    def explain(self) -> str:
        """The arithmetic in words, e.g. 'eligible 321 of 365 days → 8 × 321/365 = 7.04 → 7'."""
        unit = "session" if self.required == 1 else "sessions"
        if not self.is_pro_rata:
            return f"eligible all {self.calendar_days} days → {self.required} {unit}"
        exact = Fraction(self.base * self.eligible_days, self.calendar_days)
        return (
            f"eligible {self.eligible_days} of {self.calendar_days} days → "
            f"{self.base} × {self.eligible_days}/{self.calendar_days} = {float(exact):.2f} → "
            f"{self.required} {unit}"
        )


def requirement(base: int, eligible: int, calendar: int, rounding: Rounding) -> Requirement:
    """Base requirement B pro rata: round(B × eligible / calendar) (spec §3)."""
    return Requirement(base, eligible, calendar, divide(base * eligible, calendar, rounding))


@dataclass(frozen=True)
class Component:
    name: str
    requirement: Requirement
    attended: int
    scheduled: int

    @property
    def required(self) -> int:
        return self.requirement.required

    @property
    def short_by(self) -> int:
        return max(0, self.required - self.attended)


def status(period: Period, as_of: dt.date, components: Sequence[Component]) -> Status:
    """The status of a period's requirement as of a date (spec §3 table)."""
    if all(c.required == 0 for c in components):
        return Status.NOT_APPLICABLE
    if period.start > as_of:
        return Status.NOT_STARTED
    if all(c.attended >= c.required for c in components):
        return Status.MET
    if period.end < as_of:
        return Status.NOT_MET
    if all(c.attended + c.scheduled >= c.required for c in components):
        return Status.ON_TRACK
    return Status.AT_RISK


@dataclass(frozen=True)
class PeriodResult:
    period: Period
    components: tuple[Component, ...]
    status: Status

    def component(self, name: str) -> Component:
        return next(c for c in self.components if c.name == name)


@dataclass(frozen=True)
class PersonResult:
    year: PeriodResult
    quarters: tuple[PeriodResult, ...]


class Tally(NamedTuple):
    """Sessions attended so far and still to come (a tuple: cheap to make, hash and compare,
    as a whole organisation's counts are)."""

    attended: int = 0
    scheduled: int = 0


# Counts of one person's sessions: (quarter number 1-4, kind) → Tally.
Counts = Mapping[tuple[int, str], Tally]


class Requirements(NamedTuple):
    """What one person must attend: (one-to-one, co-reflection) for each quarter, and the
    year's total."""

    quarters: tuple[tuple[Requirement, Requirement], ...]
    year: Requirement


# Cache sizes: an organisation of 20,000 people has about 900 distinct requirement shapes and,
# on a given day, about 3,700 distinct results (some 3 KB each); room for twice as many.
@functools.lru_cache(maxsize=4_000)
def requirements(
    year: Period, policy: Policy, employment: tuple[Span, ...], away: tuple[Span, ...]
) -> Requirements:
    """The requirements for a person employed and away on these spans.

    Cached: across an organisation most people share their spans (employed all year, never
    long-term sick), so the arithmetic is done once for each distinct shape.
    """
    by_quarter = []
    for quarter in quarters(year):
        eligible = eligible_days(quarter, employment, away)
        calendar = quarter.calendar_days
        by_quarter.append(
            (
                requirement(policy.quarter_one_to_one, eligible, calendar, policy.rounding),
                requirement(policy.quarter_co_reflection, eligible, calendar, policy.rounding),
            )
        )
    eligible = eligible_days(year, employment, away)
    return Requirements(
        tuple(by_quarter),
        requirement(policy.year_total, eligible, year.calendar_days, policy.rounding),
    )


# The order of a person's counts in `evaluate_counted`: attended, then scheduled, for each of
# these (quarter, kind) pairs.
COUNT_KEYS = tuple((number, kind) for number in range(1, 5) for kind in KINDS)
NO_SESSIONS = Tally()

# Attended and scheduled for each of COUNT_KEYS in turn: 16 whole numbers.
Counted = tuple[int, ...]


def flatten(counts: Counts) -> Counted:
    """The counts in COUNT_KEYS order, as `evaluate_counted` takes them."""
    return tuple(n for key in COUNT_KEYS for n in counts.get(key, NO_SESSIONS))


def evaluate_counted(
    *,
    year: Period,
    as_of: dt.date,
    policy: Policy,
    employment: Sequence[Span],
    absences: Sequence[Absence],
    counted: Counted,
) -> PersonResult:
    """Requirements, counts and statuses for one person's quarters and year, from their
    counts as 16 numbers in COUNT_KEYS order (as `matrix.attendance_counts` returns them)."""
    away = prorating_absences(absences, policy) if absences else ()
    # Only the days within the year count, so spans are cut to it first: people who started
    # in different years before this one then share their requirements.
    need = requirements(year, policy, clipped(employment, year), clipped(away, year))
    return _result(year, as_of, need, tuple(counted))


def clipped(spans: Iterable[Span], period: Period) -> tuple[Span, ...]:
    return tuple(c for span in spans if (c := span.clip(period)) is not None)


@functools.lru_cache(maxsize=8_000)
def _result(year: Period, as_of: dt.date, need: Requirements, counted: Counted) -> PersonResult:
    """The result for these requirements and counts.

    Cached, and the result shared: in an organisation most people have the same
    requirements and attend the same number of sessions, and a result is immutable.
    """
    results = []
    for number, quarter in enumerate(quarters(year)):
        one_to_one, co_reflection = need.quarters[number]
        at = 4 * number
        parts = (
            Component(ONE_TO_ONE, one_to_one, counted[at], counted[at + 1]),
            Component(CO_REFLECTION, co_reflection, counted[at + 2], counted[at + 3]),
        )
        results.append(PeriodResult(quarter, parts, status(quarter, as_of, parts)))
    year_parts = (Component(TOTAL, need.year, sum(counted[0::2]), sum(counted[1::2])),)
    return PersonResult(
        PeriodResult(year, year_parts, status(year, as_of, year_parts)), tuple(results)
    )
