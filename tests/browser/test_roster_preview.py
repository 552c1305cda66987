"""Issue 13.1 in Chromium: the roster preview reads right in Arabic and English, on a phone (360 px) and a desktop
(1366 px): each change as words around isolated values, the old value before the new one in the reading direction,
and the row that would take over the trainer's account flagged, skipped unless ticked. Ticking it and applying
renames the trainer. Every page passes axe-core; the previews are photographed for people to look at."""
import shutil
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from lms.accounts.models import Center, Governorate, JobTitle, Role, User
from lms.accounts.services import create_user
from lms.extensions import db
from tests.browser.conftest import LEARNER_PASSWORD, LiveSite
from tests.browser.test_hr import HEADERS, say, sign_in_as
from tests.browser.test_journey import (  # noqa: F401 (new_page: a fixture)
    Auditor,
    new_page,
    switch_language,
)

pytestmark = [pytest.mark.browser, pytest.mark.no_db]

SHOTS = Path("/work/notes/shots")  # where the closing note's screenshots are kept, when the machine has it
WIDTHS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1366, "height": 800}}
ROWS = [["5001", "سارة محمد", "Sara Mohamed", "sara.m@example.org", "QLY-BENHA", "", "نشط"],
        ["5002", "نهى علي", "Noha Ali", "noha.ali.training.department@example.gov.eg", "QLY-BENHA", "", "نشط"],
        ["5003", "شخص آخر", "Someone Else", "", "QLY-SHUBRA", "موظف شباك خدمة", "نشط"],  # the trainer's number
        ["5004", "وافد جديد", "Newcomer", "", "QLY-BENHA", "", "نشط"]]


def _seed(site: LiveSite) -> None:
    with site.app.app_context():
        qalyubia = Governorate(code="QLY", name_ar="القليوبية", name_en="Qalyubia")
        benha = Center(code="QLY-BENHA", name_ar="مركز بنها التكنولوجي", name_en="Benha Technology Center",
                       governorate=qalyubia)
        shubra = Center(code="QLY-SHUBRA", name_ar="مركز شبرا الخيمة التكنولوجي",
                        name_en="Shubra El Kheima Technology Center", governorate=qalyubia)
        clerk = JobTitle(code="CLERK", name_ar="موظف شباك خدمة", name_en="Service window clerk")
        trainer_title = JobTitle(code="TRAINER", name_ar="مدرب", name_en="Trainer")
        db.session.add_all([qalyubia, benha, shubra, clerk, trainer_title])
        db.session.commit()
        create_user({"username": "hr", "role": "hr", "full_name_ar": "موارد القليوبية", "full_name_latin": "HR",
                     "scope_governorate_id": qalyubia.id}, LEARNER_PASSWORD)
        for number, ar, latin, email, role, title in [
                ("5001", "سارة محمد", "Sara Mohamed", "sara@example.org", "learner", clerk),
                ("5002", "نهى علي", "Noha Ali", None, "learner", clerk),
                ("5003", "المدرب التجريبي", "Demo Trainer", "trainer@example.org", "trainer", trainer_title)]:
            create_user({"username": number, "employee_number": number, "role": role, "full_name_ar": ar,
                         "full_name_latin": latin, "email": email, "center_id": benha.id,
                         "job_title_id": title.id}, LEARNER_PASSWORD)


def _xlsx(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for row in ROWS:
        sheet.append(row)
    workbook.save(path)
    return path


def _check_the_preview(page: Page, site: LiveSite, lang: str) -> None:
    preview = page.locator(".roster-preview")
    email = preview.locator(".roster-change[data-field=email]").first
    expect(email).to_contain_text(say(site, lang, "from %(old)s to %(new)s", old="sara@example.org",
                                      new="sara.m@example.org"))
    expect(preview.locator(".change-added")).to_contain_text(
        say(site, lang, "added: %(value)s", value="noha.ali.training.department@example.gov.eg"))
    expect(preview).not_to_contain_text("→")
    # The old value comes first in the reading direction: to the right of the new one in Arabic, left in English.
    old, new = (email.locator("bdi").nth(i).bounding_box() for i in (0, 1))
    if abs(old["y"] - new["y"]) < 2:  # on one line
        assert (old["x"] > new["x"]) if lang == "ar" else (old["x"] < new["x"]), (lang, old, new)
    flagged = preview.locator(".identity-change")
    expect(flagged).to_have_count(1)
    expect(flagged).to_contain_text(say(site, lang, "Identity change"))
    expect(flagged).to_contain_text("5003")
    expect(preview).to_contain_text(say(site, lang, "%(num)s identity change will be skipped unless you tick it.",
                                        "%(num)s identity changes will be skipped unless you tick them.", 1,
                                        num="1" if lang == "en" else "١"))
    expect(page.get_by_label(say(site, lang, "Apply this identity change (row %(row)s)",
                                 row="4" if lang == "en" else "٤"), exact=True)).not_to_be_checked()


def _upload(page: Page, site: LiveSite, lang: str, roster: Path) -> None:
    page.locator("input[type=file]").set_input_files(roster)
    page.get_by_role("button", name=say(site, lang, "Check the file"), exact=True).click()
    expect(page.locator(".roster-preview")).to_be_visible()
    expect(page.locator("#preview-title")).to_be_focused()  # a screen reader hears that the preview is there


@pytest.mark.parametrize("viewport", WIDTHS)
def test_the_roster_preview_reads_right_and_asks_for_the_identity_tick(
        new_page, live_site: LiveSite, viewport, tmp_path):  # noqa: F811 (new_page: the fixture)
    site = live_site
    _seed(site)
    roster = _xlsx(tmp_path / "roster.xlsx")
    audit = Auditor(viewport, tmp_path)
    width = WIDTHS[viewport]["width"]
    page = new_page(WIDTHS[viewport])
    sign_in_as(page, site, "hr", audit)
    page.goto(f"{site.url}/manage/staff/import")

    switch_language(page, "en", "ltr")
    page.get_by_role("button", name=say(site, "en", "Check the file"), exact=True).click()  # no file chosen
    expect(page.locator("input[type=file]")).to_be_focused()  # the wrong field, read with its error
    assert page.title().startswith(say(site, "en", "Error:"))
    _upload(page, site, "en", roster)
    _check_the_preview(page, site, "en")
    audit.check(page)
    _keep(page, tmp_path, f"roster-en-{width}.png")

    page.goto(f"{site.url}/manage/staff/import")
    switch_language(page, "ar", "rtl")
    _upload(page, site, "ar", roster)
    _check_the_preview(page, site, "ar")
    audit.check(page)
    _keep(page, tmp_path, f"roster-ar-{width}.png")

    page.get_by_label(say(site, "ar", "Apply this identity change (row %(row)s)", row="٤"), exact=True).check()
    page.get_by_role("button", name=say(site, "ar", "Apply the roster"), exact=True).click()
    expect(page.locator("h1")).to_have_text(say(site, "ar", "Roster imported"))
    expect(page.locator("table.roster-skipped")).to_have_count(0)
    audit.check(page)
    with site.app.app_context():
        trainer = db.session.scalar(sa.select(User).where(User.employee_number == "5003"))
        assert (trainer.full_name_ar, trainer.center.code, trainer.role) == ("شخص آخر", "QLY-SHUBRA", Role.TRAINER)
        sara = db.session.scalar(sa.select(User).where(User.employee_number == "5001"))
        assert sara.email == "sara.m@example.org"

    if audit.problems:
        pytest.fail("\n".join([*audit.problems, f"screenshots: {tmp_path}"]), pytrace=False)


def _keep(page: Page, folder: Path, name: str) -> None:
    """The preview, whole, in the test's folder and (for the closing note) in /work/notes/shots when it exists."""
    path = folder / name
    page.screenshot(path=path, full_page=True)
    if SHOTS.is_dir():
        shutil.copy(path, SHOTS / name)
