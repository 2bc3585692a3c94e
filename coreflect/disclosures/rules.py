"""Pure rules for disclosures: when one may be recorded, and counting them by quarter.

No Django here: dates and plain values in, plain values out; today is an argument.
"""

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def refusal(
    *,
    supervised_on_the_day: bool,
    shared_on: dt.date,
    today: dt.date,
    told_first: bool,
    reason: str,
) -> str | None:
    """Why this disclosure cannot be recorded, or None if it can."""
    if shared_on > today:
        return "The date shared must be today or in the past."
    if not supervised_on_the_day:
        return "You can only record a disclosure about someone you supervised on the date shared."
    if not told_first and not reason.strip():
        return "Say why it was not discussed with the worker first."
    return None


@dataclass(frozen=True, order=True)
class Quarter:
    """A quarter of the organisation's recording year (April to March in the NHS)."""

    start_year: int  # the year the recording year starts in (2026 for 2026/27)
    number: int  # 1 to 4
    year_start_month: int

    @property
    def first_month(self) -> int:
        return (self.year_start_month - 1 + 3 * (self.number - 1)) % 12 + 1

    @property
    def start(self) -> dt.date:
        months = self.year_start_month - 1 + 3 * (self.number - 1)
        return dt.date(self.start_year + months // 12, months % 12 + 1, 1)

    @property
    def label(self) -> str:
        year = (
            str(self.start_year)
            if self.year_start_month == 1
            else f"{self.start_year}/{(self.start_year + 1) % 100:02d}"
        )
        first = self.first_month
        last = (first + 1) % 12 + 1
        return f"Q{self.number} {year} ({MONTHS[first - 1]} to {MONTHS[last - 1]})"

    def next(self) -> "Quarter":
        if self.number == 4:
            return Quarter(self.start_year + 1, 1, self.year_start_month)
        return Quarter(self.start_year, self.number + 1, self.year_start_month)


def quarter_of(day: dt.date, year_start_month: int) -> Quarter:
    """The quarter of the recording year (starting in year_start_month) that holds day."""
    months_in = (day.month - year_start_month) % 12
    start_year = day.year if day.month >= year_start_month else day.year - 1
    return Quarter(start_year, months_in // 3 + 1, year_start_month)


@dataclass(frozen=True)
class QuarterCounts:
    quarter: Quarter
    counts: tuple[int, ...]  # one per ground, in the order given

    @property
    def total(self) -> int:
        return sum(self.counts)


def counts_by_quarter(
    disclosures: Iterable[tuple[dt.date, str, int]],
    *,
    grounds: Sequence[str],
    year_start_month: int,
    today: dt.date,
) -> list[QuarterCounts]:
    """How many disclosures on each ground were shared in each quarter, newest first, from
    (date shared, ground, how many) rows: every
    quarter from the start of the earliest one's recording year (or this year's) to today's,
    so a quarter with none shows as none rather than being missing."""
    counter: Counter[tuple[Quarter, str]] = Counter()
    for day, ground, number in disclosures:
        counter[quarter_of(day, year_start_month), ground] += number
    current = quarter_of(today, year_start_month)
    earliest = min([q for q, _ in counter] + [current])
    quarter = Quarter(earliest.start_year, 1, year_start_month)
    rows = []
    while quarter <= current:
        rows.append(QuarterCounts(quarter, tuple(counter[quarter, g] for g in grounds)))
        quarter = quarter.next()
    # A disclosure dated after today cannot be recorded; any such row is still counted.
    later = sorted({q for q, _ in counter if q > current})
    rows += [QuarterCounts(q, tuple(counter[q, g] for g in grounds)) for q in later]
    return sorted(rows, key=lambda row: row.quarter, reverse=True)
