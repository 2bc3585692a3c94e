"""A supervisor takes items of a session's notes to their own supervision (seed 000 Appendix 3,
issue 9 point 5): the supervisor who held the session marks which parts of a version the
supervisee can read, the supervisee sees every mark and its withdrawal, nobody else sees any,
and any other sharing is a disclosure."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coreflect.audit.models import AuditEvent, NotesAccess
from coreflect.notes import access, actions
from coreflect.notes.models import OWN_SUPERVISION_PARTS, OwnSupervisionItem
from coreflect.notes.tests.conftest import (
    one_to_one,
    share_notes,
    share_with_later_supervisor,
    write_notes,
)

MARK = "zq-own-supervision-marker-4412"


@pytest.fixture
def shared(everyone, held):
    """Sam's notes of the one-to-one held with Alice, shared with her (version 1)."""
    write_notes(everyone["sam"], held, challenging=f"{MARK} challenging")
    share_notes(everyone["sam"], held)
    held.refresh_from_db()
    return held


@pytest.fixture
def sue_shared(everyone, shared, sue):
    """Sue, Alice's supervisor after Sam, with whom Alice shared the notes."""
    share_with_later_supervisor(everyone, shared, sue)
    return sue


def post_mark(client, session, *, part="challenging", version=1, note=f"{MARK} reason", back=""):
    return client.post(
        f"/notes/session/{session.pk}/own-supervision/",
        {"version": version, "part": part, "note": note, "back": back},
    )


def mark(sam, session, part="challenging", note=f"{MARK} reason"):
    seat = access.seat_of_party(sam.user, session.pk)
    version = seat.notes.versions.get(number=1)
    return actions.mark_for_own_supervision(
        by=sam.user, seat=seat, version=version, part=part, note=note
    )


def test_the_supervisor_marks_a_part_of_shared_notes_and_the_supervisee_sees_it(
    login, everyone, shared
):
    response = post_mark(login(everyone["sam"]), shared)
    assert response.status_code == 302
    item = OwnSupervisionItem.objects.get()
    assert (item.part, item.version.number, item.marked_by, item.withdrawn_at) == (
        "challenging",
        1,
        everyone["sam"],
        None,
    )
    alice = login(everyone["alice"])
    for url in (f"/notes/session/{shared.pk}/", f"/notes/session/{shared.pk}/versions/1/"):
        page = alice.get(url).content.decode()
        assert "Taken to Sam Senior's own supervision" in page
        assert "What has been challenging, version 1: marked by Sam Senior on 23 Nov 2026" in page
        assert f"{MARK} reason" in page
        assert "Withdrawn" not in page
        assert "withdraw_own_supervision" not in page and "/own-supervision/" not in page


def test_the_supervisee_sees_a_withdrawn_mark_as_withdrawn(login, everyone, shared):
    item = mark(everyone["sam"], shared)
    sam = login(everyone["sam"])
    response = sam.post(f"/notes/session/{shared.pk}/own-supervision/{item.pk}/withdraw/")
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.withdrawn_at == timezone.now()
    page = login(everyone["alice"]).get(f"/notes/session/{shared.pk}/").content.decode()
    assert "What has been challenging, version 1: marked by Sam Senior" in page
    assert "Withdrawn 23 Nov 2026" in page


def test_the_supervisor_sees_their_marks_with_a_withdraw_button_for_live_ones_only(
    login, everyone, shared
):
    live = mark(everyone["sam"], shared, part="gone_well")
    gone = mark(everyone["sam"], shared, part="challenging")
    actions.withdraw_own_supervision(
        by=everyone["sam"].user,
        seat=access.seat_of_party(everyone["sam"].user, shared.pk),
        item=gone,
    )
    page = login(everyone["sam"]).get(f"/notes/session/{shared.pk}/").content.decode()
    assert f"/own-supervision/{live.pk}/withdraw/" in page
    assert f"/own-supervision/{gone.pk}/withdraw/" not in page
    assert "Mark to take to my supervision" in page


@pytest.mark.parametrize("who", ["alice", "lena", "hana", "sue", "pat", "gus", "ada"])
def test_nobody_but_the_supervisor_who_held_the_session_marks_or_withdraws(
    login, everyone, shared, who
):
    item = mark(everyone["sam"], shared)
    client = login(everyone[who])
    assert post_mark(client, shared, part="gone_well").status_code == 404
    withdraw = client.post(f"/notes/session/{shared.pk}/own-supervision/{item.pk}/withdraw/")
    assert withdraw.status_code == 404
    item.refresh_from_db()
    assert item.withdrawn_at is None
    assert list(OwnSupervisionItem.objects.values_list("part", flat=True)) == ["challenging"]


def test_a_later_supervisor_with_a_share_can_neither_mark_nor_see_the_marks(
    login, everyone, shared, sue_shared
):
    item = mark(everyone["sam"], shared)
    client = login(sue_shared)
    assert post_mark(client, shared, part="gone_well").status_code == 404
    withdraw = client.post(f"/notes/session/{shared.pk}/own-supervision/{item.pk}/withdraw/")
    assert withdraw.status_code == 404
    for url in (f"/notes/session/{shared.pk}/", f"/notes/session/{shared.pk}/versions/1/"):
        page = client.get(url)
        assert page.status_code == 200  # she reads the notes themselves
        assert "own_marks" not in page.context
        text = page.content.decode()
        assert f"{MARK} challenging" in text
        assert f"{MARK} reason" not in text and "own supervision" not in text
    with pytest.raises(actions.Refused):
        actions.mark_for_own_supervision(
            by=sue_shared.user,
            seat=access.seat_at(sue_shared.user, shared.pk),
            version=shared.notes.versions.get(),
            part="gone_well",
        )


def test_the_supervisee_cannot_mark_through_the_action_either(everyone, shared):
    alice = everyone["alice"]
    seat = access.seat_of_party(alice.user, shared.pk)
    with pytest.raises(actions.Refused):
        actions.mark_for_own_supervision(
            by=alice.user, seat=seat, version=shared.notes.versions.get(), part="challenging"
        )
    item = mark(everyone["sam"], shared)
    with pytest.raises(actions.Refused):
        actions.withdraw_own_supervision(by=alice.user, seat=seat, item=item)
    item.refresh_from_db()
    assert item.withdrawn_at is None


def test_a_draft_the_supervisee_cannot_read_is_not_marked(login, everyone, held):
    write_notes(everyone["sam"], held, challenging=f"{MARK} private draft")
    sam = login(everyone["sam"])
    page = sam.get(f"/notes/session/{held.pk}/").content.decode()
    assert "Mark to take to my supervision" not in page
    assert "this one is your draft, not shared yet" in page
    response = post_mark(sam, held)
    assert response.status_code == 302
    assert not OwnSupervisionItem.objects.exists()
    assert "Share the notes first" in sam.get(f"/notes/session/{held.pk}/").content.decode()


def test_a_version_of_other_notes_is_refused(everyone, shared, alice, sam):
    other = one_to_one(sam, alice, dt.date(2026, 11, 12))
    write_notes(sam, other)
    share_notes(sam, other)
    seat = access.seat_of_party(sam.user, shared.pk)
    with pytest.raises(actions.Refused):
        actions.mark_for_own_supervision(
            by=sam.user, seat=seat, version=other.notes.versions.get(), part="challenging"
        )
    assert not OwnSupervisionItem.objects.exists()


def test_an_unknown_part_or_version_is_refused(login, everyone, shared):
    sam = login(everyone["sam"])
    assert post_mark(sam, shared, part="disclosures").status_code == 302
    assert post_mark(sam, shared, version=9).status_code == 404
    assert not OwnSupervisionItem.objects.exists()
    with pytest.raises(actions.Refused):
        mark(everyone["sam"], shared, part="disclosures")
    version = shared.notes.versions.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        OwnSupervisionItem.objects.create(
            notes=shared.notes,
            version=version,
            part="anything",
            marked_by=everyone["sam"],
            marked_at=timezone.now(),
        )


def test_marking_the_same_part_twice_keeps_one_mark_and_one_audit_entry(login, everyone, shared):
    sam = login(everyone["sam"])
    post_mark(sam, shared)
    post_mark(sam, shared, note="a second go")
    assert OwnSupervisionItem.objects.count() == 1
    assert AuditEvent.objects.filter(action="notes.own_supervision.mark").count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        OwnSupervisionItem.objects.create(
            notes=shared.notes,
            version=shared.notes.versions.get(),
            part="challenging",
            marked_by=everyone["sam"],
            marked_at=timezone.now(),
        )


def test_a_stale_withdraw_changes_nothing_and_a_part_may_be_marked_again(login, everyone, shared):
    item = mark(everyone["sam"], shared)
    sam = login(everyone["sam"])
    url = f"/notes/session/{shared.pk}/own-supervision/{item.pk}/withdraw/"
    assert sam.post(url).status_code == 302
    first = OwnSupervisionItem.objects.get().withdrawn_at
    assert sam.post(url).status_code == 302  # the same form, posted again
    assert OwnSupervisionItem.objects.get().withdrawn_at == first
    assert AuditEvent.objects.filter(action="notes.own_supervision.withdraw").count() == 1
    post_mark(sam, shared)
    assert OwnSupervisionItem.objects.filter(withdrawn_at__isnull=True).count() == 1
    assert OwnSupervisionItem.objects.count() == 2


def test_marking_from_the_version_page_returns_there(login, everyone, shared):
    sam = login(everyone["sam"])
    page = sam.get(f"/notes/session/{shared.pk}/versions/1/").content.decode()
    assert "Mark to take to my supervision" in page
    response = post_mark(sam, shared, back="True")
    assert response["Location"] == f"/notes/session/{shared.pk}/versions/1/"
    item = OwnSupervisionItem.objects.get()
    response = sam.post(
        f"/notes/session/{shared.pk}/own-supervision/{item.pk}/withdraw/", {"back": "1"}
    )
    assert response["Location"] == f"/notes/session/{shared.pk}/versions/1/"


def test_marking_and_withdrawing_are_not_reads(login, everyone, shared):
    sam = login(everyone["sam"])
    post_mark(sam, shared)
    sam.post(
        f"/notes/session/{shared.pk}/own-supervision/{OwnSupervisionItem.objects.get().pk}/withdraw/"
    )
    assert not NotesAccess.objects.exists()


def test_the_audit_entries_name_the_part_and_hold_no_note_text(login, everyone, shared):
    sam = login(everyone["sam"])
    post_mark(sam, shared)
    item = OwnSupervisionItem.objects.get()
    sam.post(f"/notes/session/{shared.pk}/own-supervision/{item.pk}/withdraw/")
    entries = AuditEvent.objects.filter(action__startswith="notes.own_supervision")
    assert [(e.action, e.actor_username, e.object_id) for e in entries.order_by("pk")] == [
        ("notes.own_supervision.mark", "sam", str(item.pk)),
        ("notes.own_supervision.withdraw", "sam", str(item.pk)),
    ]
    assert entries.order_by("pk").first().detail == {
        "notes": shared.notes.pk,
        "version": 1,
        "part": "challenging",
    }
    for entry in AuditEvent.objects.all():
        assert MARK not in str(entry.detail) + entry.object_type + entry.object_id


def test_what_the_supervisor_will_take_is_stored_encrypted(everyone, shared):
    item = mark(everyone["sam"], shared)
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM notes_ownsupervisionitem WHERE id = %s", [item.pk])
        stored = cursor.fetchone()[0]
    assert MARK not in stored
    assert stored.startswith("gAAAA")  # a Fernet token
    assert OwnSupervisionItem.objects.get().note == f"{MARK} reason"


@pytest.mark.parametrize(
    ("who", "link"),
    [
        ("sam", '<a href="/disclosures/">disclosures page</a>'),
        ("alice", '<a href="/disclosures/">disclosures about you</a>'),
    ],
)
@pytest.mark.parametrize("page", ["", "versions/1/"])
def test_the_pages_say_any_other_sharing_is_a_disclosure(login, everyone, shared, who, link, page):
    text = login(everyone[who]).get(f"/notes/session/{shared.pk}/{page}").content.decode()
    assert "Any other sharing of" in text and "is a disclosure" in text
    assert link in text


def test_the_version_page_shows_only_that_versions_marks(login, everyone, shared):
    mark(everyone["sam"], shared)
    alice = everyone["alice"]
    seat = access.seat_of_party(alice.user, shared.pk)
    actions.propose_changes(
        by=alice.user, seat=seat, version=seat.notes.version, content={"gone_well": "more"}
    )
    client = login(alice)
    assert (
        "marked by Sam Senior"
        in client.get(f"/notes/session/{shared.pk}/versions/1/").content.decode()
    )
    page = client.get(f"/notes/session/{shared.pk}/versions/2/").content.decode()
    assert "marked by Sam Senior" not in page
    assert "No part of this version has been marked." in page


@pytest.mark.parametrize("who", ["sam", "alice"])
def test_the_notes_page_asks_no_more_queries_for_more_marks(login, everyone, shared, who):
    mark(everyone["sam"], shared, part="challenging")
    client = login(everyone[who])
    client.get(f"/notes/session/{shared.pk}/")
    with CaptureQueriesContext(connection) as few:
        client.get(f"/notes/session/{shared.pk}/")
    for part in OWN_SUPERVISION_PARTS[:-1]:
        if part != "challenging":
            mark(everyone["sam"], shared, part=part)
    withdrawn = OwnSupervisionItem.objects.filter(part="gone_well").get()
    actions.withdraw_own_supervision(
        by=everyone["sam"].user,
        seat=access.seat_of_party(everyone["sam"].user, shared.pk),
        item=withdrawn,
    )
    with CaptureQueriesContext(connection) as many:
        page = client.get(f"/notes/session/{shared.pk}/").content.decode()
    assert page.count("marked by Sam Senior") == len(OWN_SUPERVISION_PARTS) - 1
    assert len(many) == len(few)
