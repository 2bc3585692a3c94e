"""The retention dates: years after the supervision ends, 29 February included, and the bound
the review list queries with agrees with them on every day."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from coreflect.notes import retention


def test_kept_the_policys_years_after_the_supervision_ends():
    assert retention.retain_until(dt.date(2019, 3, 31), 6) == dt.date(2025, 3, 31)


def test_no_date_while_the_supervision_goes_on():
    assert retention.retain_until(None, 6) is None
    assert not retention.is_past(None, dt.date(2100, 1, 1))


def test_29_february_is_kept_until_28_february():
    assert retention.retain_until(dt.date(2020, 2, 29), 6) == dt.date(2026, 2, 28)


def test_due_for_review_the_day_after_the_last_day_kept():
    until = dt.date(2025, 3, 31)
    assert not retention.is_past(until, dt.date(2025, 3, 31))
    assert retention.is_past(until, dt.date(2025, 4, 1))


def test_the_bound_on_29_february_of_a_leap_year():
    # Ended 28 February 2021, kept until 28 February 2024: past on the 29th.
    assert retention.ended_by(dt.date(2024, 2, 29), 3) == dt.date(2021, 2, 28)


def test_the_bound_takes_in_29_february_kept_until_28_february():
    assert retention.ended_by(dt.date(2025, 3, 1), 1) == dt.date(2024, 2, 29)


@given(
    ended=st.dates(dt.date(2000, 1, 1), dt.date(2040, 12, 31)),
    today=st.dates(dt.date(2000, 1, 1), dt.date(2060, 12, 31)),
    years=st.integers(1, 30),
)
def test_the_bound_agrees_with_the_dates(ended, today, years):
    past = retention.is_past(retention.retain_until(ended, years), today)
    assert past == (ended <= retention.ended_by(today, years))
