"""Sign-in's pure rules: who has left, a recent second factor, what an id token's amr says."""

import datetime as dt

from coreflect.signin import rules

DAY = dt.date(2026, 11, 23)


def test_someone_has_left_only_once_every_period_has_ended_before_today():
    ended = (dt.date(2024, 1, 1), dt.date(2026, 11, 22))
    assert rules.has_left([ended], DAY)
    assert not rules.has_left([(dt.date(2024, 1, 1), DAY)], DAY)  # their last day still counts
    assert not rules.has_left([ended, (dt.date(2026, 11, 1), None)], DAY)  # came back
    assert not rules.has_left([], DAY)  # no periods: not in a peer-work role, not a leaver


def test_a_second_factor_is_recent_within_the_minutes_given():
    now = 1_800_000_000.0
    assert rules.second_factor_recent(now - 15 * 60, now, 15)
    assert not rules.second_factor_recent(now - 15 * 60 - 1, now, 15)
    assert not rules.second_factor_recent(None, now, 15)
    assert not rules.second_factor_recent(now + 60, now, 15)  # from the future: not believed


def test_amr_says_mfa_only_when_it_lists_it():
    assert rules.amr_says_mfa(["pwd", "mfa"])
    assert not rules.amr_says_mfa(["pwd"])
    assert not rules.amr_says_mfa("mfa")  # not a list: not the claim's shape
    assert not rules.amr_says_mfa(None)
