"""Downloads of the matrix: CSV streamed line by line, .xlsx written row by row.

The CSV is for programs: its keys and status values are a contract (docs/commands.md). The
.xlsx is for people: headers and statuses in words, the header row and names frozen, widths
set, an autofilter, and the filters used in its title. Both take the filters into the file name.
"""

import csv
import datetime as dt
import io
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from coreflect.compliance import rules

# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# File names stay short enough for every file system once the filters are added.
MAX_NAME = 120


def escape_cell(value: str | int) -> str | int:
    """Defuse spreadsheet formula injection: text that looks like a formula gets a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def filename(year: rules.Period, as_of: dt.date, filters: Sequence[str] = ()) -> str:
    """attendance-2025-26-as-of-2025-11-20, then the short form of each filter used
    (…-north-at-risk), without an extension."""
    name = "-".join(
        [f"attendance-{year.label.replace('/', '-')}-as-of-{as_of.isoformat()}", *filters]
    )
    return name[:MAX_NAME].rstrip("-")


def title(year: rules.Period, as_of: dt.date, filters: Sequence[str] = ()) -> str:
    """The .xlsx's title row: "Attendance 2025/26 as of 20 November 2025. Service: North;
    Status: At risk." (the filters used, in words)."""
    text = f"Attendance {year.label} as of {as_of.day} {as_of:%B %Y}."
    if filters:
        text += " " + "; ".join(filters) + "."
    return text


def csv_response(table: Iterable[Sequence[str | int]], *, filename: str) -> StreamingHttpResponse:
    """The table streamed as CSV, a line at a time."""
    response = StreamingHttpResponse(csv_lines(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def csv_lines(rows: Iterable[Sequence[str | int]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([escape_cell(cell) for cell in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


# The .xlsx: the CSV's table (matrix.as_table) put into words.

KINDS = {
    "one_to_one": "one-to-ones",
    "co_reflection": "co-reflection sessions",
}
COUNTS = {"required": "required", "attended": "attended", "scheduled": "booked"}
FIXED = {
    "person_id": "Person ID",
    "name": "Name",
    "service": "Service",
    "locality": "Locality",
    "supervisor": "Peer work supervisor",
    "year_status": "Year status",
}
QUARTER_KEY = re.compile(
    r"q(?P<n>[1-4])_(?:(?P<kind>\w+?)_(?P<count>required|attended|scheduled)|status)"
)
YEAR_KEY = re.compile(r"year_(?P<count>required|attended|scheduled)")


def header_in_words(key: str) -> str:
    """A CSV key as a spreadsheet reader wants it: q1_one_to_one_required → "Quarter 1
    one-to-ones required", q1_status → "Quarter 1 status"."""
    if key in FIXED:
        return FIXED[key]
    if match := YEAR_KEY.fullmatch(key):
        return f"Year sessions {COUNTS[match['count']]}"
    if match := QUARTER_KEY.fullmatch(key):
        if match["kind"] is None:
            return f"Quarter {match['n']} status"
        return f"Quarter {match['n']} {KINDS[match['kind']]} {COUNTS[match['count']]}"
    raise KeyError(f"no words for the matrix column {key!r}")


def column_width(key: str) -> float:
    """Widths in characters: names and places wide enough to read, counts narrow with their
    headers wrapped over a few lines."""
    if key in {"name", "supervisor"}:
        return 24
    if key in {"service", "locality"}:
        return 18
    return 14  # the ID, statuses and counts: "co-reflection" whole on a line of the header


HEADER_FONT = Font(bold=True)
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="top")
TITLE_FONT = Font(bold=True, size=14)
# Four lines of an 11-point header: "Quarter 1 / co-reflection / sessions / booked".
HEADER_HEIGHT = 64


def _styled(
    sheet: Any, value: str, font: Font, alignment: Alignment | None = None
) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=escape_cell(value))
    cell.font = font
    if alignment is not None:
        cell.alignment = alignment
    return cell


def xlsx_response(table: Iterable[list[str | int]], *, filename: str, title: str) -> FileResponse:
    """The matrix as an .xlsx for people: `table` is matrix.as_table (the CSV's header, then a
    row a person). Built in write-only mode, so memory stays flat however many rows, and
    streamed from a temporary file."""
    rows = iter(table)
    keys = [str(key) for key in next(rows)]
    statuses = [i for i, key in enumerate(keys) if key.endswith("status")]
    last_column = get_column_letter(len(keys))

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Attendance")
    # A write-only sheet writes its views, widths and row heights before the first row, so
    # they are set first; the autofilter goes at the end of the file, so it is set last.
    sheet.freeze_panes = "C3"  # the title and header rows, the ID and name columns
    for number, key in enumerate(keys, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = column_width(key)
    sheet.row_dimensions[2].height = HEADER_HEIGHT

    sheet.append([_styled(sheet, title, TITLE_FONT)])
    sheet.append(
        [_styled(sheet, header_in_words(key), HEADER_FONT, HEADER_ALIGNMENT) for key in keys]
    )
    last_row = 2
    for row in rows:
        cells = list(row)
        for i in statuses:
            cells[i] = rules.Status(str(cells[i])).label
        sheet.append([escape_cell(cell) for cell in cells])
        last_row += 1
    sheet.auto_filter.ref = f"A2:{last_column}{last_row}"

    spool = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    workbook.save(spool)
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
