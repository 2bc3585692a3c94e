"""A peer worker finds their escalation route on their own page and records raising a concern
with their supervisor, then its outcome (coreflect/governance)."""

from coreflect.governance import structure
from coreflect.governance.models import Concern
from coreflect.people.models import Person, Role


def a_peer_support_worker_with_a_supervisor(today) -> tuple[Person, Person]:
    """A peer support worker who has raised no concern yet, and their supervisor (step 1)."""
    for person in Person.objects.filter(
        role=Role.PEER_SUPPORT_WORKER, user__isnull=False, concerns_raised__isnull=True
    ).order_by("external_id"):
        steps = structure.route_of(person, today)
        if steps and steps[0].number == 1:
            return person, Person.objects.get(pk=steps[0].people[0])
    raise AssertionError("the demo has no supervised peer support worker")


def test_peer_worker_finds_their_route_and_records_a_concern(demo, page, login, shots):
    person, supervisor = a_peer_support_worker_with_a_supervisor(demo.today)
    login(page, person)

    page.get_by_role("navigation", name="Account").get_by_role("link", name=person.name).click()
    section = page.get_by_role("region", name="If supervision is not working")
    assert section.get_by_role("heading", name="Step 1: Your supervisor").is_visible()
    assert supervisor.name in section.inner_text()
    assert "formal complaint" in section.inner_text()
    shots(page, "escalation-route")

    section.get_by_role("link", name=f"Record raising a concern with {supervisor.name}").click()
    choice = page.get_by_label(f"{supervisor.name}: step 1, your supervisor")
    assert choice.is_checked()
    page.get_by_label("A short summary").fill("Our sessions keep starting late.")
    page.get_by_role("button", name="Record the concern").click()

    page.wait_for_url("**/governance/concerns/*/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Concern raised on")
    assert "Our sessions keep starting late." in page.inner_text("main")
    page.get_by_label("What came of it?").fill("We agreed to start on time.")
    page.get_by_role("button", name="Save the outcome").click()
    assert "We agreed to start on time." in page.inner_text("main")
    shots(page, "concern")

    concern = Concern.objects.get(person=person)
    assert (concern.raised_with, concern.step, concern.outcome) == (
        supervisor,
        1,
        "We agreed to start on time.",
    )
