"""A supervision agreement written and signed from both sides in a real browser, on the demo
organisation (docs/agreements.md)."""

from coreflect.agreements.models import Signature
from coreflect.supervision.models import SupervisionRelationship


def menu(page, text: str):
    return page.get_by_role("navigation", name="Menu").get_by_role("link", name=text, exact=True)


def an_unagreed_supervision(today) -> SupervisionRelationship:
    """A peer work supervision in force, both sides signed in, with no agreement yet."""
    for relationship in (
        SupervisionRelationship.objects.peer_work()
        .current(today)
        .filter(agreement__isnull=True)
        .select_related("supervisee__user", "supervisor__user")
        .order_by("pk")
    ):
        if relationship.supervisee.user_id and relationship.supervisor.user_id:
            return relationship
    raise AssertionError("the demo has no supervision without an agreement")


def test_supervisor_writes_the_agreement_and_both_sign_it(demo, open_page, login, shots):
    relationship = an_unagreed_supervision(demo.today)
    supervisor, supervisee = relationship.supervisor, relationship.supervisee

    page, _console = open_page()
    login(page, supervisor)
    menu(page, "Agreements").click()
    page.locator(f"main a[href='/agreements/{relationship.pk}/']").first.click()
    page.get_by_role("link", name="Write the agreement").click()
    page.get_by_label("Where we will usually meet").fill("The small meeting room")
    page.get_by_label("If this arrangement needs to change, we will").fill("Email a week ahead")
    shots(page, "agreement-write")
    page.get_by_role("button", name="Save version 1").click()
    page.get_by_role("button", name="Sign version 1 as the supervisor").click()
    page.get_by_text("You signed version 1.").wait_for()

    other, _console = open_page()
    login(other, supervisee)
    menu(other, "Agreements").click()
    other.locator(f"main a[href='/agreements/{relationship.pk}/']").first.click()
    other.get_by_role("link", name="Read version 1").click()
    other.get_by_text("The small meeting room").wait_for()
    other.go_back()
    other.get_by_role("button", name="Sign version 1 as the supervisee").click()
    other.get_by_text("It is now in force.").wait_for()
    shots(other, "agreement-signed")
    assert Signature.objects.filter(version__agreement__relationship=relationship).count() == 2
