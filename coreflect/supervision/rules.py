"""Pure rules about sessions (spec §2): no Django, dates passed in."""

import calendar
import datetime as dt

WEDNESDAY = 2


def last_weekday_of_month(year: int, month: int, weekday: int) -> dt.date:
    """The last given weekday (Monday = 0) of a month, e.g. the last Wednesday."""
    last = dt.date(year, month, calendar.monthrange(year, month)[1])
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def default_co_reflection_date(today: dt.date) -> dt.date:
    """Co-reflection recurs on the last Wednesday of the month: this month's, or next
    month's once this month's has passed."""
    this_month = last_weekday_of_month(today.year, today.month, WEDNESDAY)
    if this_month >= today:
        return this_month
    following = today.replace(day=28) + dt.timedelta(days=4)
    return last_weekday_of_month(following.year, following.month, WEDNESDAY)


def location_is_late(session_date: dt.date, location_set_on: dt.date, notice_days: int) -> bool:
    """True when the location was given fewer than `notice_days` calendar days ahead."""
    return (session_date - location_set_on).days < notice_days
