"""Writing, sharing, answering and revising notes through the pages, as the two people of a
one-to-one; and everyone else kept out."""

import datetime as dt

import pytest

from coreflect.notes.models import Action, Notes, NotesEvent, NotesVersion, ReflectiveModel
from coreflect.notes.tests.conftest import hand_over, one_to_one, share_notes, write_notes
from coreflect.policy.actions import change_policy
from coreflect.policy.models import PolicySettings


def form_data(version, **fields):
    model = ReflectiveModel.objects.get(is_default=True)
    data = {
        "version": version,
        "wellbeing": "",
        "actions_review": "",
        "challenging": "",
        "gone_well": "",
        "caseload_examples": "",
        "topics_to_return": "",
    }
    data.update({f"reflection_{i}": "" for i in range(len(model.prompts))})
    data.update(fields)
    return data


def test_supervisor_writes_then_shares_and_supervisee_accepts(login, everyone, held):
    sam, alice = everyone["sam"], everyone["alice"]
    client = login(sam)
    page = client.get(f"/notes/session/{held.pk}/")
    assert page.status_code == 200
    assert "Write the notes" in page.text
    response = client.post(
        f"/notes/session/{held.pk}/write/",
        form_data(0, wellbeing="Tired but OK", reflection_0="A hard visit", values=["respect"]),
    )
    assert response.status_code == 302
    notes = Notes.objects.get(session=held)
    assert notes.state == "draft"
    version = notes.versions.get()
    assert version.wellbeing == "Tired but OK"
    assert version.reflection[0] == "A hard visit"
    assert version.values == ["respect"]
    # The supervisee does not see a draft.
    client = login(alice)
    page = client.get(f"/notes/session/{held.pk}/")
    assert "Tired but OK" not in page.text
    assert "has not shared the notes yet" in page.text
    client = login(sam)
    client.post(f"/notes/session/{held.pk}/move/", {"to": "shared", "version": notes.version})
    notes.refresh_from_db()
    assert notes.state == "shared"
    client = login(alice)
    page = client.get(f"/notes/session/{held.pk}/")
    assert "Tired but OK" in page.text
    assert "Accept the notes" in page.text
    client.post(f"/notes/session/{held.pk}/move/", {"to": "accepted", "version": notes.version})
    notes.refresh_from_db()
    assert notes.state == "accepted"
    assert [e.state for e in NotesEvent.objects.filter(notes=notes)] == [
        "draft",
        "shared",
        "accepted",
    ]
    # Locked: the supervisor can no longer write.
    client = login(sam)
    response = client.post(
        f"/notes/session/{held.pk}/write/", form_data(notes.version, wellbeing="x")
    )
    assert response.status_code == 302
    assert notes.versions.get().wellbeing == "Tired but OK"


def test_empty_notes_cannot_be_shared(login, everyone, held):
    client = login(everyone["sam"])
    client.post(f"/notes/session/{held.pk}/write/", form_data(0))
    notes = Notes.objects.get(session=held)
    response = client.post(
        f"/notes/session/{held.pk}/move/", {"to": "shared", "version": notes.version}, follow=True
    )
    notes.refresh_from_db()
    assert notes.state == "draft"
    assert "not empty" in response.text


def test_supervisee_suggests_changes_shown_as_tracked_changes_then_revised(login, everyone, held):
    sam, alice = everyone["sam"], everyone["alice"]
    write_notes(sam, held, challenging="We talked about boundaries on Monday")
    notes = share_notes(sam, held)
    client = login(alice)
    response = client.post(
        f"/notes/session/{held.pk}/write/",
        form_data(
            notes.version, wellbeing="Fine", challenging="We talked about boundaries on Tuesday"
        ),
    )
    assert response.status_code == 302
    notes.refresh_from_db()
    assert notes.state == "changes_requested"
    shared, proposed = notes.versions.order_by("number")
    assert proposed.kind == "proposed" and proposed.based_on == shared
    assert proposed.author == alice
    # The shared version is kept as it was.
    assert shared.challenging == "We talked about boundaries on Monday"
    client = login(sam)
    page = client.get(f"/notes/session/{held.pk}/")
    assert "See the changes they suggested" in page.text
    compare = client.get(f"/notes/session/{held.pk}/compare/{shared.number}/{proposed.number}/")
    assert '<del><span class="app-change-label">removed:</span> Monday</del>' in compare.text
    assert '<ins><span class="app-change-label">added:</span> Tuesday</ins>' in compare.text
    # The supervisor revises (a new draft from the proposal) and shares again.
    client.post(
        f"/notes/session/{held.pk}/write/",
        form_data(
            notes.version, wellbeing="Fine", challenging="We talked about boundaries on Tuesday."
        ),
    )
    notes.refresh_from_db()
    assert notes.state == "draft"
    client.post(f"/notes/session/{held.pk}/move/", {"to": "shared", "version": notes.version})
    notes.refresh_from_db()
    assert notes.state == "shared"
    assert [v.kind for v in notes.versions.order_by("number")] == ["shared", "proposed", "shared"]
    client = login(alice)
    client.post(f"/notes/session/{held.pk}/move/", {"to": "accepted", "version": notes.version})
    notes.refresh_from_db()
    assert notes.state == "accepted"


def test_supervisee_must_change_something_to_ask_for_changes(login, everyone, held):
    write_notes(everyone["sam"], held)
    notes = share_notes(everyone["sam"], held)
    client = login(everyone["alice"])
    response = client.post(
        f"/notes/session/{held.pk}/write/", form_data(notes.version, wellbeing="Fine")
    )
    assert response.status_code == 200
    assert "You have not changed anything" in response.text
    notes.refresh_from_db()
    assert notes.state == "shared"


def test_review_together_then_supervisor_shares_again(login, everyone, held):
    write_notes(everyone["sam"], held)
    notes = share_notes(everyone["sam"], held)
    client = login(everyone["alice"])
    client.post(
        f"/notes/session/{held.pk}/move/", {"to": "review_together", "version": notes.version}
    )
    notes.refresh_from_db()
    assert notes.state == "review_together"
    client = login(everyone["sam"])
    client.post(f"/notes/session/{held.pk}/move/", {"to": "shared", "version": notes.version})
    notes.refresh_from_db()
    assert notes.state == "shared"


def test_the_wrong_party_cannot_move_notes(login, everyone, held):
    write_notes(everyone["sam"], held, wellbeing="ok")
    notes = Notes.objects.get(session=held)
    # The supervisee cannot share; the supervisor cannot accept.
    login(everyone["alice"]).post(
        f"/notes/session/{held.pk}/move/", {"to": "shared", "version": notes.version}
    )
    notes.refresh_from_db()
    assert notes.state == "draft"
    share_notes(everyone["sam"], held)
    notes.refresh_from_db()
    login(everyone["sam"]).post(
        f"/notes/session/{held.pk}/move/", {"to": "accepted", "version": notes.version}
    )
    notes.refresh_from_db()
    assert notes.state == "shared"


def test_a_stale_edit_is_refused_and_loses_nothing(login, everyone, held):
    client = login(everyone["sam"])
    client.post(f"/notes/session/{held.pk}/write/", form_data(0, wellbeing="first"))
    notes = Notes.objects.get(session=held)
    opened_at = notes.version
    client.post(f"/notes/session/{held.pk}/write/", form_data(opened_at, wellbeing="second"))
    response = client.post(
        f"/notes/session/{held.pk}/write/", form_data(opened_at, wellbeing="third")
    )
    assert response.status_code == 200
    assert "changed since you opened them" in response.text
    assert notes.versions.get().wellbeing == "second"


def test_nhs_number_is_refused_with_a_clear_message(login, everyone, held):
    client = login(everyone["sam"])
    response = client.post(
        f"/notes/session/{held.pk}/write/",
        form_data(0, caseload_examples="Talked about JB (943 476 5919)"),
    )
    assert response.status_code == 200
    assert "This looks like an NHS number (943 476 5919)" in response.text
    assert not Notes.objects.exists()
    # A number failing the check is not an NHS number.
    response = client.post(
        f"/notes/session/{held.pk}/write/", form_data(0, caseload_examples="Ref 9434765918")
    )
    assert response.status_code == 302


def test_notes_wait_for_the_session_to_take_place(login, everyone):
    future = one_to_one(everyone["sam"], everyone["alice"], dt.date(2026, 11, 30))
    client = login(everyone["sam"])
    page = client.get(f"/notes/session/{future.pk}/")
    assert "Notes are written once the session has taken place" in page.text
    client.post(f"/notes/session/{future.pk}/write/", form_data(0, wellbeing="x"))
    assert not Notes.objects.exists()
    # Topics can be added before.
    client.post(f"/notes/session/{future.pk}/topics/", {"text": "Boundaries with a new peer"})
    client = login(everyone["alice"])
    client.post(f"/notes/session/{future.pk}/topics/", {"text": "My first month"})
    page = client.get(f"/notes/session/{future.pk}/")
    assert "Boundaries with a new peer" in page.text and "My first month" in page.text


NOTE_ADDRESSES = [
    "/notes/session/{pk}/",
    "/notes/session/{pk}/write/",
    "/notes/session/{pk}/versions/1/",
    "/notes/session/{pk}/compare/1/1/",
]
POST_ADDRESSES = [
    "/notes/session/{pk}/move/",
    "/notes/session/{pk}/topics/",
    "/notes/session/{pk}/actions/",
    "/notes/session/{pk}/share/",
    "/notes/session/{pk}/versions/1/",
]


@pytest.mark.parametrize("who", ["lena", "pat", "olly", "sue", "hana", "gus", "ada"])
def test_nobody_else_reaches_any_note_address(login, everyone, held, who):
    write_notes(everyone["sam"], held, wellbeing="private words")
    share_notes(everyone["sam"], held)
    client = login(everyone[who])
    for address in NOTE_ADDRESSES:
        response = client.get(address.format(pk=held.pk))
        assert response.status_code == 404, address
    for address in POST_ADDRESSES:
        response = client.post(
            address.format(pk=held.pk), {"text": "x", "to": "accepted", "version": 1}
        )
        assert response.status_code == 404, address
    action = Action.objects.create(
        notes=held.notes, text="a", owner="both", created_at=held.created_at
    )
    assert (
        client.post(f"/notes/actions/{action.pk}/", {"state": "done", "version": 1}).status_code
        == 404
    )
    # A missing session answers the same.
    assert client.get("/notes/session/999999/").status_code == 404
    # The session page (which they may see) shows no notes panel.
    assert "private words" not in client.get(f"/sessions/{held.pk}/").text


def test_actions_carry_forward_until_closed(login, everyone, held):
    sam, alice = everyone["sam"], everyone["alice"]
    client = login(sam)
    write_notes(sam, held, wellbeing="ok")
    notes = Notes.objects.get(session=held)
    client.post(
        f"/notes/session/{held.pk}/actions/",
        {
            "version": notes.version,
            "text": "Book the values refresher",
            "owner": "supervisee",
            "due": "2026-12-10",
        },
    )
    action = Action.objects.get()
    assert action.owner == "supervisee" and action.due == dt.date(2026, 12, 10)
    later = one_to_one(sam, alice, dt.date(2026, 11, 23))
    page = login(alice).get(f"/notes/session/{later.pk}/")
    assert "Actions still open from earlier sessions" in page.text
    assert "Book the values refresher" in page.text
    login(alice).post(
        f"/notes/actions/{action.pk}/",
        {"state": "done", "version": action.version, "back": later.pk},
    )
    action.refresh_from_db()
    assert action.state == "done" and action.closed_on == dt.date(2026, 11, 23)
    page = login(sam).get(f"/notes/session/{later.pk}/")
    assert "No open actions." in page.text


def test_unanswered_notes_are_flagged_on_the_next_session(login, everyone, sam, alice):
    earlier = one_to_one(sam, alice, dt.date(2026, 11, 2))
    write_notes(sam, earlier, wellbeing="ok")
    with_time = share_notes  # shared on the frozen day is too late to be overdue; backdate.
    with_time(sam, earlier)
    NotesEvent.objects.filter(notes__session=earlier, state="shared").update(
        on=dt.date(2026, 11, 3)
    )
    later = one_to_one(sam, alice, dt.date(2026, 11, 20))
    for who in (sam, alice):
        page = login(who).get(f"/notes/session/{later.pk}/")
        assert "Earlier notes not answered" in page.text
        # Shared Tue 3 Nov + 5 working days = Tue 10 Nov.
        assert "due an answer by 10 November 2026" in page.text


def test_notes_list_shows_what_each_has_to_do_with_due_dates(login, everyone, held):
    page = login(everyone["sam"]).get("/notes/")
    assert page.status_code == 200
    # Thu 19 Nov + 5 working days = Thu 26 Nov.
    assert "Share by Thu 26 Nov 2026" in page.text
    write_notes(everyone["sam"], held, wellbeing="ok")
    share_notes(everyone["sam"], held)
    page = login(everyone["alice"]).get("/notes/")
    assert "Notes for you to review" in page.text
    assert "Answer due Mon 30 Nov 2026" in page.text


def test_deadlines_follow_the_policy_in_force(login, everyone, held):
    policy = PolicySettings.objects.current()
    change_policy(
        by=None, policy=policy, version=policy.version, changes={"notes_share_working_days": 7}
    )
    page = login(everyone["sam"]).get("/notes/")
    # Thu 19 Nov + 7 working days = Mon 30 Nov.
    assert "Share by Mon 30 Nov 2026" in page.text


@pytest.mark.parametrize("who", ["lena", "gus", "ada"])
def test_notes_list_is_not_for_people_without_notes(login, everyone, who):
    assert login(everyone[who]).get("/notes/").status_code == 404


def test_head_of_peer_work_has_own_notes_page_without_others_notes(login, everyone, held):
    write_notes(everyone["sam"], held, wellbeing="ok")
    page = login(everyone["hana"]).get("/notes/")
    assert page.status_code == 200
    assert f"/notes/session/{held.pk}/" not in page.text


def test_notes_list_queries_do_not_grow_with_rows(
    login, everyone, sam, alice, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(sam)
    one_to_one(sam, alice, dt.date(2026, 11, 2))
    client.get("/notes/")
    with CaptureQueriesContext(connection) as few:
        client.get("/notes/")
    for day in range(3, 14):
        session = one_to_one(sam, alice, dt.date(2026, 10, day))
        write_notes(sam, session, wellbeing="ok")
    with CaptureQueriesContext(connection) as many:
        client.get("/notes/")
    assert len(many) == len(few)


def test_share_with_a_later_supervisor_and_withdraw(login, everyone, held, sue):

    write_notes(everyone["sam"], held, wellbeing="shared words")
    share_notes(everyone["sam"], held)
    hand_over(everyone, sue)  # Sam's supervision ends; Sue takes over.
    assert login(sue).get(f"/notes/session/{held.pk}/").status_code == 404
    client = login(everyone["alice"])
    client.post(f"/notes/session/{held.pk}/share/", {"reader": sue.pk})
    page = login(sue).get(f"/notes/session/{held.pk}/")
    assert page.status_code == 200 and "shared words" in page.text
    # Reading only: a share gives no writing or answering.
    assert login(sue).get(f"/notes/session/{held.pk}/write/").status_code == 404
    granted = held.notes.shares.get()
    login(everyone["alice"]).post(f"/notes/session/{held.pk}/share/{granted.pk}/withdraw/")
    assert login(sue).get(f"/notes/session/{held.pk}/").status_code == 404


def test_versions_are_kept_with_who_and_when(everyone, held):
    write_notes(everyone["sam"], held, wellbeing="one")
    write_notes(everyone["sam"], held, wellbeing="two")
    share_notes(everyone["sam"], held)
    version = NotesVersion.objects.get()
    assert version.kind == "shared" and version.wellbeing == "two"
    assert version.author == everyone["sam"]
    events = list(NotesEvent.objects.values_list("state", "by_name"))
    assert events == [("draft", "Sam Senior"), ("shared", "Sam Senior")]


def test_the_write_page_opens_for_both(login, everyone, held):
    assert login(everyone["sam"]).get(f"/notes/session/{held.pk}/write/").status_code == 200
    write_notes(everyone["sam"], held, wellbeing="ok")
    share_notes(everyone["sam"], held)
    page = login(everyone["alice"]).get(f"/notes/session/{held.pk}/write/")
    assert page.status_code == 200
    assert "Send my changes" in page.text
