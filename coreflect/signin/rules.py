"""The pure rules of signing in: who has left, and whether a second factor was used recently
enough for the most sensitive changes."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

# An employment period: its first day and its last (None while it goes on).
Period = tuple[dt.date, dt.date | None]


def has_left(periods: Iterable[Period], today: dt.date) -> bool:
    """Whether someone whose employment is these periods has left by today: they had some, and
    the last day of every one is behind them. Their last day itself still counts as employed,
    and someone with no periods recorded (not in a peer-work role) is not judged a leaver."""
    ends = [end for _, end in periods]
    return bool(ends) and all(end is not None and end < today for end in ends)


def second_factor_recent(at: float | None, now: float, minutes: int) -> bool:
    """Whether a second factor used at Unix time at (None: not in this sign-in) was used within
    the last minutes before now."""
    return at is not None and 0 <= now - at <= minutes * 60


def amr_says_mfa(amr: Any) -> bool:
    """Whether an id token's amr claim (RFC 8176 authentication method references) says the
    identity provider asked for a second factor: Entra ID puts "mfa" in it when it did."""
    return isinstance(amr, list) and "mfa" in amr
