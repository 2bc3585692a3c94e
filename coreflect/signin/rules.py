"""The pure rules of signing in: who has left, and whether a second factor was used recently
enough for the most sensitive changes."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

# An employment period: its first day and its last (None while it goes on).
Period = tuple[dt.date, dt.date | None]


def _all_over(periods: Iterable[Period], today: dt.date) -> bool:
    ends = [end for _, end in periods]
    return bool(ends) and all(end is not None and end < today for end in ends)


def has_left(
    employment: Iterable[Period],
    placements: Iterable[Period],
    *,
    in_peer_work: bool,
    today: dt.date,
) -> bool:
    """Whether someone has left by today. Someone in a peer-work role has left when they had
    employment periods and the last day of every one is behind them; anyone has left when they
    had placements (periods in a role and team) and every one is over. The last day itself
    still counts. Someone who moved from peer work into another role (their peer-work
    employment ended, a placement in the new role open) has not left, and someone with
    nothing recorded is not judged a leaver."""
    return (in_peer_work and _all_over(employment, today)) or _all_over(placements, today)


def second_factor_recent(at: float | None, now: float, minutes: int) -> bool:
    """Whether a second factor used at Unix time at (None: not in this sign-in) was used within
    the last minutes before now."""
    return at is not None and 0 <= now - at <= minutes * 60


def amr_says_mfa(amr: Any) -> bool:
    """Whether an id token's amr claim (RFC 8176 authentication method references) says the
    identity provider asked for a second factor: Entra ID puts "mfa" in it when it did."""
    return isinstance(amr, list) and "mfa" in amr
