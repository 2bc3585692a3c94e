import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coreflect.people.models import Role
from coreflect.supervision import rules
from coreflect.supervision.models import AttendanceStatus


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


BOOKED_EARLY = dt.date(2026, 11, 1)  # a session recorded well before its date


def test_location_given_exactly_the_notice_ahead_is_not_late():
    assert not rules.location_is_late(
        dt.date(2026, 12, 8), dt.date(2026, 12, 1), 7, created_on=BOOKED_EARLY
    )


def test_location_given_a_day_short_of_the_notice_is_late():
    assert rules.location_is_late(
        dt.date(2026, 12, 7), dt.date(2026, 12, 1), 7, created_on=BOOKED_EARLY
    )


def test_location_given_after_the_session_is_late():
    assert rules.location_is_late(
        dt.date(2026, 12, 1), dt.date(2026, 12, 2), 0, created_on=BOOKED_EARLY
    )


def test_location_notice_follows_the_number_given():
    assert not rules.location_is_late(
        dt.date(2026, 12, 4), dt.date(2026, 12, 1), 3, created_on=BOOKED_EARLY
    )
    assert rules.location_is_late(
        dt.date(2026, 12, 4), dt.date(2026, 12, 1), 14, created_on=BOOKED_EARLY
    )


def test_location_of_a_session_recorded_after_it_happened_is_not_late():
    assert not rules.location_is_late(
        dt.date(2026, 11, 20), dt.date(2026, 11, 23), 7, created_on=dt.date(2026, 11, 23)
    )


def test_location_of_a_session_recorded_on_its_day_is_not_late():
    day = dt.date(2026, 11, 23)
    assert not rules.location_is_late(day, day, 7, created_on=day)


def test_location_given_after_a_session_booked_ahead_is_still_late():
    assert rules.location_is_late(
        dt.date(2026, 11, 20), dt.date(2026, 11, 23), 7, created_on=dt.date(2026, 11, 2)
    )


# Who may supervise, record and correct.


def test_governance_and_administrator_accounts_supervise_no_one():
    assert not rules.may_supervise(Role.GOVERNANCE)
    assert not rules.may_supervise(Role.ADMIN)


@pytest.mark.parametrize("role", sorted(set(Role.values) - {Role.GOVERNANCE, Role.ADMIN}))
def test_every_other_role_may_supervise(role):
    assert rules.may_supervise(role)


def test_non_supervising_roles_are_stored_role_values():
    assert rules.NON_SUPERVISING_ROLES <= set(Role.values)


@pytest.mark.parametrize(
    ("records", "supervises", "expected"),
    [(True, False, True), (False, True, True), (True, True, True), (False, False, False)],
)
def test_facilitator_records_sessions_by_role_or_supervises_in_peer_work(
    records, supervises, expected
):
    assert (
        rules.may_facilitate(role_records_sessions=records, supervises_in_peer_work=supervises)
        is expected
    )


def test_one_to_one_record_is_open_while_the_lead_supervises_the_supervisee():
    assert rules.record_is_open(
        kind="one_to_one", lead_supervises_participant=True, lead_may_facilitate=False
    )
    assert not rules.record_is_open(
        kind="one_to_one", lead_supervises_participant=False, lead_may_facilitate=True
    )


def test_co_reflection_record_is_open_while_the_lead_may_facilitate():
    assert rules.record_is_open(
        kind="co_reflection", lead_supervises_participant=False, lead_may_facilitate=True
    )
    assert not rules.record_is_open(
        kind="co_reflection", lead_supervises_participant=True, lead_may_facilitate=False
    )


def test_head_of_peer_work_corrects_any_closed_record():
    assert rules.may_correct(corrects_any=True, corrects_service=None, participant_services=[1, 2])


def test_service_lead_corrects_records_of_their_service_only():
    assert rules.may_correct(corrects_any=False, corrects_service=1, participant_services=[1, 1])
    assert not rules.may_correct(
        corrects_any=False, corrects_service=1, participant_services=[1, 2]
    )
    assert not rules.may_correct(
        corrects_any=False, corrects_service=1, participant_services=[None]
    )
    assert not rules.may_correct(corrects_any=False, corrects_service=1, participant_services=[])


def test_nobody_else_corrects():
    assert not rules.may_correct(
        corrects_any=False, corrects_service=None, participant_services=[None]
    )


@pytest.mark.parametrize(
    ("is_lead", "record_open", "may_correct", "expected"),
    [
        (True, True, False, rules.Right.LEAD),
        (True, True, True, rules.Right.LEAD),
        (False, True, True, None),  # an open record is its lead's alone
        (True, False, False, None),  # a former supervisor
        (True, False, True, rules.Right.CORRECT),
        (False, False, True, rules.Right.CORRECT),
        (False, False, False, None),
    ],
)
def test_right_to_change_a_session(is_lead, record_open, may_correct, expected):
    assert (
        rules.right_to_change(is_lead=is_lead, record_open=record_open, may_correct=may_correct)
        == expected
    )


# Registers in a few words.

LABELS = dict(AttendanceStatus.choices)
PAST, TODAY, FUTURE = dt.date(2026, 11, 20), dt.date(2026, 11, 23), dt.date(2026, 11, 25)


def summary(statuses, day=PAST, cancelled=False):
    return rules.register_summary(
        statuses, session_date=day, today=TODAY, cancelled=cancelled, labels=LABELS
    )


def test_one_line_register_gives_its_status_in_words():
    assert summary(["cancelled_by_supervisee"]) == "Cancelled by supervisee"


def test_one_hidden_line_is_not_shown():
    assert summary([None]) == "Not shown to you"


def test_past_group_register_counts_who_attended():
    assert summary(["attended", "apologies", "attended"]) == "2 of 3 attended"


def test_past_group_register_with_everyone_still_invited_was_not_taken():
    assert summary(["invited", "tentative", "invited"]) == "Register not taken"


def test_past_group_register_half_taken_says_how_many_are_not_marked():
    assert summary(["attended", "invited"]) == "1 of 2 attended, 1 not marked yet"


def test_future_group_register_counts_the_invited():
    assert summary(["invited", "apologies", "tentative"], day=FUTURE) == "3 invited"


def test_todays_group_register_not_yet_taken_counts_the_invited():
    assert summary(["invited", "invited"], day=TODAY) == "2 invited"


def test_cancelled_group_register_says_cancelled():
    assert summary(["cancelled_by_supervisor"] * 2, cancelled=True) == "Cancelled"


def test_group_register_counts_only_the_statuses_the_reader_sees():
    assert summary(["attended", None, None]) == "1 of the 1 you can see attended"
    assert summary([None, None]) == "Not shown to you"


def test_empty_register_says_so():
    assert summary([]) == "No one on the register"


@given(
    statuses=st.lists(st.sampled_from(AttendanceStatus.values), min_size=1, max_size=6),
    hidden=st.lists(st.booleans(), min_size=6, max_size=6),
    day=st.sampled_from([PAST, TODAY, FUTURE]),
    cancelled=st.booleans(),
)
def test_a_summary_counts_only_the_statuses_the_reader_sees(statuses, hidden, day, cancelled):
    seen = [None if hidden[i] else status for i, status in enumerate(statuses)]
    words = summary(seen, day, cancelled)
    if " attended" in words and words[0].isdigit():
        assert int(words.split()[0]) == seen.count("attended")
    if len(statuses) > 1:
        # A group's summary never names a status: only counts of those the reader sees.
        assert not any(label in words for label in LABELS.values() if label != "Attended")
