"""The caseload page: the peer worker's private list of pseudonyms, when each was last
discussed, who is due for discussion (policy caseload_review_days), and nobody else's list."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from coreflect.audit.models import AuditEvent
from coreflect.notes import access
from coreflect.notes import actions as notes_actions
from coreflect.notes.caseload_views import is_due, lines_of
from coreflect.notes.models import CaseloadEntry, Notes
from coreflect.policy.actions import change_policy
from coreflect.policy.models import PolicySettings
from coreflect.supervision.actions import create_one_to_one

TODAY = dt.date(2026, 11, 23)  # the frozen clock (conftest.py)
N = 91  # the protocol's caseload_review_days


def days_ago(n):
    return TODAY - dt.timedelta(days=n)


def add(person, label, *, added_on=TODAY):
    entry = notes_actions.add_caseload_entry(by=person.user, owner=person, label=label)
    CaseloadEntry.objects.filter(pk=entry.pk).update(added_on=added_on)
    entry.refresh_from_db()
    return entry


def discussed(supervisor, supervisee, on, *entries):
    """Notes of a one-to-one held on that day, with these people discussed."""
    session = create_one_to_one(
        by=supervisor.user,
        lead=supervisor,
        supervisee=supervisee,
        date=on,
        start_time=dt.time(10),
        duration_minutes=60,
        modality="video",
        location="Teams",
    )
    notes = Notes.objects.create(session=session)
    notes.caseload.set(entries)
    return notes


def status(client, label):
    """The line of this label on the page: (last discussed, due)."""
    page = client.get("/notes/caseload/")
    (line,) = [line for line in page.context["current"] if line.entry.label == label]
    return line.last_discussed, line.due


# The list: adding, archiving, restoring.


def test_peer_worker_adds_someone_by_pseudonym(login, everyone):
    client = login(everyone["alice"])
    page = client.get("/notes/caseload/")
    assert page.status_code == 200
    assert "Pseudonym or initials only, never a full name" in page.text
    response = client.post("/notes/caseload/", {"label": "  J.B.  "}, follow=True)
    assert "“J.B.” added." in response.text
    entry = CaseloadEntry.objects.get(owner=everyone["alice"])
    assert entry.label == "J.B." and entry.added_on == TODAY and entry.archived_on is None
    assert AuditEvent.objects.filter(action="notes.caseload.add", object_id=str(entry.pk)).exists()
    assert "Not discussed yet" in response.text


def test_a_label_is_at_most_40_characters(login, everyone):
    client = login(everyone["alice"])
    response = client.post("/notes/caseload/", {"label": "x" * 41})
    assert "Use 40 characters or fewer" in response.text
    client.post("/notes/caseload/", {"label": "x" * 40})
    assert CaseloadEntry.objects.get().label == "x" * 40


def test_a_label_is_needed(login, everyone):
    response = login(everyone["alice"]).post("/notes/caseload/", {"label": "  "})
    assert "Enter a pseudonym or initials" in response.text
    assert not CaseloadEntry.objects.exists()


@pytest.mark.parametrize("label", ["943 476 5919", "9434765919", "JB 943-476-5919"])
def test_a_label_holding_an_nhs_number_is_refused(login, everyone, label):
    response = login(everyone["alice"]).post("/notes/caseload/", {"label": label})
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert "This looks like an NHS number. Use a pseudonym or initials only" in response.text
    assert not CaseloadEntry.objects.exists()


def test_ten_digits_that_are_not_an_nhs_number_are_allowed(login, everyone):
    login(everyone["alice"]).post("/notes/caseload/", {"label": "9434765918"})
    assert CaseloadEntry.objects.get().label == "9434765918"


def test_someone_already_on_the_list_is_not_added_twice(login, everyone):
    add(everyone["alice"], "J.B.")
    response = login(everyone["alice"]).post("/notes/caseload/", {"label": "j.b."})
    assert "“j.b.” is already on your list." in response.text
    assert CaseloadEntry.objects.count() == 1


def test_peer_worker_archives_and_restores_someone(login, everyone):
    entry = add(everyone["alice"], "J.B.")
    client = login(everyone["alice"])
    response = client.post(f"/notes/caseload/{entry.pk}/archive/", follow=True)
    entry.refresh_from_db()
    assert entry.archived_on == TODAY
    assert response.context["current"] == []
    assert [line.entry for line in response.context["archived"]] == [entry]
    assert "“J.B.” archived." in response.text
    client.post(f"/notes/caseload/{entry.pk}/restore/")
    entry.refresh_from_db()
    assert entry.archived_on is None


def test_adding_an_archived_label_again_restores_it(login, everyone):
    entry = add(everyone["alice"], "J.B.")
    notes_actions.archive_caseload_entry(by=everyone["alice"].user, entry=entry)
    response = login(everyone["alice"]).post("/notes/caseload/", {"label": "J.B."}, follow=True)
    assert "“J.B.” is back on your list." in response.text
    entry.refresh_from_db()
    assert entry.archived_on is None and CaseloadEntry.objects.count() == 1


def test_archiving_and_restoring_are_posts(login, everyone):
    entry = add(everyone["alice"], "J.B.")
    client = login(everyone["alice"])
    assert client.get(f"/notes/caseload/{entry.pk}/archive/").status_code == 405
    assert client.get(f"/notes/caseload/{entry.pk}/restore/").status_code == 405


# Private to its owner.


def test_caseload_page_without_permission(login, everyone):
    for name in ("lena", "gus", "ada"):
        client = login(everyone[name])
        assert client.get("/notes/caseload/").status_code == 404, name
        assert client.post("/notes/caseload/", {"label": "X"}).status_code == 404, name
    assert not CaseloadEntry.objects.exists()


def test_nobody_else_sees_the_list(login, everyone):
    add(everyone["alice"], "J.B.")
    for name in ("sam", "pat", "hana", "olly"):
        page = login(everyone[name]).get("/notes/caseload/?person=ALICE&owner=ALICE")
        assert page.status_code == 200, name
        assert page.context["current"] == [] and "J.B." not in page.text, name


def test_nobody_else_archives_or_restores_an_entry(login, everyone):
    entry = add(everyone["alice"], "J.B.")
    archived = add(everyone["alice"], "K.L.")
    notes_actions.archive_caseload_entry(by=everyone["alice"].user, entry=archived)
    for name in ("sam", "pat", "hana", "olly", "lena", "gus", "ada"):
        client = login(everyone[name])
        assert client.post(f"/notes/caseload/{entry.pk}/archive/").status_code == 404, name
        assert client.post(f"/notes/caseload/{archived.pk}/restore/").status_code == 404, name
    entry.refresh_from_db()
    archived.refresh_from_db()
    assert entry.archived_on is None and archived.archived_on is not None


def test_someone_elses_label_is_not_refused_as_already_listed(login, everyone):
    add(everyone["olly"], "J.B.")
    login(everyone["alice"]).post("/notes/caseload/", {"label": "J.B."})
    assert CaseloadEntry.objects.filter(owner=everyone["alice"], label="J.B.").exists()


# When someone was last discussed, and who is due.


def test_last_discussed_is_the_latest_session_whose_notes_include_them(login, everyone):
    alice, sam = everyone["alice"], everyone["sam"]
    jb, kl = add(alice, "J.B.", added_on=days_ago(300)), add(alice, "K.L.")
    discussed(sam, alice, days_ago(40), jb)
    discussed(sam, alice, days_ago(10), jb, kl)
    discussed(sam, alice, days_ago(5), kl)
    client = login(alice)
    assert status(client, "J.B.") == (days_ago(10), False)
    assert status(client, "K.L.") == (days_ago(5), False)


def test_another_workers_notes_do_not_count(login, everyone):
    alice = everyone["alice"]
    mine = add(alice, "J.B.", added_on=days_ago(N + 1))
    theirs = add(everyone["olly"], "J.B.")
    discussed(everyone["sue"], everyone["olly"], days_ago(1), theirs)
    assert status(login(alice), "J.B.") == (None, True)
    assert mine.notes.count() == 0


def test_never_discussed_is_due_once_added_more_than_n_days_ago(login, everyone):
    alice = everyone["alice"]
    add(alice, "On the day", added_on=days_ago(N))
    add(alice, "A day over", added_on=days_ago(N + 1))
    client = login(alice)
    assert status(client, "On the day") == (None, False)
    assert status(client, "A day over") == (None, True)


def test_discussed_is_due_once_more_than_n_days_ago(login, everyone):
    alice, sam = everyone["alice"], everyone["sam"]
    on_the_day = add(alice, "On the day", added_on=days_ago(400))
    a_day_over = add(alice, "A day over", added_on=days_ago(400))
    discussed(sam, alice, days_ago(N), on_the_day)
    discussed(sam, alice, days_ago(N + 1), a_day_over)
    client = login(alice)
    assert status(client, "On the day") == (days_ago(N), False)
    assert status(client, "A day over") == (days_ago(N + 1), True)
    page = client.get("/notes/caseload/")
    assert "Due for discussion: 1 of the 2 on your list." in page.text
    assert [line.entry.label for line in page.context["current"]] == ["A day over", "On the day"]


def test_someone_archived_is_never_due(login, everyone):
    entry = add(everyone["alice"], "J.B.", added_on=days_ago(N + 10))
    notes_actions.archive_caseload_entry(by=everyone["alice"].user, entry=entry)
    (line,) = login(everyone["alice"]).get("/notes/caseload/").context["archived"]
    assert not line.due


def test_changing_the_policy_changes_who_is_due(login, everyone):
    alice, sam = everyone["alice"], everyone["sam"]
    entry = add(alice, "J.B.", added_on=days_ago(100))
    discussed(sam, alice, days_ago(40), entry)
    client = login(alice)
    assert status(client, "J.B.") == (days_ago(40), False)
    policy = PolicySettings.objects.current()
    change_policy(
        by=None, policy=policy, version=policy.version, changes={"caseload_review_days": 30}
    )
    assert status(client, "J.B.") == (days_ago(40), True)
    assert "more than 30 days" in client.get("/notes/caseload/").text


def test_notes_written_through_the_notes_actions_count(login, everyone):
    alice, sam = everyone["alice"], everyone["sam"]
    entry = add(alice, "J.B.", added_on=days_ago(N + 1))
    session = create_one_to_one(
        by=sam.user,
        lead=sam,
        supervisee=alice,
        date=days_ago(4),
        start_time=dt.time(10),
        duration_minutes=60,
        modality="video",
        location="Teams",
    )
    seat = access.seat_at(sam.user, session.pk)
    notes_actions.save_draft(
        by=sam.user, seat=seat, version=0, content={"wellbeing": "Fine"}, caseload=[entry]
    )
    assert status(login(alice), "J.B.") == (days_ago(4), False)


def test_the_page_asks_the_same_number_of_queries_however_long_the_list(login, everyone):
    alice, sam = everyone["alice"], everyone["sam"]
    client = login(alice)
    first = add(alice, "A", added_on=days_ago(200))
    discussed(sam, alice, days_ago(3), first)
    client.get("/notes/caseload/")  # the policy row is made on first read
    with CaptureQueriesContext(connection) as one:
        client.get("/notes/caseload/")
    entries = [add(alice, f"P{n}", added_on=days_ago(n * 30)) for n in range(8)]
    discussed(sam, alice, days_ago(2), *entries[:4])
    discussed(sam, alice, days_ago(1), *entries[2:6])
    notes_actions.archive_caseload_entry(by=alice.user, entry=entries[7])
    with CaptureQueriesContext(connection) as many:
        page = client.get("/notes/caseload/")
    assert len(page.context["current"]) == 8 and len(page.context["archived"]) == 1
    assert len(many.captured_queries) == len(one.captured_queries)


def test_lines_of_read_the_list_in_one_query(everyone, django_assert_num_queries):
    alice = everyone["alice"]
    for n in range(5):
        add(alice, f"P{n}")
    with django_assert_num_queries(1):
        current, _ = lines_of(alice, today=TODAY, review_days=N)
    assert len(current) == 5


# The rule itself.


def test_due_compares_the_days_since_with_the_review_days():
    assert not is_due(added_on=days_ago(91), last_discussed=None, today=TODAY, review_days=91)
    assert is_due(added_on=days_ago(92), last_discussed=None, today=TODAY, review_days=91)
    assert not is_due(
        added_on=days_ago(500), last_discussed=days_ago(91), today=TODAY, review_days=91
    )
    assert is_due(added_on=TODAY, last_discussed=days_ago(92), today=TODAY, review_days=91)


@given(
    added=st.integers(0, 1000),
    gap=st.one_of(st.none(), st.integers(0, 1000)),
    later=st.integers(0, 100),
    review_days=st.integers(1, 400),
)
def test_a_later_discussion_never_makes_someone_due(added, gap, later, review_days):
    """Discussing someone again (later than before, or for the first time) never turns the
    flag on."""
    added_on = days_ago(added)
    last = None if gap is None else max(added_on, days_ago(gap))
    before = is_due(added_on=added_on, last_discussed=last, today=TODAY, review_days=review_days)
    again = min(TODAY, (last or added_on) + dt.timedelta(days=later))
    after = is_due(added_on=added_on, last_discussed=again, today=TODAY, review_days=review_days)
    assert after <= before
