"""Changing a person: name, email (a sign-in's with it), line manager, and role or team from a
date, the current placement ending the day before so the history is kept and shown; never to
or from a privileged role; a stale form refused; one audit entry with before and after; the
matrix shows the change at once. A privileged person's record is changed only by an
administrator who used a second factor in the last 15 minutes."""

import datetime as dt

import pytest

from coreflect.audit.models import AuditEvent
from coreflect.people.models import EmploymentPeriod, Person, Placement, Role
from coreflect.people.rules import Refused
from coreflect.staff import actions
from coreflect.staff.tests.conftest import TODAY, text, words
from coreflect.testing import EMPLOYED_FROM

STALE = "Someone changed this person's record since you opened it"


def url(person):
    return f"/staff/{person.pk}/"


def opened_form(client, person, **changes):
    """The edit form as the page offers it, with some fields changed."""
    form = client.get(url(person)).context["form"]
    initial = form.initial
    data = {
        key: "" if value is None else value
        for key, value in initial.items()
        if key in form.fields and key != "effective"
    }
    data["effective"] = initial["effective"].isoformat()
    return {**data, **changes}


@pytest.fixture
def placed(alice, north):
    """Alice's history: a peer worker in Northton since she started."""
    Placement.objects.create(
        person=alice,
        role=alice.role,
        service=north.service,
        locality=north,
        start_date=EMPLOYED_FROM,
    )
    return alice


def test_a_new_name_and_email_are_saved_with_the_sign_ins_email_and_audited(login, hana, alice):
    client = login(hana)
    response = client.post(
        url(alice), opened_form(client, alice, name="Alice Bright", email="ab@example.nhs.uk")
    )
    assert response.status_code == 302 and response.url == url(alice)
    alice.refresh_from_db()
    alice.user.refresh_from_db()
    assert (alice.name, alice.email, alice.user.email) == (
        "Alice Bright",
        "ab@example.nhs.uk",
        "ab@example.nhs.uk",
    )
    event = AuditEvent.objects.get(action="person.change")
    assert event.actor == hana.user and event.object_id == str(alice.pk)
    assert event.detail["before"] == {"name": "Alice Able", "email": "alice@example.nhs.uk"}
    assert event.detail["after"] == {"name": "Alice Bright", "email": "ab@example.nhs.uk"}
    assert event.detail["sign_in_email"] is True
    assert "Alice Bright's record changed." in words(client.get(url(alice)))


def test_a_move_of_team_ends_the_current_placement_the_day_before_and_shows_the_history(
    login, ada, placed, south
):
    client = login(ada)
    response = client.post(
        url(placed),
        opened_form(
            client, placed, service=south.service.pk, locality=south.pk, effective="2026-11-02"
        ),
    )
    assert response.status_code == 302
    history = list(
        Placement.objects.filter(person=placed)
        .order_by("start_date")
        .values_list("locality__name", "start_date", "end_date")
    )
    assert history == [
        ("Northton", EMPLOYED_FROM, dt.date(2026, 11, 1)),
        ("Southby", dt.date(2026, 11, 2), None),
    ]
    event = AuditEvent.objects.get(action="person.change")
    assert event.detail["before"] == {"service": "North", "locality": "Northton"}
    assert event.detail["after"] == {"service": "South", "locality": "Southby"}
    assert (event.detail["history"], event.detail["from"]) == ("split", "2026-11-02")
    page = text(client.get(url(placed)))
    assert '<td class="nhsuk-table__cell">Northton, North</td>' in page
    assert '<td class="nhsuk-table__cell">1 Nov 2026</td>' in page
    assert '<td class="nhsuk-table__cell">Southby, South</td>' in page


def test_a_move_shows_on_the_matrix_at_once(login, hana, pat, placed, south):
    assert "Alice Able" in {r.person.name for r in login(pat).get("/matrix/").context["rows"]}
    client = login(hana)
    client.post(
        url(placed),
        opened_form(client, placed, service=south.service.pk, locality=south.pk),
    )
    rows = {r.person.name: r for r in client.get("/matrix/").context["rows"]}
    assert rows["Alice Able"].person.service.name == "South"
    south_only = client.get("/matrix/", {"service": south.service.pk}).context["rows"]
    assert "Alice Able" in {r.person.name for r in south_only}
    assert "Southby" in text(client.get(f"/people/{placed.external_id}/"))
    # North's peer lead sees their service only: Alice has left it.
    assert "Alice Able" not in {r.person.name for r in login(pat).get("/matrix/").context["rows"]}


def test_a_move_on_the_day_the_placement_began_corrects_it(login, hana, alice, north, south):
    Placement.objects.create(
        person=alice, role=alice.role, service=north.service, locality=north, start_date=TODAY
    )
    client = login(hana)
    client.post(
        url(alice),
        opened_form(client, alice, service=south.service.pk, locality=south.pk, effective=TODAY),
    )
    assert list(
        Placement.objects.filter(person=alice).values_list("locality__name", "start_date")
    ) == [("Southby", TODAY)]


def test_someone_with_no_history_yet_starts_it_on_the_day(login, hana, alice, south):
    client = login(hana)
    client.post(
        url(alice),
        opened_form(
            client, alice, service=south.service.pk, locality=south.pk, effective="2026-11-02"
        ),
    )
    assert list(Placement.objects.filter(person=alice).values_list("start_date", "end_date")) == [
        (dt.date(2026, 11, 2), None)
    ]


@pytest.mark.parametrize(
    ("effective", "says"),
    [
        ("2023-12-31", "Their current role and team started on 1 January 2024"),
        ("2026-11-24", "recorded from today or a day before, not later"),
        ("", "Enter the date the new role or team starts from"),
    ],
)
def test_a_move_before_the_current_placement_later_than_today_or_undated_is_refused(
    login, hana, placed, south, effective, says
):
    client = login(hana)
    data = opened_form(client, placed, service=south.service.pk, locality=south.pk)
    response = client.post(url(placed), {**data, "effective": effective})
    assert response.status_code == 200 and says in text(response)
    placed.refresh_from_db()
    assert placed.service.name == "North"
    assert Placement.objects.filter(person=placed).count() == 1
    assert not AuditEvent.objects.filter(action="person.change").exists()


def test_moving_out_of_peer_work_ends_the_employment_the_day_before(login, hana, placed):
    client = login(hana)
    client.post(
        url(placed), opened_form(client, placed, role="line_manager", effective="2026-11-02")
    )
    assert list(EmploymentPeriod.objects.filter(person=placed).values_list("end_date")) == [
        (dt.date(2026, 11, 1),)
    ]
    event = AuditEvent.objects.get(action="person.change")
    assert event.detail["employment_ended"]["after"]["end"] == "2026-11-01"


def test_moving_into_peer_work_starts_an_employment_period(login, hana, lena):
    client = login(hana)
    client.post(url(lena), opened_form(client, lena, role="peer_lead", effective="2026-11-02"))
    assert list(
        EmploymentPeriod.objects.filter(person=lena).values_list("start_date", "end_date")
    ) == [(dt.date(2026, 11, 2), None)]
    lena.refresh_from_db()
    assert lena.role == Role.PEER_LEAD


def test_a_privileged_role_is_not_offered_and_is_refused_here(login, hana, alice):
    client = login(hana)
    offered = [v for v, _ in client.get(url(alice)).context["form"].fields["role"].choices]
    assert not {"admin", "governance", "head_of_peer_work"} & set(offered)
    response = client.post(url(alice), opened_form(client, alice, role="admin"))
    assert "Select a valid choice" in text(response)
    alice.refresh_from_db()
    assert alice.role == Role.PEER_WORKER


@pytest.mark.parametrize(("who", "role"), [("alice", Role.GOVERNANCE), ("hana", Role.PEER_LEAD)])
def test_the_action_refuses_a_change_to_or_from_a_privileged_role(everyone, ada, who, role):
    person = everyone[who]
    with pytest.raises(Refused, match="granted or taken away by an administrator"):
        actions.change_person(
            by=ada.user,
            person=person,
            opened=actions.as_opened(person),
            name=person.name,
            email=person.email,
            role=role,
            service=person.service,
            locality=person.locality,
            line_manager=person.line_manager,
            effective=TODAY,
        )
    person.refresh_from_db()
    assert person.role == everyone[who].role


def test_a_stale_form_is_refused_and_shows_the_record_as_it_is_now(login, hana, ada, alice):
    client = login(hana)
    data = opened_form(client, alice, name="Alice From Hana")
    actions.change_person(
        by=ada.user,
        person=alice,
        opened=actions.as_opened(alice),
        name="Alice From Ada",
        email=alice.email,
        role=alice.role,
        service=alice.service,
        locality=alice.locality,
        line_manager=alice.line_manager,
        effective=None,
    )
    response = client.post(url(alice), data)
    assert response.status_code == 200
    assert STALE in words(response)
    assert response.context["form"].initial["name"] == "Alice From Ada"
    alice.refresh_from_db()
    assert alice.name == "Alice From Ada"
    assert AuditEvent.objects.filter(action="person.change").count() == 1


def test_a_leaving_date_recorded_meanwhile_makes_the_form_stale(login, hana, alice):
    client = login(hana)
    data = opened_form(client, alice, name="Alice Later")
    EmploymentPeriod.objects.filter(person=alice).update(end_date=dt.date(2026, 11, 30))
    assert STALE in words(client.post(url(alice), data))
    alice.refresh_from_db()
    assert alice.name == "Alice Able"


def test_nothing_changed_writes_nothing(login, hana, alice):
    client = login(hana)
    response = client.post(url(alice), opened_form(client, alice), follow=True)
    assert "Nothing was changed." in text(response)
    assert not AuditEvent.objects.filter(action="person.change").exists()


@pytest.mark.parametrize(
    ("whom", "manager", "says"),
    [
        ("lena", "ALICE", "Lena Line already line manages Alice Able"),
        ("alice", "ALICE", "A person cannot be their own line manager"),
    ],
)
def test_line_management_cannot_go_round_in_a_circle(login, hana, everyone, whom, manager, says):
    client = login(hana)
    person = everyone[whom]
    response = client.post(url(person), opened_form(client, person, line_manager=manager))
    assert says in text(response)
    person.refresh_from_db()
    assert person.line_manager_id != everyone["alice"].pk


def test_an_email_another_person_has_is_refused_whatever_its_case(login, hana, alice, sam):
    client = login(hana)
    response = client.post(url(alice), opened_form(client, alice, email="SAM@example.nhs.uk"))
    assert "Sam Senior (SAM) already has this email address" in text(response)


@pytest.mark.parametrize("who", ["alice", "sam", "lena", "pat", "gus"])
def test_changing_a_person_without_permission(login, everyone, who):
    alice = everyone["alice"]
    client = login(everyone[who])
    assert client.get(url(alice)).status_code == 404
    data = {"name": "Hacked", "role": "peer_worker", "opened": actions.as_opened(alice)}
    assert client.post(url(alice), data).status_code == 404
    alice.refresh_from_db()
    assert alice.name == "Alice Able"


def test_a_missing_person_is_404(login, hana):
    assert login(hana).get("/staff/999999/").status_code == 404


# A privileged person's record.


def test_the_head_of_peer_work_cannot_change_an_administrators_record(login, hana, ada):
    client = login(hana)
    page = client.get(url(ada))
    assert page.status_code == 200
    assert "Only an administrator can change Ada Admin's record" in words(page)
    assert "Save the change" not in text(page)
    response = client.post(url(ada), {"name": "Ada X", "email": "x@example.nhs.uk", "opened": ""})
    assert response.status_code == 404
    ada.refresh_from_db()
    assert (ada.name, ada.email) == ("Ada Admin", "ada@example.nhs.uk")


@pytest.mark.parametrize("minutes_ago", [None, 16])
def test_an_administrator_must_have_used_a_second_factor_lately_to_change_one(
    login, ada, gus, second_factor, minutes_ago
):
    client = login(ada)
    if minutes_ago is not None:
        second_factor(client, minutes_ago)
    page = client.get(url(gus))
    assert "used your second factor (your authenticator app or security key) in the last 15" in (
        words(page)
    )
    assert "Save the change" not in text(page)
    response = client.post(url(gus), opened_form(client, gus, email="gus.new@example.nhs.uk"))
    assert response.status_code == 403
    gus.refresh_from_db()
    assert gus.email == "gus@example.nhs.uk"


def test_an_administrator_with_a_recent_second_factor_changes_one(login, ada, gus, second_factor):
    client = second_factor(login(ada), 14)
    data = opened_form(client, gus, email="gus.new@example.nhs.uk")
    assert "role" not in data  # the role is changed on the role page
    assert client.post(url(gus), data).status_code == 302
    gus.refresh_from_db()
    gus.user.refresh_from_db()
    assert gus.email == gus.user.email == "gus.new@example.nhs.uk"
    assert gus.role == Role.GOVERNANCE


def test_a_superusers_sign_in_is_privileged_whatever_the_persons_role(login, hana, alice):
    alice.user.is_superuser = True
    alice.user.save()
    assert "Only an administrator can change" in words(login(hana).get(url(alice)))
    assert Person.objects.get(pk=alice.pk).name == "Alice Able"


def test_the_persons_page_links_to_their_record_for_those_who_manage_people(
    login, hana, sam, alice
):
    link = f'href="/staff/{alice.pk}/"'
    assert link in login(hana).get(f"/people/{alice.external_id}/").content.decode()
    # Her supervisor sees her page, not a way to change her record.
    assert link not in login(sam).get(f"/people/{alice.external_id}/").content.decode()
