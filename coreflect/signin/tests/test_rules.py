"""Sign-in's pure rules: who has left, a recent second factor, what an id token's amr says."""

import datetime as dt

from coreflect.signin import rules

DAY = dt.date(2026, 11, 23)


ENDED = (dt.date(2024, 1, 1), dt.date(2026, 11, 22))
OPEN = (dt.date(2024, 1, 1), None)


def left(employment, placements, in_peer_work=True):
    return rules.has_left(employment, placements, in_peer_work=in_peer_work, today=DAY)


def test_a_peer_worker_has_left_once_every_employment_period_ended_before_today():
    assert left([ENDED], [OPEN])
    assert not left([(dt.date(2024, 1, 1), DAY)], [OPEN])  # their last day still counts
    assert not left([ENDED, (dt.date(2026, 11, 1), None)], [OPEN])  # came back
    assert not left([], [])  # nothing recorded: not judged a leaver


def test_anyone_has_left_once_every_placement_is_over():
    assert left([], [ENDED], in_peer_work=False)
    assert not left([], [ENDED, (dt.date(2026, 11, 22), None)], in_peer_work=False)


def test_moving_out_of_peer_work_is_not_leaving():
    # Peer-work employment ended the day before the move; a placement in the new role open.
    assert not left([ENDED], [ENDED, (dt.date(2026, 11, 23), None)], in_peer_work=False)


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
