"""The escalation route of spec §7, case by case, on plain values."""

import datetime as dt

from coreflect.governance import rules
from coreflect.governance.rules import Member
from coreflect.people.models import PEER_WORK_ROLES, Role

NORTH, SOUTH = 1, 2
TOWN, CITY = 10, 11

W, S, S2, S3, C, C_CITY, C_WIDE, L, H, E, X = range(1, 12)


def member(
    pk: int,
    role: str,
    service: int | None = NORTH,
    locality: int | None = TOWN,
    *,
    employed: bool = True,
) -> Member:
    return Member(pk, role, service, locality, employed)


def org(*members: Member, supervision: tuple[tuple[int, int], ...] = ()) -> rules.Structure:
    return rules.structure(members, supervision)


def steps(pk: int, structure: rules.Structure) -> list[tuple[int, str, tuple[int, ...]]]:
    return [(s.number, s.role.value, s.people) for s in rules.route(pk, structure)]


BASE = (
    member(W, Role.PEER_WORKER),
    member(S, Role.SENIOR_PEER_WORKER),
    member(S2, Role.PEER_PRACTITIONER),
    member(S3, Role.SENIOR_PEER_WORKER, locality=CITY),
    member(C, Role.PEER_COORDINATOR),
    member(L, Role.PEER_LEAD, locality=None),
    member(H, Role.HEAD_OF_PEER_WORK, service=None, locality=None),
    member(E, Role.EXECUTIVE_DIRECTOR, service=None, locality=None, employed=False),
)
# S supervises W; S2 and S3 supervise someone; C supervises S, L supervises C, H supervises L.
SUPERVISION = ((S, W), (S2, 90), (S3, 91), (C, S), (L, C), (H, L), (E, H))


def test_the_seniority_order_is_the_roles_order():
    assert set(rules.SENIORITY) == set(PEER_WORK_ROLES)
    assert list(rules.SENIORITY) == [r for r in Role.values if r in PEER_WORK_ROLES]
    assert rules.EXECUTIVE_DIRECTOR == Role.EXECUTIVE_DIRECTOR


def test_a_peer_worker_has_every_step():
    assert steps(W, org(*BASE, supervision=SUPERVISION)) == [
        (1, "supervisor", (S,)),
        (2, "another_peer_supervisor", (S2, S3, C, L)),
        (3, "peer_coordinator", (C,)),
        (4, "peer_lead", (L,)),
        (5, "head_of_peer_work", (H,)),
    ]


def test_step_two_is_supervisors_of_the_service_only():
    other = member(X, Role.SENIOR_PEER_WORKER, service=SOUTH)
    found = steps(W, org(*BASE, other, supervision=(*SUPERVISION, (X, 92))))
    assert X not in found[1][2]


def test_step_two_leaves_out_someone_who_supervises_no_one():
    found = steps(W, org(*BASE, supervision=((S, W), (S3, 91))))
    assert found[1] == (2, "another_peer_supervisor", (S3,))


def test_step_two_leaves_out_a_supervisor_who_is_not_employed_on_the_day():
    left = (*BASE[:2], member(S2, Role.PEER_PRACTITIONER, employed=False), *BASE[3:])
    found = steps(W, org(*left, supervision=SUPERVISION))
    assert S2 not in found[1][2]


def test_step_two_leaves_out_the_person_and_their_supervisor():
    # W supervises someone too: still not their own "another peer supervisor".
    found = steps(W, org(*BASE, supervision=(*SUPERVISION, (W, 93))))
    assert W not in found[1][2] and S not in found[1][2]


def test_a_coordinator_of_another_locality_is_left_out_but_a_service_wide_one_is_not():
    extra = (
        member(C_CITY, Role.PEER_COORDINATOR, locality=CITY),
        member(C_WIDE, Role.PEER_COORDINATOR, locality=None),
    )
    found = dict((n, people) for n, _, people in steps(W, org(*BASE, *extra)))
    assert found[3] == (C, C_WIDE)


def test_someone_with_no_locality_reaches_every_coordinator_of_their_service():
    extra = (member(C_CITY, Role.PEER_COORDINATOR, locality=CITY),)
    nowhere = member(W, Role.PEER_WORKER, locality=None)
    found = dict((n, people) for n, _, people in steps(W, org(nowhere, *BASE[1:], *extra)))
    assert found[3] == (C, C_CITY)


def test_coordinators_of_another_service_are_left_out():
    south = (member(C_CITY, Role.PEER_COORDINATOR, service=SOUTH),)
    found = dict((n, people) for n, _, people in steps(W, org(*BASE, *south)))
    assert found[3] == (C,)


def test_supervised_by_their_coordinator_step_three_is_left_out():
    """Spec §7's example: a peer support worker supervised by their locality's co-ordinator
    gets steps 1, 2, 4 and 5."""
    found = steps(W, org(*BASE, supervision=((C, W), (S2, 90))))
    assert [n for n, _, _ in found] == [1, 2, 4, 5]
    assert found[0] == (1, "supervisor", (C,))
    assert C not in found[1][2]


def test_another_coordinator_keeps_step_three_for_someone_supervised_by_one():
    extra = (member(C_WIDE, Role.PEER_COORDINATOR, locality=None),)
    found = steps(W, org(*BASE, *extra, supervision=((C, W),)))
    assert (3, "peer_coordinator", (C_WIDE,)) in found


def test_a_coordinator_is_not_on_their_own_route_nor_is_another_coordinator():
    other = member(C_CITY, Role.PEER_COORDINATOR, locality=None)
    found = steps(C, org(*BASE, other, supervision=SUPERVISION))
    assert [n for n, _, _ in found] == [1, 2, 5]  # L supervises C: step 4 is left out
    assert found[0] == (1, "supervisor", (L,))


def test_a_peer_lead_has_no_coordinator_or_lead_step():
    other = member(X, Role.PEER_LEAD, locality=None)
    found = steps(L, org(*BASE, other, supervision=SUPERVISION))
    assert [n for n, _, _ in found] == [1, 2, 5]


def test_a_lead_who_is_not_employed_on_the_day_is_left_out():
    left = tuple(
        member(L, Role.PEER_LEAD, locality=None, employed=False) if m.pk == L else m for m in BASE
    )
    assert 4 not in [n for n, _, _ in steps(W, org(*left))]


def test_supervised_by_the_head_step_five_is_the_executive_director():
    found = steps(L, org(*BASE, supervision=SUPERVISION))
    assert found[0] == (1, "supervisor", (H,))
    assert found[-1] == (5, "executive_director", (E,))


def test_the_head_of_peer_work_escalates_to_the_executive_director():
    found = steps(H, org(*BASE, supervision=SUPERVISION))
    assert found == [(1, "supervisor", (E,)), (5, "executive_director", (E,))]


def test_another_head_is_step_five_for_the_head():
    other = member(X, Role.HEAD_OF_PEER_WORK, service=None, locality=None)
    found = steps(H, org(*BASE, other, supervision=SUPERVISION))
    assert found[-1] == (5, "head_of_peer_work", (X,))


def test_a_head_who_has_left_is_not_step_five():
    left = tuple(
        member(H, Role.HEAD_OF_PEER_WORK, None, None, employed=False) if m.pk == H else m
        for m in BASE
    )
    assert steps(W, org(*left))[-1] == (5, "executive_director", (E,))


def test_without_any_director_step_five_is_left_out():
    no_director = tuple(m for m in BASE if m.pk != E)
    assert [n for n, _, _ in steps(H, org(*no_director))] == []


def test_no_supervisor_leaves_out_step_one():
    assert [n for n, _, _ in steps(W, org(*BASE))][0] == 3


def test_several_supervisors_are_all_on_step_one_in_order():
    found = steps(W, org(*BASE, supervision=((S3, W), (S, W))))
    assert found[0] == (1, "supervisor", (S, S3))


def test_someone_not_in_peer_work_on_the_day_has_no_route():
    structure = org(
        member(W, Role.PEER_WORKER, employed=False),
        member(X, Role.LINE_MANAGER),
        *BASE[1:],
    )
    assert rules.route(W, structure) == ()
    assert rules.route(X, structure) == ()
    assert rules.route(999, structure) == ()


def test_someone_with_no_service_has_no_service_steps():
    found = steps(
        W, org(member(W, Role.PEER_WORKER, None, None), *BASE[1:], supervision=SUPERVISION)
    )
    assert [n for n, _, _ in found] == [1, 5]


def test_more_senior_follows_the_order():
    assert rules.more_senior("peer_coordinator", "peer_worker")
    assert not rules.more_senior("peer_coordinator", "peer_coordinator")
    assert not rules.more_senior("peer_coordinator", "peer_lead")


def test_on_step_finds_a_person_on_that_step_only():
    route = rules.route(W, org(*BASE, supervision=SUPERVISION))
    assert rules.on_step(route, 1, S) is not None
    assert rules.on_step(route, 1, C) is None
    assert rules.on_step(route, 3, C) is not None


def test_a_concern_cannot_be_raised_in_the_future():
    today = dt.date(2026, 11, 23)
    assert rules.raised_on_problem(today, today=today) is None
    assert rules.raised_on_problem(today + dt.timedelta(days=1), today=today)


def test_quarters_follow_the_recording_year():
    assert rules.quarter_of(dt.date(2026, 4, 1), year_start_month=4) == (2026, 1)
    assert rules.quarter_of(dt.date(2026, 11, 23), year_start_month=4) == (2026, 3)
    assert rules.quarter_of(dt.date(2027, 3, 31), year_start_month=4) == (2026, 4)
    assert rules.quarter_of(dt.date(2026, 1, 1), year_start_month=1) == (2026, 1)


JAN, FEB, MAR, APR = (dt.date(2026, m, 1) for m in (1, 2, 3, 4))


def test_the_placement_covering_the_day_is_the_role_and_team_then():
    history = [(JAN, dt.date(2026, 1, 31), "north"), (FEB, None, "south")]
    assert rules.placement_on(dt.date(2026, 1, 31), history) == "north"
    assert rules.placement_on(FEB, history) == "south"


def test_before_the_first_placement_the_first_is_all_that_is_known():
    assert rules.placement_on(dt.date(2025, 6, 1), [(JAN, None, "north")]) == "north"


def test_after_the_last_placement_ends_or_in_a_gap_there_is_none():
    history = [(JAN, dt.date(2026, 1, 31), "north"), (MAR, dt.date(2026, 3, 31), "south")]
    assert rules.placement_on(dt.date(2026, 2, 15), history) is None
    assert rules.placement_on(APR, history) is None


def test_of_two_overlapping_placements_the_later_start_wins():
    assert rules.placement_on(MAR, [(JAN, None, "north"), (FEB, None, "south")]) == "south"
