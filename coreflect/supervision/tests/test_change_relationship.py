"""Changing a relationship, for the head of peer work and administrators (404 for anyone
else): correct its kind or first day, or move the supervisee to a new supervisor from a date
(the relationship ends the day before, a new one starts); the checks of a new relationship
apply; a stale form is refused; audited with before and after; the matrix shows the new
supervisor at once."""

import datetime as dt
import html

import pytest
from django.core.exceptions import ValidationError

from coreflect.audit.models import AuditEvent
from coreflect.supervision import actions
from coreflect.supervision.models import RelationshipType, SupervisionRelationship
from coreflect.testing import EMPLOYED_FROM

STALE = "Someone changed this relationship since you opened it"


def words(response):
    return html.unescape(response.content.decode())


def url(relationship):
    return f"/sessions/relationships/{relationship.pk}/change/"


def opened(relationship):
    return actions.relationship_as_opened(relationship)


def move(client, relationship, supervisor, day="2026-11-16", **extra):
    data = {
        "change": "move",
        "move-supervisor": supervisor.pk,
        "move-from_date": day,
        "move-opened": opened(relationship),
        **extra,
    }
    return client.post(url(relationship), data)


def correct(client, relationship, type="peer_work", start="2024-02-01", **extra):
    data = {
        "change": "correct",
        "correct-type": type,
        "correct-start_date": start,
        "correct-opened": opened(relationship),
        **extra,
    }
    return client.post(url(relationship), data)


@pytest.fixture
def current(alice):
    return SupervisionRelationship.objects.get(supervisee=alice)


@pytest.mark.parametrize("who", ["hana", "ada"])
def test_a_supervisee_moves_to_a_new_supervisor_from_a_date(login, everyone, current, who):
    client = login(everyone[who])
    assert f'href="{url(current)}"' in client.get("/sessions/relationships/").content.decode()
    response = move(client, current, everyone["pat"])
    assert response.status_code == 302 and response.url == "/sessions/relationships/"
    rows = list(
        SupervisionRelationship.objects.filter(supervisee=everyone["alice"])
        .order_by("start_date")
        .values_list("supervisor__name", "type", "start_date", "end_date")
    )
    assert rows == [
        ("Sam Senior", "peer_work", EMPLOYED_FROM, dt.date(2026, 11, 15)),
        ("Pat Lead", "peer_work", dt.date(2026, 11, 16), None),
    ]
    event = AuditEvent.objects.get(action="relationship.move")
    assert event.actor == everyone[who].user and event.detail["ended"] == current.pk
    assert event.detail["before"]["supervisor"] == "SAM"
    assert event.detail["after"] == {
        "type": "peer_work",
        "supervisor": "PAT",
        "start": "2026-11-16",
        "end": None,
    }


def test_a_move_shows_on_the_matrix_at_once(login, hana, current, pat):
    client = login(hana)
    rows = {r.person.name: r for r in client.get("/matrix/").context["rows"]}
    assert rows["Alice Able"].supervisor.name == "Sam Senior"
    move(client, current, pat)
    rows = {r.person.name: r for r in client.get("/matrix/").context["rows"]}
    assert rows["Alice Able"].supervisor.name == "Pat Lead"
    # Sam no longer supervises her, so no longer sees her row.
    sams = {r.person.name for r in login(current.supervisor).get("/matrix/").context["rows"]}
    assert "Alice Able" not in sams


def test_a_move_keeps_an_end_date_already_recorded(login, hana, current, pat):
    SupervisionRelationship.objects.filter(pk=current.pk).update(end_date=dt.date(2027, 3, 31))
    current.refresh_from_db()
    move(login(hana), current, pat)
    new = SupervisionRelationship.objects.get(supervisor=pat)
    assert new.end_date == dt.date(2027, 3, 31)


@pytest.mark.parametrize(
    ("who", "day", "says"),
    [
        ("pat", "2024-01-01", "a move must be from a later day"),
        ("sam", "2026-11-16", "Sam Senior is the supervisor already."),
        ("alice", "2026-11-16", "A person cannot supervise themselves."),
    ],
)
def test_a_move_on_the_first_day_to_the_same_supervisor_or_to_oneself_is_refused(
    login, hana, everyone, current, who, day, says
):
    response = move(login(hana), current, everyone[who], day)
    assert response.status_code == 200 and says in words(response)
    assert SupervisionRelationship.objects.get(pk=current.pk).end_date is None
    assert SupervisionRelationship.objects.filter(supervisee=everyone["alice"]).count() == 1


def test_a_governance_account_is_not_offered_as_a_new_supervisor(login, hana, current, gus):
    response = move(login(hana), current, gus)
    assert "Select a valid choice" in words(response)
    assert SupervisionRelationship.objects.get(pk=current.pk).end_date is None


def test_the_action_refuses_a_supervisor_who_may_not_supervise(hana, current, gus):
    with pytest.raises(ValidationError, match="cannot supervise anyone"):
        actions.move_relationship(
            by=hana.user,
            relationship=current,
            opened=opened(current),
            supervisor=gus,
            from_date=dt.date(2026, 11, 16),
        )
    assert SupervisionRelationship.objects.get(pk=current.pk).end_date is None


def test_a_move_after_the_relationship_ended_is_refused(login, hana, current, pat):
    SupervisionRelationship.objects.filter(pk=current.pk).update(end_date=dt.date(2026, 6, 30))
    current.refresh_from_db()
    response = move(login(hana), current, pat)
    assert "The relationship ended on 30 June 2026: add a new relationship instead." in words(
        response
    )


def test_the_kind_or_first_day_is_corrected_and_audited(login, ada, current):
    response = correct(login(ada), current, type="clinical", start="2024-02-01")
    assert response.status_code == 302
    current.refresh_from_db()
    assert (current.type, current.start_date) == ("clinical", dt.date(2024, 2, 1))
    event = AuditEvent.objects.get(action="relationship.change")
    assert (event.detail["before"]["type"], event.detail["before"]["start"]) == (
        "peer_work",
        "2024-01-01",
    )
    assert (event.detail["after"]["type"], event.detail["after"]["start"]) == (
        "clinical",
        "2024-02-01",
    )


def test_a_correction_that_makes_a_second_peer_work_supervisor_is_refused(
    login, hana, alice, pat, current
):
    clinical = SupervisionRelationship.objects.create(
        supervisee=alice, supervisor=pat, type=RelationshipType.CLINICAL, start_date=EMPLOYED_FROM
    )
    response = correct(login(hana), clinical, type="peer_work", start="2024-01-01")
    assert "already has a peer work supervisor (Sam Senior)" in words(response)
    clinical.refresh_from_db()
    assert clinical.type == "clinical"


def test_a_first_day_after_the_last_is_refused(login, hana, current):
    SupervisionRelationship.objects.filter(pk=current.pk).update(end_date=dt.date(2026, 6, 30))
    current.refresh_from_db()
    response = correct(login(hana), current, start="2026-07-01")
    assert "its first day cannot be later" in words(response)


@pytest.mark.parametrize("change", ["move", "correct"])
def test_a_stale_change_form_is_refused_and_shows_the_relationship_as_it_is(
    login, hana, ada, current, pat, change
):
    client = login(hana)
    stale = opened(current)
    actions.end_relationship(by=ada.user, relationship=current, end_date=dt.date(2026, 12, 31))
    if change == "move":
        response = move(client, current, pat, **{"move-opened": stale})
    else:
        response = correct(client, current, type="clinical", **{"correct-opened": stale})
    assert response.status_code == 200 and STALE in words(response)
    assert "ending 31 December 2026" in words(response)
    current.refresh_from_db()
    assert (current.type, current.end_date) == ("peer_work", dt.date(2026, 12, 31))
    assert not SupervisionRelationship.objects.filter(supervisor=pat).exists()
    assert not AuditEvent.objects.filter(action__in=["relationship.move", "relationship.change"])


@pytest.mark.parametrize("who", ["alice", "sam", "lena", "pat", "gus"])
def test_changing_a_relationship_without_permission(login, everyone, current, who):
    client = login(everyone[who])
    assert client.get(url(current)).status_code == 404
    assert move(client, current, everyone["pat"]).status_code == 404
    assert correct(client, current, type="clinical").status_code == 404
    current.refresh_from_db()
    assert (current.type, current.end_date) == ("peer_work", None)


def test_changing_a_missing_relationship_is_404(login, hana):
    assert login(hana).get("/sessions/relationships/999999/change/").status_code == 404
