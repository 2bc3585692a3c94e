"""The series pages: who may open them, and what they do."""

import datetime as dt

import pytest

from coreflect.audit.models import AuditEvent
from coreflect.supervision import actions
from coreflect.supervision.models import Session, SessionSeries
from coreflect.supervision.tests.conftest import TODAY


def group(lead, members):
    return actions.create_series(
        by=lead.user,
        kind="co_reflection",
        lead=lead,
        name="North group",
        recurrence_rule="FREQ=MONTHLY;BYDAY=-1WE",
        start_date=TODAY,
        start_time=dt.time(13),
        duration_minutes=180,
        modality="in_person",
        location="The Hub",
        members=members,
    )


def series_form(**extra):
    return {
        "name": "South group",
        "recurrence": "FREQ=MONTHLY;BYDAY=-1WE",
        "start_date": "2026-11-23",
        "end_date": "",
        "start_time": "13:00",
        "duration_minutes": "180",
        "modality": "in_person",
        "location": "Hub",
        **extra,
    }


@pytest.mark.parametrize("who", ["sam", "pat", "sue", "hana"])
def test_facilitators_and_supervisors_open_the_series_pages(login, everyone, who):
    for path in ("/sessions/series/", "/sessions/series/new/group/"):
        assert login(everyone[who]).get(path).status_code == 200, path


@pytest.mark.parametrize("who", ["alice", "olly", "lena", "gus", "ada"])
def test_the_series_pages_without_permission_answer_404(login, everyone, who):
    for path in ("/sessions/series/", "/sessions/series/new/group/"):
        assert login(everyone[who]).get(path).status_code == 404, path


def test_the_navigation_offers_groups_to_facilitators_only(login, sam, alice):
    assert "Groups and series" in login(sam).get("/").content.decode()
    assert "Groups and series" not in login(alice).get("/").content.decode()


def test_the_new_group_form_starts_from_the_policy(login, sam):
    form = login(sam).get("/sessions/series/new/group/").context["form"]
    assert form.initial["recurrence"] == "FREQ=MONTHLY;BYDAY=-1WE"
    assert form.initial["start_time"] == dt.time(13) and form.initial["duration_minutes"] == 180


def test_setting_up_a_group_makes_its_sessions(login, sam, alice):
    response = login(sam).post("/sessions/series/new/group/", series_form(members=[alice.pk]))
    series = SessionSeries.objects.get()
    assert response.status_code == 302 and series.lead == sam
    assert series.occurrences.count() == 12
    assert Session.objects.filter(attendance__person=alice).count() == 12
    assert AuditEvent.objects.filter(action="series.create").exists()


def test_a_bad_rule_is_shown_not_saved(login, sam):
    response = login(sam).post("/sessions/series/new/group/", series_form(recurrence="FREQ=X"))
    assert response.status_code == 200 and not SessionSeries.objects.exists()
    assert response.context["form"].errors["recurrence"]


def test_someone_elses_series_answers_404(login, sam, alice, sue):
    series = group(sam, [alice])
    for path in (f"/sessions/series/{series.pk}/", f"/sessions/series/{series.pk}/edit/"):
        assert login(sam).get(path).status_code == 200
        assert login(sue).get(path).status_code == 404
        assert login(alice).get(path).status_code == 404


def test_the_lead_changes_the_series(login, sam, alice):
    series = group(sam, [alice])
    response = login(sam).post(
        f"/sessions/series/{series.pk}/edit/",
        series_form(name="North group", start_time="10:00", version=series.version),
    )
    assert response.status_code == 302
    assert set(series.occurrences.values_list("start_time", flat=True)) == {dt.time(10)}


def test_a_stale_series_edit_is_refused_on_the_page(login, sam, alice):
    series = group(sam, [alice])
    login(sam).post(
        f"/sessions/series/{series.pk}/edit/",
        series_form(start_time="10:00", version=series.version - 1),
    )
    assert set(series.occurrences.values_list("start_time", flat=True)) == {dt.time(13)}


def test_the_lead_adds_and_ends_members(login, sam, alice, north):
    from coreflect.people.models import Role
    from coreflect.testing import make_person

    bo = make_person("BO", "Bo Blue", Role.PEER_WORKER, locality=north)
    series = group(sam, [alice])
    client = login(sam)
    client.post(
        f"/sessions/series/{series.pk}/",
        {"do": "add", "person": bo.pk, "start_date": "2027-01-01", "version": series.version},
    )
    assert Session.objects.filter(attendance__person=bo).count() == 10
    series.refresh_from_db()
    member = series.members.get(person=alice)
    client.post(
        f"/sessions/series/{series.pk}/",
        {"do": "end", "member": member.pk, "end_date": "2026-12-31", "version": series.version},
    )
    assert Session.objects.filter(attendance__person=alice).count() == 2


def test_the_one_to_one_series_page_offers_only_supervisees(login, sam, alice, olly):
    response = login(sam).post(
        "/sessions/series/new/one-to-one/",
        series_form(supervisee=olly.pk, recurrence="FREQ=MONTHLY;BYDAY=+2TU"),
    )
    assert response.status_code == 200 and not SessionSeries.objects.exists()
    response = login(sam).post(
        "/sessions/series/new/one-to-one/",
        series_form(supervisee=alice.pk, recurrence="FREQ=MONTHLY;BYDAY=+2TU"),
    )
    assert response.status_code == 302
    assert SessionSeries.objects.get().occurrences.first().kind == "one_to_one"
