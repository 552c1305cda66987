"""Issue 5's "done when", in Chromium: HR imports 500 staff from an Arabic-headed XLSX, assigns a course to every
window clerk with a due date, and the reports, the chart and the exports give each technology center's numbers; a
center manager sees only their own center. Every page passes axe-core, in Arabic and in English."""
import csv
import io
import re
from datetime import timedelta

import openpyxl
import pytest
import sqlalchemy as sa
from flask_babel import force_locale, get_translations, gettext
from playwright.sync_api import Page, expect

from lms.accounts.models import Center, Governorate, JobTitle, User
from lms.accounts.services import create_user
from lms.core.i18n import format_percent, localize_digits
from lms.core.localtime import local_date
from lms.core.models import utcnow
from lms.courses.models import Course
from lms.extensions import db
from lms.progress.models import Enrollment
from tests.browser.conftest import LEARNER_PASSWORD, LiveSite
from tests.browser.test_journey import (  # noqa: F401 (new_page: a fixture)
    VIEWPORTS,
    Auditor,
    new_page,
    switch_language,
)

pytestmark = [pytest.mark.browser, pytest.mark.no_db]

CLERK, SUPERVISOR = "موظف شباك خدمة", "مشرف وردية"
CENTERS = {"QLY-BENHA": ("مركز بنها التكنولوجي", "Benha Technology Center"),
           "QLY-SHUBRA": ("مركز شبرا الخيمة التكنولوجي", "Shubra El Kheima Technology Center"),
           "QLY-TOUKH": ("مركز طوخ التكنولوجي", "Toukh Technology Center")}
CODES = list(CENTERS)
# What we make of each center's window clerks once they are enrolled: completed, overdue, in progress.
MOVES = {"QLY-BENHA": (40, 10, 5), "QLY-SHUBRA": (20, 30, 0), "QLY-TOUKH": (67, 0, 12)}
HEADERS = ["الرقم الوظيفي", "الاسم بالعربية", "الاسم بالإنجليزية", "البريد الإلكتروني", "كود المركز التكنولوجي",
           "المسمى الوظيفي", "الحالة"]


def say(site: LiveSite, locale: str, message: str, plural: str | None = None, count: int | None = None,
        **params) -> str:
    """A message as the app words it in `locale`, with its parameters (and plural form)."""
    with site.app.test_request_context(), force_locale(locale):
        if plural is not None:
            return get_translations().ungettext(message, plural, count) % params  # as the templates do
        return gettext(message, **params)


def digits(value, locale: str = "ar") -> str:
    return localize_digits(value, locale)


def percent(site: LiveSite, locale: str, value: float) -> str:
    with site.app.test_request_context(), force_locale(locale):
        return format_percent(value)


def _seed(site: LiveSite) -> dict:
    """Qalyubia with three technology centers, another governorate's clerk, HR of Qalyubia, Benha's manager."""
    with site.app.app_context():
        qalyubia = Governorate(code="QLY", name_ar="القليوبية", name_en="Qalyubia")
        cairo = Governorate(code="CAI", name_ar="القاهرة", name_en="Cairo")
        centers = {code: Center(code=code, name_ar=ar, name_en=en, governorate=qalyubia)
                   for code, (ar, en) in CENTERS.items()}
        cairo_center = Center(code="CAI-1", name_ar="مركز مدينة نصر التكنولوجي", name_en="Nasr City Center",
                              governorate=cairo)
        clerk = JobTitle(code="CLERK", name_ar=CLERK, name_en="Service window clerk")
        db.session.add_all([qalyubia, cairo, *centers.values(), cairo_center, clerk])
        db.session.commit()
        ids = {"clerk": clerk.id, "qalyubia": qalyubia.id, "benha": centers["QLY-BENHA"].id}
        create_user({"username": "hr", "role": "hr", "full_name_ar": "موارد القليوبية", "full_name_latin": "HR",
                     "scope_governorate_id": qalyubia.id}, LEARNER_PASSWORD)
        create_user({"username": "manager", "role": "center_manager", "full_name_ar": "مدير مركز بنها",
                     "full_name_latin": "Benha Manager", "center_id": ids["benha"]}, LEARNER_PASSWORD)
        create_user({"username": "cairo-clerk", "employee_number": "900001", "role": "learner",
                     "full_name_ar": "موظف القاهرة", "full_name_latin": "Cairo Clerk",
                     "center_id": cairo_center.id, "job_title_id": clerk.id}, LEARNER_PASSWORD)
        course = db.session.scalar(sa.select(Course).where(Course.slug == site.course_slugs[0]))
        ids.update(course_id=course.id, course_ar=course.title_ar, course_en=course.title_en)
        ids["due"] = local_date(utcnow()) + timedelta(days=90)
    return ids


def _roster() -> tuple[list[list], dict[str, int], dict[str, int]]:
    """500 staff: every third in each center, four in five of them window clerks."""
    rows = [[str(100000 + n), f"موظف رقم {n}", f"Employee {n}", f"e{n}@example.gov.eg", CODES[n % 3],
             CLERK if n % 5 else SUPERVISOR, "نشط"] for n in range(500)]
    staff = {code: sum(1 for r in rows if r[4] == code) for code in CODES}
    clerks = {code: sum(1 for r in rows if r[4] == code and r[5] == CLERK) for code in CODES}
    return rows, staff, clerks


def _xlsx(rows: list[list], path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def sign_in_as(page: Page, site: LiveSite, username: str, audit: Auditor) -> None:
    page.goto(f"{site.url}/login")
    audit.check(page)
    page.get_by_label(site.text("ar", "Username or employee number"), exact=True).fill(username)
    page.get_by_label(site.text("ar", "Password"), exact=True).fill(LEARNER_PASSWORD)
    page.get_by_role("button", name=site.text("ar", "Sign in"), exact=True).click()
    expect(page).not_to_have_url(f"{site.url}/login")


def _move_people(site: LiveSite, course_id: int) -> dict[str, dict]:
    """Per center, in employee-number order: the first clerks completed, the next overdue, the next in progress.
    Returns each center's expected counts and one overdue person's employee number."""
    now = utcnow()
    expected = {}
    with site.app.app_context():
        for code, (done, late, busy) in MOVES.items():
            ids = list(db.session.scalars(
                sa.select(Enrollment.id).join(User, User.id == Enrollment.user_id)
                .join(Center, Center.id == User.center_id)
                .where(Center.code == code, Enrollment.course_id == course_id).order_by(User.employee_number)))
            chunks = ids[:done], ids[done:done + late], ids[done + late:done + late + busy]
            for chunk, values in zip(chunks, ({"completed_at": now - timedelta(days=2), "last_activity_at": now},
                                              {"due_at": now - timedelta(days=3)},
                                              {"last_activity_at": now}), strict=True):
                if chunk:
                    db.session.execute(sa.update(Enrollment).where(Enrollment.id.in_(chunk)).values(**values))
            total = len(ids)
            expected[code] = {"total": total, "completed": done, "overdue": late, "in_progress": busy,
                              "not_started": total - done - late - busy, "rate": 100 * done / total}
        db.session.commit()
    return expected


def _numbers_row(site: LiveSite, locale: str, counts: dict) -> list[str]:
    return [digits(counts[k], locale) for k in ("total", "completed", "in_progress", "not_started", "overdue")] + [
        percent(site, locale, counts["rate"])]


def _check_overview(page: Page, site: LiveSite, expected: dict, locale: str) -> None:
    """The table under the chart (its accessible data) and the chart's bars say each center's numbers."""
    section = page.locator("section[aria-labelledby=by-center]")
    rows = section.locator("table tbody tr")
    expect(rows).to_have_count(len(expected))
    shown = {}
    for n in range(rows.count()):
        row = rows.nth(n)
        shown[row.locator("th").inner_text().strip()] = [t.strip() for t in row.locator("td").all_inner_texts()]
    index = 0 if locale == "ar" else 1
    assert shown == {CENTERS[code][index]: _numbers_row(site, locale, counts) for code, counts in expected.items()}
    chart = section.locator("svg.bar-chart[role=img]")
    expect(chart).to_have_count(1)
    bars = chart.locator("rect.bar")
    expect(bars).to_have_count(len(expected))
    drawn = {bars.nth(n).locator("title").text_content(): float(bars.nth(n).get_attribute("data-value"))
             for n in range(bars.count())}
    assert drawn == {f"{CENTERS[code][index]}: {percent(site, locale, c['rate'])}": round(c["rate"], 1)
                     for code, c in expected.items()}


def _csv_rows(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode()), "no byte-order mark: Excel would garble the Arabic"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def test_hr_imports_assigns_and_reports_by_center(new_page, live_site: LiveSite, tmp_path):  # noqa: F811
    site = live_site
    ids = _seed(site)
    rows, staff, clerks = _roster()
    roster_file = tmp_path / "قائمة الموظفين.xlsx"
    _xlsx(rows, roster_file)
    shots = tmp_path / "shots"
    shots.mkdir()
    audit = Auditor("desktop", shots)

    # --- HR imports the roster: upload, preview, apply, slips
    hr = new_page(VIEWPORTS["desktop"])
    sign_in_as(hr, site, "hr", audit)
    hr.goto(f"{site.url}/manage/staff/")
    audit.check(hr)
    hr.get_by_role("link", name=site.text("ar", "Import a roster"), exact=True).click()
    audit.check(hr)
    hr.locator("input[type=file]").set_input_files(roster_file)
    hr.get_by_role("button", name=site.text("ar", "Check the file"), exact=True).click()
    counts = hr.locator(".roster-counts li")
    expect(counts.nth(0)).to_contain_text(f"{site.text('ar', 'To create')}: {digits(500)}")
    expect(counts.nth(4)).to_contain_text(f"{site.text('ar', 'Errors')}: {digits(0)}")
    expect(hr.locator(".roster-preview")).to_contain_text(SUPERVISOR)  # a new job title, named in the preview
    audit.check(hr)
    hr.get_by_role("button", name=site.text("ar", "Apply the roster"), exact=True).click()
    # Over LMS_ROSTER_JOB_ROWS: a background job (run at once in the tests) whose page leads to the slips.
    expect(hr.locator("h1")).to_contain_text(site.text("ar", "Roster import"))
    expect(hr.locator(".roster-counts li").first).to_contain_text(digits(500))
    audit.check(hr)
    hr.get_by_role("link", name=site.text("ar", "Open the slips to print"), exact=True).click()
    expect(hr.locator("article.slip")).to_have_count(500)
    expect(hr.locator(".slip-group h2")).to_have_count(3)
    audit.check(hr, full_page=False)
    with site.app.app_context():
        by_center = dict(db.session.execute(
            sa.select(Center.code, sa.func.count(User.id)).join(User, User.center_id == Center.id)
            .where(User.employee_number.like("1%"), User.must_change_password.is_(True))
            .group_by(Center.code)).all())
    assert by_center == staff

    # --- HR assigns the course to every window clerk, due in 90 days
    hr.goto(f"{site.url}/manage/assignments/new")
    audit.check(hr)
    hr.get_by_label(site.text("ar", "Course or learning path")).select_option(f"course-{ids['course_id']}")
    hr.get_by_role("radio", name=site.text("ar", "Everyone who matches a rule"), exact=True).check()
    hr.get_by_label(site.text("ar", "Job titles"), exact=True).select_option(str(ids["clerk"]))
    hr.get_by_role("radio", name=site.text("ar", "On a fixed day"), exact=True).check()
    hr.get_by_label(site.text("ar", "Due date"), exact=True).fill(ids["due"].isoformat())
    hr.get_by_role("button", name=site.text("ar", "Assign"), exact=True).click()
    expect(hr.locator(".flash")).to_contain_text(site.text("ar", "The assignment has been saved and its people "
                                                                 "enrolled."))
    audit.check(hr)
    with site.app.app_context():
        enrolled = dict(db.session.execute(
            sa.select(Center.code, sa.func.count(Enrollment.id)).join(User, User.id == Enrollment.user_id)
            .join(Center, Center.id == User.center_id)
            .where(Enrollment.course_id == ids["course_id"], Enrollment.is_required.is_(True),
                   Enrollment.due_at.is_not(None)).group_by(Center.code)).all())
    assert enrolled == clerks  # every clerk of Qalyubia; not the supervisors, not Cairo's clerk (outside HR's scope)

    # --- some finish, some are late, some have started
    expected = _move_people(site, ids["course_id"])
    assert {code: c["total"] for code, c in expected.items()} == clerks

    hr.goto(f"{site.url}/manage/reports")
    _check_overview(hr, site, expected, "ar")
    course_row = hr.locator("section[aria-labelledby=by-course] table tbody tr")
    expect(course_row).to_have_count(1)
    whole = {k: sum(c[k] for c in expected.values()) for k in ("total", "completed", "in_progress", "overdue")}
    whole["not_started"] = whole["total"] - whole["completed"] - whole["in_progress"] - whole["overdue"]
    whole["rate"] = 100 * whole["completed"] / whole["total"]
    assert [t.strip() for t in course_row.locator("td").all_inner_texts()] == _numbers_row(site, "ar", whole)
    audit.check(hr)

    for code, c in expected.items():  # the matrix, one center at a time
        hr.goto(f"{site.url}/manage/reports/matrix")
        hr.get_by_label(site.text("ar", "Technology center"), exact=True).select_option(code)
        hr.get_by_role("button", name=site.text("ar", "Show"), exact=True).click()
        expect(hr).to_have_url(re.compile(rf"/manage/reports/matrix\?(.*&)?center={code}(&|$)"))
        expect(hr.locator("main p[role=status]")).to_have_text(
            say(site, "ar", "%(num)s employee", "%(num)s employees", c["total"], num=digits(c["total"])))
        totals = hr.locator("table.report-matrix tfoot td.totals")
        expect(totals).to_contain_text(say(site, "ar", "Completed: %(done)s of %(total)s",
                                           done=digits(c["completed"]), total=digits(c["total"])))
        expect(totals).to_contain_text(say(site, "ar", "Overdue: %(num)s", num=digits(c["overdue"])))
        expect(totals).to_contain_text(say(site, "ar", "In progress: %(num)s", num=digits(c["in_progress"])))
        expect(totals).to_contain_text(say(site, "ar", "Not started: %(num)s", num=digits(c["not_started"])))
        expect(totals).to_contain_text(percent(site, "ar", c["rate"]))
        expect(hr.locator("table.report-matrix tbody tr")).to_have_count(min(c["total"], 50))
        audit.check(hr)

        with hr.expect_download() as download:  # the screen's export, as the browser saves it
            hr.get_by_role("link", name=site.text("ar", "CSV file"), exact=True).click()
        assert download.value.suggested_filename.endswith(".csv")
        table = _csv_rows(download.value.path().read_bytes())
        assert table[0][:4] == [site.text("ar", "Employee number"), site.text("ar", "Name in Arabic"),
                                site.text("ar", "Name in Latin letters"), site.text("ar", "Technology center code")]
        assert len(table) - 1 == c["total"] and {r[3] for r in table[1:]} == {code}
        assert sum(r[7] == site.text("ar", "Completed") for r in table[1:]) == c["completed"]
        assert sum(r[7] == site.text("ar", "Overdue") for r in table[1:]) == c["overdue"]

        hr.get_by_label(site.text("ar", "Status"), exact=True).select_option("completed")  # the center stays chosen
        hr.get_by_role("button", name=site.text("ar", "Show"), exact=True).click()
        expect(hr.locator("main p[role=status]")).to_have_text(
            say(site, "ar", "%(num)s employee", "%(num)s employees", c["completed"], num=digits(c["completed"])))
        expect(hr.locator("table.report-matrix tbody td.s-completed")).to_have_count(min(c["completed"], 50))
        expect(hr.locator("table.report-matrix tbody td[class^=s-]:not(.s-completed)")).to_have_count(0)
        audit.check(hr)

    # The whole matrix's exports: rows per center, statuses per center.
    csv_answer = hr.request.get(f"{site.url}/manage/reports/matrix.csv")
    assert csv_answer.ok and csv_answer.headers["content-type"].startswith("text/csv")
    table = _csv_rows(csv_answer.body())
    per_center = {code: [r for r in table[1:] if r[3] == code] for code in CODES}
    assert len(table) - 1 == sum(clerks.values())
    assert {code: len(r) for code, r in per_center.items()} == clerks
    assert {code: sum(x[7] == site.text("ar", "Completed") for x in r) for code, r in per_center.items()} == {
        code: c["completed"] for code, c in expected.items()}
    xlsx_answer = hr.request.get(f"{site.url}/manage/reports/matrix.xlsx")
    assert xlsx_answer.ok
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_answer.body()), read_only=False).active
    assert sheet.sheet_view.rightToLeft
    cells = [[("" if v is None else str(v)) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert cells[0] == table[0]  # the same Arabic headers as the CSV
    assert {code: sum(1 for r in cells[1:] if r[3] == code) for code in CODES} == clerks
    assert {code: sum(1 for r in cells[1:] if r[3] == code and r[7] == site.text("ar", "Overdue"))
            for code in CODES} == {code: c["overdue"] for code, c in expected.items()}
    overdue_csv = _csv_rows(hr.request.get(f"{site.url}/manage/reports/overdue.csv").body())
    assert {code: sum(1 for r in overdue_csv[1:] if r[2] == code) for code in CODES} == {
        code: c["overdue"] for code, c in expected.items()}

    hr.goto(f"{site.url}/manage/reports/overdue")
    expect(hr.locator("main p[role=status]")).to_have_text(say(
        site, "ar", "%(num)s overdue course", "%(num)s overdue courses", whole["overdue"],
        num=digits(whole["overdue"])))
    audit.check(hr)

    hr.goto(f"{site.url}/manage/reports")  # the same numbers, in English
    switch_language(hr, "en", "ltr")
    _check_overview(hr, site, expected, "en")
    audit.check(hr)

    # --- Benha's manager sees Benha only
    with site.app.app_context():
        people = {u.employee_number: (u.id, u.full_name_ar) for u in db.session.scalars(
            sa.select(User).where(User.employee_number.in_(["100000", "100001", "100004"])))}
    benha_id, benha_name = people["100000"]  # n=0: Benha's supervisor; n=4: Shubra's clerk
    shubra_id, shubra_name = people["100004"]
    manager = new_page(VIEWPORTS["desktop"])
    sign_in_as(manager, site, "manager", audit)
    manager.goto(f"{site.url}/manage/staff/")
    expect(manager.locator("main")).to_contain_text(say(
        site, "ar", "%(num)s person", "%(num)s people", staff["QLY-BENHA"] + 1,
        num=digits(staff["QLY-BENHA"] + 1)))  # the manager is one of Benha's staff
    expect(manager.locator("#center option")).to_have_count(2)  # "all" and Benha
    audit.check(manager)
    manager.get_by_label(site.text("ar", "Search by name or employee number")).fill("100004")
    manager.get_by_role("button", name=site.text("ar", "Show"), exact=True).click()
    expect(manager.locator("main table tbody")).to_have_text(site.text("ar", "No staff found."))
    expect(manager.locator("main")).not_to_contain_text(shubra_name)
    manager.get_by_label(site.text("ar", "Search by name or employee number")).fill("100000")
    manager.get_by_role("button", name=site.text("ar", "Show"), exact=True).click()
    expect(manager.locator("main table tbody tr")).to_have_count(1)
    expect(manager.locator("main table tbody")).to_contain_text(benha_name)

    benha = expected["QLY-BENHA"]
    manager.goto(f"{site.url}/manage/reports/matrix")
    expect(manager.locator("main p[role=status]")).to_have_text(
        say(site, "ar", "%(num)s employee", "%(num)s employees", benha["total"], num=digits(benha["total"])))
    expect(manager.locator("#f-center")).to_have_count(0)  # one center: nothing to choose
    expect(manager.locator("table.report-matrix tfoot")).to_contain_text(say(
        site, "ar", "Completed: %(done)s of %(total)s", done=digits(benha["completed"]), total=digits(benha["total"])))
    expect(manager.locator("table.report-matrix tbody")).not_to_contain_text(CENTERS["QLY-SHUBRA"][0])
    audit.check(manager)
    mine = _csv_rows(manager.request.get(f"{site.url}/manage/reports/matrix.csv?center=QLY-SHUBRA").body())
    assert len(mine) == 1  # asking for another center's people gives nobody
    mine = _csv_rows(manager.request.get(f"{site.url}/manage/reports/matrix.csv").body())
    assert len(mine) - 1 == benha["total"] and {r[3] for r in mine[1:]} == {"QLY-BENHA"}

    manager.goto(f"{site.url}/manage/reports/overdue")
    expect(manager.locator("main p[role=status]")).to_have_text(say(
        site, "ar", "%(num)s overdue course", "%(num)s overdue courses", benha["overdue"],
        num=digits(benha["overdue"])))
    late = manager.locator("main table tbody tr")
    expect(late).to_have_count(benha["overdue"])
    assert set(late.locator("td:nth-child(3)").all_inner_texts()) == {CENTERS["QLY-BENHA"][0]}
    expect(manager.locator("main")).not_to_contain_text(shubra_name)
    audit.check(manager)

    manager.goto(f"{site.url}/manage/reports")
    rates = manager.locator("section[aria-labelledby=by-center] table tbody tr")
    expect(rates).to_have_count(1)
    assert [t.strip() for t in rates.locator("td").all_inner_texts()] == _numbers_row(site, "ar", benha)
    audit.check(manager)

    manager.goto(f"{site.url}/manage/reports/people/{benha_id}")
    expect(manager.locator("main")).to_contain_text(benha_name)
    audit.check(manager)
    for url in (f"/manage/reports/people/{shubra_id}", f"/manage/staff/{shubra_id}"):
        answer = manager.goto(site.url + url)
        assert answer.status == 404, url
        expect(manager.locator("main")).not_to_contain_text(shubra_name)
        audit.check(manager)

    assert audit.pages_seen >= 20
    if audit.problems:
        pytest.fail("\n".join([*audit.problems, f"screenshots: {shots}"]), pytrace=False)
