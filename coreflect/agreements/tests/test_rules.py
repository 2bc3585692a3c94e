import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from coreflect.agreements import rules
from coreflect.agreements.rules import Item, State, Turnaround
from coreflect.policy.presets import PROTOCOL

KEYS = [i.key for i in PROTOCOL.agreement_template]
D = dt.date


def template_items() -> list[Item]:
    return [Item(i.key, i.title, i.text) for i in PROTOCOL.agreement_template]


def test_the_template_keeps_every_standard_item():
    assert rules.missing_standard_items(template_items(), KEYS) == []


def test_a_dropped_or_emptied_standard_item_is_missing():
    items = template_items()
    dropped = items[1:]
    emptied = [Item(items[0].key, items[0].title, "  "), *items[1:]]
    assert rules.missing_standard_items(dropped, KEYS) == [KEYS[0]]
    assert rules.missing_standard_items(emptied, KEYS) == [KEYS[0]]


def test_reworded_and_added_items_are_allowed():
    items = [Item(i.key, i.title, "Our own words") for i in template_items()]
    assert rules.missing_standard_items([*items, Item("", "Extra", "More")], KEYS) == []


def test_below_the_minimum_time_a_month():
    assert rules.below_minimum(sessions_a_month=1, session_minutes=45, minimum_minutes_a_month=60)
    assert not rules.below_minimum(
        sessions_a_month=1, session_minutes=60, minimum_minutes_a_month=60
    )
    assert not rules.below_minimum(
        sessions_a_month=2, session_minutes=30, minimum_minutes_a_month=60
    )


def test_fingerprint_changes_with_any_word():
    a = rules.fingerprint({"items": [{"text": "a"}], "n": 1})
    assert a == rules.fingerprint({"n": 1, "items": [{"text": "a"}]})
    assert a != rules.fingerprint({"items": [{"text": "b"}], "n": 1})


def standing(**kwargs):
    values = dict(
        relationship_start=D(2026, 1, 1),
        last_signed_on=None,
        last_review_request_on=None,
        today=D(2026, 11, 23),
        due_days=28,
        review_months=12,
    )
    values.update(kwargs)
    return rules.standing(**values)


def test_unsigned_within_the_days_allowed_is_to_sign():
    s = standing(relationship_start=D(2026, 11, 1))
    assert (s.state, s.due_on) == (State.TO_SIGN, D(2026, 11, 29))
    assert not s.state.flagged


def test_unsigned_after_the_days_allowed_is_flagged():
    s = standing(relationship_start=D(2026, 10, 1))
    assert s.state == State.UNSIGNED_OVERDUE and s.state.flagged
    # The last day allowed is not yet overdue.
    assert standing(relationship_start=D(2026, 10, 26)).state == State.TO_SIGN


def test_signed_is_due_for_review_twelve_months_after_the_last_signing():
    assert standing(last_signed_on=D(2025, 11, 23)).state == State.SIGNED
    s = standing(last_signed_on=D(2025, 11, 22))
    assert (s.state, s.due_on) == (State.REVIEW_DUE, D(2026, 11, 22))


def test_a_request_after_the_last_signing_makes_the_review_due_now():
    s = standing(last_signed_on=D(2026, 6, 1), last_review_request_on=D(2026, 11, 2))
    assert (s.state, s.due_on) == (State.REVIEW_DUE, D(2026, 11, 2))
    # A request answered by a later signing is spent.
    spent = standing(last_signed_on=D(2026, 11, 3), last_review_request_on=D(2026, 11, 2))
    assert spent.state == State.SIGNED


def test_add_months_keeps_the_day_or_the_month_end():
    assert rules.add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert rules.add_months(D(2024, 2, 29), 12) == D(2025, 2, 28)


def test_the_turnaround_in_force_is_the_latest_signed_by_the_day():
    agreed = (Turnaround(D(2026, 1, 1), 7, 7), Turnaround(D(2026, 6, 1), 3, 4))
    assert rules.turnaround_on(agreed, D(2025, 12, 31)) is None
    assert rules.turnaround_on(agreed, D(2026, 5, 31)) == agreed[0]
    assert rules.turnaround_on(agreed, D(2026, 6, 1)) == agreed[1]


@given(st.dates(), st.integers(min_value=1, max_value=120))
def test_review_is_never_before_the_signing(day, months):
    assert rules.add_months(day.replace(year=min(day.year, 9000)), months) > day.replace(
        year=min(day.year, 9000)
    )
