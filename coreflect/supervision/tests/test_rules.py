import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from coreflect.supervision import rules


def test_last_wednesday_of_november_2026_is_the_25th():
    assert rules.last_weekday_of_month(2026, 11, rules.WEDNESDAY) == dt.date(2026, 11, 25)


def test_last_wednesday_is_the_last_day_when_the_month_ends_on_a_wednesday():
    assert rules.last_weekday_of_month(2026, 9, rules.WEDNESDAY) == dt.date(2026, 9, 30)


def test_last_wednesday_of_december_2026_is_the_30th():
    assert rules.last_weekday_of_month(2026, 12, rules.WEDNESDAY) == dt.date(2026, 12, 30)


@given(
    year=st.integers(min_value=2000, max_value=2100),
    month=st.integers(min_value=1, max_value=12),
    weekday=st.integers(min_value=0, max_value=6),
)
def test_last_weekday_is_that_weekday_in_the_month_with_none_after_it(year, month, weekday):
    day = rules.last_weekday_of_month(year, month, weekday)
    assert (day.year, day.month, day.weekday()) == (year, month, weekday)
    assert (day + dt.timedelta(days=7)).month != month


def test_default_co_reflection_date_is_this_months_last_wednesday_until_it_passes():
    assert rules.default_co_reflection_date(dt.date(2026, 11, 1)) == dt.date(2026, 11, 25)
    assert rules.default_co_reflection_date(dt.date(2026, 11, 25)) == dt.date(2026, 11, 25)


def test_default_co_reflection_date_moves_to_next_month_once_passed():
    assert rules.default_co_reflection_date(dt.date(2026, 11, 26)) == dt.date(2026, 12, 30)
    assert rules.default_co_reflection_date(dt.date(2026, 12, 31)) == dt.date(2027, 1, 27)


def test_location_given_exactly_the_notice_ahead_is_not_late():
    assert not rules.location_is_late(dt.date(2026, 12, 8), dt.date(2026, 12, 1), 7)


def test_location_given_a_day_short_of_the_notice_is_late():
    assert rules.location_is_late(dt.date(2026, 12, 7), dt.date(2026, 12, 1), 7)


def test_location_given_after_the_session_is_late():
    assert rules.location_is_late(dt.date(2026, 12, 1), dt.date(2026, 12, 2), 0)


def test_location_notice_follows_the_number_given():
    assert not rules.location_is_late(dt.date(2026, 12, 4), dt.date(2026, 12, 1), 3)
    assert rules.location_is_late(dt.date(2026, 12, 4), dt.date(2026, 12, 1), 14)
