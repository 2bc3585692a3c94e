"""Journeys through the app in a real browser, one per kind of user, on the demo organisation.

Each journey signs in through the login form and uses the pages as a person would: links,
buttons, form fields by their labels. Screenshots of the key pages go to build/screenshots/.
"""

import datetime as dt
import re
from pathlib import Path

import openpyxl
from browser_helpers import focused, sign_in

from coreflect.compliance import matrix, rules
from coreflect.compliance.models import current_policy
from coreflect.people.models import Person, Role
from coreflect.supervision.access import supervisees_of, visible_people

PEER_WORKERS = [Role.PEER_WORKER, Role.PEER_SUPPORT_WORKER]


# Finding people in the demo organisation by what the journey needs.


def year_of(day: dt.date) -> rules.Period:
    policy = current_policy()
    return rules.recording_year(rules.year_containing(day, policy), policy)


def quarter_index(day: dt.date) -> int:
    return next(i for i, q in enumerate(rules.quarters(year_of(day))) if q.contains(day))


def a_supervisor(today: dt.date) -> tuple[Person, Person]:
    """A senior peer worker and the first of the peer workers they supervise now."""
    for supervisor in Person.objects.filter(
        role=Role.SENIOR_PEER_WORKER, user__isnull=False
    ).order_by("external_id"):
        supervisee = supervisees_of(supervisor, on=today).order_by("name").first()
        if supervisee is not None:
            return supervisor, supervisee
    raise AssertionError("the demo has no senior peer worker who supervises anyone")


def a_peer_worker_behind(today: dt.date) -> tuple[Person, rules.Period, int]:
    """A peer worker with a sign-in and a 'not met' quarter: (person, year, quarter index).
    The current recording year if it has one, else the year before (early in a year)."""
    policy = current_policy()
    current = rules.year_containing(today, policy)
    people = Person.objects.filter(role__in=PEER_WORKERS, user__isnull=False)
    for start_year in (current, current - 1):
        as_of = min(today, rules.recording_year(start_year, policy).end)
        for row in matrix.build(people, start_year=start_year, as_of=as_of, policy=policy):
            for index, result in enumerate(row.result.quarters):
                if result.status == rules.Status.NOT_MET:
                    person = Person.objects.get(pk=row.person.pk)
                    return person, rules.recording_year(start_year, policy), index
    raise AssertionError("the demo has no peer worker with a quarter not met")


def a_status_among(manager: Person, today: dt.date) -> rules.Status:
    """'Not met' if one of the manager's reports has it this year, else some status they have."""
    policy = current_policy()
    rows = matrix.build(
        visible_people(manager.user, on=today).filter(locality=manager.locality),
        start_year=rules.year_containing(today, policy),
        as_of=today,
        policy=policy,
    )
    statuses = {period.status for row in rows for period in row.periods}
    assert statuses, f"{manager.name} has no reports on the matrix"
    return rules.Status.NOT_MET if rules.Status.NOT_MET in statuses else rows[0].result.year.status


# Reading the pages.


def menu(page, text: str):
    """A link in the header's menu (pages may link to the same place in their text too)."""
    return page.get_by_role("navigation", name="Menu").get_by_role("link", name=text, exact=True)


YEAR = 4  # the matrix's columns after the name: four quarters, then the year
LINE = re.compile(r"(1:1|Co-reflection|Sessions) (\d+) of (\d+)")


def matrix_row(page, name: str):
    return page.locator("table.app-matrix tbody tr").filter(
        has=page.get_by_role("link", name=name, exact=True)
    )


def cell_counts(page, name: str, index: int) -> dict[str, int]:
    """Attended counts in one cell of a person's row: {'1:1': 2, 'Co-reflection': 1}."""
    text = matrix_row(page, name).locator("td.app-cell").nth(index).inner_text()
    return {kind: int(attended) for kind, attended, _required in LINE.findall(text)}


def choose(select, starting: str) -> None:
    """Pick the option whose text starts with this (e.g. a name before '(Peer Worker)')."""
    texts = select.locator("option").all_inner_texts()
    matches = [t for t in texts if t.startswith(starting)]
    assert matches, f"no option starting {starting!r} in {texts}"
    select.select_option(label=matches[0])


def matrix_names(page) -> list[str]:
    return page.locator("table.app-matrix tbody th[scope=row] a").all_inner_texts()


# a. A supervisor records a one-to-one and ticks a co-reflection register.


def test_supervisor_records_a_one_to_one_and_a_co_reflection_and_the_matrix_counts_them(
    demo, page, login, shots
):
    supervisor, supervisee = a_supervisor(demo.today)
    quarter = quarter_index(demo.today)
    login(page, supervisor)

    menu(page, "Attendance matrix").click()
    before = cell_counts(page, supervisee.name, quarter)
    year_before = cell_counts(page, supervisee.name, YEAR)
    shots(page, "matrix-before")

    menu(page, "Sessions").click()
    page.get_by_role("link", name="Record a one-to-one").click()
    choose(page.get_by_label("Supervisee"), supervisee.name)
    page.get_by_label("Date").fill(demo.today.isoformat())
    page.get_by_label("Start time").fill("09:30")
    page.get_by_label("Video").check()
    page.get_by_label("Location").fill("Video call link sent by email")
    shots(page, "one-to-one-form")
    page.get_by_role("button", name="Save one-to-one").click()
    page.get_by_text(f"One-to-one with {supervisee.name} recorded.").wait_for()
    shots(page, "one-to-one-recorded")

    page.get_by_role("link", name="Back to sessions").click()
    page.get_by_role("link", name="Record a co-reflection").click()
    page.get_by_label("Date").fill(demo.today.isoformat())
    page.get_by_label("Start time").fill("13:00")
    page.get_by_label(re.compile(rf"^{re.escape(supervisee.name)} \(")).check()
    page.get_by_role("button", name="Save co-reflection").click()
    page.get_by_role("heading", name=re.compile("^Co-reflection on")).wait_for()

    register = page.get_by_label(supervisee.name, exact=True)
    register.select_option("attended")
    shots(page, "register-ticked")
    page.get_by_role("button", name="Save register").click()
    page.get_by_text("Register saved.").wait_for()

    menu(page, "Attendance matrix").click()
    after = cell_counts(page, supervisee.name, quarter)
    shots(page, "matrix-after")
    assert after["1:1"] == before["1:1"] + 1
    assert after["Co-reflection"] == before["Co-reflection"] + 1
    assert cell_counts(page, supervisee.name, YEAR)["Sessions"] == year_before["Sessions"] + 2


# b. A peer worker sees only their own row and why a cell is red.


def test_peer_worker_sees_only_their_own_row_and_the_arithmetic_behind_a_red_cell(
    demo, page, login, shots
):
    person, year, quarter = a_peer_worker_behind(demo.today)
    login(page, person)

    menu(page, "Attendance matrix").click()
    if year != year_of(demo.today):
        page.get_by_label("Recording year").select_option(str(year.start.year))
        page.get_by_role("button", name="Apply filters").click()
        page.wait_for_url(re.compile(r"year="))
    assert matrix_names(page) == [person.name]
    cell = matrix_row(page, person.name).locator("td.app-cell").nth(quarter)
    red = cell.locator(".nhsuk-tag--red")
    assert red.inner_text() == "Not met"  # in words, not only in red
    shots(page, "own-row")

    matrix_row(page, person.name).get_by_role("link", name=person.name).click()
    page.get_by_role("heading", level=1, name=re.compile(re.escape(person.name))).wait_for()
    card = page.locator("section.app-period").filter(
        has=page.get_by_role("heading", name=re.compile(rf"^Quarter {quarter + 1}\b"))
    )
    text = card.inner_text()
    assert "Not met" in text
    assert re.search(r"Required: eligible (all )?\d+ (of \d+ )?days → .*\d+ sessions?", text), text
    assert re.search(r"Short by \d+", text), text
    card.scroll_into_view_if_needed()
    shots(page, "the-arithmetic")

    someone_else = Person.objects.exclude(pk=person.pk).filter(role__in=PEER_WORKERS).first()
    response = page.goto(f"/people/{someone_else.external_id}/")
    assert response.status == 404  # another worker's attendance is not theirs to see


# c. A line manager filters the matrix to their reports and downloads it.


def test_line_manager_filters_to_their_reports_and_downloads_the_xlsx(
    demo, page, login, shots, tmp_path
):
    manager = (
        Person.objects.filter(role=Role.LINE_MANAGER, reports__isnull=False, user__isnull=False)
        .distinct()
        .order_by("external_id")
        .first()
    )
    reports = set(manager.reports.values_list("name", flat=True))
    status = a_status_among(manager, demo.today)
    login(page, manager)

    menu(page, "Attendance matrix").click()
    page.get_by_label("Locality").select_option(label=manager.locality.name)
    page.get_by_label("Status").select_option(label=status.label)
    page.get_by_label("In", exact=True).select_option(label="Any period")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"locality=.*status="))
    shown = matrix_names(page)
    assert shown, "no one shown for the line manager's filters"
    assert set(shown) <= reports, f"{set(shown) - reports} are not {manager.name}'s reports"
    for name in shown:
        assert status.label in matrix_row(page, name).inner_text()
    shots(page, "filtered")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Excel (.xlsx)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.suggested_filename
    download.save_as(path)

    sheet = openpyxl.load_workbook(path, read_only=True).active
    _title, header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    table = [dict(zip(header, r, strict=True)) for r in rows]  # headers in words
    assert [r["Name"] for r in table] == shown  # the same people as on the page
    first = table[0]
    assert first["Locality"] == manager.locality.name
    person = Person.objects.get(external_id=first["Person ID"])
    assert person.line_manager == manager
    year_cell = matrix_row(page, first["Name"]).locator("td.app-cell").nth(YEAR)
    assert first["Year status"] in year_cell.inner_text()  # statuses in words too
    q = quarter_index(demo.today) + 1
    attended = first[f"Quarter {q} one-to-ones attended"]
    assert attended == cell_counts(page, first["Name"], q - 1)["1:1"]


# d. An administrator uploads a folder with a bad row, sees every problem, then a good one.

GOOD = {
    "people.csv": "person_id,name,email,role,service,locality,line_manager_id\n"
    "IMP1,Jo Import,jo.import@example.nhs.uk,peer_worker,Imported Service,Newtown,IMPM\n"
    "IMP2,Sam Import,sam.import@example.nhs.uk,senior_peer_worker,Imported Service,Newtown,IMPM\n"
    "IMPM,Lee Import,lee.import@example.nhs.uk,line_manager,Imported Service,Newtown,\n",
    "employment.csv": "person_id,start_date,end_date\nIMP1,2025-05-15,\nIMP2,2020-01-01,\n",
    "supervision.csv": "supervisee_id,supervisor_id,type,start_date,end_date\n"
    "IMP1,IMP2,peer_work,2025-05-15,\n",
    "sessions.csv": "session_id,kind,date,start_time,duration_minutes,lead_id,modality,location\n"
    "IMPS1,one_to_one,2025-06-02,10:00,60,IMP2,in_person,Room 1\n",
    "attendance.csv": "session_id,person_id,status\nIMPS1,IMP1,attended\n",
}
# One bad row, wrong twice: an email that is not one and a misspelt role.
BAD = {
    **GOOD,
    "people.csv": GOOD["people.csv"].replace(
        "jo.import@example.nhs.uk,peer_worker", "jo.import-at-example,peer wrker"
    ),
}


def write_folder(folder: Path, files: dict[str, str]) -> list[Path]:
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return sorted(folder.iterdir())


def test_administrator_sees_every_problem_in_a_bad_import_and_nothing_is_imported(
    demo, page, login, shots, tmp_path
):
    admin = Person.objects.filter(role=Role.ADMIN, user__isnull=False).first()
    people_before = Person.objects.count()
    login(page, admin)

    menu(page, "Import").click()
    page.locator("main input[type=file]").set_input_files(write_folder(tmp_path / "bad", BAD))
    shots(page, "upload")
    page.get_by_role("button", name="Check and import").click()
    summary = page.locator(".nhsuk-error-summary")
    summary.wait_for()
    shots(page, "every-problem")
    assert "Nothing was imported" in summary.inner_text()
    shown = summary.locator("li").all_inner_texts()
    assert all(re.match(r"^[a-z]+\.csv:\d+: .+", line) for line in shown), shown
    assert any(line.startswith('people.csv:2: role "peer wrker" is not one of') for line in shown)
    assert any(line.startswith('people.csv:2: email "jo.import-at-example"') for line in shown)
    with page.expect_download() as download_info:
        summary.get_by_role("link", name=re.compile("every problem", re.I)).click()
    every = download_info.value.path().read_text(encoding="utf-8").splitlines()
    assert shown == every  # the page lists every problem, not only the first
    assert Person.objects.count() == people_before
    assert not Person.objects.filter(external_id__startswith="IMP").exists()

    page.get_by_role("link", name="Back to import").click()
    page.locator("main input[type=file]").set_input_files(write_folder(tmp_path / "good", GOOD))
    page.get_by_role("button", name="Check and import").click()
    page.get_by_text("The files were imported").wait_for()
    shots(page, "imported")
    assert page.locator(".nhsuk-error-summary").count() == 0
    assert "people.csv: 3 rows (3 created" in page.locator("main").inner_text()
    assert Person.objects.count() == people_before + 3
    jo = Person.objects.get(external_id="IMP1")
    assert (jo.name, jo.locality.name) == ("Jo Import", "Newtown")


# e. A peer worker checks their attendance on a phone.


def test_peer_worker_checks_their_attendance_on_a_phone(demo, open_page, shots):
    person, year, quarter = a_peer_worker_behind(demo.today)
    page, _console = open_page(
        viewport={"width": 375, "height": 812},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    sign_in(page, person.user.username, demo.password)
    shots(page, "overview")
    assert_no_sideways_scrolling(page)

    page.get_by_role("link", name=person.name, exact=True).first.tap()
    page.get_by_role("heading", level=1, name=re.compile(re.escape(person.name))).wait_for()
    if year != year_of(demo.today):
        page.goto(f"{page.url}?year={year.start.year}")
    card = page.locator("section.app-period").nth(quarter)
    card.scroll_into_view_if_needed()
    assert card.is_visible()
    assert "Not met" in card.inner_text()
    assert re.search(r"Short by \d+", card.inner_text())
    shots(page, "my-attendance", full_page=False)
    shots(page, "my-attendance-whole-page")
    assert_no_sideways_scrolling(page)

    page.goto("/matrix/")
    assert matrix_names(page) == [person.name]
    shots(page, "matrix")
    assert_no_sideways_scrolling(page)


def assert_no_sideways_scrolling(page) -> None:
    """WCAG 1.4.10 reflow: at 320 CSS px wide and up, the page itself never scrolls sideways
    (a wide table may scroll inside its own region)."""
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{page.url} scrolls sideways: {widths[0]} > {widths[1]} px"


# f. Keyboard only: a supervisor records a one-to-one without a mouse.


class Keyboard:
    """Moves focus with Tab, checking every element it lands on shows where focus is."""

    def __init__(self, page, shots) -> None:
        self.page = page
        self.shots = shots
        self.without_indicator: list[str] = []

    def tab_to(self, locator, name: str, limit: int = 80) -> None:
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            focus = focused(self.page)
            if focus is not None and not focus.visible_indicator:
                self.without_indicator.append(f"{self.page.url}: {focus}")
            if locator.evaluate("el => el === document.activeElement"):
                assert focus is not None and focus.visible_indicator, (
                    f"{name} has focus but no visible focus indicator: {focus}"
                )
                self.shots(self.page, f"focus-{name}", full_page=False)
                return
        raise AssertionError(f"{limit} presses of Tab never reached {name} on {self.page.url}")


def test_supervisor_records_a_one_to_one_with_the_keyboard_alone(demo, page, shots):
    supervisor, supervisee = a_supervisor(demo.today)
    keys = Keyboard(page, shots)
    page.goto("/accounts/login/")

    keys.tab_to(page.get_by_label("Username"), "username")
    page.keyboard.type(supervisor.user.username)
    keys.tab_to(page.get_by_label("Password"), "password")
    page.keyboard.type(demo.password)
    keys.tab_to(page.get_by_role("button", name="Sign in"), "sign-in")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    keys.tab_to(menu(page, "Sessions"), "sessions-link")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    keys.tab_to(page.get_by_role("link", name="Record a one-to-one"), "record-link")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    supervisee_field = page.get_by_label("Supervisee")
    keys.tab_to(supervisee_field, "supervisee")
    page.keyboard.type(supervisee.name)  # a closed select picks the option typed
    label = supervisee_field.evaluate("el => el.selectedOptions[0].text")
    assert label.startswith(supervisee.name), label
    keys.tab_to(page.get_by_label("Start time"), "start-time")
    page.keyboard.type("1415")
    keys.tab_to(page.get_by_label("In person"), "in-person")
    page.keyboard.press("Space")
    keys.tab_to(page.get_by_label("Location"), "location")
    page.keyboard.type("Peer Hub, room 2")
    keys.tab_to(page.get_by_role("button", name="Save one-to-one"), "save")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    page.get_by_text(f"One-to-one with {supervisee.name} recorded.").wait_for()
    shots(page, "recorded", full_page=False)
    assert "14:15" in page.locator("main").inner_text()
    assert "Peer Hub, room 2" in page.locator("main").inner_text()
    assert not keys.without_indicator, "focus without a visible indicator:\n" + "\n".join(
        keys.without_indicator
    )
