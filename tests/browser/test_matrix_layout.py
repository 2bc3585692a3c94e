"""The attendance matrix fits the screen it is on: the whole table on a desktop, and on a phone
the current quarter and the year, with the other quarters a link away, never sideways scrolling.

The demo organisation, as of the frozen clock (23 November 2026: quarter 3 of 2026/27).
"""

import re
from collections import Counter

import pytest

from coreflect.people.models import Person, Role

# What the page would scroll sideways by, and each matrix cell that is cut off: outside the
# viewport, or holding content wider than itself. Cells that are not displayed are skipped, as
# is the header row where it is visually hidden (on a phone, for screen readers only).
LAYOUT_JS = """() => {
    const root = document.documentElement;
    const width = root.clientWidth;
    const clipped = [];
    const cells = document.querySelectorAll("table.app-matrix th, table.app-matrix td");
    for (const cell of cells) {
        if (cell.getClientRects().length === 0) continue;
        const head = cell.closest("thead");
        if (head && getComputedStyle(head).position === "absolute") continue;
        const box = cell.getBoundingClientRect();
        if (box.left < 0 || box.right > width + 0.5 || cell.scrollWidth > cell.clientWidth + 1) {
            const name = cell.innerText.trim().split("\\n")[0];
            clipped.push(`${name} (${Math.round(box.left)}–${Math.round(box.right)} px, `
                + `content ${cell.scrollWidth} in ${cell.clientWidth})`);
        }
    }
    return {
        scrollWidth: root.scrollWidth,
        clientWidth: width,
        cells: cells.length,
        clipped: clipped,
    };
}"""

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def head_of_peer_work() -> Person:
    return Person.objects.get(role=Role.HEAD_OF_PEER_WORK, user__isnull=False)


def assert_fits(page, where: str) -> None:
    layout = page.evaluate(LAYOUT_JS)
    assert layout["cells"] > 0, f"{where}: no matrix on the page"
    assert layout["scrollWidth"] <= layout["clientWidth"], (
        f"{where}: the page scrolls sideways ({layout['scrollWidth']} px in "
        f"{layout['clientWidth']} px)"
    )
    assert not layout["clipped"], f"{where}: cells cut off: {layout['clipped'][:5]}"


def shown_headings(row) -> list[str]:
    """The period of each cell a stacked card shows (its first line)."""
    return [
        cell.inner_text().splitlines()[0]
        for cell in row.locator("td.app-cell").all()
        if cell.is_visible()
    ]


@pytest.mark.parametrize(
    "viewport",
    [DESKTOP, {"width": 990, "height": 800}, {"width": 768, "height": 1024}, PHONE],
    ids=["desktop-1280", "desktop-990", "tablet-768", "phone-390"],
)
def test_the_matrix_fits_the_screen_without_sideways_scrolling_or_clipping(
    open_page, login, viewport, shots
):
    page, _console = open_page(viewport=viewport)
    login(page, head_of_peer_work())
    page.goto("/matrix/")
    shots(page, f"matrix-{viewport['width']}", full_page=False)
    assert_fits(page, f"/matrix/ at {viewport['width']} px")


def test_a_desktop_shows_every_quarter_and_the_year(open_page, login):
    page, _console = open_page(viewport=DESKTOP)
    login(page, head_of_peer_work())
    page.goto("/matrix/")
    headers = page.locator("table.app-matrix thead th")
    assert [h.inner_text().splitlines()[0] for h in headers.all()] == [
        "Person",
        "Q1",
        "Q2",
        "Q3",
        "Q4",
        "Year",
    ]
    assert all(h.is_visible() for h in headers.all())
    assert not page.get_by_role("navigation", name="Quarter shown").is_visible()


def test_a_phone_shows_the_current_quarter_and_the_year_and_reaches_the_others(
    open_page, login, shots
):
    page, _console = open_page(viewport=PHONE)
    login(page, head_of_peer_work())
    page.goto("/matrix/")
    first = page.locator("table.app-matrix tbody tr").first
    assert shown_headings(first) == ["Quarter 3 Oct–Dec 2026", "Year 2026/27"]
    shots(page, "phone-current-quarter", full_page=False)

    chooser = page.get_by_role("navigation", name="Quarter shown")
    assert chooser.get_by_role("link", name="Quarter 3").get_attribute("aria-current") == "true"
    chooser.get_by_role("link", name="Quarter 1").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"quarter=1"))
    # Only the results were replaced, and the keyboard's focus stayed on the link.
    assert page.evaluate("() => document.activeElement.id") == "show-quarter-1"
    assert page.locator("#results").count() == 1
    first = page.locator("table.app-matrix tbody tr").first
    assert shown_headings(first) == ["Quarter 1 Apr–Jun 2026", "Year 2026/27"]
    assert_fits(page, "/matrix/?quarter=1 at 390 px")
    shots(page, "phone-quarter-1", full_page=False)

    # Filtering keeps the quarter chosen.
    service = page.get_by_label("Service")
    service.select_option(index=1)
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"service=\d+"))
    assert "quarter=1" in page.url
    first = page.locator("table.app-matrix tbody tr").first
    assert shown_headings(first) == ["Quarter 1 Apr–Jun 2026", "Year 2026/27"]


def test_a_phone_still_reads_the_matrix_as_a_table(open_page, login):
    """The cards are restyled table rows: Chromium's accessibility tree must still hold a table
    with a row header a person and a column header for the quarter and the year shown."""
    page, _console = open_page(viewport=PHONE)
    login(page, head_of_peer_work())
    page.goto("/matrix/")
    people = page.locator("table.app-matrix tbody tr").count()
    session = page.context.new_cdp_session(page)
    nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    roles = Counter(n["role"]["value"] for n in nodes if not n.get("ignored") and "role" in n)
    assert roles["table"] == 1
    assert roles["rowheader"] == people
    assert roles["cell"] == 2 * people  # the quarter shown and the year
    assert roles["columnheader"] == 3  # Person, the quarter shown, Year
