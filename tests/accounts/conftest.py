"""Roster files built in the tests, and the two steps of an import through the web pages."""
import csv
import html
import io
import re

import openpyxl
import pytest

from lms.accounts.models import CenterKind
from tests import factories

ARABIC_HEADERS = ["الرقم الوظيفي", "الاسم بالعربية", "الاسم بالإنجليزية", "البريد الإلكتروني",
                  "كود المركز التكنولوجي", "المسمى الوظيفي", "الحالة"]
ENGLISH_HEADERS = ["Employee number", "Full name in Arabic", "Name in English", "Email", "Center code", "Job title",
                   "Status"]


def xlsx_bytes(header: list, rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_text(header: list, rows: list[list], delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def upload(client, content: bytes, filename: str = "roster.xlsx", complete: bool = False):
    data = {"file": (io.BytesIO(content), filename)}
    if complete:
        data["complete"] = "y"
    return client.post("/manage/staff/import", data=data, content_type="multipart/form-data")


def payload_of(page) -> str | None:
    found = re.search(r'name="payload"[^>]*value="([^"]*)"', page.text) or \
        re.search(r'value="([^"]*)"[^>]*name="payload"', page.text)
    return html.unescape(found.group(1)) if found else None


def ticks_of(page) -> list[str]:
    """The values of the preview's identity-change ticks (checked or not)."""
    return re.findall(r'name="confirm" value="([^"]*)"', page.text)


def apply(client, payload: str, confirm: list[str] = ()):
    return client.post("/manage/staff/import/apply", data={"payload": payload, "confirm": list(confirm)})


def import_file(client, content: bytes, filename: str = "roster.xlsx", complete: bool = False):
    """Preview then apply; the result page."""
    preview = upload(client, content, filename, complete)
    assert preview.status_code == 200, preview.text
    payload = payload_of(preview)
    assert payload, "the preview offers no apply button"
    return apply(client, payload)


def slips_of(page) -> dict[str, str]:
    """{username: one-time password} read from the result page's slips."""
    usernames = re.findall(r'<dd class="code-cell"><bdi dir="ltr">([^<]+)</bdi></dd>\s*<dt>[^<]*</dt>'
                           r'<dd class="code-cell slip-password"><bdi dir="ltr">([^<]+)</bdi></dd>', page.text)
    return dict(usernames)


@pytest.fixture
def qalyubia(db):
    """A governorate with two fixed centers and a mobile one; another governorate with one center."""
    governorate = factories.GovernorateFactory(code="QLY", name_ar="القليوبية", name_en="Qalyubia")
    other = factories.GovernorateFactory(code="CAI", name_ar="القاهرة", name_en="Cairo")
    centers = {code: factories.CenterFactory(code=code, governorate=governorate)
               for code in ("QLY-BENHA", "QLY-SHUBRA")}
    centers["QLY-MOB-1"] = factories.CenterFactory(code="QLY-MOB-1", governorate=governorate, kind=CenterKind.MOBILE)
    centers["CAI-1"] = factories.CenterFactory(code="CAI-1", governorate=other)
    return governorate, other, centers


@pytest.fixture
def hr(auth, qalyubia):
    """Signed in as HR of Qalyubia."""
    return auth.as_role("hr", scope_governorate_id=qalyubia[0].id, center=None)
