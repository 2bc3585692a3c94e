"""The person page's sessions: a peer worker's next sessions, their attendance list as the
viewer may read it (spec §2), and where /me/ and the name in the header lead."""

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coreflect.people.models import Person, Role
from coreflect.supervision import actions
from coreflect.testing import make_person

TODAY = dt.date(2026, 11, 23)  # the root conftest's frozen day


def day(offset):
    return TODAY + dt.timedelta(days=offset)


def one_to_one(lead, supervisee, when, *, modality="in_person", location="Room 1"):
    return actions.create_one_to_one(
        by=lead.user,
        lead=lead,
        supervisee=supervisee,
        date=when,
        start_time=dt.time(10),
        duration_minutes=60,
        modality=modality,
        location=location,
    )


def co_reflection(lead, participants, when, location="The Hub"):
    return actions.create_co_reflection(
        by=lead.user,
        lead=lead,
        participants=participants,
        date=when,
        start_time=dt.time(13),
        duration_minutes=180,
        modality="in_person",
        location=location,
    )


def text(response):
    return response.content.decode()


# A peer worker's next sessions, at the top of their own page.


def test_peer_worker_sees_their_next_sessions_when_where_and_with_whom(login, everyone):
    alice, sam, pat = everyone["alice"], everyone["sam"], everyone["pat"]
    first = one_to_one(sam, alice, day(2), modality="video", location="Teams link")
    group = co_reflection(pat, [alice, sam], day(2 + 0))
    response = login(alice).get("/me/", follow=True)
    page = text(response)
    assert "Your next sessions" in page
    assert page.index("Your next sessions") < page.index("Attendance in")
    assert f'href="/sessions/{first.pk}/">One-to-one on Wednesday 25 November at 10:00' in page
    assert "Video call: Teams link" in page and "With Sam Senior, your supervisor" in page
    assert f'href="/sessions/{group.pk}/">Co-reflection on Wednesday 25 November at 13:00' in page
    assert "In person at The Hub" in page and "Facilitated by Pat Lead, with Sam Senior" in page


def test_next_sessions_leave_out_the_past_the_cancelled_and_the_apologies(login, everyone):
    alice, sam, pat = everyone["alice"], everyone["sam"], everyone["pat"]
    one_to_one(sam, alice, day(-1))
    cancelled = one_to_one(sam, alice, day(3))
    actions.cancel_session(
        by=sam.user, session=cancelled, version=1, cancelled_by_side="supervisor", reason="Ill"
    )
    apologies = co_reflection(pat, [alice], day(4))
    actions.set_attendance_status(
        by=pat.user, session=apologies, person=alice, status="apologies", version=1
    )
    booked = one_to_one(sam, alice, day(5), location="")
    response = login(alice).get("/people/ALICE/")
    assert [r.session.pk for r, _ in response.context["next_sessions"]] == [booked.pk]
    assert "In person, place not set yet" in text(response)


def test_peer_worker_with_nothing_booked_is_told_so(login, everyone):
    assert "You have no sessions booked." in text(login(everyone["alice"]).get("/people/ALICE/"))


def test_next_sessions_are_only_on_ones_own_page(login, everyone):
    one_to_one(everyone["sam"], everyone["alice"], day(2))
    response = login(everyone["sam"]).get("/people/ALICE/")
    assert response.context["next_sessions"] == []
    assert "Your next sessions" not in text(response)


# The attendance list: every session links to its page; statuses and reasons as the viewer
# may read them.


def test_every_session_in_the_attendance_list_links_to_its_page(login, everyone):
    alice, sam, pat = everyone["alice"], everyone["sam"], everyone["pat"]
    sessions = [one_to_one(sam, alice, day(-10)), co_reflection(pat, [alice], day(-5))]
    page = text(login(alice).get("/people/ALICE/"))
    for session in sessions:
        assert f'href="/sessions/{session.pk}/">{session.date:%a} {session.date.day}' in page


@pytest.fixture
def cancelled_group(everyone):
    """A co-reflection across two services (Alice in the North, Olly in the South) that the
    head of peer work cancelled, with a reason about Olly."""
    session = co_reflection(everyone["hana"], [everyone["alice"], everyone["olly"]], day(-3))
    actions.cancel_session(
        by=everyone["hana"].user,
        session=session,
        version=1,
        cancelled_by_side="supervisee",
        reason="Olly is off sick",
    )
    return session


@pytest.mark.parametrize(
    ("viewer", "sees_reason"),
    [
        ("alice", False),  # a peer worker: does not see Olly's record
        ("sam", False),  # her supervisor
        ("lena", False),  # her line manager
        ("pat", False),  # the North peer lead
        ("hana", True),  # head of peer work
        ("gus", True),  # governance
    ],
)
def test_attendance_list_shows_the_persons_status_and_a_reason_only_to_who_sees_everyone(
    login, everyone, cancelled_group, viewer, sees_reason
):
    sam, alice = everyone["sam"], everyone["alice"]
    one_to_one(sam, alice, day(-8))
    response = login(everyone[viewer]).get("/people/ALICE/")
    assert response.status_code == 200
    statuses = [line.status_label for _, line in response.context["attendance"]]
    assert statuses == ["Attended", "Cancelled by supervisee"]
    page = text(response)
    assert "Cancelled by supervisee" in page
    assert ("Olly is off sick" in page) is sees_reason


def test_supervisor_sees_their_supervisees_statuses_on_the_list(login, everyone):
    sue, olly = everyone["sue"], everyone["olly"]
    session = one_to_one(sue, olly, day(-2))
    actions.set_attendance_status(
        by=sue.user, session=session, person=olly, status="did_not_attend", version=1
    )
    response = login(sue).get("/people/OLLY/")
    assert [line.status_label for _, line in response.context["attendance"]] == ["Did not attend"]


def test_person_page_query_count_does_not_grow_with_sessions(client, everyone):
    alice, sam, pat = everyone["alice"], everyone["sam"], everyone["pat"]
    client.force_login(alice.user)

    def add(offset):
        one_to_one(sam, alice, day(offset))
        co_reflection(pat, [alice, sam], day(offset + 1))
        one_to_one(sam, alice, day(-offset - 10))
        co_reflection(pat, [alice, sam, everyone["olly"]], day(-offset - 11))

    add(1)
    # Each count is of a second request: the first after a change may store the matrix row
    # and create the policy row, which is the matrix's business, not this list's.
    client.get("/people/ALICE/")
    with CaptureQueriesContext(connection) as few:
        client.get("/people/ALICE/")
    for offset in range(2, 9):
        add(offset)
    client.get("/people/ALICE/")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/people/ALICE/")
    assert len(response.context["next_sessions"]) == 5
    assert len(response.context["attendance"]) == 32
    assert len(many) == len(few), "\n".join(q["sql"][:150] for q in many.captured_queries)


# Where /me/ and the name in the header lead.


def test_me_leads_a_peer_worker_to_their_own_page(login, everyone):
    assert login(everyone["sam"]).get("/me/")["Location"] == "/people/SAM/"


@pytest.mark.parametrize("who", ["gus", "ada", "lena"])
def test_me_leads_someone_without_a_row_of_the_matrix_to_the_overview(login, everyone, who):
    response = login(everyone[who]).get("/me/", follow=True)
    assert response.redirect_chain == [("/", 302)]
    assert "Supervision overview" in text(response)


def test_me_without_a_person_record_is_404(client, db):
    client.force_login(User.objects.create_user("nobody", password="x"))
    assert client.get("/me/").status_code == 404


def test_header_name_of_an_account_without_a_person_record_leads_to_the_overview(client, db):
    client.force_login(User.objects.create_superuser("root", password="x"))
    page = text(client.get("/"))
    assert '<a class="nhsuk-header__account-link" href="/">root</a>' in page


def test_header_name_of_a_governance_account_leads_somewhere_useful(login, everyone):
    client = login(everyone["gus"])
    page = text(client.get("/"))
    assert '<a class="nhsuk-header__account-link" href="/me/">Gus Governance</a>' in page
    assert client.get("/me/", follow=True).status_code == 200


def test_executive_director_reaches_the_overview_of_the_head_she_supervises(login, eve):
    response = login(eve).get("/me/", follow=True)
    assert response.redirect_chain == [("/", 302)]
    assert "Hana Head" in text(response)


def test_someone_in_a_non_peer_role_with_a_login_sees_no_next_sessions(login, north):
    manager = make_person("MIA", "Mia Manager", Role.LINE_MANAGER, locality=north)
    response = login(manager).get("/people/MIA/")
    assert "Your next sessions" not in text(response)


def test_an_id_stored_with_a_slash_before_imports_refused_it_still_links(login, everyone):
    """Imports refuse "/" in ids now; one stored before still gets a working link on every
    senior page, not a server error."""
    Person.objects.filter(pk=everyone["alice"].pk).update(external_id="NORTH/ALICE")
    client = login(everyone["hana"])
    for page in ("/", "/matrix/"):
        response = client.get(page)
        assert response.status_code == 200
        assert 'href="/people/NORTH/ALICE/' in response.content.decode()
    assert "Alice Able" in client.get("/people/NORTH/ALICE/").content.decode()
