"""Recurrence rules of session series (RFC 5545 RRULEs, read by python-dateutil), on plain values.

Pure: no Django. A series takes place at most once a day (its occurrences are kept by date), so
rules more frequent than daily are refused. The rule is stored without its DTSTART: the series'
first day is its start.
"""

import datetime as dt

from dateutil.relativedelta import relativedelta
from dateutil.rrule import DAILY, rrule, rrulestr

LONGEST_RULE = 200


def normalise(text: str) -> str:
    """The rule as stored: upper case, no spaces, no leading "RRULE:"."""
    rule = "".join(text.split()).upper()
    return rule.removeprefix("RRULE:")


def recurrence_problem(text: str) -> str | None:
    """Why a rule cannot be used for a series, or None if it can."""
    rule = normalise(text)
    if not rule:
        return "the recurrence is blank"
    if len(rule) > LONGEST_RULE:
        return f"the recurrence is longer than {LONGEST_RULE} characters"
    parts = dict(part.partition("=")[::2] for part in rule.split(";"))
    if "FREQ" not in parts:
        return "the recurrence needs a FREQ, for example FREQ=MONTHLY;BYDAY=-1WE"
    if "DTSTART" in rule:
        return "the recurrence cannot hold a DTSTART: the series' start date is its first day"
    try:
        parsed = _rule(rule, dt.date(2000, 1, 1))
    except (ValueError, TypeError) as error:
        return f"the recurrence is not an RRULE that can be read ({error})"
    if parsed._freq > DAILY:  # HOURLY, MINUTELY, SECONDLY
        return "a series meets at most once a day: use DAILY, WEEKLY, MONTHLY or YEARLY"
    return None


def _rule(rule: str, start: dt.date) -> rrule:
    parsed = rrulestr(rule, dtstart=dt.datetime.combine(start, dt.time()))
    if not isinstance(parsed, rrule):
        raise ValueError("one RRULE only")
    return parsed


def occurrence_dates(
    rule: str,
    *,
    series_start: dt.date,
    series_end: dt.date | None,
    window_start: dt.date,
    window_end: dt.date,
) -> list[dt.date]:
    """The days the rule gives, counted from the series' start, within both the series and the
    window (every bound included)."""
    start = max(series_start, window_start)
    end = min(series_end, window_end) if series_end is not None else window_end
    if end < start:
        return []
    parsed = _rule(normalise(rule), series_start)
    return [
        moment.date()
        for moment in parsed.between(
            dt.datetime.combine(start, dt.time()),
            dt.datetime.combine(end, dt.time()),
            inc=True,
        )
    ]


def horizon(today: dt.date, months: int) -> dt.date:
    """The last day occurrences are made up to: `months` months from today."""
    return today + relativedelta(months=months)


def top_up_window(
    *,
    series_start: dt.date,
    series_end: dt.date | None,
    generated_until: dt.date | None,
    today: dt.date,
    horizon_end: dt.date,
) -> tuple[dt.date, dt.date] | None:
    """The days still to make occurrences for: from the later of the series' start, today and
    the day after the last one made, to the earlier of its end and the horizon; None if none."""
    start = max(series_start, today)
    if generated_until is not None:
        start = max(start, generated_until + dt.timedelta(days=1))
    end = min(series_end, horizon_end) if series_end is not None else horizon_end
    return (start, end) if start <= end else None


def member_on(start: dt.date, end: dt.date | None, day: dt.date) -> bool:
    """Whether a membership from `start` to `end` (None: open) covers the day."""
    return start <= day and (end is None or day <= end)
