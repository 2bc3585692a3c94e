"""The rules of notes, pure (spec §4): who moves them from one state to another, when they
may be shared, when they are overdue, NHS numbers refused, and the word-level comparison of
two versions. No Django here."""

import datetime as dt
import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum


class Party(StrEnum):
    """The two people the notes belong to."""

    SUPERVISOR = "supervisor"
    SUPERVISEE = "supervisee"


# (from, to): who may make the move. "not_written" is notes not started yet.
TRANSITIONS: Mapping[tuple[str, str], Party] = {
    ("not_written", "draft"): Party.SUPERVISOR,
    ("draft", "shared"): Party.SUPERVISOR,
    ("shared", "accepted"): Party.SUPERVISEE,
    ("shared", "changes_requested"): Party.SUPERVISEE,
    ("shared", "review_together"): Party.SUPERVISEE,
    # The supervisor revises (a new draft) and shares again.
    ("changes_requested", "draft"): Party.SUPERVISOR,
    ("review_together", "draft"): Party.SUPERVISOR,
    ("changes_requested", "shared"): Party.SUPERVISOR,
    ("review_together", "shared"): Party.SUPERVISOR,
}

# States in which the supervisor may change the text (accepted notes are locked; shared
# notes wait for the supervisee's answer).
SUPERVISOR_WRITES = frozenset({"not_written", "draft", "changes_requested", "review_together"})

# States the supervisee's answer ends (their clock stops).
ANSWERS = frozenset({"accepted", "changes_requested", "review_together"})


def can_transition(state: str, to: str, party: Party | None) -> bool:
    """Whether this party may move notes from `state` to `to`."""
    return party is not None and TRANSITIONS.get((state, to)) is party


def may_share(texts: Iterable[str]) -> bool:
    """Notes may be minimal, but not empty."""
    return any(text.strip() for text in texts)


def next_states(state: str, party: Party | None) -> list[str]:
    return [to for (frm, to), who in TRANSITIONS.items() if frm == state and who is party]


# Deadlines and lateness (spec §4: worked out from the policy in force, never stored).


@dataclass(frozen=True)
class Clock:
    """Where one set of notes stands against its deadlines on a day."""

    state: str
    share_due: dt.date
    shared_on: dt.date | None
    response_due: dt.date | None
    answered_on: dt.date | None
    accepted_on: dt.date | None
    as_of: dt.date

    @property
    def share_overdue(self) -> bool:
        """Not shared yet, and the share deadline has passed."""
        return self.shared_on is None and self.as_of > self.share_due

    @property
    def response_overdue(self) -> bool:
        """Waiting for the supervisee's answer past the response deadline."""
        return (
            self.state == "shared"
            and self.response_due is not None
            and self.as_of > self.response_due
        )

    @property
    def overdue(self) -> bool:
        return self.share_overdue or self.response_overdue

    @property
    def shared_late(self) -> bool:
        return self.shared_on is not None and self.shared_on > self.share_due

    @property
    def answered_late(self) -> bool:
        return (
            self.answered_on is not None
            and self.response_due is not None
            and self.answered_on > self.response_due
        )


# NHS numbers (spec §4: people are referred to by pseudonym or initials only).

# Ten digits, alone or spaced or hyphenated 3-3-4, not inside a longer run of digits.
_NHS_NUMBER = re.compile(r"(?<![\d])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![\d])")


def is_nhs_number(digits: str) -> bool:
    """Whether ten digits pass the NHS number's modulus 11 check."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * weight for d, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def find_nhs_number(text: str) -> str | None:
    """The first NHS number in the text, as written, or None."""
    for match in _NHS_NUMBER.finditer(text):
        if is_nhs_number("".join(match.groups())):
            return match.group(0)
    return None


# Tracked changes: a word-level comparison of two versions.


@dataclass(frozen=True)
class Piece:
    """A run of words: kept, inserted or deleted."""

    op: str  # "same", "insert", "delete"
    text: str


_TOKENS = re.compile(r"\s+|[^\s]+")


def compare_words(old: str, new: str) -> list[Piece]:
    """The changes from old to new, word by word (whitespace kept with the words)."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    pieces: list[Piece] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(Piece("same", "".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            pieces.append(Piece("delete", "".join(a[i1:i2])))
        if op in ("insert", "replace"):
            pieces.append(Piece("insert", "".join(b[j1:j2])))
    return [p for p in pieces if p.text]
