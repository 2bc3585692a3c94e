"""The session-notes workflow in a real browser, on the demo organisation: a supervisor writes
and shares the notes of a one-to-one, the supervisee suggests changes, the supervisor sees them
as tracked changes, revises and shares again, the supervisee accepts, and the supervisee's line
manager gets the 404 page at the notes' address.

Each person signs in through the login form in their own browser context and reaches the
notes through the header's menu, the notes list and its links. Screenshots of the key pages go
to build/screenshots/.
"""

import datetime as dt
import re
from dataclasses import dataclass

from coreflect.notes import register
from coreflect.people.models import Person, Role
from coreflect.supervision.access import supervisees_of
from coreflect.supervision.models import Session

# Finding a one-to-one in the demo organisation whose notes the journey can write.


@dataclass(frozen=True)
class Cast:
    supervisor: Person
    supervisee: Person
    manager: Person  # the supervisee's line manager


def a_cast(today: dt.date) -> Cast:
    """A senior peer worker, a peer worker they supervise now, and that worker's line manager
    (all with sign-ins), preferring a pair with a held one-to-one that has no notes yet."""
    casts = []
    for supervisor in Person.objects.filter(
        role=Role.SENIOR_PEER_WORKER, user__isnull=False
    ).order_by("external_id"):
        for supervisee in supervisees_of(supervisor, on=today).order_by("name"):
            manager = supervisee.line_manager
            if (
                supervisee.user_id is None
                or manager is None
                or manager.role != Role.LINE_MANAGER
                or manager.user_id is None
            ):
                continue
            cast = Cast(supervisor, supervisee, manager)
            if held_without_notes(cast, today) is not None:
                return cast
            casts.append(cast)
    assert casts, "the demo has no senior peer worker supervising someone with a line manager"
    return casts[0]


def held_without_notes(cast: Cast, today: dt.date) -> Session | None:
    """The latest one-to-one the supervisor led, on or before today, not cancelled, the
    supervisee attended, with no notes yet."""
    return (
        register.held_one_to_ones(today)
        .filter(lead=cast.supervisor, attendance__person=cast.supervisee, notes__isnull=True)
        .order_by("-date", "-pk")
        .first()
    )


# Reading the pages.


def menu(page, text: str):
    """A link in the header's menu (pages may link to the same place in their text too)."""
    return page.get_by_role("navigation", name="Menu").get_by_role("link", name=text, exact=True)


def short_date(day: dt.date) -> str:
    """A date as the notes tables write it (Django's "D j M Y"): Wed 18 Nov 2026."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def long_date(day: dt.date) -> str:
    """As the notes page's heading writes it ("l j F Y"): Wednesday 18 November 2026."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def open_from_notes_list(page, table: str, session: Session, with_name: str) -> None:
    """Notes in the header's menu, then the session's date in one of the list's tables."""
    menu(page, "Notes").click()
    page.get_by_role("heading", level=1, name="Notes", exact=True).wait_for()
    row = (
        page.get_by_role("table", name=table, exact=True)
        .get_by_role("row")
        .filter(has_text=with_name)
        .filter(has=page.get_by_role("link", name=short_date(session.date), exact=True))
    )
    assert row.count() == 1, f"{row.count()} rows for {session.date} in {table!r}"
    row.get_by_role("link", name=short_date(session.date)).click()
    page.get_by_role(
        "heading", level=1, name=f"Notes of the one-to-one on {long_date(session.date)}"
    ).wait_for()
    assert page.url.endswith(f"/notes/session/{session.pk}/"), page.url


def notes_state(page) -> str:
    """The state in words, from the summary list at the top of a session's notes."""
    row = page.locator(".nhsuk-summary-list__row").filter(
        has=page.locator("dt", has_text=re.compile(r"^Notes$"))
    )
    return row.locator("dd").inner_text().strip()


def field_text(page, label: str) -> str:
    """The text of one template field where the notes are shown for reading."""
    row = page.locator(".nhsuk-summary-list__row").filter(
        has=page.locator("dt", has_text=re.compile(rf"^{re.escape(label)}$"))
    )
    return row.first.locator("dd").inner_text().strip()


def words(locator) -> list[list[str]]:
    """The words of each element a locator matches (tracked changes keep their spaces)."""
    return [text.split() for text in locator.all_inner_texts()]


def record_a_one_to_one(page, cast: Cast, today: dt.date) -> Session:
    """Record a one-to-one held today through the Sessions pages (when the demo has none
    without notes left)."""
    menu(page, "Sessions").click()
    page.get_by_role("link", name="Record a one-to-one").click()
    select = page.get_by_label("Supervisee")
    texts = select.locator("option").all_inner_texts()
    matches = [t for t in texts if t.startswith(cast.supervisee.name)]
    assert matches, f"no option starting {cast.supervisee.name!r} in {texts}"
    select.select_option(label=matches[0])
    page.get_by_label("Date").fill(today.isoformat())
    page.get_by_label("Start time").fill("08:30")
    page.get_by_label("In person").check()
    page.get_by_label("Location").fill("Peer Hub, room 1")
    page.get_by_role("button", name="Save one-to-one").click()
    page.get_by_text(f"One-to-one with {cast.supervisee.name} recorded.").wait_for()
    session = held_without_notes(cast, today)
    assert session is not None and session.date == today, "the one-to-one was not recorded"
    return session


# What the supervisor writes, and what the supervisee changes.

WELLBEING = "Feeling settled after a busy month; sleeping better."
CHALLENGING = "Two late finishes in one week left little time to write up visits."
CHALLENGING_SUGGESTED = "Three late finishes in one week left little time to write up visits."
GONE_WELL = "Good rapport with JD at the Tuesday drop-in group."
GONE_WELL_SUGGESTED = "Good rapport with JD at the drop-in group."
TOPICS = "Boundaries when a person asks for a personal phone number."
TOPICS_REVISED = "Boundaries when a person asks for a personal phone number; lone working."


def test_notes_are_written_shared_changed_revised_and_accepted_and_a_line_manager_gets_404(
    demo, open_page, login, shots
):
    cast = a_cast(demo.today)
    supervisor_page, _ = open_page()
    login(supervisor_page, cast.supervisor)
    session = held_without_notes(cast, demo.today) or record_a_one_to_one(
        supervisor_page, cast, demo.today
    )

    # 1. The supervisor writes the notes, saves them as a draft and shares them.
    page = supervisor_page
    open_from_notes_list(page, "Notes to write", session, cast.supervisee.name)
    assert notes_state(page) == "Not written"
    shots(page, "supervisor-notes-not-written")
    page.get_by_role("link", name="Write the notes").click()
    page.get_by_label("Wellbeing check-in", exact=True).fill(WELLBEING)
    page.get_by_role("group", name="Were the last notes agreed?").get_by_label(
        "Yes", exact=True
    ).check()
    page.get_by_label("What has been challenging", exact=True).fill(CHALLENGING)
    page.get_by_label("What has gone well", exact=True).fill(GONE_WELL)
    page.get_by_role("group", name="Peer support values").get_by_label(
        "Mutuality", exact=True
    ).check()
    page.get_by_label("Topics to return to", exact=True).fill(TOPICS)
    shots(page, "supervisor-writes")
    page.get_by_role("button", name="Save the draft").click()
    page.get_by_text("Notes saved as a draft. Share them when ready.").wait_for()
    assert notes_state(page) == "Draft"
    assert field_text(page, "What has been challenging") == CHALLENGING
    assert field_text(page, "Were the last notes agreed?") == "Yes"
    page.get_by_role("button", name="Share with the supervisee").click()
    page.get_by_text(f"Notes shared with {cast.supervisee.name}.").wait_for()
    assert notes_state(page) == "Shared, waiting for an answer"
    shots(page, "supervisor-shared")

    # 2. The supervisee opens them from the navigation and suggests changes by editing them.
    supervisee_page, _ = open_page()
    login(supervisee_page, cast.supervisee)
    page = supervisee_page
    open_from_notes_list(page, "Notes for you to review", session, cast.supervisor.name)
    assert notes_state(page) == "Shared, waiting for an answer"
    assert field_text(page, "Wellbeing check-in") == WELLBEING
    shots(page, "supervisee-reads")
    page.get_by_role("link", name="Suggest changes").click()
    page.get_by_role(
        "heading", level=1, name=re.compile("^Suggest changes to the notes")
    ).wait_for()
    challenging = page.get_by_label("What has been challenging", exact=True)
    assert challenging.input_value() == CHALLENGING  # the shared notes, to edit
    challenging.fill(CHALLENGING_SUGGESTED)
    page.get_by_label("What has gone well", exact=True).fill(GONE_WELL_SUGGESTED)
    shots(page, "supervisee-suggests")
    page.get_by_role("button", name="Send my changes").click()
    page.get_by_text("Your changes were sent to your supervisor as tracked changes.").wait_for()
    assert notes_state(page) == "Changes asked for"
    assert page.get_by_text(f"{cast.supervisor.name} is revising the notes.").is_visible()

    # 3. The supervisor sees the tracked changes, revises the notes and shares them again.
    page = supervisor_page
    open_from_notes_list(page, "Notes to write", session, cast.supervisee.name)
    assert notes_state(page) == "Changes asked for"
    page.get_by_role("link", name="See the changes they suggested").click()
    page.get_by_role("heading", level=1, name=re.compile(r"^Changes from version \d+")).wait_for()
    changed = page.locator(".nhsuk-summary-list__row").filter(
        has=page.locator("dt", has_text="What has been challenging")
    )
    assert "Changed" in changed.locator("dt").inner_text()  # in words, not only in colour
    removed, added = changed.locator("del"), changed.locator("ins")
    assert words(removed) == [["removed:", "Two"]]
    assert words(added) == [["added:", "Three"]]
    assert "line-through" in removed.evaluate("el => getComputedStyle(el).textDecorationLine")
    assert "underline" in added.evaluate("el => getComputedStyle(el).textDecorationLine")
    went_well = page.locator(".nhsuk-summary-list__row").filter(
        has=page.locator("dt", has_text="What has gone well")
    )
    assert words(went_well.locator("del")) == [["removed:", "Tuesday"]]
    assert went_well.locator("ins").count() == 0
    unchanged = page.locator(".nhsuk-summary-list__row").filter(
        has=page.locator("dt", has_text="Wellbeing check-in")
    )
    assert unchanged.locator("del, ins").count() == 0
    assert "Changed" not in unchanged.locator("dt").inner_text()
    shots(page, "tracked-changes")

    page.get_by_role("link", name="Back to the notes").click()
    page.get_by_role("link", name="Revise the notes").click()
    assert page.get_by_label("What has been challenging", exact=True).input_value() == (
        CHALLENGING_SUGGESTED  # the revision starts from the supervisee's suggestion
    )
    page.get_by_label("Topics to return to", exact=True).fill(TOPICS_REVISED)
    shots(page, "supervisor-revises")
    page.get_by_role("button", name="Save the draft").click()
    page.get_by_text("Notes saved as a draft. Share them when ready.").wait_for()
    assert notes_state(page) == "Draft"
    page.get_by_role("button", name="Share with the supervisee").click()
    page.get_by_text(f"Notes shared with {cast.supervisee.name}.").wait_for()
    assert notes_state(page) == "Shared, waiting for an answer"

    # 4. The supervisee accepts the revised notes; the page says so in words.
    page = supervisee_page
    open_from_notes_list(page, "Notes for you to review", session, cast.supervisor.name)
    assert field_text(page, "What has been challenging") == CHALLENGING_SUGGESTED
    assert field_text(page, "Topics to return to") == TOPICS_REVISED
    page.get_by_role("button", name="Accept the notes").click()
    page.get_by_text("Thank you: the notes are accepted.").wait_for()
    assert notes_state(page) == "Accepted"
    assert page.get_by_text("You accepted these notes. They are locked.").is_visible()
    assert page.get_by_role("link", name="Suggest changes").count() == 0
    shots(page, "supervisee-accepted")
    menu(page, "Notes").click()
    mine = page.get_by_role("table", name="Notes of your one-to-ones", exact=True)
    row = mine.get_by_role("row").filter(
        has=page.get_by_role("link", name=short_date(session.date), exact=True)
    )
    assert "Accepted" in row.inner_text()

    # 5. The supervisee's line manager gets the 404 page at the notes' address.
    manager_page, _ = open_page()
    login(manager_page, cast.manager)
    page = manager_page
    response = page.goto(f"/notes/session/{session.pk}/")
    assert response.status == 404
    page.get_by_role("heading", level=1, name="Page not found").wait_for()
    assert WELLBEING not in page.content()
    shots(page, "line-manager-404")
