"""Every read of note content leaves exactly one access record (spec §5): who, which notes and
version, when and how, and no note text. Pages that show no content, and reads refused with a
404, leave none. The supervisee sees on their notes page who has opened them."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coreflect.audit.models import NotesAccess
from coreflect.notes import access, actions, pdf
from coreflect.notes.tests.conftest import (
    one_to_one,
    share_notes,
    share_with_later_supervisor,
    write_notes,
)

MARKER = "zq-read-marker-7781"


@pytest.fixture(autouse=True)
def quick_pdf(monkeypatch):
    """The records are the point here, not the layout (test_pdf.py lays them out)."""
    monkeypatch.setattr(pdf, "to_pdf", lambda html: b"%PDF-1.7 test")


def propose(person, session, **content):
    seat = access.seat_at(person.user, session.pk)
    return actions.propose_changes(
        by=person.user, seat=seat, version=seat.notes.version, content=content
    )


@pytest.fixture
def notes3(everyone, held):
    """Sam's notes of the one-to-one held with Alice in three versions: 1 shared, 2 Alice's
    proposal, 3 Sam's revision, shared (so Alice may suggest changes again)."""
    sam, alice = everyone["sam"], everyone["alice"]
    write_notes(sam, held, wellbeing=f"{MARKER} one")
    share_notes(sam, held)
    propose(alice, held, wellbeing=f"{MARKER} two")
    write_notes(sam, held, wellbeing=f"{MARKER} three")
    share_notes(sam, held)
    held.refresh_from_db()
    assert [(v.number, v.kind) for v in held.notes.versions.all()] == [
        (1, "shared"),
        (2, "proposed"),
        (3, "shared"),
    ]
    assert not NotesAccess.objects.exists()  # writing and sharing are not reads
    return held


@pytest.fixture
def sue_shared(everyone, notes3, sue):
    """Sue, Alice's supervisor after Sam, with whom Alice shared the notes."""
    share_with_later_supervisor(everyone, notes3, sue)
    return sue


def reads():
    return list(
        NotesAccess.objects.order_by("pk").values_list(
            "reader_username",
            "person_pk",
            "notes_pk",
            "session_pk",
            "version",
            "compared_with",
            "how",
        )
    )


def one_read(client, url, *, status=200):
    """Fetch url; return the one access record it wrote (and assert there was just one)."""
    before = NotesAccess.objects.count()
    response = client.get(url)
    assert response.status_code == status, url
    new = list(NotesAccess.objects.order_by("pk")[before:])
    assert len(new) == 1, f"{url} wrote {len(new)} access records"
    return new[0]


READS = [
    # (url under /notes/, version, compared_with, how)
    ("session/{pk}/", 3, None, "page"),
    ("session/{pk}/versions/1/", 1, None, "version"),
    ("session/{pk}/compare/1/3/", 3, 1, "compare"),
    ("session/{pk}/notes.pdf", 3, None, "pdf"),
    ("all-notes.pdf", 3, None, "pdf_all"),
]


@pytest.mark.parametrize(("path", "version", "compared_with", "how"), READS)
@pytest.mark.parametrize("who", ["sam", "alice"])
def test_each_read_by_either_of_the_two_writes_one_access_record(
    login, everyone, notes3, who, path, version, compared_with, how
):
    reader = everyone[who]
    shown = one_read(login(reader), "/notes/" + path.format(pk=notes3.pk))
    assert (
        shown.reader_id,
        shown.reader_username,
        shown.reader_name,
        shown.person_pk,
        shown.notes_pk,
        shown.session_pk,
        shown.version,
        shown.compared_with,
        shown.how,
        shown.at,
    ) == (
        reader.user.pk,
        reader.user.username,
        reader.name,
        reader.pk,
        notes3.notes.pk,
        notes3.pk,
        version,
        compared_with,
        how,
        timezone.now(),
    )


def test_the_supervisor_reads_a_proposal_the_supervisee_made(login, everyone, notes3):
    shown = one_read(login(everyone["sam"]), f"/notes/session/{notes3.pk}/versions/2/")
    assert (shown.version, shown.how) == (2, "version")


def test_opening_the_notes_to_suggest_changes_is_a_read(login, everyone, notes3):
    shown = one_read(login(everyone["alice"]), f"/notes/session/{notes3.pk}/write/")
    assert (shown.reader_username, shown.version, shown.how) == ("alice", 3, "write")


def test_opening_a_draft_to_change_it_is_a_read(login, everyone, held):
    write_notes(everyone["sam"], held, wellbeing="draft words")
    shown = one_read(login(everyone["sam"]), f"/notes/session/{held.pk}/write/")
    assert (shown.reader_username, shown.version, shown.how) == ("sam", 1, "write")


def test_an_empty_writing_form_reads_nothing(login, everyone, held):
    assert login(everyone["sam"]).get(f"/notes/session/{held.pk}/write/").status_code == 200
    assert reads() == []


def test_saving_and_commenting_are_not_reads_the_page_shown_after_them_is(login, everyone, notes3):
    client = login(everyone["alice"])
    response = client.post(f"/notes/session/{notes3.pk}/versions/3/", {"text": "A comment"})
    assert response.status_code == 302
    assert reads() == []
    # The comment form given back with an error shows the version again: a read.
    response = client.post(f"/notes/session/{notes3.pk}/versions/3/", {"text": ""})
    assert response.status_code == 200
    assert [r[-1] for r in reads()] == ["version"]


@pytest.mark.parametrize(
    ("path", "version", "compared_with", "how"),
    [
        ("session/{pk}/", 3, None, "page"),
        ("session/{pk}/versions/1/", 1, None, "version"),
        ("session/{pk}/compare/1/3/", 3, 1, "compare"),
    ],
)
def test_each_read_by_a_later_supervisor_shared_with_writes_one_access_record(
    login, notes3, sue_shared, path, version, compared_with, how
):
    shown = one_read(login(sue_shared), "/notes/" + path.format(pk=notes3.pk))
    assert (shown.reader_username, shown.person_pk, shown.version, shown.compared_with) == (
        "sue",
        sue_shared.pk,
        version,
        compared_with,
    )
    assert shown.how == how


def test_a_later_supervisor_has_no_download_and_leaves_no_record(login, notes3, sue_shared):
    client = login(sue_shared)
    assert client.get(f"/notes/session/{notes3.pk}/notes.pdf").status_code == 404
    # Their own all-notes file holds no notes shared with them: nothing of these read.
    client.get("/notes/all-notes.pdf")
    assert reads() == []


def test_the_all_notes_file_records_one_read_per_set_of_notes_in_it(login, everyone, notes3):
    sam, alice = everyone["sam"], everyone["alice"]
    later = one_to_one(sam, alice, dt.date(2026, 11, 20))
    write_notes(sam, later, wellbeing="later words")  # a draft: Alice's file leaves it out
    unwritten = one_to_one(sam, alice, dt.date(2026, 11, 21))
    login(sam).get("/notes/all-notes.pdf")
    assert sorted((r[3], r[4], r[6]) for r in reads()) == sorted(
        [(notes3.pk, 3, "pdf_all"), (later.pk, 1, "pdf_all")]
    )
    # Sam's file had both; Alice's has only the shared notes.
    before = len(reads())
    login(alice).get("/notes/all-notes.pdf")
    assert [(r[0], r[3], r[4]) for r in reads()[before:]] == [("alice", notes3.pk, 3)]
    assert unwritten.pk not in {r[3] for r in reads()}


# At hand in the next session: last time's notes and the actions still open.


def test_the_next_sessions_page_reads_last_times_notes_and_open_actions(login, everyone, held):
    sam, alice = everyone["sam"], everyone["alice"]
    earlier = one_to_one(sam, alice, dt.date(2026, 11, 5))
    write_notes(sam, earlier, wellbeing="early words")
    seat = access.seat_at(sam.user, earlier.pk)
    actions.add_action(
        by=sam.user, seat=seat, version=seat.notes.version, text="Call JB", owner="both", due=None
    )
    share_notes(sam, earlier)
    write_notes(sam, held, wellbeing="last time's words")
    share_notes(sam, held)
    coming = one_to_one(sam, alice, dt.date(2026, 11, 26))
    for reader in (sam, alice):
        before = len(reads())
        response = login(reader).get(f"/notes/session/{coming.pk}/")
        assert "last time&#x27;s words" in response.text and "Call JB" in response.text
        assert sorted((r[3], r[4], r[6]) for r in reads()[before:]) == sorted(
            [
                (earlier.pk, None, "at_hand"),  # only its open action is shown
                (held.pk, 1, "at_hand"),
            ]
        )


def test_last_times_notes_not_shared_yet_are_not_read_by_the_supervisee(login, everyone, held):
    sam, alice = everyone["sam"], everyone["alice"]
    write_notes(sam, held, wellbeing="a draft")
    coming = one_to_one(sam, alice, dt.date(2026, 11, 26))
    login(alice).get(f"/notes/session/{coming.pk}/")
    assert reads() == []
    login(sam).get(f"/notes/session/{coming.pk}/")
    assert [(r[0], r[3], r[6]) for r in reads()] == [("sam", held.pk, "at_hand")]


# Pages that show no note content, and reads refused.


def test_pages_that_show_no_note_content_write_no_access_record(
    login, everyone, notes3, sue_shared
):
    pages = [
        "/notes/",
        "/notes/register/",
        "/notes/register.csv",
        "/notes/caseload/",
        "/notes/models/",
        "/notes/models/requests/",
        f"/sessions/{notes3.pk}/",
        "/sessions/",
        "/",
    ]
    for who in ["sam", "alice", "lena", "hana", "gus", "ada", "pat", "olly"]:
        client = login(everyone[who])
        for page in pages:
            client.get(page)
    client = login(sue_shared)
    for page in pages:
        client.get(page)
    assert reads() == []


def test_the_supervisees_page_before_anything_is_shared_reads_nothing(login, everyone, held):
    write_notes(everyone["sam"], held, wellbeing="draft only")
    assert login(everyone["alice"]).get(f"/notes/session/{held.pk}/").status_code == 200
    assert reads() == []


def test_topics_shown_with_a_draft_not_shared_yet_are_a_read_of_the_notes(login, everyone, held):
    sam, alice = everyone["sam"], everyone["alice"]
    write_notes(sam, held, wellbeing="draft only")
    actions.add_topic(by=alice.user, seat=access.seat_of_party(alice.user, held.pk), text="Rotas")
    assert "Rotas" in login(alice).get(f"/notes/session/{held.pk}/").text
    assert [(r[0], r[4], r[6]) for r in reads()] == [("alice", None, "page")]


def test_notes_not_written_yet_read_nothing(login, everyone, held):
    login(everyone["sam"]).get(f"/notes/session/{held.pk}/")
    login(everyone["alice"]).get(f"/notes/session/{held.pk}/")
    assert reads() == []


@pytest.mark.parametrize("who", ["lena", "pat", "olly", "sue", "hana", "gus", "ada"])
def test_a_refused_read_writes_no_access_record(login, everyone, notes3, sue, who):
    client = login(everyone.get(who, sue))
    for path in [p for p, *_ in READS if "{pk}" in p]:
        assert client.get("/notes/" + path.format(pk=notes3.pk)).status_code == 404
    client.get(f"/notes/session/{notes3.pk}/write/")
    assert reads() == []


def test_a_version_the_reader_may_not_read_writes_no_record(login, everyone, held):
    sam, alice = everyone["sam"], everyone["alice"]
    write_notes(sam, held, wellbeing="draft only")
    client = login(alice)
    assert client.get(f"/notes/session/{held.pk}/versions/1/").status_code == 404
    assert client.get(f"/notes/session/{held.pk}/notes.pdf").status_code == 200  # no text in it
    assert login(sam).get(f"/notes/session/{held.pk}/versions/9/").status_code == 404
    assert login(sam).get(f"/notes/session/{held.pk}/compare/1/9/").status_code == 404
    assert reads() == []


def test_a_withdrawn_share_reads_nothing_more(login, everyone, notes3, sue_shared):
    login(sue_shared).get(f"/notes/session/{notes3.pk}/")
    granted = notes3.notes.shares.get()
    actions.withdraw_share(
        by=everyone["alice"].user,
        seat=access.seat_of_party(everyone["alice"].user, notes3.pk),
        share=granted,
    )
    assert login(sue_shared).get(f"/notes/session/{notes3.pk}/").status_code == 404
    assert [r[0] for r in reads()] == ["sue"]


def test_an_access_record_holds_no_note_text(login, everyone, notes3, sue_shared):
    for who in [everyone["sam"], everyone["alice"], sue_shared]:
        client = login(who)
        for path, *_ in READS:
            client.get("/notes/" + path.format(pk=notes3.pk))
    rows = list(NotesAccess.objects.values())
    assert rows
    assert not [row for row in rows if MARKER in repr(row)]


# Who has opened these notes: the supervisee's list.


def test_the_supervisee_sees_who_opened_their_notes_and_how(login, everyone, notes3, sue_shared):
    login(everyone["sam"]).get(f"/notes/session/{notes3.pk}/compare/1/3/")
    login(sue_shared).get(f"/notes/session/{notes3.pk}/versions/1/")
    page = login(everyone["alice"]).get(f"/notes/session/{notes3.pk}/").text
    listing = page[page.index("Who has opened these notes") :]
    assert "Sam Senior" in listing and "Compared two versions (version 3 with 1)" in listing
    assert "Sue South" in listing and "Opened one version (version 1)" in listing
    # Latest first: Alice's own read of this page, then Sue's, then Sam's.
    assert listing.index("You") < listing.index("Sue South") < listing.index("Sam Senior")


def test_only_the_supervisee_sees_who_opened_the_notes(login, everyone, notes3, sue_shared):
    for reader in [everyone["sam"], sue_shared]:
        page = login(reader).get(f"/notes/session/{notes3.pk}/").text
        assert "Who has opened these notes" not in page


def test_the_list_of_reads_shows_the_latest_twenty_and_counts_the_rest(login, everyone, notes3):
    client = login(everyone["sam"])
    for _ in range(24):
        client.get(f"/notes/session/{notes3.pk}/versions/1/")
    page = login(everyone["alice"]).get(f"/notes/session/{notes3.pk}/").text
    listing = page[page.index("Who has opened these notes") :]
    assert listing.count('<tr class="nhsuk-table__row">') == 21  # a heading row and 20 reads
    assert "The latest 20 of 25 reads." in listing


def test_the_list_of_reads_costs_the_same_queries_however_many_reads(login, everyone, notes3):
    client = login(everyone["alice"])
    client.get(f"/notes/session/{notes3.pk}/")
    with CaptureQueriesContext(connection) as few:
        client.get(f"/notes/session/{notes3.pk}/")
    sam = login(everyone["sam"])
    for _ in range(5):
        sam.get(f"/notes/session/{notes3.pk}/versions/1/")
    client = login(everyone["alice"])
    client.get(f"/notes/session/{notes3.pk}/")
    with CaptureQueriesContext(connection) as many:
        client.get(f"/notes/session/{notes3.pk}/")
    assert len(many) == len(few)
