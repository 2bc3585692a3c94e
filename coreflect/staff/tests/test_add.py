"""Adding a person: the head of peer work and administrators (404 for anyone else); their
placement from their first day and, in a peer-work role, their employment, as an import would
open them; never a privileged role; the ID checked as an import checks it, the email unique
whatever its case, the locality in the service; audited; on the matrix at once."""

import datetime as dt

import pytest

from coreflect.audit.models import AuditEvent
from coreflect.people.models import PRIVILEGED_ROLES, EmploymentPeriod, Person, Placement
from coreflect.people.rules import Refused
from coreflect.staff import actions
from coreflect.staff.tests.conftest import text, words
from coreflect.testing import body_of

URL = "/staff/new/"


def form(north, **extra):
    return {
        "external_id": "NEW1",
        "name": "Nina New",
        "email": "nina@example.nhs.uk",
        "role": "peer_support_worker",
        "service": north.service.pk,
        "locality": north.pk,
        "line_manager": "LENA",
        "start_date": "2026-11-02",
        **extra,
    }


@pytest.mark.parametrize("who", ["hana", "ada"])
def test_a_peer_worker_is_added_with_their_placement_employment_and_an_audit_entry(
    login, everyone, north, who
):
    client = login(everyone[who])
    response = client.post(URL, form(north))
    nina = Person.objects.get(external_id="NEW1")
    assert response.status_code == 302 and response.url == f"/staff/{nina.pk}/"
    assert (nina.name, nina.email, nina.role, nina.locality, nina.line_manager) == (
        "Nina New",
        "nina@example.nhs.uk",
        "peer_support_worker",
        north,
        everyone["lena"],
    )
    # An account with no password, its invitation queued for when this commits.
    assert nina.user is not None and not nina.user.has_usable_password()
    assert nina.user.email == "nina@example.nhs.uk"
    placement = Placement.objects.get(person=nina)
    assert (placement.role, placement.service, placement.locality) == (
        "peer_support_worker",
        north.service,
        north,
    )
    assert (placement.start_date, placement.end_date) == (dt.date(2026, 11, 2), None)
    employment = EmploymentPeriod.objects.get(person=nina)
    assert (employment.start_date, employment.end_date) == (dt.date(2026, 11, 2), None)
    event = AuditEvent.objects.get(action="person.add")
    assert event.actor == everyone[who].user
    assert (event.object_type, event.object_id) == ("people.person", str(nina.pk))
    assert event.detail["after"]["locality"] == "Northton"
    assert event.detail["after"]["line_manager"] == "LENA"
    assert event.detail["start_date"] == "2026-11-02"


def test_someone_outside_peer_work_has_a_placement_but_no_employment_period(login, hana, north):
    login(hana).post(URL, form(north, role="line_manager", line_manager=""))
    person = Person.objects.get(external_id="NEW1")
    assert Placement.objects.filter(person=person, role="line_manager").exists()
    assert not EmploymentPeriod.objects.filter(person=person).exists()


def test_a_new_peer_worker_is_on_the_matrix_at_once(login, hana, everyone, north):
    client = login(hana)
    assert "Nina New" not in {row.person.name for row in client.get("/matrix/").context["rows"]}
    client.post(URL, form(north))
    rows = {row.person.name: row for row in client.get("/matrix/").context["rows"]}
    assert rows["Nina New"].person.service.name == "North"


@pytest.mark.parametrize("who", ["alice", "sam", "lena", "pat", "gus"])
def test_adding_a_person_without_permission(login, everyone, north, who):
    client = login(everyone[who])
    assert client.get(URL).status_code == 404
    assert client.post(URL, form(north)).status_code == 404
    assert not Person.objects.filter(external_id="NEW1").exists()


@pytest.mark.parametrize("role", sorted(PRIVILEGED_ROLES))
def test_a_privileged_role_is_neither_offered_nor_accepted(login, ada, north, role):
    client = login(ada)
    offered = [value for value, _ in client.get(URL).context["form"].fields["role"].choices]
    assert role not in offered and "peer_worker" in offered
    response = client.post(URL, form(north, role=role))
    assert "Select a valid choice" in text(response)
    assert not Person.objects.filter(external_id="NEW1").exists()


@pytest.mark.parametrize("role", sorted(PRIVILEGED_ROLES))
def test_the_action_itself_refuses_a_privileged_role(ada, role):
    with pytest.raises(Refused, match="granted by an administrator"):
        actions.add_person(
            by=ada.user,
            external_id="NEW1",
            name="Nina New",
            email="",
            role=role,
            service=None,
            locality=None,
            line_manager=None,
            start_date=dt.date(2026, 11, 2),
        )
    assert not Person.objects.filter(external_id="NEW1").exists()


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        ({"external_id": "NEW 1"}, 'may only contain letters (A–Z, a–z), digits, "-", "_" and "."'),
        ({"external_id": ".."}, 'cannot be "." or ".."'),
        ({"external_id": "A" * 65}, "Ensure this value has at most 64 characters"),
        ({"external_id": "ALICE"}, "Someone already has the person ID ALICE"),
        ({"email": "ALICE@example.NHS.uk"}, "Alice Able (ALICE) already has this email address"),
        ({"email": "nina@example"}, "Enter an email address in the correct format"),
        ({"name": "Nina\tNew"}, "cannot contain a control character"),
        ({"line_manager": "NOBODY"}, "No one has the person ID NOBODY"),
        ({"service": ""}, "Choose the service Northton belongs to"),
    ],
)
def test_what_an_import_would_refuse_is_refused_here_too(login, hana, alice, north, extra, says):
    response = login(hana).post(URL, form(north, **extra))
    assert response.status_code == 200
    assert says in words(response) and "There is a problem" in text(response)
    assert not Person.objects.filter(name="Nina New").exists()
    assert not AuditEvent.objects.filter(action="person.add").exists()


def test_a_locality_of_another_service_is_refused(login, hana, lena, north, south):
    response = login(hana).post(URL, form(north, locality=south.pk))
    assert "Southby is not a locality of the North service" in text(response)
    assert not Person.objects.filter(external_id="NEW1").exists()


def test_the_form_asks_for_each_required_field_by_name(login, hana):
    response = login(hana).post(URL, {})
    page = text(response)
    for message in (
        "Enter the person ID",
        "Enter the name",
        "Select the role",
        "Enter their first day",
    ):
        assert message in page


def test_the_new_person_is_emailed_an_invitation(
    login, hana, lena, north, smtp, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        login(hana).post(URL, form(north))
    (message,) = smtp.to("nina@example.nhs.uk")
    assert "Nina New" in body_of(message)
    assert "/accounts/password/reset/key/" in body_of(message)


def test_someone_added_without_an_email_gets_no_account(login, hana, lena, north):
    login(hana).post(URL, form(north, email=""))
    assert Person.objects.get(external_id="NEW1").user is None
