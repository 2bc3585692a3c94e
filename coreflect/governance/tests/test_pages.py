"""The route on a person's page, and concerns: each page for the roles that need it, 404 for
everyone else."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils.html import escape

from coreflect.audit.models import AuditEvent
from coreflect.governance.models import Concern
from coreflect.policy.models import PolicySettings

TODAY = dt.date(2026, 11, 23)
SECRET = "ZZ-the-summary-text-ZZ"


def person_url(person) -> str:
    return reverse("compliance:person", kwargs={"external_id": person.external_id})


def raise_as(client, step: int, with_whom, *, on: dt.date = TODAY, summary: str = SECRET):
    return client.post(
        reverse("governance:new_concern"),
        {
            "with_whom": f"{step}:{with_whom.external_id}",
            "raised_on": on.isoformat(),
            "summary": summary,
        },
    )


@pytest.fixture
def concern(everyone, eve, login) -> Concern:
    client = login(everyone["alice"])
    response = raise_as(client, 4, everyone["pat"])
    assert response.status_code == 302
    client.get(response.url)  # shows (and so uses up) the message saying it was recorded
    client.logout()
    return Concern.objects.get()


def test_a_peer_worker_sees_their_route_with_names_on_their_own_page(everyone, eve, login):
    page = login(everyone["alice"]).get(person_url(everyone["alice"])).content.decode()
    assert "If supervision is not working" in page
    section = page[page.index("If supervision is not working") :]
    assert "Step 1: Your supervisor" in section and "Sam Senior" in section
    assert "Step 4: Peer lead" in section and "Pat Lead" in section
    assert "Step 5: Head of Peer Work" in section and "Hana Head" in section
    assert "Step 2" not in section and "Step 3" not in section


def test_the_complaints_route_is_beside_every_step(everyone, eve, login):
    policy = PolicySettings.objects.current()
    page = login(everyone["alice"]).get(person_url(everyone["alice"])).content.decode()
    assert page.count(escape(policy.complaints_text)) == 3
    assert page.count(f'href="{policy.complaints_url}"') == 3


def test_the_head_of_peer_work_sees_anyones_route(everyone, eve, login):
    page = login(everyone["hana"]).get(person_url(everyone["alice"])).content.decode()
    assert "If supervision is not working" in page and "Alice Able's escalation route" in page
    # Only the person records concerns.
    assert "Record raising a concern" not in page


@pytest.mark.parametrize("viewer", ["sam", "pat", "lena", "gus", "ada"])
def test_others_who_see_the_page_do_not_see_the_route(everyone, eve, login, viewer):
    response = login(everyone[viewer]).get(person_url(everyone["alice"]))
    assert response.status_code == 200
    assert "If supervision is not working" not in response.content.decode()


def test_the_page_shows_the_route_on_the_day_asked_about(everyone, eve, login):
    from coreflect.people.models import EmploymentPeriod

    EmploymentPeriod.objects.filter(person=everyone["pat"]).update(end_date=dt.date(2026, 6, 30))
    client = login(everyone["alice"])
    before = client.get(person_url(everyone["alice"]) + "?as_of=2026-06-30").content.decode()
    now = client.get(person_url(everyone["alice"])).content.decode()
    assert "Pat Lead" in before[before.index("If supervision") :]
    assert "Pat Lead" not in now[now.index("If supervision") :]


def test_a_person_records_raising_a_concern_audited_without_the_summary(concern, everyone):
    assert (concern.person, concern.raised_with, concern.step) == (
        everyone["alice"],
        everyone["pat"],
        4,
    )
    assert concern.step_role == "peer_lead" and concern.service == everyone["alice"].service
    event = AuditEvent.objects.get(action="concern.raise")
    assert event.detail == {"step": 4, "role": "peer_lead", "raised_on": "2026-11-23"}
    assert SECRET not in str(AuditEvent.objects.values_list("detail", flat=True))


def test_a_concern_with_someone_not_on_that_step_is_refused(everyone, eve, login):
    response = raise_as(login(everyone["alice"]), 4, everyone["hana"])
    assert response.status_code == 200 and not Concern.objects.exists()
    response = raise_as(login(everyone["alice"]), 5, everyone["hana"], on=dt.date(2023, 1, 1))
    assert "was not on step 5" in response.content.decode()
    assert (
        not Concern.objects.exists()
        and not AuditEvent.objects.filter(action="concern.raise").exists()
    )


def test_a_concern_cannot_be_dated_in_the_future(everyone, eve, login):
    response = raise_as(login(everyone["alice"]), 4, everyone["pat"], on=TODAY + dt.timedelta(1))
    assert "today or in the past" in response.content.decode()
    assert not Concern.objects.exists()


@pytest.mark.parametrize("reader", ["alice", "pat"])
def test_the_person_and_whom_they_raised_it_with_read_it(concern, everyone, login, reader):
    response = login(everyone[reader]).get(reverse("governance:concern", args=[concern.pk]))
    assert response.status_code == 200 and SECRET in response.content.decode()
    listing = login(everyone[reader]).get(reverse("governance:concerns")).content.decode()
    assert reverse("governance:concern", args=[concern.pk]) in listing


@pytest.mark.parametrize("reader", ["sam", "hana", "lena", "gus", "ada", "olly", "eve"])
def test_nobody_else_reads_a_concern(concern, everyone, eve, login, reader):
    person = eve if reader == "eve" else everyone[reader]
    client = login(person)
    assert client.get(reverse("governance:concern", args=[concern.pk])).status_code == 404
    listing = client.get(reverse("governance:concerns"))
    assert listing.status_code == 404 or SECRET not in listing.content.decode()
    assert SECRET not in client.get(person_url(everyone["alice"])).content.decode()


def test_a_concern_that_does_not_exist_is_404(concern, everyone, login):
    response = login(everyone["alice"]).get(reverse("governance:concern", args=[concern.pk + 1]))
    assert response.status_code == 404


def test_the_person_records_the_outcome_audited_without_its_text(concern, everyone, login):
    url = reverse("governance:concern", args=[concern.pk])
    response = login(everyone["alice"]).post(
        url, {"version": concern.version, "outcome": "ZZ-outcome-ZZ"}
    )
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.outcome == "ZZ-outcome-ZZ" and concern.outcome_at is not None
    assert AuditEvent.objects.get(action="concern.outcome").detail == {"first": True}
    assert "ZZ-outcome-ZZ" not in str(AuditEvent.objects.values_list("detail", flat=True))


def test_a_stale_outcome_is_refused(concern, everyone, login):
    url = reverse("governance:concern", args=[concern.pk])
    client = login(everyone["alice"])
    client.post(url, {"version": concern.version, "outcome": "first"})
    client.post(url, {"version": concern.version, "outcome": "second"})
    concern.refresh_from_db()
    assert concern.outcome == "first"


@pytest.mark.parametrize("who", ["pat", "hana"])
def test_nobody_but_the_person_records_the_outcome(concern, everyone, login, who):
    url = reverse("governance:concern", args=[concern.pk])
    response = login(everyone[who]).post(url, {"version": concern.version, "outcome": "x"})
    assert response.status_code == 404
    concern.refresh_from_db()
    assert concern.outcome == ""


@pytest.mark.parametrize("who", ["lena", "gus", "ada"])
def test_only_peer_workers_record_concerns(everyone, eve, login, who):
    assert login(everyone[who]).get(reverse("governance:new_concern")).status_code == 404
    assert login(everyone[who]).get(reverse("governance:concerns")).status_code == 404


def test_the_head_of_peer_work_sees_counts_by_service_and_quarter_only(concern, everyone, login):
    response = login(everyone["hana"]).get(reverse("governance:counts"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "North" in page and "2026/27 quarter 3" in page
    assert SECRET not in page and "Pat Lead" not in page and "Alice Able" not in page


@pytest.mark.parametrize("who", ["alice", "sam", "pat", "lena", "gus", "ada"])
def test_nobody_else_sees_the_counts(concern, everyone, login, who):
    assert login(everyone[who]).get(reverse("governance:counts")).status_code == 404


def test_the_navigation_offers_concerns_and_counts_to_those_who_need_them(concern, everyone, login):
    assert reverse("governance:concerns") in login(everyone["alice"]).get("/").content.decode()
    assert reverse("governance:concerns") in login(everyone["pat"]).get("/").content.decode()
    head = login(everyone["hana"]).get("/").content.decode()
    assert reverse("governance:counts") in head
    assert reverse("governance:concerns") not in login(everyone["gus"]).get("/").content.decode()


def test_the_person_page_asks_a_fixed_number_of_queries_for_the_route(
    everyone, eve, login, north, django_assert_max_num_queries
):
    from coreflect.testing import make_person, supervise

    client = login(everyone["alice"])
    client.get(person_url(everyone["alice"]))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(person_url(everyone["alice"]))
    for n in range(10):
        sup = make_person(f"S{n}", f"Sup {n}", "peer_practitioner", locality=north)
        supervise(sup, make_person(f"W{n}", f"Worker {n}", "peer_worker", locality=north))
    with CaptureQueriesContext(connection) as many:
        client.get(person_url(everyone["alice"]))
    assert len(many) == len(few)
