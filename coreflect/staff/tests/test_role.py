"""The role page: an administrator (their own person's role, not a superuser without one)
gives anyone any role, privileged ones included, only after using a second factor in the last
15 minutes, never their own; kept in the person's history; audited as person.role_grant with
before and after; in force at once. Everyone else gets 404."""

import datetime as dt

import pytest
from django.contrib.auth.models import User

from coreflect.audit.models import AuditEvent
from coreflect.people.models import EmploymentPeriod, Placement, Role
from coreflect.people.rules import Refused
from coreflect.staff import actions
from coreflect.staff.tests.conftest import TODAY, text, words
from coreflect.testing import EMPLOYED_FROM

NOT_RECENT = (
    "you need to have used your second factor (your authenticator app or security key) in the "
    "last 15 minutes"
)
STALE = "Someone changed this person's record since you opened it"


def url(person):
    return f"/staff/{person.pk}/role/"


def grant(client, person, role, effective=TODAY, opened=None):
    return client.post(
        url(person),
        {
            "role": role,
            "effective": effective.isoformat(),
            "opened": opened or actions.as_opened(person),
        },
    )


@pytest.fixture
def placed(alice, north):
    Placement.objects.create(
        person=alice,
        role=alice.role,
        service=north.service,
        locality=north,
        start_date=EMPLOYED_FROM,
    )
    return alice


def test_an_administrator_with_a_recent_second_factor_grants_a_privileged_role(
    login, ada, placed, second_factor
):
    client = second_factor(login(ada), 14)
    page = client.get(url(placed))
    offered = {v for v, _ in page.context["form"].fields["role"].choices}
    assert {"admin", "governance", "head_of_peer_work"} <= offered
    response = grant(client, placed, Role.GOVERNANCE)
    assert response.status_code == 302 and response.url == f"/staff/{placed.pk}/"
    placed.refresh_from_db()
    assert placed.role == Role.GOVERNANCE
    event = AuditEvent.objects.get(action="person.role_grant")
    assert event.actor == ada.user and event.object_id == str(placed.pk)
    assert (event.detail["before"], event.detail["after"]) == (
        {"role": "peer_worker"},
        {"role": "governance"},
    )
    # The history keeps the role she had, to yesterday; her peer-work employment ends then too.
    assert list(
        Placement.objects.filter(person=placed)
        .order_by("start_date")
        .values_list("role", "start_date", "end_date")
    ) == [
        ("peer_worker", EMPLOYED_FROM, TODAY - dt.timedelta(days=1)),
        ("governance", TODAY, None),
    ]
    assert EmploymentPeriod.objects.get(person=placed).end_date == TODAY - dt.timedelta(days=1)


def test_a_granted_role_is_in_force_at_once(login, ada, alice, second_factor):
    assert login(alice).get("/audit/").status_code == 404
    grant(second_factor(login(ada)), alice, Role.GOVERNANCE)
    assert login(alice).get("/audit/").status_code == 200


@pytest.mark.parametrize("minutes_ago", [None, 16])
def test_without_a_recent_second_factor_the_page_says_so_and_grants_nothing(
    login, ada, alice, second_factor, minutes_ago
):
    client = login(ada)
    if minutes_ago is not None:
        second_factor(client, minutes_ago)
    page = client.get(url(alice))
    assert page.status_code == 200
    assert NOT_RECENT in words(page)
    assert "Confirm it is you with your second factor" in words(page)
    assert 'name="role"' not in text(page)
    response = grant(client, alice, Role.ADMIN)
    assert response.status_code == 403 and NOT_RECENT in words(response)
    alice.refresh_from_db()
    assert alice.role == Role.PEER_WORKER
    assert not AuditEvent.objects.filter(action="person.role_grant").exists()


def test_the_page_links_to_using_the_second_factor_again_and_back(login, ada, alice):
    page = text(login(ada).get(url(alice)))
    assert f'href="/accounts/2fa/reauthenticate/?next=/staff/{alice.pk}/role/"' in page


@pytest.mark.parametrize("who", ["hana", "gus", "alice", "sam", "lena", "pat"])
def test_the_role_page_without_permission(login, everyone, second_factor, who):
    alice = everyone["alice"]
    client = second_factor(login(everyone[who]))
    assert client.get(url(alice)).status_code == 404
    assert grant(client, alice, Role.ADMIN).status_code == 404
    alice.refresh_from_db()
    assert alice.role == Role.PEER_WORKER


def test_a_superuser_without_a_person_grants_no_roles(client, alice, second_factor):
    root = User.objects.create_superuser("root", "root@example.nhs.uk", "pw-for-root")
    client.force_login(root)
    second_factor(client)
    assert client.get("/staff/").status_code == 200  # runs the system otherwise
    assert client.get(url(alice)).status_code == 404
    assert grant(client, alice, Role.ADMIN).status_code == 404


def test_an_administrator_cannot_change_their_own_role(login, ada, second_factor):
    client = second_factor(login(ada))
    page = client.get(url(ada))
    assert "You cannot change your own role: another administrator must do it." in text(page)
    assert grant(client, ada, Role.PEER_WORKER).status_code == 404
    with pytest.raises(Refused, match="Another administrator must change your own role"):
        actions.grant_role(
            by=ada.user,
            person=ada,
            opened=actions.as_opened(ada),
            role="peer_worker",
            effective=TODAY,
        )
    ada.refresh_from_db()
    assert ada.role == Role.ADMIN


def test_the_same_role_again_is_refused(login, ada, alice, second_factor):
    response = grant(second_factor(login(ada)), alice, Role.PEER_WORKER)
    assert "Alice Able already has this role" in text(response)


def test_a_stale_role_form_is_refused(login, ada, hana, alice, second_factor):
    client = second_factor(login(ada))
    before = actions.as_opened(alice)
    actions.change_person(
        by=hana.user,
        person=alice,
        opened=before,
        name="Alice Renamed",
        email=alice.email,
        role=alice.role,
        service=alice.service,
        locality=alice.locality,
        line_manager=alice.line_manager,
        effective=None,
    )
    response = grant(client, alice, Role.ADMIN, opened=before)
    assert STALE in words(response)
    alice.refresh_from_db()
    assert alice.role == Role.PEER_WORKER


def test_only_an_administrator_is_offered_the_role_page(login, ada, hana, alice):
    assert f'href="/staff/{alice.pk}/role/"' in text(login(ada).get(f"/staff/{alice.pk}/"))
    assert f'href="/staff/{alice.pk}/role/"' not in text(login(hana).get(f"/staff/{alice.pk}/"))


def test_an_administrator_takes_a_privileged_role_away(login, ada, hana, second_factor):
    grant(second_factor(login(ada)), hana, Role.PEER_LEAD)
    hana.refresh_from_db()
    assert hana.role == Role.PEER_LEAD
    # Both peer-work roles: her employment goes on.
    assert EmploymentPeriod.objects.get(person=hana).end_date is None
