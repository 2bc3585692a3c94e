"""Supervision agreements (spec §6) on plain values: which items an agreement must keep, what
it must agree at least, the fingerprint a signature is made on, and where an agreement stands
on a day.

Pure: no Django, no clock; every number comes in as an argument.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


@dataclass(frozen=True)
class Item:
    """One written item of an agreement: a standard one (from the template, `key` its key) or
    one the two added (`key` empty)."""

    key: str
    title: str
    text: str


def missing_standard_items(items: Iterable[Item], standard_keys: Iterable[str]) -> list[str]:
    """The template's items an agreement has dropped (none may be: spec §6), in template
    order."""
    present = {item.key for item in items if item.text.strip()}
    return [key for key in standard_keys if key not in present]


def below_minimum(
    *, sessions_a_month: int, session_minutes: int, minimum_minutes_a_month: int
) -> bool:
    """Whether the agreed one-to-ones come to less time a month than the policy's least."""
    return sessions_a_month * session_minutes < minimum_minutes_a_month


def fingerprint(content: Mapping[str, Any]) -> str:
    """A digest of everything a version says: two versions with the same fingerprint say the
    same thing, and a signature made on one fingerprint is a signature of exactly that text."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day where it has no such day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


class State(StrEnum):
    SIGNED = "signed"
    # No signed agreement yet, still within the days the policy allows.
    TO_SIGN = "to_sign"
    # No signed agreement, past the days the policy allows (flagged).
    UNSIGNED_OVERDUE = "unsigned_overdue"
    # Signed, and a review is due: past the review date, or either asked for one (flagged).
    REVIEW_DUE = "review_due"

    @property
    def label(self) -> str:
        return {
            State.SIGNED: "Signed",
            State.TO_SIGN: "Not signed yet",
            State.UNSIGNED_OVERDUE: "Not signed: overdue",
            State.REVIEW_DUE: "Review due",
        }[self]

    @property
    def flagged(self) -> bool:
        return self in (State.UNSIGNED_OVERDUE, State.REVIEW_DUE)


@dataclass(frozen=True)
class Standing:
    """Where one relationship's agreement stands on a day."""

    state: State
    # The day it should have been signed by (no signed version yet), or reviewed by.
    due_on: dt.date
    last_signed_on: dt.date | None
    review_requested_on: dt.date | None


def standing(
    *,
    relationship_start: dt.date,
    last_signed_on: dt.date | None,
    last_review_request_on: dt.date | None,
    today: dt.date,
    due_days: int,
    review_months: int,
) -> Standing:
    """Where an agreement stands (spec §6): to sign within `due_days` of the relationship's
    start, then to review `review_months` after the last signing, or as soon as either asks
    (a request made after the last signing)."""
    if last_signed_on is None:
        due = relationship_start + dt.timedelta(days=due_days)
        state = State.UNSIGNED_OVERDUE if today > due else State.TO_SIGN
        return Standing(state, due, None, None)
    requested = (
        last_review_request_on
        if last_review_request_on is not None and last_review_request_on >= last_signed_on
        else None
    )
    due = add_months(last_signed_on, review_months)
    if requested is not None:
        return Standing(State.REVIEW_DUE, min(due, requested), last_signed_on, requested)
    state = State.REVIEW_DUE if today > due else State.SIGNED
    return Standing(state, due, last_signed_on, None)


@dataclass(frozen=True)
class Turnaround:
    """The notes turnaround a version agreed, in force from the day both had signed it."""

    from_day: dt.date
    share_days: int
    response_days: int


def turnaround_on(agreed: Sequence[Turnaround], day: dt.date) -> Turnaround | None:
    """The turnaround in force on a day: that of the latest version signed by both on or
    before it (None: the policy's applies)."""
    found = None
    for turnaround in agreed:
        if turnaround.from_day <= day and (found is None or turnaround.from_day >= found.from_day):
            found = turnaround
    return found
