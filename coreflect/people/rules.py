"""The rules of a person's record, on plain values: what a person ID, name and email may be,
how a move of role or team is kept as history, and which periods of employment may be
recorded. Pure: no Django.

The checks of an ID, a name and an email are the import's (coreflect/imports/rules.py, which
sits above this layer and checks a million rows at a time); coreflect/people/tests/
test_rules.py keeps the two in agreement, so a page never accepts what an import would refuse.
A page is stricter in one way only: a name is one line (a quoted CSV value may span lines).
"""

import datetime as dt
import re
from collections.abc import Callable, Iterable
from enum import StrEnum

ONE_DAY = dt.timedelta(days=1)

# The longest text each field may hold, as in the models and the import.
MAX_LENGTH = {"person_id": 64, "name": 200, "email": 254}

# Ids become parts of addresses (/people/<person_id>/): only characters that need no escaping.
_ID = re.compile(r"[A-Za-z0-9._-]+")
# C0 control characters and DEL.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")

# An employment period: its first day and its last (None while it goes on).
Period = tuple[dt.date, dt.date | None]


def person_id_problem(value: str) -> str | None:
    """Why this cannot be a person ID, or None if it can."""
    if not value:
        return "Enter the person ID"
    if len(value) > MAX_LENGTH["person_id"]:
        return f"The person ID must be {MAX_LENGTH['person_id']} characters or fewer"
    if not _ID.fullmatch(value):
        return 'The person ID may only contain letters (A–Z, a–z), digits, "-", "_" and "."'
    if value in {".", ".."}:
        return 'The person ID cannot be "." or ".."'
    return None


def name_problem(value: str) -> str | None:
    """Why this cannot be a person's name, or None if it can."""
    if not value:
        return "Enter the name"
    if _CONTROL.search(value):
        return "The name cannot contain a control character (such as a tab)"
    if len(value) > MAX_LENGTH["name"]:
        return f"The name must be {MAX_LENGTH['name']} characters or fewer"
    return None


def email_problem(value: str) -> str | None:
    """Why this cannot be a person's email address (blank is allowed), or None if it can."""
    if not value:
        return None
    if _CONTROL.search(value) or not _EMAIL.fullmatch(value):
        return "Enter an email address in the correct format, like name@example.nhs.uk"
    if len(value) > MAX_LENGTH["email"]:
        return f"The email address must be {MAX_LENGTH['email']} characters or fewer"
    return None


class Move(StrEnum):
    """How a change of role or team from a date is kept in the placement history."""

    # The current placement ends the day before and a new one starts on the day.
    SPLIT = "split"
    # The current placement starts on that very day: it is corrected instead, so that no
    # empty period is recorded (as an import does with a placement opened on its day).
    CORRECT = "correct"
    # There is no current placement (a person recorded before the history was kept): one
    # starts on the day.
    OPEN = "open"


class Refused(Exception):
    """A change the rules do not allow; the message says why, for the page, and `field` names
    the form field it is about (None: the whole form)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def move(current: Period | None, effective: dt.date, today: dt.date) -> Move:
    """How a change of role or team from `effective` is recorded, given the latest placement's
    first and last day (None if there is none). History is only added to: a move cannot start
    before the latest placement does, nor after it ended (the person has left: record a start
    first), nor later than today (the record shows the person as they are today). A placement
    that has not begun yet (someone starting later) is corrected, whatever the date."""
    if current is not None and current[0] > today:
        return Move.CORRECT
    if effective > today:
        raise Refused(
            "A change of role or team is recorded from today or a day before, not later",
            field="effective",
        )
    if current is None:
        return Move.OPEN
    first, last = current
    if effective < first:
        raise Refused(
            f"Their current role and team started on {first:%-d %B %Y}: a change cannot start "
            "before that",
            field="effective",
        )
    if last is not None and effective > last:
        raise Refused(
            f"They left on {last:%-d %B %Y}: record their start again before changing their role "
            "or team",
            field="effective",
        )
    return Move.CORRECT if effective == first else Move.SPLIT


def start_problem(periods: Iterable[Period], start: dt.date) -> str | None:
    """Why a new employment period from `start` cannot be recorded beside these, or None: every
    earlier period must have ended before it (no overlaps, one period at a time)."""
    for first, last in periods:
        if last is None:
            return (
                f"Employment from {first:%-d %B %Y} is still going on: record a leaving date first"
            )
        if first >= start or last >= start:
            return (
                f"Employment from {first:%-d %B %Y} to {last:%-d %B %Y} overlaps a start on "
                f"{start:%-d %B %Y}: the new start must be after that leaving date"
            )
    return None


def leaving_problem(first: dt.date, leaving: dt.date, what: str) -> str | None:
    """Why `what` (their employment, their role and team), which began on `first`, cannot end
    on `leaving`, or None."""
    if leaving < first:
        return (
            f"The leaving date is before {first:%-d %B %Y}, when their {what} began: the last day "
            "must be on or after the first"
        )
    return None


def makes_circle(person: int, manager: int | None, manager_of: Callable[[int], int | None]) -> bool:
    """Whether making `manager` this person's line manager would make anyone, however
    indirectly, their own line manager. `manager_of` gives each person's line manager."""
    seen: set[int] = set()
    at = manager
    while at is not None and at not in seen:
        if at == person:
            return True
        seen.add(at)
        at = manager_of(at)
    return False
