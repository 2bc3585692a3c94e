"""The disclosure pages, per role: the worker and the supervisor who made a disclosure read
it; the head of peer work and governance see counts only; everyone else gets 404."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coreflect.audit.models import AuditEvent
from coreflect.disclosures import actions
from coreflect.disclosures.models import Disclosure, Ground
from coreflect.disclosures.tests.conftest import MARKER
from coreflect.people.models import Role
from coreflect.testing import PASSWORD, make_person, supervise

LIST = reverse("disclosures:list")
NEW = reverse("disclosures:new")
COUNTS = reverse("disclosures:counts")

FORM = {
    "supervisee": "ALICE",
    "ground": "conduct",
    "summary": "Told the peer lead about repeated lateness",
    "shared_with_name": "Pat Lead",
    "shared_with_role": "Peer lead",
    "shared_on": "2026-11-23",
    "told_first": "yes",
    "not_told_reason": "",
}


# Who reads a disclosure in full.


def test_the_worker_reads_every_disclosure_about_them(login, disclosure):
    response = login(disclosure.supervisee).get(LIST)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Disclosures about you" in page
    for text in (MARKER, "Rita Ward-Hooper", "Safeguarding lead", "Reason-9c1d", "Sam Senior"):
        assert text in page
    assert "Duty of care or safeguarding" in page
    assert "20 November 2026" in page


def test_the_supervisor_who_made_it_reads_it_on_their_list(login, sam, disclosure):
    page = login(sam).get(LIST).content.decode()
    assert "Disclosures you have recorded" in page
    assert MARKER in page and "Reason-9c1d" in page
    assert "Alice Able" in page
    assert "Not yet" in page  # Alice has not opened it


@pytest.mark.parametrize("who", ["olly", "sue", "pat", "hana"])
def test_other_peer_work_staff_see_only_disclosures_about_themselves(
    login, everyone, disclosure, who
):
    response = login(everyone[who]).get(LIST)
    assert response.status_code == 200
    page = response.content.decode()
    assert MARKER not in page and "Reason-9c1d" not in page and "Rita Ward-Hooper" not in page


@pytest.mark.parametrize("who", ["lena", "gus", "ada"])
def test_line_managers_governance_and_administrators_get_404_for_disclosures(
    login, everyone, disclosure, who
):
    assert login(everyone[who]).get(LIST).status_code == 404


def test_a_later_supervisor_does_not_read_disclosures_made_by_the_one_before(
    login, alice, sam, disclosure
):
    later = make_person("LATE", "Lou Later", Role.SENIOR_PEER_WORKER)
    relationship = alice.supervisors.get(supervisor=sam)
    relationship.end_date = dt.date(2026, 11, 21)
    relationship.save(update_fields=["end_date"])
    supervise(later, alice, start=dt.date(2026, 11, 22))
    page = login(later).get(LIST).content.decode()
    assert MARKER not in page and "Reason-9c1d" not in page


def test_signed_out_visitors_are_sent_to_sign_in(client, disclosure):
    for url in (LIST, NEW, COUNTS):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_a_user_without_a_person_gets_404(client, django_user_model, disclosure):
    client.force_login(django_user_model.objects.create_superuser("root", "", PASSWORD))
    for url in (LIST, NEW):
        assert client.get(url).status_code == 404


# Recording one.


def test_a_supervisor_records_a_disclosure_about_their_supervisee(login, sam, alice):
    client = login(sam)
    form = client.get(NEW + "?supervisee=ALICE")
    assert form.status_code == 200
    assert 'value="ALICE" selected' in form.content.decode()
    response = client.post(NEW, FORM)
    assert response.status_code == 302 and response["Location"] == LIST
    disclosure = Disclosure.objects.get()
    assert (disclosure.supervisee, disclosure.supervisor) == (alice, sam)
    assert disclosure.ground == Ground.CONDUCT and disclosure.told_first
    assert disclosure.summary == FORM["summary"] and disclosure.seen_at is None


def test_recording_a_disclosure_is_audited_without_its_content(login, sam, alice):
    login(sam).post(NEW, FORM)
    event = AuditEvent.objects.get(action="disclosure.recorded")
    assert event.actor == sam.user
    assert event.object_id == str(Disclosure.objects.get().pk)
    assert event.detail["ground"] == "conduct"
    stored = repr(event.detail)
    assert "lateness" not in stored and "Pat Lead" not in stored and "Peer lead" not in stored


def test_a_disclosure_not_told_first_needs_a_reason_on_the_form(login, sam, alice):
    response = login(sam).post(NEW, FORM | {"told_first": "no"})
    assert response.status_code == 200
    assert "Say why you did not discuss it with the worker first" in response.content.decode()
    assert not Disclosure.objects.exists()
    login(sam).post(NEW, FORM | {"told_first": "no", "not_told_reason": "She was on leave"})
    assert Disclosure.objects.get().not_told_reason == "She was on leave"


def test_an_empty_form_names_each_missing_answer(login, sam, alice):
    page = login(sam).post(NEW, {}).content.decode()
    for message in (
        "Select who it is about",
        "Select the ground you shared it on",
        "Enter what you shared",
        "Enter who you shared it with",
        "Enter their role",
        "Enter the date you shared it",
        "Select whether you discussed it with the worker first",
    ):
        assert message in page
    assert not Disclosure.objects.exists()


def test_a_ground_outside_the_three_is_refused_by_the_form(login, sam, alice):
    page = login(sam).post(NEW, FORM | {"ground": "curiosity"}).content.decode()
    assert "Select a valid choice" in page
    assert not Disclosure.objects.exists()


def test_a_supervisor_cannot_record_a_disclosure_about_someone_they_do_not_supervise(
    login, sue, alice, olly
):
    response = login(sue).post(NEW, FORM)
    assert response.status_code == 200
    assert not Disclosure.objects.exists()
    assert "Alice Able" not in login(sue).get(NEW).content.decode()


def test_a_disclosure_dated_before_the_supervision_began_is_refused(login, sam, alice):
    page = login(sam).post(NEW, FORM | {"shared_on": "2023-12-31"}).content.decode()
    assert "someone you supervised on the date shared" in page
    assert not Disclosure.objects.exists()


def test_a_disclosure_dated_in_the_future_is_refused(login, sam, alice):
    page = login(sam).post(NEW, FORM | {"shared_on": "2026-11-24"}).content.decode()
    assert "today or in the past" in page
    assert not Disclosure.objects.exists()


def test_a_former_supervisor_may_record_one_dated_while_they_supervised(login, alice, sam):
    relationship = alice.supervisors.get(supervisor=sam)
    relationship.end_date = dt.date(2026, 10, 31)
    relationship.save(update_fields=["end_date"])
    assert login(sam).post(NEW, FORM).status_code == 200  # today: no longer
    assert not Disclosure.objects.exists()
    login(sam).post(NEW, FORM | {"shared_on": "2026-10-30"})
    assert Disclosure.objects.get().shared_on == dt.date(2026, 10, 30)


@pytest.mark.parametrize("who", ["alice", "olly", "lena", "pat", "hana", "gus", "ada"])
def test_only_a_supervisor_may_open_the_form(login, everyone, who):
    assert login(everyone[who]).get(NEW).status_code == 404
    assert login(everyone[who]).post(NEW, FORM).status_code == 404
    assert not Disclosure.objects.exists()


def test_another_supervisor_may_open_the_form_for_their_own_supervisees(login, sue, olly):
    page = login(sue).get(NEW).content.decode()
    assert "Olly Other" in page and "Alice Able" not in page


# The notice at sign-in.


def sign_in(client, person):
    return client.post(
        reverse("account_login"), {"login": person.user.username, "password": PASSWORD}, follow=True
    )


def test_the_worker_is_told_of_a_new_disclosure_when_they_next_sign_in(client, disclosure):
    landing = sign_in(client, disclosure.supervisee).content.decode()
    assert "there is 1 new disclosure about you" in landing
    assert f'href="{LIST}#about-you"' in landing
    # On every page until they open the disclosures page.
    assert "1 new disclosure" in client.get(reverse("compliance:me"), follow=True).content.decode()
    opened = client.get(LIST).content.decode()
    assert "new disclosure about you" not in opened
    assert "New</strong>" in opened  # marked as new on this visit
    assert "new disclosure" not in client.get(reverse("home")).content.decode()
    assert Disclosure.objects.get().seen_at is not None
    assert AuditEvent.objects.filter(action="disclosure.seen").count() == 1


def test_the_notice_counts_only_unseen_disclosures(client, login, alice, disclosure):
    login(alice).get(LIST)
    client.logout()
    assert "new disclosure" not in sign_in(client, alice).content.decode()
    second = Disclosure.objects.get()
    second.pk = None
    second.seen_at = None
    second.save()
    client.logout()
    assert "there is 1 new disclosure" in sign_in(client, alice).content.decode()


def test_no_one_else_is_told_of_it(client, sam, disclosure):
    assert "new disclosure" not in sign_in(client, sam).content.decode()


def test_the_supervisor_opening_their_list_does_not_mark_it_seen(login, sam, disclosure):
    login(sam).get(LIST)
    disclosure.refresh_from_db()
    assert disclosure.seen_at is None


def test_the_navigation_offers_disclosures_to_those_who_may_open_them(login, everyone):
    for who, offered in {
        "alice": True,
        "sam": True,
        "lena": False,
        "gus": False,
        "ada": False,
    }.items():
        page = login(everyone[who]).get(reverse("home")).content.decode()
        assert (f'href="{LIST}"' in page) is offered, who


# Counts.


@pytest.mark.parametrize("who", ["hana", "gus"])
def test_the_head_of_peer_work_and_governance_see_counts_but_no_content(
    login, everyone, disclosure, who
):
    page = login(everyone[who]).get(COUNTS).content.decode()
    assert "Q3 2026/27 (Oct to Dec)" in page
    for text in (MARKER, "Reason-9c1d", "Rita Ward-Hooper", "Safeguarding lead", "Alice", "Sam"):
        assert text not in page
    row = page.split("Q3 2026/27 (Oct to Dec)")[1].split("</tr>")[0]
    assert [c.split("</td>")[0] for c in row.split('numeric">')[1:]] == ["1", "0", "0", "1"]


@pytest.mark.parametrize("who", ["alice", "sam", "olly", "sue", "lena", "pat", "ada"])
def test_no_one_else_sees_the_counts(login, everyone, disclosure, who):
    assert login(everyone[who]).get(COUNTS).status_code == 404


def test_the_counts_page_asks_a_fixed_number_of_queries(
    login, hana, alice, sam, disclosure, django_assert_max_num_queries
):
    client = login(hana)
    client.get(COUNTS)
    for day in range(1, 20):
        copy = Disclosure.objects.first()
        copy.pk = None
        copy.shared_on = dt.date(2025, 1 + day % 12, day)
        copy.save()
    with django_assert_max_num_queries(8):
        client.get(COUNTS)


def test_only_the_worker_marks_a_disclosure_seen(sam, alice, disclosure):
    assert actions.mark_seen(by=sam.user, disclosures=[disclosure]) == 0
    disclosure.refresh_from_db()
    assert disclosure.seen_at is None
    assert actions.mark_seen(by=alice.user, disclosures=[disclosure]) == 1
    disclosure.refresh_from_db()
    assert disclosure.seen_at is not None


def test_headings_do_not_skip_a_level(login, alice, sam, disclosure):
    worker = login(alice).get(LIST).content.decode()
    assert "<h1" in worker and '<h2 class="nhsuk-card__heading">' in worker and "<h3" not in worker
    # Sam is peer-work staff and a supervisor: two sections, the disclosures under them.
    both = login(sam).get(LIST).content.decode()
    assert both.count("<h2") == 2 and '<h3 class="nhsuk-card__heading">' in both


def test_the_disclosures_page_asks_no_more_queries_for_more_disclosures(
    login, alice, sam, disclosure, django_assert_max_num_queries
):
    for client in (login(alice), login(sam)):
        client.get(LIST)  # the worker's first visit marks them seen
    with CaptureQueriesContext(connection) as few:
        login(alice).get(LIST)
        login(sam).get(LIST)
    for _ in range(10):
        copy = Disclosure.objects.first()
        copy.pk = None
        copy.save()
    with django_assert_max_num_queries(len(few.captured_queries)):
        login(alice).get(LIST)
        login(sam).get(LIST)
