"""Who sees a register (spec §2): a participant's status and any reason only for those who may
see that person's record; a fellow member of a group sees who was invited, nothing more. On
the session page and in the sessions list (the person page is in compliance/tests)."""

import datetime as dt

import pytest

from coreflect.supervision import access, actions
from coreflect.supervision.models import Session, SupervisionRelationship
from coreflect.supervision.tests.conftest import TODAY

STATUS_WORDS = {"ALICE": "Attended", "OLLY": "Apologies", "SAM": "Did not attend"}

# Who sees whose status in the group below (Alice and Sam in the North, Olly in the South).
SEES = {
    "alice": {"ALICE"},  # a peer worker: their own
    "olly": {"OLLY"},  # a fellow member of the group: their own
    "sam": {"ALICE", "SAM"},  # Alice's supervisor, and himself
    "sue": {"ALICE", "OLLY", "SAM"},  # the facilitator, who takes the register
    "lena": {"ALICE"},  # the line manager of one participant
    "pat": {"ALICE", "SAM"},  # the North peer lead: their service
    "hana": {"ALICE", "OLLY", "SAM"},  # head of peer work
    "gus": {"ALICE", "OLLY", "SAM"},  # governance
    "ada": {"ALICE", "OLLY", "SAM"},  # administrator
}


@pytest.fixture
def group(everyone, co_reflection):
    """A co-reflection Sue facilitated two days ago, across two services: Alice attended,
    Olly sent apologies, Sam did not attend."""
    alice, olly, sam, sue = (everyone[k] for k in ("alice", "olly", "sam", "sue"))
    session = co_reflection(sue, [alice, olly, sam], TODAY - dt.timedelta(days=2))
    actions.record_register(
        by=sue.user,
        session=session,
        statuses={alice.pk: "attended", olly.pk: "apologies", sam.pk: "did_not_attend"},
        version=1,
    )
    return session


def text(response):
    return response.content.decode()


@pytest.mark.parametrize("viewer", sorted(SEES))
def test_session_page_shows_each_status_only_to_those_who_may_see_that_person(
    login, everyone, group, viewer
):
    response = login(everyone[viewer]).get(f"/sessions/{group.pk}/")
    assert response.status_code == 200
    lines = {line.person.external_id: line.status for line in response.context["register"].lines}
    assert {pid for pid, status in lines.items() if status is not None} == SEES[viewer]
    page = text(response)
    for pid, words in STATUS_WORDS.items():
        name = everyone[pid.lower()].name
        assert name in page  # everyone who may open the session sees who was invited
        if viewer == "sue":
            continue  # the facilitator's register form lists every status as a choice
        if pid in SEES[viewer]:
            assert f"{name}: {words}" in page
        else:
            assert words not in page and f"{name}:" not in page


def test_facilitator_sees_every_status_in_the_register_form(login, everyone, group):
    form = login(everyone["sue"]).get(f"/sessions/{group.pk}/").context["form"]
    assert {row.person.external_id: row.status for row in form.rows} == {
        "ALICE": "attended",
        "OLLY": "apologies",
        "SAM": "did_not_attend",
    }


def test_fellow_member_is_told_why_some_statuses_are_missing(login, everyone, group):
    page = text(login(everyone["olly"]).get(f"/sessions/{group.pk}/"))
    assert "you see it only for people whose records you can see" in page
    assert "Save register" not in page


def test_someone_who_sees_everyone_is_not_told_anything_is_missing(login, everyone, group):
    page = text(login(everyone["gus"]).get(f"/sessions/{group.pk}/"))
    assert "you see it only for people whose records you can see" not in page


@pytest.fixture
def cancelled_group(everyone, co_reflection):
    alice, olly, sue = everyone["alice"], everyone["olly"], everyone["sue"]
    session = co_reflection(sue, [alice, olly], TODAY + dt.timedelta(days=2))
    actions.cancel_session(
        by=sue.user,
        session=session,
        version=1,
        cancelled_by_side="supervisee",
        reason="Olly is on leave",
        alternative_offered="Wednesday 2 December",
    )
    return session


@pytest.mark.parametrize(
    ("viewer", "sees_reason"),
    [
        ("alice", False),  # a member: does not see Olly's record
        ("olly", False),
        ("lena", False),
        ("pat", False),
        ("sue", True),  # the facilitator
        ("hana", True),
        ("gus", True),
    ],
)
def test_cancellation_reason_and_alternative_only_for_those_who_see_everyone_on_it(
    login, everyone, cancelled_group, viewer, sees_reason
):
    page = text(login(everyone[viewer]).get(f"/sessions/{cancelled_group.pk}/"))
    assert "Cancelled" in page
    assert ("Reason: Olly is on leave" in page) is sees_reason
    assert ("Wednesday 2 December" in page) is sees_reason
    if not sees_reason:
        assert "Olly is on leave" not in page


def test_supervisee_sees_their_one_to_ones_cancellation_reason(login, sam, alice, one_to_one):
    session = one_to_one(sam, alice, TODAY + dt.timedelta(days=2))
    actions.cancel_session(
        by=sam.user, session=session, version=1, cancelled_by_side="supervisee", reason="Unwell"
    )
    page = text(login(alice).get(f"/sessions/{session.pk}/"))
    assert "Reason: Unwell" in page and "Alice Able: Cancelled by supervisee" in page


def test_former_supervisor_no_longer_sees_the_status_or_reason_of_an_old_one_to_one(
    login, sam, alice, one_to_one
):
    session = one_to_one(sam, alice, TODAY - dt.timedelta(days=10))
    actions.cancel_session(
        by=sam.user, session=session, version=1, cancelled_by_side="supervisee", reason="Unwell"
    )
    SupervisionRelationship.objects.filter(supervisee=alice).update(
        end_date=TODAY - dt.timedelta(days=1)
    )
    page = text(login(sam).get(f"/sessions/{session.pk}/"))
    assert "Alice Able" in page
    assert "Cancelled by supervisee" not in page and "Unwell" not in page


# The sessions list (the registers of the sessions one leads).


def list_rows(response, section):
    return [(r.session.pk, r.summary) for r in response.context[section]]


def test_sessions_list_summarises_a_taken_group_register(login, everyone, group):
    response = login(everyone["sue"]).get("/sessions/")
    assert list_rows(response, "recent") == [(group.pk, "1 of 3 attended")]
    assert "1 of 3 attended" in text(response) and "3 invited" not in text(response)


def test_sessions_list_says_when_a_past_register_was_not_taken(
    login, sam, alice, pat, co_reflection
):
    session = co_reflection(sam, [alice, pat], TODAY - dt.timedelta(days=5))
    response = login(sam).get("/sessions/")
    assert list_rows(response, "recent") == [(session.pk, "Register not taken")]


def test_sessions_list_counts_the_invited_for_an_upcoming_group(
    login, sam, alice, pat, co_reflection
):
    session = co_reflection(sam, [alice, pat], TODAY + dt.timedelta(days=2))
    response = login(sam).get("/sessions/")
    assert list_rows(response, "upcoming") == [(session.pk, "2 invited")]


def test_sessions_list_gives_a_one_to_ones_status_in_words(login, sam, alice, one_to_one):
    session = one_to_one(sam, alice, TODAY - dt.timedelta(days=3))
    assert list_rows(login(sam).get("/sessions/"), "recent") == [(session.pk, "Attended")]


def test_sessions_list_hides_a_former_supervisees_status(login, sam, alice, one_to_one):
    session = one_to_one(sam, alice, TODAY - dt.timedelta(days=3))
    actions.set_attendance_status(
        by=sam.user, session=session, person=alice, status="did_not_attend", version=1
    )
    SupervisionRelationship.objects.filter(supervisee=alice).update(
        end_date=TODAY - dt.timedelta(days=1)
    )
    response = login(sam).get("/sessions/")
    assert list_rows(response, "recent") == [(session.pk, "Not shown to you")]
    assert "Did not attend" not in text(response)


@pytest.mark.parametrize("lead", ["sam", "pat", "hana"])
def test_sessions_list_of_any_lead_shows_their_groups_register(
    request, login, everyone, co_reflection, lead
):
    """A supervisor, a service lead and the head of peer work each see the whole register of
    the groups they facilitate, whoever is on it."""
    facilitator = everyone[lead]
    members = [everyone["alice"], everyone["olly"]]
    session = co_reflection(facilitator, members, TODAY - dt.timedelta(days=1))
    actions.record_register(
        by=facilitator.user,
        session=session,
        statuses={everyone["alice"].pk: "attended", everyone["olly"].pk: "attended"},
        version=1,
    )
    assert list_rows(login(facilitator).get("/sessions/"), "recent") == [
        (session.pk, "2 of 2 attended")
    ]


def test_supervisor_sees_the_registers_still_to_complete_at_the_top(
    login, sam, alice, pat, co_reflection, one_to_one
):
    not_taken = co_reflection(sam, [alice, pat], TODAY - dt.timedelta(days=5))
    half_taken = co_reflection(sam, [alice, pat], TODAY - dt.timedelta(days=12))
    actions.set_attendance_status(
        by=sam.user, session=half_taken, person=alice, status="attended", version=1
    )
    taken = co_reflection(sam, [alice, pat], TODAY - dt.timedelta(days=19))
    actions.record_register(
        by=sam.user, session=taken, statuses={alice.pk: "attended", pat.pk: "apologies"}, version=1
    )
    co_reflection(sam, [alice, pat], TODAY + dt.timedelta(days=2))  # not happened yet
    one_to_one(sam, alice, TODAY - dt.timedelta(days=2))  # marked attended when recorded
    response = login(sam).get("/sessions/")
    assert list_rows(response, "to_complete") == [
        (not_taken.pk, "Register not taken"),
        (half_taken.pk, "1 of 2 attended, 1 not marked yet"),
    ]
    page = text(response)
    assert page.index("Registers to complete") < page.index("Upcoming")


def test_registers_to_complete_leave_out_cancelled_and_closed_records(
    login, sam, alice, pat, co_reflection, one_to_one
):
    cancelled = co_reflection(sam, [alice, pat], TODAY - dt.timedelta(days=5))
    actions.cancel_session(
        by=sam.user, session=cancelled, version=1, cancelled_by_side="supervisor", reason="Ill"
    )
    old = one_to_one(sam, alice, TODAY - dt.timedelta(days=4))
    actions.set_attendance_status(
        by=sam.user, session=old, person=alice, status="invited", version=1
    )
    SupervisionRelationship.objects.filter(supervisee=alice).update(
        end_date=TODAY - dt.timedelta(days=1)
    )
    response = login(sam).get("/sessions/")
    assert response.context["to_complete"] == []
    assert "Registers to complete" not in text(response)


def test_sessions_list_query_count_does_not_grow_with_sessions(
    login, sam, alice, pat, one_to_one, co_reflection, django_assert_max_num_queries
):
    client = login(sam)
    one_to_one(sam, alice, TODAY + dt.timedelta(days=1))
    one_to_one(sam, alice, TODAY - dt.timedelta(days=1))
    co_reflection(sam, [alice, pat], TODAY - dt.timedelta(days=1))  # a register to complete
    with django_assert_max_num_queries(50) as few:
        client.get("/sessions/")
    for days in range(2, 9):
        one_to_one(sam, alice, TODAY + dt.timedelta(days=days))
        one_to_one(sam, alice, TODAY - dt.timedelta(days=days))
        co_reflection(sam, [alice, pat], TODAY - dt.timedelta(days=days))
        co_reflection(sam, [alice, pat], TODAY + dt.timedelta(days=days))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/sessions/")
    assert len(response.context["to_complete"]) == 8


def test_registers_for_reads_reach_once_whatever_the_number_of_sessions(
    everyone, co_reflection, django_assert_num_queries
):
    sue, alice, olly = everyone["sue"], everyone["alice"], everyone["olly"]
    for days in range(1, 6):
        co_reflection(sue, [alice, olly], TODAY - dt.timedelta(days=days))
    sessions = list(access.with_registers(Session.objects.all()))
    with django_assert_num_queries(1):  # who of these participants Lena may see
        registers = access.registers_for(everyone["lena"].user, sessions, on=TODAY)
    assert all([line.status_visible for line in r.lines] == [True, False] for r in registers)
