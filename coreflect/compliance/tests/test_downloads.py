"""The matrix downloads: the CSV for programs (its keys are a contract), the .xlsx for people."""

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from openpyxl import load_workbook

from coreflect.compliance import exports, matrix, rules

YEAR = rules.Period(dt.date(2025, 4, 1), dt.date(2026, 3, 31), "2025/26")


@pytest.fixture(autouse=True)
def frozen_today(frozen_clock):
    """Downloads default to today: a Thursday in quarter 3 of 2025/26."""
    frozen_clock.move_to(dt.datetime(2025, 11, 20, 10, 0, tzinfo=ZoneInfo("Europe/London")))


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def workbook(response):
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def attachment_name(response) -> str:
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    return disposition.split('filename="', 1)[1].rstrip('"')


# The CSV keeps its contract.


def test_csv_keeps_its_keys_and_machine_statuses(login, everyone):
    rows = csv_rows(login(everyone["hana"]).get("/matrix.csv?year=2025"))
    assert rows[0] == matrix.CSV_HEADER
    columns = [i for i, key in enumerate(rows[0]) if key.endswith("status")]
    statuses = {row[i] for row in rows[1:] for i in columns}
    assert statuses and statuses <= {s.value for s in rules.Status}


def test_csv_file_name_says_the_year_the_date_and_the_filters(login, everyone):
    north = everyone["alice"].service_id
    hana = login(everyone["hana"])
    plain = hana.get("/matrix.csv?year=2025")
    assert attachment_name(plain) == "attendance-2025-26-as-of-2025-11-20.csv"
    filtered = hana.get(f"/matrix.csv?year=2025&service={north}&status=at_risk")
    assert attachment_name(filtered) == "attendance-2025-26-as-of-2025-11-20-north-at-risk.csv"


# The .xlsx is made for people.


def test_xlsx_headers_and_statuses_are_in_words(login, everyone):
    sheet = workbook(login(everyone["hana"]).get("/matrix.xlsx?year=2025")).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[1]
    assert header[:5] == ("Person ID", "Name", "Service", "Locality", "Peer work supervisor")
    assert header[5:12] == (
        "Quarter 1 one-to-ones required",
        "Quarter 1 one-to-ones attended",
        "Quarter 1 one-to-ones booked",
        "Quarter 1 co-reflection sessions required",
        "Quarter 1 co-reflection sessions attended",
        "Quarter 1 co-reflection sessions booked",
        "Quarter 1 status",
    )
    assert header[-4:] == (
        "Year sessions required",
        "Year sessions attended",
        "Year sessions booked",
        "Year status",
    )
    alice = next(row for row in rows[2:] if row[0] == "ALICE")
    assert alice[1:5] == ("Alice Able", "North", "Northton", "Sam Senior")
    labels = {s.label for s in rules.Status}
    statuses = [alice[i] for i, name in enumerate(header) if name.endswith("status")]
    assert len(statuses) == 5 and set(statuses) <= labels
    assert isinstance(alice[5], int)  # counts stay numbers, to sum and sort


def test_xlsx_freezes_the_header_and_names_and_filters_every_column(login, everyone):
    response = login(everyone["hana"]).get("/matrix.xlsx?year=2025")
    sheet = workbook(response).active
    assert sheet.freeze_panes == "C3"  # the title and header rows, the ID and name columns
    people = sheet.max_row - 2
    assert people == 6
    assert sheet.auto_filter.ref == f"A2:AK{2 + people}"  # 37 columns
    assert sheet.column_dimensions["B"].width == 24  # names
    assert sheet.column_dimensions["F"].width == 14  # counts
    assert sheet["A2"].font.bold and sheet["F2"].alignment.wrap_text
    assert sheet.row_dimensions[2].height == exports.HEADER_HEIGHT


def test_xlsx_title_and_file_name_say_the_filters(login, everyone):
    north = everyone["alice"].service_id
    response = login(everyone["hana"]).get(
        f"/matrix.xlsx?year=2025&as_of=2025-11-20&service={north}&supervisor=SAM"
        "&status=on_track&period=3"
    )
    assert attachment_name(response) == (
        "attendance-2025-26-as-of-2025-11-20-north-sam-senior-on-track-q3.xlsx"
    )
    sheet = workbook(response).active
    assert sheet["A1"].value == (
        "Attendance 2025/26 as of 20 November 2025. Service: North; "
        "Supervisor: Sam Senior; Status: On track in quarter 3."
    )
    assert sheet["A1"].font.bold


def test_xlsx_with_no_filters_has_a_plain_title(login, everyone):
    response = login(everyone["hana"]).get("/matrix.xlsx?year=2025")
    assert attachment_name(response) == "attendance-2025-26-as-of-2025-11-20.xlsx"
    assert workbook(response).active["A1"].value == "Attendance 2025/26 as of 20 November 2025."


def test_xlsx_escapes_formula_text_in_rows_and_title(login, everyone):
    south = everyone["olly"].locality
    south.name = "=HYPERLINK(1)"
    south.save(update_fields=["name"])
    response = login(everyone["hana"]).get(f"/matrix.xlsx?locality={south.pk}")
    sheet = workbook(response).active
    rows = list(sheet.iter_rows(values_only=True))
    assert {row[3] for row in rows[2:]} == {"'=HYPERLINK(1)"}
    assert rows[0][0].endswith("Locality: =HYPERLINK(1).")  # after "Attendance …": inert
    assert attachment_name(response).endswith("-hyperlink1.xlsx")


def test_header_words_cover_every_csv_key_once():
    words = [exports.header_in_words(key) for key in matrix.CSV_HEADER]
    assert len(set(words)) == len(words)
    assert not any("_" in w for w in words)
    with pytest.raises(KeyError):
        exports.header_in_words("q5_status")


def test_long_filters_keep_the_file_name_short():
    name = exports.filename(YEAR, dt.date(2025, 11, 20), ["a" * 80, "b" * 80])
    assert name.startswith("attendance-2025-26-as-of-2025-11-20-aaa")
    assert len(name) <= exports.MAX_NAME and not name.endswith("-")


# Who is in a download.


def test_xlsx_download_without_permission_has_no_one_else(login, everyone):
    response = login(everyone["alice"]).get("/matrix.xlsx")
    assert response.status_code == 200
    rows = list(workbook(response).active.iter_rows(values_only=True))
    assert [row[0] for row in rows[2:]] == ["ALICE"]  # her own row, no one else's


def test_xlsx_download_for_a_user_who_may_see_no_one_has_no_rows(client, everyone):
    """A sign-in with no person record sees no one: the file has its title and header only."""
    client.force_login(User.objects.create_user("visitor", password="not-used-here-1"))
    response = client.get("/matrix.xlsx")
    assert response.status_code == 200
    rows = list(workbook(response).active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == "Person ID"
    csv_response = client.get("/matrix.csv")
    assert csv_response.status_code == 200
    assert csv_rows(csv_response) == [matrix.CSV_HEADER]


def test_downloads_need_a_sign_in(client, everyone):
    for path in ("/matrix.xlsx", "/matrix.csv"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
