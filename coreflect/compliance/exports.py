"""Downloads of the matrix: CSV streamed line by line, .xlsx written row by row."""

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Iterable, Iterator

from django.http import FileResponse
from openpyxl import Workbook

from coreflect.compliance import rules

# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: str | int) -> str | int:
    """Defuse spreadsheet formula injection: text that looks like a formula gets a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def filename(year: rules.Period, as_of: dt.date) -> str:
    return f"attendance-{year.label.replace('/', '-')}-as-of-{as_of.isoformat()}"


def csv_lines(rows: Iterable[list[str | int]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([escape_cell(cell) for cell in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def xlsx_response(rows: Iterable[list[str | int]], *, filename: str, title: str) -> FileResponse:
    """An .xlsx built in write-only mode (constant memory) and streamed from a temp file."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Attendance")
    sheet.append([title])
    for row in rows:
        sheet.append([escape_cell(cell) for cell in row])
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    workbook.save(spool)
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
