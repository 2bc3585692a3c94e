"""Working days: Monday to Friday, less the bank holidays of the organisation's region
(spec §4). Pure: the `holidays` package knows the bank holidays; nothing here reads the
database."""

import datetime as dt
from functools import lru_cache

import holidays

from coreflect.policy.presets import HolidayRegion

# The `holidays` package's subdivisions of the United Kingdom. Wales keeps England's bank
# holidays.
SUBDIVISIONS = {
    HolidayRegion.ENGLAND_AND_WALES: "ENG",
    HolidayRegion.SCOTLAND: "SCT",
    HolidayRegion.NORTHERN_IRELAND: "NIR",
}


@lru_cache(maxsize=64)
def bank_holidays(region: str, year: int) -> frozenset[dt.date]:
    subdivision = SUBDIVISIONS[HolidayRegion(region)]
    return frozenset(holidays.country_holidays("GB", subdiv=subdivision, years=year))


def is_working_day(day: dt.date, region: str) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(region, day.year)


@lru_cache(maxsize=8192)
def add_working_days(start: dt.date, days: int, region: str) -> dt.date:
    """The day `days` working days after `start`: day 1 is the first working day after
    `start`'s date, whatever `start` is (a session on a Saturday counts from the Monday)."""
    day, counted = start, 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_working_day(day, region):
            counted += 1
    return day
