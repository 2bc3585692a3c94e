"""The retention review pages: only the head of peer work reaches them, from the navigation;
they show whose notes and when, never what the notes say; the form deletes only what was
selected, reviewed and given a reason; the notes page tells the two how long notes are kept."""

import pytest

from coreflect.audit.models import Tombstone
from coreflect.notes.models import Notes


def test_the_head_of_peer_work_sees_notes_due_and_none_of_their_content(login, hana, old, current):
    page = login(hana).get("/retention/")
    assert page.status_code == 200
    text = page.text
    assert "1 set of notes past its retention date" in text
    for shown in ("Alice Able", "Sam Senior", "7 Jun 2018", "31 Mar 2019", "31 Mar 2025"):
        assert shown in text
    assert f'value="{old.notes.pk}"' in text and f'value="{current.notes.pk}"' not in text
    assert "Old notes" not in text


def test_the_navigation_leads_the_head_of_peer_work_there(login, hana, gus):
    assert 'href="/retention/"' in login(hana).get("/").text
    assert 'href="/retention/"' not in login(gus).get("/").text


@pytest.mark.parametrize("who", ["alice", "sam", "lena", "gus", "ada", "sue"])
@pytest.mark.parametrize("path", ["/retention/", "/retention/deleted/"])
def test_no_one_else_reaches_the_pages(client, everyone, old, who, path):
    client.force_login(everyone[who].user)
    assert client.get(path).status_code == 404
    assert client.post(path, {"notes": [old.notes.pk]}).status_code in (404, 405)
    assert Notes.objects.filter(pk=old.notes.pk).exists()


def post(client, **data):
    return client.post("/retention/", {"reviewed": "on", "reason": "Reviewed", **data})


def test_deleting_from_the_page_leaves_a_tombstone_shown_on_the_deleted_page(
    login, hana, old, current
):
    client = login(hana)
    response = post(client, notes=[old.notes.pk])
    assert response.status_code == 302 and response.url == "/retention/deleted/"
    assert list(Notes.objects.values_list("pk", flat=True)) == [current.notes.pk]
    page = client.get("/retention/deleted/").text
    assert "Deleted 1 set of notes and 0 records of who read them" in page
    assert "Alice Able with Sam Senior, 7 Jun 2018" in page
    assert "1 version, 0 comments, 0 topics, 0 records of reads" in page
    assert "Hana Head" in page and "Reviewed" in page
    assert "No notes are past their retention date today." in client.get("/retention/").text


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"reviewed": ""}, "Confirm that you have reviewed these notes"),
        ({"reason": ""}, "Enter why these notes can be deleted"),
        ({"notes": []}, "Select the notes to delete"),
    ],
    ids=["not-reviewed", "no-reason", "none-selected"],
)
def test_a_form_missing_something_deletes_nothing_and_says_what(login, hana, old, data, error):
    response = post(login(hana), **{"notes": [old.notes.pk], **data})
    assert response.status_code == 200
    assert error in response.text and "There is a problem" in response.text
    assert Notes.objects.filter(pk=old.notes.pk).exists() and not Tombstone.objects.exists()


def test_notes_not_due_cannot_be_slipped_into_the_form(login, hana, old, current):
    response = post(login(hana), notes=[old.notes.pk, current.notes.pk])
    assert "no longer past their retention date" in response.text
    assert Notes.objects.count() == 2 and not Tombstone.objects.exists()


def test_the_notes_page_says_how_long_they_are_kept(login, sam, alice, old, current):
    for person in (sam, alice):
        client = login(person)
        now = client.get(f"/notes/session/{current.pk}/").text
        assert "For as long as this supervision goes on, and 6 years after it ends." in now
        then = client.get(f"/notes/session/{old.pk}/").text
        assert "Until 31 March 2025: 6 years after this supervision ended on 31 March 2019." in then
        assert "That date has passed" in then
