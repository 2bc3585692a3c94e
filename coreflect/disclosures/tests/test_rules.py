import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from coreflect.disclosures import rules

TODAY = dt.date(2026, 11, 23)
GROUNDS = ["safeguarding", "conduct", "policy_or_legal"]


def refusal(**changes: object) -> str | None:
    values: dict = {
        "supervised_on_the_day": True,
        "shared_on": TODAY,
        "today": TODAY,
        "told_first": True,
        "reason": "",
    }
    return rules.refusal(**(values | changes))


def test_a_disclosure_told_first_by_the_supervisor_on_the_day_may_be_recorded():
    assert refusal() is None


def test_a_disclosure_not_told_first_needs_a_reason():
    assert refusal(told_first=False) is not None
    assert refusal(told_first=False, reason="   ") is not None
    assert refusal(told_first=False, reason="On leave; it could not wait") is None


def test_a_disclosure_cannot_be_dated_in_the_future():
    assert refusal(shared_on=TODAY + dt.timedelta(days=1)) is not None
    assert refusal(shared_on=TODAY - dt.timedelta(days=400)) is None


def test_only_the_supervisor_on_the_day_may_record_a_disclosure():
    assert refusal(supervised_on_the_day=False) is not None


def test_quarters_follow_the_recording_year_from_april():
    assert rules.quarter_of(dt.date(2026, 4, 1), 4) == rules.Quarter(2026, 1, 4)
    assert rules.quarter_of(dt.date(2026, 3, 31), 4) == rules.Quarter(2025, 4, 4)
    assert rules.quarter_of(TODAY, 4) == rules.Quarter(2026, 3, 4)
    assert rules.Quarter(2026, 3, 4).label == "Q3 2026/27 (Oct to Dec)"
    assert rules.Quarter(2025, 4, 4).label == "Q4 2025/26 (Jan to Mar)"
    assert rules.Quarter(2026, 1, 1).label == "Q1 2026 (Jan to Mar)"


@given(st.dates(dt.date(2000, 1, 1), dt.date(2100, 12, 31)), st.integers(1, 12))
def test_a_day_falls_within_its_quarter(day, year_start_month):
    quarter = rules.quarter_of(day, year_start_month)
    assert quarter.start <= day < quarter.next().start
    assert quarter.next().start.day == 1


@given(
    st.lists(
        st.tuples(
            st.dates(dt.date(2023, 1, 1), TODAY), st.sampled_from(GROUNDS), st.integers(1, 5)
        ),
        max_size=30,
    )
)
def test_counts_by_quarter_count_every_disclosure_once_in_its_quarter(rows):
    table = rules.counts_by_quarter(rows, grounds=GROUNDS, year_start_month=4, today=TODAY)
    assert sum(row.total for row in table) == sum(n for _, _, n in rows)
    for day, ground, _ in rows:
        row = next(r for r in table if r.quarter == rules.quarter_of(day, 4))
        assert row.counts[GROUNDS.index(ground)] >= 1
    quarters = [row.quarter for row in table]
    assert quarters == sorted(quarters, reverse=True)
    assert quarters[0] == rules.quarter_of(TODAY, 4)
    # No gaps: every quarter from the first shown to today's.
    assert all(a == b.next() for a, b in zip(quarters, quarters[1:], strict=False))


def test_with_no_disclosures_this_years_quarters_show_none():
    table = rules.counts_by_quarter([], grounds=GROUNDS, year_start_month=4, today=TODAY)
    assert [row.quarter.number for row in table] == [3, 2, 1]
    assert all(row.total == 0 for row in table)
