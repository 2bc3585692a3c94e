"""PDF copies of notes: for the supervisee and the supervisor who held the session, holding what
each may read; 404 for everyone else; nothing fetched while laying them out."""

import datetime as dt
import re

import pytest
import weasyprint
from weasyprint.formatting_structure.boxes import TextBox

from coreflect.audit.models import NotesAccess
from coreflect.notes import access, actions, pdf
from coreflect.notes.models import ReflectiveModel
from coreflect.notes.tests.conftest import one_to_one, share_notes, write_notes
from coreflect.testing import supervise


def laid_out_text(html: str) -> str:
    """The words WeasyPrint put on the pages of this HTML, in reading order, one space apart
    (a phrase wrapped across lines reads whole)."""
    words = [
        box.text
        for page in pdf.document(html).pages
        for box in page._page_box.descendants()
        if isinstance(box, TextBox)
    ]
    return re.sub(r"\s+", " ", " ".join(words))


@pytest.fixture
def printed(monkeypatch):
    """Records the HTML each download was made from and the PDF made of it, so a test can
    read the words on the very pages it was sent."""
    made: list[tuple[str, bytes]] = []
    real = pdf.to_pdf

    def spy(html: str) -> bytes:
        made.append((html, real(html)))
        return made[-1][1]

    monkeypatch.setattr(pdf, "to_pdf", spy)
    return made


def full_notes(sam, alice, session):
    """Notes with every part filled: the fields, a reflection, values, an action, a comment."""
    model = ReflectiveModel.objects.get(is_default=True)
    write_notes(
        sam,
        session,
        wellbeing="Tired but OK after a busy week",
        actions_review="Finished the lone working course",
        last_notes_agreed="yes",
        challenging="A hard visit on the ward",
        gone_well="A good group session",
        caseload_examples="JB found the walking group helpful",
        topics_to_return="Boundaries with a former colleague",
        reflective_model=model,
        reflection=["The visit ran long", "It felt rushed", "Ask for a longer slot"],
        values=["respect", "mutuality"],
    )
    seat = access.seat_at(sam.user, session.pk)
    actions.add_action(
        by=sam.user,
        seat=seat,
        version=seat.notes.version,
        text="Read the lone working policy",
        owner="supervisee",
        due=dt.date(2026, 12, 1),
    )
    share_notes(sam, session)
    seat = access.seat_at(alice.user, session.pk)
    actions.add_comment(
        by=alice.user,
        seat=seat,
        version=access.readable_versions(seat)[-1],
        text="Happy with these, thank you",
    )


def test_supervisee_downloads_their_notes_as_a_pdf(login, everyone, held, printed):
    sam, alice = everyone["sam"], everyone["alice"]
    full_notes(sam, alice, held)
    response = login(alice).get(f"/notes/session/{held.pk}/notes.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="supervision-notes-2026-11-19-alice-able.pdf"'
    )
    assert "no-store" in response["Cache-Control"]
    # The bytes sent are a PDF, made of the HTML whose laid-out words are read below.
    [(html, document)] = printed
    assert response.content == document and document.startswith(b"%PDF-")
    words = laid_out_text(html)
    for expected in [
        "Thursday 19 November 2026",
        "Supervisor Sam Senior",
        "Supervisee Alice Able",
        "Notes Shared, waiting for an answer",
        "Wellbeing check-in Tired but OK after a busy week",
        "Review of last time's actions Finished the lone working course",
        "Were the last notes agreed? Yes",
        "What has been challenging A hard visit on the ward",
        "What has gone well A good group session",
        "Examples from the caseload JB found the walking group helpful",
        "Topics to return to Boundaries with a former colleague",
        "Reflection (What? So what? Now what?)",
        "What? What happened?",
        "The visit ran long",
        "So what?",
        "It felt rushed",
        "Now what?",
        "Ask for a longer slot",
        "Peer support values: Respect, Mutuality",
        "Read the lone working policy Supervisee 1 Dec 2026 Open",
        "Happy with these, thank you",
    ]:
        assert expected in words, expected


def test_supervisor_downloads_the_notes_of_a_session_they_held(login, everyone, held, printed):
    """The supervisor reads every version, the draft too."""
    write_notes(everyone["sam"], held, wellbeing="Draft words only I see")
    response = login(everyone["sam"]).get(f"/notes/session/{held.pk}/notes.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    words = laid_out_text(printed[0][0])
    assert "Draft words only I see" in words and "Notes Draft" in words


def test_supervisee_copy_has_the_latest_version_they_may_read(login, everyone, held, printed):
    """A draft not shared yet stays out of the supervisee's copy: first the whole text, then,
    once revised after sharing, the new draft (the shared version is printed instead)."""
    sam, alice = everyone["sam"], everyone["alice"]
    write_notes(sam, held, wellbeing="Not ready yet")
    client = login(alice)
    client.get(f"/notes/session/{held.pk}/notes.pdf")
    words = laid_out_text(printed[-1][0])
    assert "Not ready yet" not in words
    assert "Sam Senior has not shared these notes yet." in words

    share_notes(sam, held)
    seat = access.seat_at(alice.user, held.pk)
    actions.answer(by=alice.user, seat=seat, version=seat.notes.version, to="review_together")
    write_notes(sam, held, wellbeing="Revised, not shared again")
    client.get(f"/notes/session/{held.pk}/notes.pdf")
    words = laid_out_text(printed[-1][0])
    assert "Not ready yet" in words and "Revised, not shared again" not in words


@pytest.mark.parametrize("who", ["lena", "pat", "olly", "sue", "hana", "gus", "ada"])
def test_session_pdf_without_permission(login, everyone, held, printed, who):
    write_notes(everyone["sam"], held, wellbeing="private words")
    share_notes(everyone["sam"], held)
    assert login(everyone[who]).get(f"/notes/session/{held.pk}/notes.pdf").status_code == 404
    assert printed == []


def test_later_supervisor_reading_a_share_gets_no_download(login, everyone, held):
    sam, alice, sue = everyone["sam"], everyone["alice"], everyone["sue"]
    write_notes(sam, held, wellbeing="shared with Sue")
    share_notes(sam, held)
    actions.share_with(by=alice.user, seat=access.seat_at(alice.user, held.pk), reader=sue)
    client = login(sue)
    assert client.get(f"/notes/session/{held.pk}/").status_code == 200
    assert client.get(f"/notes/session/{held.pk}/notes.pdf").status_code == 404


def test_session_without_notes_has_no_pdf(login, everyone, held):
    assert login(everyone["sam"]).get(f"/notes/session/{held.pk}/notes.pdf").status_code == 404


def test_all_my_notes_hold_only_my_own(login, everyone, held, printed):
    """Alice's copy: her own supervision. Sue's: the one-to-ones she held, not Alice's notes
    shared with her. Sam's: his own supervision (by Pat) and the one-to-ones he held."""
    sam, alice, sue, olly, pat = (everyone[n] for n in ("sam", "alice", "sue", "olly", "pat"))
    write_notes(sam, held, wellbeing="Alice's own words")
    share_notes(sam, held)
    actions.share_with(by=alice.user, seat=access.seat_at(alice.user, held.pk), reader=sue)
    south = one_to_one(sue, olly, dt.date(2026, 11, 18))
    write_notes(sue, south, wellbeing="Olly's own words")
    share_notes(sue, south)
    supervise(pat, sam)
    sams = one_to_one(pat, sam, dt.date(2026, 11, 17))
    write_notes(pat, sams, wellbeing="Sam's own words")
    share_notes(pat, sams)

    def all_notes(person) -> str:
        response = login(person).get("/notes/all-notes.pdf")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content == printed[-1][1] and response.content.startswith(b"%PDF-")
        return laid_out_text(printed[-1][0])

    words = all_notes(alice)
    assert "Alice's own words" in words
    assert "Olly's own words" not in words and "Sam's own words" not in words

    words = all_notes(sue)
    assert "Olly's own words" in words
    assert "Alice's own words" not in words and "Sam's own words" not in words

    words = all_notes(sam)
    assert "Your own supervision" in words and "One-to-ones you held" in words
    assert words.index("Sam's own words") < words.index("Alice's own words")
    assert "Olly's own words" not in words

    words = all_notes(olly)
    assert "Olly's own words" in words and "Alice's own words" not in words


def test_all_notes_file_is_named_for_its_reader_and_day(login, everyone, held):
    response = login(everyone["alice"]).get("/notes/all-notes.pdf")
    assert response["Content-Disposition"] == (
        'attachment; filename="supervision-notes-alice-able-as-of-2026-11-23.pdf"'
    )
    assert "no-store" in response["Cache-Control"]


def test_all_notes_with_none_yet_says_so(login, everyone, printed):
    login(everyone["alice"]).get("/notes/all-notes.pdf")
    assert "There are no notes to print yet." in laid_out_text(printed[0][0])


@pytest.mark.parametrize("who", ["lena", "gus", "ada"])
def test_all_notes_pdf_without_permission(login, everyone, who):
    assert login(everyone[who]).get("/notes/all-notes.pdf").status_code == 404


def test_each_download_is_recorded(login, everyone, held):
    sam, alice = everyone["sam"], everyone["alice"]
    write_notes(sam, held, wellbeing="Fine")
    share_notes(sam, held)
    login(alice).get(f"/notes/session/{held.pk}/notes.pdf")
    login(sam).get("/notes/all-notes.pdf")
    # An access record each (coreflect/notes/tests/test_reads.py has every way of reading).
    downloads = NotesAccess.objects.order_by("at", "pk")
    assert [(e.reader, e.notes_pk, e.version, e.how) for e in downloads] == [
        (alice.user, held.notes.pk, 1, "pdf"),
        (sam.user, held.notes.pk, 1, "pdf_all"),
    ]


# Nothing is fetched while laying out a PDF.


def test_fetcher_refuses_every_address_but_data():
    fetcher = pdf.fetcher()
    for address in ["https://example.org/logo.png", "http://127.0.0.1/", "file:///etc/passwd"]:
        with pytest.raises(ValueError, match="disallowed protocol"):
            fetcher.fetch(address)
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"


def test_an_outside_address_in_the_html_stops_the_pdf():
    with pytest.raises(weasyprint.urls.FatalURLFetchingError):
        pdf.to_pdf('<p>Hi</p><img src="file:///etc/hostname" alt="">')
