"""Pure rules about sessions and who may record them (spec §1, §2): no Django, dates passed in.

Roles and statuses are their stored values ("governance", "invited"): the Django choices in
people.models and supervision.models name the same strings.
"""

import calendar
import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from enum import StrEnum

WEDNESDAY = 2

ONE_TO_ONE = "one_to_one"
ATTENDED = "attended"
# Statuses a register starts with: nobody has said yet whether the person came.
UNMARKED = frozenset({"invited", "tentative"})
# Accounts that run or audit the system (Role.GOVERNANCE, Role.ADMIN) supervise no one.
NON_SUPERVISING_ROLES = frozenset({"governance", "admin"})


def last_weekday_of_month(year: int, month: int, weekday: int) -> dt.date:
    """The last given weekday (Monday = 0) of a month, e.g. the last Wednesday."""
    last = dt.date(year, month, calendar.monthrange(year, month)[1])
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def default_co_reflection_date(today: dt.date) -> dt.date:
    """Co-reflection recurs on the last Wednesday of the month: this month's, or next
    month's once this month's has passed."""
    this_month = last_weekday_of_month(today.year, today.month, WEDNESDAY)
    if this_month >= today:
        return this_month
    following = today.replace(day=28) + dt.timedelta(days=4)
    return last_weekday_of_month(following.year, following.month, WEDNESDAY)


def location_is_late(
    session_date: dt.date, location_set_on: dt.date, notice_days: int, *, created_on: dt.date
) -> bool:
    """True when the location was given fewer than `notice_days` calendar days ahead; never for
    a session recorded on or after its date (a retrospective record: there was no one to tell)."""
    if created_on >= session_date and location_set_on >= session_date:
        return False
    return (session_date - location_set_on).days < notice_days


# Who may supervise, record and correct (spec §1, §2).


def may_supervise(role: str) -> bool:
    """Whether someone in this role may be made anyone's supervisor: not governance or
    administrator accounts."""
    return role not in NON_SUPERVISING_ROLES


def may_facilitate(*, role_records_sessions: bool, supervises_in_peer_work: bool) -> bool:
    """Who may facilitate (and so record) a co-reflection: a peer-work role that records
    sessions (senior peer worker and above), or anyone who supervises someone in peer work now."""
    return role_records_sessions or supervises_in_peer_work


def record_is_open(
    *, kind: str, lead_supervises_participant: bool, lead_may_facilitate: bool
) -> bool:
    """A session's record stays open while its lead holds the relationship it was led through:
    a one-to-one while the lead supervises the supervisee in peer work, a co-reflection while
    the lead may facilitate."""
    if kind == ONE_TO_ONE:
        return lead_supervises_participant
    return lead_may_facilitate


def may_correct(
    *,
    corrects_any: bool,
    corrects_service: int | None,
    participant_services: Collection[int | None],
) -> bool:
    """Whether someone may correct a closed record: the head of peer work any; a peer lead or
    co-ordinator (`corrects_service`, their service) one whose participants are all in it."""
    if corrects_any:
        return True
    return (
        corrects_service is not None
        and bool(participant_services)
        and all(service == corrects_service for service in participant_services)
    )


class Right(StrEnum):
    """What someone may do to a session: record it as its lead, or correct a closed record."""

    LEAD = "lead"
    CORRECT = "correct"


def right_to_change(*, is_lead: bool, record_open: bool, may_correct: bool) -> Right | None:
    """The lead changes an open record, nobody else; a closed one only by correction."""
    if record_open:
        return Right.LEAD if is_lead else None
    return Right.CORRECT if may_correct else None


# What a register says in a list (spec §2: status in words; hidden statuses stay hidden).


def register_not_taken(statuses: Collection[str]) -> bool:
    """Every participant is still invited or tentative (and there is someone on it)."""
    return bool(statuses) and all(status in UNMARKED for status in statuses)


def register_incomplete(statuses: Collection[str]) -> bool:
    """Someone on the register has not been marked yet."""
    return any(status in UNMARKED for status in statuses)


def register_summary(
    statuses: Sequence[str | None],
    *,
    session_date: dt.date,
    today: dt.date,
    cancelled: bool,
    labels: Mapping[str, str],
) -> str:
    """A register in a few words for a list. `statuses` holds None for each participant whose
    status the reader may not see: those are never counted."""
    if not statuses:
        return "No one on the register"
    shown = [status for status in statuses if status is not None]
    if len(statuses) == 1:
        return labels[shown[0]] if shown else "Not shown to you"
    if cancelled:
        return "Cancelled"
    if session_date > today:
        return f"{len(statuses)} invited"
    if not shown:
        return "Not shown to you"
    if register_not_taken(shown):
        return "Register not taken" if session_date < today else f"{len(statuses)} invited"
    attended = sum(status == ATTENDED for status in shown)
    unmarked = sum(status in UNMARKED for status in shown)
    if len(shown) < len(statuses):
        words = f"{attended} of the {len(shown)} you can see attended"
    else:
        words = f"{attended} of {len(statuses)} attended"
    return f"{words}, {unmarked} not marked yet" if unmarked else words
