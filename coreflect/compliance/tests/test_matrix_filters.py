"""The matrix's filters: "My reports" and "My supervisees", values that fall back alone, and
the quarter a narrow screen shows."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from coreflect.compliance import rules
from coreflect.compliance.forms import default_quarter
from coreflect.supervision.models import RelationshipType, SupervisionRelationship

TODAY = dt.date(2025, 11, 20)
YEAR = rules.Period(dt.date(2025, 4, 1), dt.date(2026, 3, 31), "2025/26")


@pytest.fixture(autouse=True)
def frozen_today(frozen_clock):
    """A Thursday in quarter 3 of 2025/26."""
    frozen_clock.move_to(dt.datetime(2025, 11, 20, 10, 0, tzinfo=ZoneInfo("Europe/London")))


def names(response) -> set[str]:
    assert response.status_code == 200
    return {row.person.name for row in response.context["rows"]}


def offered_mine(response) -> set[str] | None:
    """The "People" filter's choices, or None where it is not offered."""
    field = response.context["form"].fields.get("mine")
    return None if field is None else {value for value, _ in field.choices if value}


def line_manage(manager, person, *, start=dt.date(2024, 1, 1), end=None) -> None:
    SupervisionRelationship.objects.create(
        supervisor=manager,
        supervisee=person,
        type=RelationshipType.LINE_MANAGEMENT,
        start_date=start,
        end_date=end,
    )


# My reports and my supervisees.


def test_line_manager_narrows_the_matrix_to_their_reports(login, everyone):
    pat, sam = everyone["pat"], everyone["sam"]
    sam.line_manager = pat
    sam.save(update_fields=["line_manager"])
    client = login(pat)
    assert names(client.get("/matrix/")) == {"Alice Able", "Sam Senior", "Pat Lead"}
    assert names(client.get("/matrix/?mine=reports")) == {"Sam Senior"}


def test_a_current_line_management_relationship_makes_a_report(login, everyone):
    line_manage(everyone["pat"], everyone["alice"])
    assert names(login(everyone["pat"]).get("/matrix/?mine=reports")) == {"Alice Able"}


def test_a_line_management_relationship_that_has_ended_is_not_a_report(login, everyone):
    pat = everyone["pat"]
    line_manage(pat, everyone["alice"], end=TODAY - dt.timedelta(days=1))
    response = login(pat).get("/matrix/?mine=reports")
    assert offered_mine(response) is None
    assert names(response) == {"Alice Able", "Sam Senior", "Pat Lead"}  # ignored


def test_supervisor_narrows_the_matrix_to_their_supervisees(login, everyone):
    client = login(everyone["sam"])
    assert names(client.get("/matrix/")) == {"Alice Able", "Sam Senior"}
    assert names(client.get("/matrix/?mine=supervisees")) == {"Alice Able"}


def test_head_of_peer_work_narrows_everyone_to_their_reports(login, everyone):
    pat, hana = everyone["pat"], everyone["hana"]
    pat.line_manager = hana
    pat.save(update_fields=["line_manager"])
    assert names(login(hana).get("/matrix/?mine=reports")) == {"Pat Lead"}


def test_my_reports_and_supervisees_are_offered_only_to_people_who_have_them(login, everyone):
    assert offered_mine(login(everyone["alice"]).get("/matrix/")) is None
    assert offered_mine(login(everyone["pat"]).get("/matrix/")) is None
    assert offered_mine(login(everyone["lena"]).get("/matrix/")) == {"reports"}
    assert offered_mine(login(everyone["sam"]).get("/matrix/")) == {"supervisees"}
    everyone["sam"].reports.add(everyone["pat"])
    assert offered_mine(login(everyone["sam"]).get("/matrix/")) == {"reports", "supervisees"}


def test_the_people_filter_is_labelled_on_the_page_only_where_offered(login, everyone):
    text = login(everyone["lena"]).get("/matrix/").content.decode()
    assert '<label class="nhsuk-label" for="id_mine">People</label>' in text
    assert '<option value="reports">My reports</option>' in text
    assert "My supervisees" not in text
    assert 'id="id_mine"' not in login(everyone["alice"]).get("/matrix/").content.decode()


def test_my_reports_is_ignored_for_people_without_reports(login, everyone):
    assert names(login(everyone["alice"]).get("/matrix/?mine=reports")) == {"Alice Able"}
    everyone_pat_sees = {"Alice Able", "Sam Senior", "Pat Lead"}
    assert names(login(everyone["pat"]).get("/matrix/?mine=reports")) == everyone_pat_sees
    assert names(login(everyone["pat"]).get("/matrix/?mine=supervisees")) == everyone_pat_sees


def test_my_supervisees_is_ignored_for_a_line_manager_who_supervises_no_one(login, everyone):
    """Lena has reports, so the filter is there, but "supervisees" is not hers to choose."""
    assert names(login(everyone["lena"]).get("/matrix/?mine=supervisees")) == {"Alice Able"}


def test_downloads_take_my_reports_and_say_so_in_the_file_name(login, everyone):
    pat, sam = everyone["pat"], everyone["sam"]
    sam.line_manager = pat
    sam.save(update_fields=["line_manager"])
    response = login(pat).get("/matrix.csv?year=2025&mine=reports")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == ["SAM"]
    assert response["Content-Disposition"].endswith('-as-of-2025-11-20-my-reports.csv"')


# Values that are not valid.


def test_an_invalid_value_falls_back_alone_and_the_other_filters_still_apply(login, everyone):
    south = everyone["olly"].service_id
    response = login(everyone["hana"]).get(f"/matrix/?service={south}&year=1900&as_of=soon")
    assert names(response) == {"Olly Other", "Sue South"}
    assert response.context["year"].label == "2025/26"  # the default


@pytest.mark.parametrize(
    ("query", "year"),
    [
        ("mine=", "2025"),
        ("year=1900", "2025"),
        ("as_of=2025-02-01", "2024"),  # the year holding the as-of date
        ("year=2024&as_of=2025-11-20", "2024"),  # a year chosen stays chosen
    ],
)
def test_the_year_list_shows_the_year_the_matrix_shows(login, everyone, query, year):
    """Otherwise the list shows its first option (next year), and applying any filter would
    silently move the matrix to it."""
    response = login(everyone["hana"]).get(f"/matrix/?{query}")
    assert str(response.context["year"].start.year) == year
    assert f'<option value="{year}" selected>' in response.content.decode()


# The quarter a narrow screen shows beside the year.


def shown_quarters(response) -> list[str]:
    """The quarter headers not marked to hide on narrow screens."""
    headers = re.findall(
        r'class="nhsuk-table__header( app-matrix__other)?">(Q\d)', response.content.decode()
    )
    return [label for other, label in headers if not other]


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("", ["Q3"]),  # the quarter holding today
        ("quarter=1", ["Q1"]),
        ("quarter=9", ["Q3"]),  # not a quarter: the default
        ("status=not_met&period=2", ["Q2"]),  # the quarter a status filter asks about
        ("status=not_met&period=2&quarter=4", ["Q4"]),  # chosen beats the filter's
        ("as_of=2025-05-01", ["Q1"]),
    ],
)
def test_a_narrow_screen_shows_the_chosen_or_current_quarter(login, everyone, query, shown):
    response = login(everyone["hana"]).get(f"/matrix/?year=2025&{query}")
    assert shown_quarters(response) == shown
    text = response.content.decode()
    # Every row shows the same quarter, and always the year.
    rows = len(response.context["rows"])
    assert rows > 0
    assert text.count('class="nhsuk-table__cell app-cell">') == 2 * rows


def test_the_quarter_links_keep_the_filters_and_the_page(login, everyone):
    south = everyone["olly"].service_id
    text = login(everyone["hana"]).get(f"/matrix/?service={south}&page=1").content.decode()
    assert f'href="?service={south}&amp;page=1&amp;quarter=1#results"' in text
    assert 'aria-current="true">Quarter 3</a>' in text
    assert 'name="quarter"' not in text  # not chosen: it follows the as-of date


def test_a_chosen_quarter_is_submitted_with_the_filters(login, everyone):
    text = login(everyone["hana"]).get("/matrix/?quarter=2").content.decode()
    assert '<input type="hidden" name="quarter" value="2" form="matrix-filters">' in text
    assert 'id="matrix-filters"' in text


@pytest.mark.parametrize(
    ("as_of", "period", "quarter"),
    [
        (dt.date(2025, 11, 20), "", 3),
        (dt.date(2025, 4, 1), "", 1),
        (dt.date(2026, 3, 31), "", 4),
        (dt.date(2024, 12, 1), "", 1),  # before the year
        (dt.date(2026, 6, 1), "", 4),  # after it
        (dt.date(2025, 11, 20), "2", 2),
        (dt.date(2025, 11, 20), "year", 3),
    ],
)
def test_default_quarter(as_of, period, quarter):
    assert default_quarter(YEAR, as_of=as_of, period=period) == quarter
