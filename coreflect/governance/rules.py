"""The escalation route when supervision is not working (spec §7, seed 000 §5.12 and
Appendix 6), on plain values. Pure: no Django.

The structure is read once as of a date D (governance/structure.py): each person's role, team
and whether they are employed on D, and who supervises whom in peer work on D. From it, the
route of every peer worker follows without asking the database again.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

# The peer-work roles, most senior first (spec §1; the values of people.models.Role, which
# governance/tests/test_rules.py keeps in step).
SENIORITY: tuple[str, ...] = (
    "head_of_peer_work",
    "peer_lead",
    "peer_coordinator",
    "senior_peer_worker",
    "peer_practitioner",
    "peer_worker",
    "peer_support_worker",
)
EXECUTIVE_DIRECTOR = "executive_director"

# A placement: its first day, its last (None while it goes on), and what it holds.
type Dated[T] = tuple[dt.date, dt.date | None, T]


class StepRole(StrEnum):
    """Who a step of the route is with (spec §7's role keys)."""

    SUPERVISOR = "supervisor"
    ANOTHER_PEER_SUPERVISOR = "another_peer_supervisor"
    PEER_COORDINATOR = "peer_coordinator"
    PEER_LEAD = "peer_lead"
    HEAD_OF_PEER_WORK = "head_of_peer_work"
    EXECUTIVE_DIRECTOR = "executive_director"


# What each step asks of the person, in the flowchart's words (seed 000 Appendix 6).
ADVICE: dict[StepRole, str] = {
    StepRole.SUPERVISOR: "Raise it constructively with your supervisor, if you feel able to.",
    StepRole.ANOTHER_PEER_SUPERVISOR: "For support in raising it with your supervisor, "
    "approach another peer supervisor in your service.",
    StepRole.PEER_COORDINATOR: "If the steps above are not possible for you or do not resolve "
    "it, raise it with the peer co-ordinator of your service or locality.",
    StepRole.PEER_LEAD: "If the steps above are not possible for you or do not resolve it, "
    "raise it with the peer lead of your service or locality.",
    StepRole.HEAD_OF_PEER_WORK: "If the steps above are not possible for you or do not resolve "
    "it, raise it with the Head of Peer Work.",
    StepRole.EXECUTIVE_DIRECTOR: "If the steps above are not possible for you or do not "
    "resolve it, raise it with the Executive Director of Therapies.",
}

LABELS: dict[StepRole, str] = {
    StepRole.SUPERVISOR: "Your supervisor",
    StepRole.ANOTHER_PEER_SUPERVISOR: "Another peer supervisor",
    StepRole.PEER_COORDINATOR: "Peer co-ordinator",
    StepRole.PEER_LEAD: "Peer lead",
    StepRole.HEAD_OF_PEER_WORK: "Head of Peer Work",
    StepRole.EXECUTIVE_DIRECTOR: "Executive Director of Therapies",
}


@dataclass(frozen=True)
class Member:
    """A person as the route sees them on D: their role and team then (None: no placement on
    D), and whether an employment period covers D."""

    pk: int
    role: str | None
    service: int | None = None
    locality: int | None = None
    employed: bool = False

    @property
    def in_peer_work(self) -> bool:
        """Peer-work staff on D: a peer-work role and employed (spec §7)."""
        return self.employed and self.role in SENIORITY


@dataclass(frozen=True)
class Step:
    number: int
    role: StepRole
    people: tuple[int, ...]

    @property
    def label(self) -> str:
        return LABELS[self.role]

    @property
    def advice(self) -> str:
        return ADVICE[self.role]


def more_senior(role: str, than: str) -> bool:
    """Whether a peer-work role is more senior than another (spec §1's order)."""
    return than in SENIORITY and SENIORITY.index(role) < SENIORITY.index(than)


@dataclass(frozen=True)
class Structure:
    """The organisation on D, indexed so that each route is quick to read."""

    members: Mapping[int, Member]
    # Each person's peer-work supervisors on D.
    supervisors_of: Mapping[int, frozenset[int]]
    # Peer-work staff who supervise someone on D, by service.
    supervising: Mapping[int | None, tuple[Member, ...]] = field(default_factory=dict)
    # Peer-work staff by (role, service), for the co-ordinators and leads.
    by_role: Mapping[tuple[str, int | None], tuple[Member, ...]] = field(default_factory=dict)
    heads: tuple[int, ...] = ()
    directors: tuple[int, ...] = ()


def structure(members: Iterable[Member], supervision: Iterable[tuple[int, int]]) -> Structure:
    """The structure from everyone's Member on D and the (supervisor, supervisee) pairs of the
    peer-work relationships in force on D."""
    people = {m.pk: m for m in members}
    supervisors_of: dict[int, set[int]] = defaultdict(set)
    for supervisor, supervisee in supervision:
        supervisors_of[supervisee].add(supervisor)
    who_supervise = {s for group in supervisors_of.values() for s in group}
    supervising: dict[int | None, list[Member]] = defaultdict(list)
    by_role: dict[tuple[str, int | None], list[Member]] = defaultdict(list)
    heads: list[int] = []
    directors: list[int] = []
    for m in people.values():
        if m.role == EXECUTIVE_DIRECTOR:
            directors.append(m.pk)
        if not m.in_peer_work or m.role is None:
            continue
        if m.pk in who_supervise:
            supervising[m.service].append(m)
        by_role[(m.role, m.service)].append(m)
        if m.role == "head_of_peer_work":
            heads.append(m.pk)
    return Structure(
        members=people,
        supervisors_of={pk: frozenset(group) for pk, group in supervisors_of.items()},
        supervising={k: tuple(v) for k, v in supervising.items()},
        by_role={k: tuple(v) for k, v in by_role.items()},
        heads=tuple(sorted(heads)),
        directors=tuple(sorted(directors)),
    )


def _in_reach(x: Member, m: Member) -> bool:
    """A co-ordinator or lead in X's reach: their locality is X's or blank, or any of the
    service's if X has no locality."""
    return x.locality is None or m.locality is None or m.locality == x.locality


def route(pk: int, org: Structure) -> tuple[Step, ...]:
    """The escalation route of one peer worker on D (spec §7): the steps in order, each with
    the ids of the people on it; a step with no one is left out, the others keep their number.
    Empty for someone who is not peer-work staff on D."""
    x = org.members.get(pk)
    if x is None or not x.in_peer_work or x.role is None:
        return ()
    s = org.supervisors_of.get(pk, frozenset())
    left_out = s | {pk}
    steps: list[Step] = []

    def add(number: int, role: StepRole, people: Iterable[int]) -> None:
        found = tuple(sorted(set(people)))
        if found:
            steps.append(Step(number, role, found))

    add(1, StepRole.SUPERVISOR, s)
    in_service = x.service is not None
    add(
        2,
        StepRole.ANOTHER_PEER_SUPERVISOR,
        (
            m.pk
            for m in (org.supervising.get(x.service, ()) if in_service else ())
            if m.pk not in left_out
        ),
    )
    for number, role, key in (
        (3, StepRole.PEER_COORDINATOR, "peer_coordinator"),
        (4, StepRole.PEER_LEAD, "peer_lead"),
    ):
        candidates = org.by_role.get((key, x.service), ()) if in_service else ()
        add(
            number,
            role,
            (
                m.pk
                for m in candidates
                if m.pk not in left_out and _in_reach(x, m) and more_senior(key, x.role)
            ),
        )
    heads = [h for h in org.heads if h not in left_out]
    if heads:
        add(5, StepRole.HEAD_OF_PEER_WORK, heads)
    else:
        add(5, StepRole.EXECUTIVE_DIRECTOR, org.directors)
    return tuple(steps)


def on_step(steps: Iterable[Step], number: int, pk: int) -> Step | None:
    """The step of this number if this person is on it, else None."""
    return next((s for s in steps if s.number == number and pk in s.people), None)


def placement_on[T](day: dt.date, history: Sequence[Dated[T]]) -> T | None:
    """A person's role and team on the day, from their placements (first day, last day or None,
    what), earliest first: the one
    covering the day (the later start, if two overlap); before the first one, the first (the
    history was not kept before it: an import records a person's placement from the day it
    ran); none after the last one has ended, nor in a gap between two."""
    found = None
    for start, end, placed in history:
        if start <= day and (end is None or end >= day):
            found = placed
    if found is None and history and day < history[0][0]:
        return history[0][2]
    return found


# Concerns raised.


def raised_on_problem(raised_on: dt.date, *, today: dt.date) -> str | None:
    """Why a concern cannot be recorded as raised on this day, or None: not in the future."""
    if raised_on > today:
        return "The date you raised it must be today or in the past"
    return None


def quarter_of(day: dt.date, *, year_start_month: int) -> tuple[int, int]:
    """The recording year (the calendar year it starts in) and quarter (1–4) of a day."""
    months = (day.month - year_start_month) % 12
    start_year = day.year if day.month >= year_start_month else day.year - 1
    return start_year, months // 3 + 1
