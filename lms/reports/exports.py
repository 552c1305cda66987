"""CSV and XLSX files of a report, written a chunk of rows at a time.

Spreadsheets run a cell that starts with =, +, -, @, a tab or a carriage return as a formula: a name typed as
`=HYPERLINK(...)` in a roster must come back as text. CSV cells get an apostrophe in front; XLSX cells are
stored as strings (openpyxl would make a formula of a str starting with "=") and marked quote-prefixed.
openpyxl is imported when a workbook is written: web workers that never write one do not carry it.
"""
import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from itertools import chain, islice

from lms.core.inputs import FORMULA_STARTS
from lms.core.localtime import local_date

BOM = "\ufeff"
WIDTH_SAMPLE_ROWS = 200  # the rows a workbook's column widths are measured on
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def is_risky(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_safe(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return _day(value).isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    text = str(value)
    return "'" + text if is_risky(text) else text


def _day(value: datetime | date) -> date:
    """Exports carry dates (the governorate's calendar day): Excel knows no time zones."""
    return local_date(value) if isinstance(value, datetime) else value


def csv_stream(headers: list[str], rows: Iterable[list]) -> Iterator[str]:
    """UTF-8 with a byte-order mark, so that Excel opens Arabic correctly; yielded a chunk at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow([csv_safe(h) for h in headers])
    for n, row in enumerate(rows, 1):
        writer.writerow([csv_safe(v) for v in row])
        if n % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_bytes(title: str, headers: list[str], rows: Iterable[list], *, rtl: bool) -> bytes:
    """A write-only workbook (rows are not kept in memory), right to left for Arabic readers."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def cell(value: object) -> WriteOnlyCell:
        return _xlsx_cell(WriteOnlyCell(sheet), value, ILLEGAL_CHARACTERS_RE)

    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    def header(text: str) -> WriteOnlyCell:
        made = cell(text)
        made.font = Font(bold=True)
        return made

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.sheet_view.rightToLeft = rtl
    # Readable at first open: the header row stays in view and bold, and each column is as wide as its header and
    # the values of the first rows (rows stream: a width is set before the first row is written), up to a limit.
    sheet.freeze_panes = "A2"
    rows = iter(rows)
    first = list(islice(rows, WIDTH_SAMPLE_ROWS))
    for number, text in enumerate(headers, start=1):
        longest = max([len(text)] + [len(_shown(row[number - 1])) for row in first if len(row) >= number])
        sheet.column_dimensions[get_column_letter(number)].width = max(10, min(60, longest * 1.15 + 3))
    sheet.append([header(h) for h in headers])
    for row in chain(first, rows):
        sheet.append([cell(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _shown(value: object) -> str:
    """About what a cell shows, for its column's width."""
    if isinstance(value, datetime | date):
        return "yyyy-mm-dd"
    return "" if value is None else str(value)


def _xlsx_cell(cell, value: object, illegal: re.Pattern):
    """`cell` (an empty openpyxl WriteOnlyCell) holding `value` as text, a date or a number."""
    if isinstance(value, datetime | date):
        value = _day(value)
    if isinstance(value, str):
        value = illegal.sub("", value)  # control characters a roster let in: openpyxl refuses them
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # never "f" (formula) nor "e" (error), whatever the text starts with
        if is_risky(value):
            cell.quotePrefix = True
    elif isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"
    return cell


def chunked(fetch: Callable[[int, int], list], size: int = 10_000) -> Iterator:
    """Rows fetched `size` at a time (offset, limit) until a short chunk: memory stays flat for big exports."""
    offset = 0
    while True:
        chunk = fetch(offset, size)
        yield from chunk
        if len(chunk) < size:
            return
        offset += size
