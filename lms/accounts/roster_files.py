"""Reading a staff roster: HR's CSV or XLSX file (with size, row and zip-bomb limits), its Arabic or English
headers, and the signed form field that carries a preview's rows back at apply."""
import csv
import io
import re
import warnings
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

from itsdangerous import BadSignature, URLSafeSerializer

from lms.core.arabic import normalize_for_matching
from lms.core.i18n import _, localize_digits, ngettext
from lms.core.inputs import FORMULA_STARTS

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 40
MAX_UNZIPPED_BYTES = 40 * 1024 * 1024  # all members of an XLSX together, as their headers declare
MAX_ZIP_MEMBERS = 200
MAX_RATIO = 100  # a member larger than 1 MB that compresses better than this is a zip bomb, not a roster

FIELDS = ("employee_number", "full_name_ar", "full_name_latin", "email", "center_code", "job_title", "status")
REQUIRED = ("employee_number", "full_name_ar", "center_code")

_HEADERS = {
    "employee_number": ("الرقم الوظيفي", "رقم الموظف", "employee number", "employee no", "employee id",
                        "staff number", "employee_number"),
    "full_name_ar": ("الاسم بالعربية", "الاسم", "الاسم بالعربي", "الاسم الكامل", "الاسم باللغة العربية",
                     "الاسم الكامل بالعربية", "full name in arabic", "name in arabic", "arabic name", "full_name_ar"),
    "full_name_latin": ("الاسم بالإنجليزية", "الاسم باللاتينية", "الاسم بالانجليزي", "الاسم باللغة الإنجليزية",
                        "الاسم بالحروف اللاتينية", "الاسم الكامل بالحروف اللاتينية",  # the app's own exports
                        "name in english", "english name", "latin name", "name in latin letters",
                        "full name in latin letters", "full name in english", "full_name_latin"),
    "email": ("البريد الإلكتروني", "البريد", "الإيميل", "email", "e-mail", "email address"),
    "center_code": ("كود المركز التكنولوجي", "كود المركز", "رمز المركز التكنولوجي", "رمز المركز", "center code",
                    "centre code", "technology center code", "center_code"),
    "job_title": ("المسمى الوظيفي", "الوظيفة", "job title", "job_title", "title"),
    "status": ("الحالة", "حالة الموظف", "status"),
}
# Arabic headers of the template HR downloads (the first synonym of each field).
TEMPLATE_HEADERS = {name: synonyms[0] for name, synonyms in _HEADERS.items()}


def _header_key(text: str) -> str:
    return normalize_for_matching(re.sub(r"[_:*()\[\]]", " ", text))


_HEADER_FIELDS = {_header_key(s): name for name, synonyms in _HEADERS.items() for s in synonyms}


class RosterFileError(Exception):
    """The file as a whole is refused (too big, unreadable, required column missing); nothing changes."""


def field_labels() -> dict[str, str]:
    return {"employee_number": _("Employee number"), "full_name_ar": _("Full name in Arabic"),
            "full_name_latin": _("Full name in Latin letters"), "email": _("Email"),
            "center_code": _("Technology center code"), "job_title": _("Job title"), "status": _("Status")}


# ---------------------------------------------------------------- reading


@dataclass
class Roster:
    """What a file holds: rows as [row number, *values in FIELDS order], and how its columns were read."""

    rows: list[list]
    headers: dict[str, str]  # field -> the header as written in the file
    unknown_columns: list[str]


def read_roster(filename: str, content: bytes) -> Roster:
    if len(content) > MAX_FILE_BYTES:
        raise RosterFileError(_("The file is larger than %(mb)s MB.", mb=localize_digits(MAX_FILE_BYTES >> 20)))
    if not content.strip():
        raise RosterFileError(_("The file is empty."))
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise RosterFileError(_("Old Excel files (.xls) cannot be read: save the file as .xlsx or .csv."))
    table = _read_xlsx(content) if content.startswith(b"PK\x03\x04") else _read_csv(content)
    return _to_roster(table)


def _read_csv(content: bytes):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("cp1256")  # what Arabic Excel saves as "CSV"
        except UnicodeDecodeError:
            raise RosterFileError(_("The file's characters could not be read: save it as CSV UTF-8.")) from None
    if "\x00" in text:  # a UTF-16 file, or a damaged one: no database stores NUL characters
        raise RosterFileError(_("The file contains NUL characters: save it as CSV UTF-8."))
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error:
        raise RosterFileError(_("The file could not be read as CSV.")) from None


def _check_zip(content: bytes) -> None:
    """Refuse before decompressing anything: sizes come from the zip's own directory (zipfile never inflates a
    member beyond its declared size)."""
    try:
        members = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except zipfile.BadZipFile:
        raise RosterFileError(_("The file could not be read as an Excel workbook (.xlsx).")) from None
    too_big = (len(members) > MAX_ZIP_MEMBERS or sum(m.file_size for m in members) > MAX_UNZIPPED_BYTES
               or any(m.file_size > 1024 * 1024 and m.file_size > MAX_RATIO * max(m.compress_size, 1)
                      for m in members))
    if too_big:
        raise RosterFileError(_("The workbook unpacks to far more data than a roster holds; it was not read."))


def _read_xlsx(content: bytes) -> list[list[str]]:
    _check_zip(content)
    import openpyxl  # only here: a CSV import need not load it

    table, filled = [], 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "no default style" and the like, about files from other tools
            workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            try:
                for values in workbook.worksheets[0].iter_rows(max_col=MAX_COLUMNS + 1, values_only=True):
                    if values.count(None) == len(values):
                        # A blank row, kept (row numbers are the sheet's) without a list of its own: a 5 kB sheet
                        # whose one cell is at row 1,048,576 must not become a million lists of empty cells.
                        table.append(_BLANK_ROW)
                        continue
                    cells = [_cell_text(v) for v in values]
                    filled += any(c.strip() for c in cells)
                    if filled > MAX_ROWS + 1:
                        break
                    table.append(cells)
            finally:
                workbook.close()
    except Exception:  # openpyxl raises many kinds of errors for a damaged file
        raise RosterFileError(_("The file could not be read as an Excel workbook (.xlsx).")) from None
    if filled > MAX_ROWS + 1:
        raise RosterFileError(_too_many_rows())
    return table


_BLANK_ROW: list[str] = []


def _too_many_rows() -> str:
    return ngettext("The file has more than %(num)s row; split it.", "The file has more than %(num)s rows; split it.",
                    MAX_ROWS, num=localize_digits(MAX_ROWS))


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # employee numbers typed as numbers come back as 1234.0
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date().isoformat()  # a date cell, as the sheet shows it (not "2024-03-15T00:00:00")
    if isinstance(value, datetime | date):
        return value.isoformat(sep=" ")
    return str(value)


def _unquoted(text: str) -> str:
    """A cell without the apostrophe that CSV exports put before text a spreadsheet would run as a formula
    (lms.reports.exports): a roster edited from an export must not keep it ("'-Ali" for "-Ali")."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def _to_roster(table) -> Roster:
    rows, header, columns = [], None, {}
    for number, cells in enumerate(table, start=1):
        cells = [_unquoted((c or "").strip()) for c in cells]
        if not any(cells):
            continue
        if header is None:
            header = cells
            while header and not header[-1]:
                header.pop()
            if len(header) > MAX_COLUMNS:
                raise RosterFileError(ngettext("The file has more than %(num)s column.",
                                               "The file has more than %(num)s columns.", MAX_COLUMNS,
                                               num=localize_digits(MAX_COLUMNS)))
            columns = _map_columns(header)
            continue
        if len(rows) >= MAX_ROWS:
            raise RosterFileError(_too_many_rows())
        rows.append([number, *(cells[columns[f]] if f in columns and columns[f] < len(cells) else ""
                               for f in FIELDS)])
    if header is None:
        raise RosterFileError(_("The file is empty."))
    known = set(columns.values())
    return Roster(rows=rows, headers={f: header[i] for f, i in columns.items()},
                  unknown_columns=[h for i, h in enumerate(header) if i not in known and h])


def _map_columns(header: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, text in enumerate(header):
        name = _HEADER_FIELDS.get(_header_key(text))
        if name is None:
            continue
        if name in columns:
            raise RosterFileError(_("Two columns mean the same thing: %(a)s and %(b)s.",
                                    a=header[columns[name]], b=text))
        columns[name] = index
    missing = [field_labels()[f] for f in REQUIRED if f not in columns]
    if missing:
        raise RosterFileError(_("The file has no column for: %(names)s.", names=", ".join(missing)))
    return columns


# ---------------------------------------------------------------- the signed payload


def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt="roster")  # compresses (zlib) whenever that is shorter


def sign_roster(roster: Roster, uploader_id: int, complete: bool, secret_key: str) -> str:
    return _serializer(secret_key).dumps({"u": uploader_id, "c": bool(complete), "rows": roster.rows,
                                          "h": roster.headers, "x": roster.unknown_columns})


def unsign_roster(token: str, uploader_id: int, secret_key: str) -> tuple[Roster, bool]:
    """The roster and the "complete" flag of a preview; ValueError when tampered with or someone else's."""
    try:
        data = _serializer(secret_key).loads(token or "")
    except BadSignature:
        raise ValueError("bad signature") from None
    if not isinstance(data, dict) or data.get("u") != uploader_id:
        raise ValueError("not this uploader's preview")
    return Roster(rows=data["rows"], headers=data["h"], unknown_columns=data["x"]), bool(data["c"])
