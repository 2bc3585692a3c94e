"""The pure compliance engine (spec §3), without a database."""

import datetime as dt
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from coreflect.compliance import rules
from coreflect.compliance.rules import (
    CO_REFLECTION,
    ONE_TO_ONE,
    TOTAL,
    Absence,
    Rounding,
    Span,
    Status,
)
from coreflect.policy import presets

PROTOCOL = rules.requirements_of(presets.PROTOCOL)

D = dt.date
YEAR = rules.recording_year(2025, PROTOCOL)
Q1, Q2, Q3, Q4 = rules.quarters(YEAR)


END_OF_YEAR = D(2026, 4, 1)


NO_COUNTS = (0,) * 16


def evaluate(employment, absences=(), counts=NO_COUNTS, as_of=END_OF_YEAR, policy=PROTOCOL):
    return rules.evaluate_counted(
        year=YEAR,
        as_of=as_of,
        policy=policy,
        employment=list(employment),
        absences=list(absences),
        counted=counts,
    )


def test_recording_year_runs_april_to_march_with_label():
    assert (YEAR.start, YEAR.end, YEAR.label) == (D(2025, 4, 1), D(2026, 3, 31), "2025/26")
    assert YEAR.calendar_days == 365


def test_quarters_are_apr_jun_jul_sep_oct_dec_jan_mar():
    assert [(q.start, q.end) for q in (Q1, Q2, Q3, Q4)] == [
        (D(2025, 4, 1), D(2025, 6, 30)),
        (D(2025, 7, 1), D(2025, 9, 30)),
        (D(2025, 10, 1), D(2025, 12, 31)),
        (D(2026, 1, 1), D(2026, 3, 31)),
    ]


def test_a_calendar_year_policy_labels_the_year_by_one_number():
    policy = replace(PROTOCOL, year_start_month=1)
    year = rules.recording_year(2026, policy)
    assert (year.start, year.end, year.label) == (D(2026, 1, 1), D(2026, 12, 31), "2026")


def test_year_containing_uses_the_start_month():
    assert rules.year_containing(D(2026, 3, 31), PROTOCOL) == 2025
    assert rules.year_containing(D(2026, 4, 1), PROTOCOL) == 2026


def test_spec_worked_example_start_15_may_2025():
    result = evaluate([Span(D(2025, 5, 15))])
    year = result.year.component(TOTAL).requirement
    assert (year.eligible_days, year.calendar_days, year.required) == (321, 365, 7)
    assert year.explain() == "eligible 321 of 365 days → 8 × 321/365 = 7.04 → 7 sessions"
    q1 = result.quarters[0]
    assert q1.component(ONE_TO_ONE).requirement.eligible_days == 47
    assert q1.component(ONE_TO_ONE).required == 1  # 2 × 47/91 = 1.03
    assert q1.component(CO_REFLECTION).required == 1  # 47/91 = 0.52


def test_full_year_needs_two_one_to_ones_and_one_co_reflection_a_quarter_and_eight_a_year():
    result = evaluate([Span(D(2020, 1, 1))])
    assert [q.component(ONE_TO_ONE).required for q in result.quarters] == [2, 2, 2, 2]
    assert [q.component(CO_REFLECTION).required for q in result.quarters] == [1, 1, 1, 1]
    assert result.year.component(TOTAL).required == 8
    assert result.year.component(TOTAL).requirement.explain() == (
        "eligible all 365 days → 8 sessions"
    )


def test_exactly_half_rounds_up():
    # Q3 has 92 days; employed for its last 46 → co-reflection 1 × 46/92 = 0.5 → 1.
    result = evaluate([Span(D(2025, 11, 16))])
    co = result.quarters[2].component(CO_REFLECTION).requirement
    assert (co.eligible_days, co.calendar_days) == (46, 92)
    assert co.required == 1


def test_just_under_half_rounds_down():
    result = evaluate([Span(D(2025, 11, 17))])  # 45 of 92 days = 0.489
    assert result.quarters[2].component(CO_REFLECTION).required == 0


def test_rounding_policy_can_round_up_or_down():
    assert rules.divide(1, 10, Rounding.UP) == 1
    assert rules.divide(19, 10, Rounding.DOWN) == 1
    assert rules.divide(1, 2, Rounding.HALF_UP) == 1
    assert rules.divide(5, 2, Rounding.HALF_UP) == 3


def test_leaver_requirement_ends_with_employment():
    result = evaluate([Span(D(2020, 1, 1), D(2025, 8, 15))])
    assert result.quarters[1].component(ONE_TO_ONE).requirement.eligible_days == 46
    assert result.quarters[2].status == Status.NOT_APPLICABLE
    assert result.quarters[3].status == Status.NOT_APPLICABLE
    # 137 of 365 days → 8 × 137/365 = 3.0
    assert result.year.component(TOTAL).required == 3


def test_rejoiner_counts_both_periods_of_employment():
    result = evaluate([Span(D(2020, 1, 1), D(2025, 5, 31)), Span(D(2025, 12, 1))])
    assert result.year.component(TOTAL).requirement.eligible_days == 61 + 121
    assert result.quarters[1].status == Status.NOT_APPLICABLE


def test_overlapping_employment_rows_are_not_double_counted():
    result = evaluate([Span(D(2020, 1, 1)), Span(D(2025, 6, 1), D(2025, 9, 1))])
    assert result.year.component(TOTAL).requirement.eligible_days == 365


def test_long_term_sickness_across_quarters_reduces_both_quarters():
    sick = Absence("sickness", D(2025, 6, 1), D(2025, 8, 31))  # 92 days
    result = evaluate([Span(D(2020, 1, 1))], [sick])
    assert result.quarters[0].component(ONE_TO_ONE).requirement.eligible_days == 91 - 30
    assert result.quarters[1].component(ONE_TO_ONE).requirement.eligible_days == 92 - 62
    assert result.quarters[1].component(ONE_TO_ONE).required == 1  # 2 × 30/92 = 0.65
    assert result.year.component(TOTAL).requirement.eligible_days == 365 - 92


def test_sickness_shorter_than_threshold_does_not_reduce_requirements():
    sick = Absence("sickness", D(2025, 6, 1), D(2025, 6, 27))  # 27 days
    result = evaluate([Span(D(2020, 1, 1))], [sick])
    assert result.year.component(TOTAL).requirement.eligible_days == 365


def test_sickness_of_exactly_the_threshold_is_long_term():
    sick = Absence("sickness", D(2025, 6, 1), D(2025, 6, 28))  # 28 days
    result = evaluate([Span(D(2020, 1, 1))], [sick])
    assert result.year.component(TOTAL).requirement.eligible_days == 365 - 28


def test_back_to_back_sickness_records_make_one_long_term_spell():
    spell = [
        Absence("sickness", D(2025, 6, 1), D(2025, 6, 14)),
        Absence("sickness", D(2025, 6, 15), D(2025, 6, 30)),
    ]
    result = evaluate([Span(D(2020, 1, 1))], spell)
    assert result.year.component(TOTAL).requirement.eligible_days == 365 - 30


def test_sickness_starting_before_the_year_counts_its_whole_length():
    sick = Absence("sickness", D(2025, 3, 10), D(2025, 4, 5))  # 27 days, 5 in the year
    assert (
        evaluate([Span(D(2020, 1, 1))], [sick]).year.component(TOTAL).requirement.eligible_days
        == 365
    )
    longer = Absence("sickness", D(2025, 3, 9), D(2025, 4, 5))  # 28 days
    assert (
        evaluate([Span(D(2020, 1, 1))], [longer]).year.component(TOTAL).requirement.eligible_days
        == 360
    )


def test_annual_leave_does_not_reduce_unless_the_policy_says_so():
    leave = Absence("parental", D(2025, 4, 1), D(2025, 9, 30))
    assert evaluate([Span(D(2020, 1, 1))], [leave]).year.component(TOTAL).required == 8
    policy = replace(PROTOCOL, prorating_absence_types=frozenset({"parental"}))
    result = evaluate([Span(D(2020, 1, 1))], [leave], policy=policy)
    assert result.quarters[0].status == Status.NOT_APPLICABLE
    assert result.year.component(TOTAL).required == 4  # 8 × 182/365 = 3.99


def test_absence_outside_employment_is_not_subtracted_twice():
    sick = Absence("sickness", D(2025, 4, 1), D(2025, 6, 30))
    result = evaluate([Span(D(2025, 5, 15))], [sick])
    assert result.quarters[0].status == Status.NOT_APPLICABLE
    assert result.year.component(TOTAL).requirement.eligible_days == 365 - 91


def with_counts(counts, key, attended=0, scheduled=0):
    """The 16 counts with (attended, scheduled) added for one (quarter, kind) of COUNT_KEYS."""
    at = 2 * rules.COUNT_KEYS.index(key)
    changed = list(counts)
    changed[at] += attended
    changed[at + 1] += scheduled
    return tuple(changed)


def quarter_counts(one_to_one=(0, 0), co_reflection=(0, 0), quarter=1):
    counts = with_counts(NO_COUNTS, (quarter, ONE_TO_ONE), *one_to_one)
    return with_counts(counts, (quarter, CO_REFLECTION), *co_reflection)


def test_counts_are_read_in_count_keys_order():
    counts = quarter_counts((1, 2), (3, 4), quarter=2)
    assert counts == (0, 0, 0, 0, 1, 2, 3, 4, *(0,) * 8)
    result = evaluate([Span(D(2020, 1, 1))], counts=counts, as_of=D(2025, 8, 1))
    one_to_one = result.quarters[1].component(ONE_TO_ONE)
    co_reflection = result.quarters[1].component(CO_REFLECTION)
    assert (one_to_one.attended, one_to_one.scheduled) == (1, 2)
    assert (co_reflection.attended, co_reflection.scheduled) == (3, 4)
    total = result.year.component(TOTAL)
    assert (total.attended, total.scheduled) == (4, 6)


def test_status_met_when_every_component_attended():
    result = evaluate([Span(D(2020, 1, 1))], counts=quarter_counts((2, 0), (1, 0)))
    assert result.quarters[0].status == Status.MET


def test_status_not_met_after_the_quarter_ends_short():
    result = evaluate([Span(D(2020, 1, 1))], counts=quarter_counts((2, 0), (0, 0)))
    assert result.quarters[0].status == Status.NOT_MET


def test_status_on_track_when_booked_sessions_would_meet_it():
    counts = quarter_counts((1, 1), (0, 1))
    result = evaluate([Span(D(2020, 1, 1))], counts=counts, as_of=D(2025, 5, 1))
    assert result.quarters[0].status == Status.ON_TRACK


def test_status_at_risk_when_even_booked_sessions_fall_short():
    counts = quarter_counts((1, 0), (0, 1))
    result = evaluate([Span(D(2020, 1, 1))], counts=counts, as_of=D(2025, 5, 1))
    assert result.quarters[0].status == Status.AT_RISK


def test_status_not_started_for_a_future_quarter():
    result = evaluate([Span(D(2020, 1, 1))], as_of=D(2025, 5, 1))
    assert [q.status for q in result.quarters[1:]] == [Status.NOT_STARTED] * 3


def test_met_in_progress_quarter_is_met_not_on_track():
    counts = quarter_counts((2, 0), (1, 0))
    result = evaluate([Span(D(2020, 1, 1))], counts=counts, as_of=D(2025, 5, 1))
    assert result.quarters[0].status == Status.MET


def test_not_applicable_beats_not_started():
    result = evaluate([Span(D(2020, 1, 1), D(2025, 4, 30))], as_of=D(2025, 4, 10))
    assert result.quarters[3].status == Status.NOT_APPLICABLE


def test_last_day_of_a_quarter_is_still_in_progress():
    counts = quarter_counts((1, 1), (1, 0))
    result = evaluate([Span(D(2020, 1, 1))], counts=counts, as_of=D(2025, 6, 30))
    assert result.quarters[0].status == Status.ON_TRACK


# Properties.

dates_in_year = st.dates(min_value=YEAR.start, max_value=YEAR.end)
employment_spans = st.lists(
    st.tuples(dates_in_year, st.integers(min_value=0, max_value=400)).map(
        lambda t: Span(t[0], t[0] + dt.timedelta(days=t[1]))
    ),
    min_size=0,
    max_size=3,
)
absence_lists = st.lists(
    st.tuples(
        st.sampled_from(["sickness", "annual_leave", "parental", "other"]),
        dates_in_year,
        st.integers(min_value=0, max_value=120),
    ).map(lambda t: Absence(t[0], t[1], t[1] + dt.timedelta(days=t[2]))),
    max_size=4,
)


@given(employment_spans, absence_lists)
def test_prorated_requirement_never_exceeds_the_full_one(employment, absences):
    result = evaluate(employment, absences)
    for period in (*result.quarters, result.year):
        for component in period.components:
            assert 0 <= component.required <= component.requirement.base
            assert 0 <= component.requirement.eligible_days <= period.period.calendar_days


counts_16 = st.lists(st.integers(min_value=0, max_value=3), min_size=16, max_size=16).map(tuple)
ORDER = [Status.NOT_MET, Status.AT_RISK, Status.ON_TRACK, Status.MET]


@given(employment_spans, counts_16, dates_in_year, st.sampled_from(rules.COUNT_KEYS))
def test_one_more_attended_session_never_worsens_a_status(employment, counts, as_of, key):
    before = evaluate(employment, counts=counts, as_of=as_of)
    after = evaluate(employment, counts=with_counts(counts, key, attended=1), as_of=as_of)
    for old, new in zip(
        (*before.quarters, before.year), (*after.quarters, after.year), strict=True
    ):
        if old.status in ORDER:
            assert ORDER.index(new.status) >= ORDER.index(old.status)
        else:
            assert new.status == old.status
