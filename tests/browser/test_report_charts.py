"""Issue 14.2 in Chromium: the report charts read at 12-18 px on a 360 px phone and on a 1366 px desktop, in Arabic
and English; their labels fit the chart whole; the page never scrolls sideways; axe-core passes."""
import os
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from lms.accounts.models import Center, Governorate, JobTitle, Role, User
from lms.accounts.services import create_user
from lms.core.models import utcnow
from lms.courses.models import Course
from lms.extensions import db
from lms.progress.models import Enrollment
from lms.quizzes.models import AttemptStatus, QuizAttempt
from tests.browser.conftest import LEARNER_PASSWORD, LiveSite
from tests.browser.test_journey import AXE, BLOCKING_IMPACTS

pytestmark = [pytest.mark.browser, pytest.mark.no_db]

VIEWPORTS = {"phone": {"width": 360, "height": 780}, "desktop": {"width": 1366, "height": 900}}
SMALLEST, LARGEST = 12, 18  # CSS px, the rendered size of every chart text
CENTERS = 8  # "المركز التكنولوجي رقم ١ - القليوبية" ... and one mobile center: the names the demo gives


def _seed(site: LiveSite) -> str:
    """Qalyubia's centers with the demo's long names, staff enrolled over the past months, quiz scores; Giza's
    staff beside them; HR of Qalyubia. Dates count back from the real clock: the checks are of layout, not of
    numbers (tests/reports holds those)."""
    now = utcnow()
    with site.app.app_context():
        qalyubia = Governorate(code="QLY", name_ar="محافظة القليوبية", name_en="Qalyubia")
        giza = Governorate(code="GIZ", name_ar="محافظة الجيزة", name_en="Giza")
        centers = [Center(code=f"QLY-TC{n:03d}", governorate=qalyubia,
                          name_ar=f"المركز التكنولوجي رقم {str(n).translate(str.maketrans('0123456789', '٠١٢٣٤٥٦٧٨٩'))}"
                                  " - القليوبية", name_en=f"Technology Center No. {n}, Qalyubia")
                   for n in range(1, CENTERS)]
        centers.append(Center(code="QLY-MOB001", governorate=qalyubia, name_ar="المركز التكنولوجي المتنقل رقم ١",
                              name_en="Mobile Technology Center No. 1"))
        dokki = Center(code="GIZ-TC001", governorate=giza, name_ar="المركز التكنولوجي رقم ١ - الجيزة",
                       name_en="Technology Center No. 1, Giza")
        clerk = JobTitle(code="CLERK", name_ar="موظف شباك خدمة", name_en="Service window clerk")
        db.session.add_all([qalyubia, giza, *centers, dokki, clerk])
        db.session.flush()
        courses = db.session.scalars(sa.select(Course).where(Course.slug.in_(site.course_slugs))).all()
        n = 0
        for center in [*centers, dokki]:
            for _ in range(4):
                n += 1
                person = User(username=f"staff{n}", employee_number=f"{70000 + n}", full_name_ar=f"موظف رقم {n}",
                              full_name_latin=f"Employee {n}", center_id=center.id, job_title_id=clerk.id,
                              role=Role.LEARNER, password_hash="!")
                db.session.add(person)
                db.session.flush()
                for k, course in enumerate(courses[:2]):
                    enrolled = now - timedelta(days=200 - 7 * (n % 5) - k)
                    done = (n + k) % 3 != 0
                    db.session.add(Enrollment(
                        user_id=person.id, course_id=course.id, enrolled_at=enrolled, is_required=True,
                        due_at=enrolled + timedelta(days=60),
                        completed_at=enrolled + timedelta(days=20 + 17 * (n % 7)) if done else None,
                        last_activity_at=enrolled + timedelta(days=3)))
                    db.session.add(QuizAttempt(
                        user_id=person.id, course_id=course.id, number=1, status=AttemptStatus.FINISHED,
                        score=(37 * n) % 101, is_passed=(37 * n) % 101 >= 70, pass_mark=70, started_at=enrolled,
                        finished_at=enrolled + timedelta(hours=1)))
        db.session.commit()
        create_user({"username": "hr", "role": "hr", "full_name_ar": "موارد القليوبية", "full_name_latin": "HR",
                     "scope_governorate_id": qalyubia.id}, LEARNER_PASSWORD)
        return centers[0].code


def _speak(site: LiveSite, username: str, locale: str) -> None:
    """The account's language: a fresh browser has no choice of its own, so the app takes the account's."""
    with site.app.app_context():
        db.session.execute(sa.update(User).where(User.username == username).values(locale=locale))
        db.session.commit()


def _sign_in(page: Page, site: LiveSite) -> None:
    page.goto(f"{site.url}/login")
    page.get_by_label(site.text("ar", "Username or employee number"), exact=True).fill("hr")
    page.get_by_label(site.text("ar", "Password"), exact=True).fill(LEARNER_PASSWORD)
    page.get_by_role("button", name=site.text("ar", "Sign in"), exact=True).click()
    expect(page).not_to_have_url(f"{site.url}/login")


MEASURE = """() => Array.from(document.querySelectorAll('svg.chart')).map(svg => {
  const frame = svg.getBoundingClientRect();
  const texts = Array.from(svg.querySelectorAll('text'));
  // Each bar's label starts at the chart's inline-start edge: the right one in Arabic.
  const labels = Array.from(svg.querySelectorAll('g.chart-row > text:first-of-type')).map(t => {
    const box = t.getBoundingClientRect();
    return getComputedStyle(svg).direction === 'rtl' ? frame.right - box.right : box.left - frame.left;
  });
  return {chart: svg.getAttribute('class'), width: frame.width, labels, texts: texts.map(t => {
    const m = t.getScreenCTM(), box = t.getBoundingClientRect();
    return {text: t.textContent, size: parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b),
            height: box.height, inside: box.left >= frame.left - 1 && box.right <= frame.right + 1};
  })};
})"""


def _check_page(page: Page, where: str, problems: list[str], arabic: bool) -> int:
    """Every chart text 12-18 px and whole inside its chart (Arabic-Indic digits on an Arabic page), bar labels
    from the inline-start edge, each chart followed by its table, no sideways scroll, axe-core clean. Returns the
    number of charts."""
    charts = page.evaluate(MEASURE)
    for chart in charts:
        for t in chart["texts"]:
            if not SMALLEST <= t["size"] <= LARGEST or t["height"] < SMALLEST:
                problems.append(f"{where} {chart['chart']}: '{t['text']}' at {t['size']:.1f}px "
                                f"(box {t['height']:.1f}px, chart {chart['width']:.0f}px wide)")
            if not t["inside"]:
                problems.append(f"{where} {chart['chart']}: '{t['text']}' runs out of the chart")
            if arabic and any("0" <= char <= "9" for char in t["text"]):
                problems.append(f"{where} {chart['chart']}: '{t['text']}' has Latin digits on an Arabic page")
        if any(gap > 8 for gap in chart["labels"]):
            problems.append(f"{where} {chart['chart']}: labels off the inline-start edge by {chart['labels']}")
    tables = page.evaluate("() => Array.from(document.querySelectorAll('figure.chart-figure')).map(f => "
                           "Array.from(document.querySelectorAll('main table')).some("
                           "t => f.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING))")
    if not all(tables):
        problems.append(f"{where}: a chart without its table")
    scroll, inner = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    if scroll > inner + 1:
        problems.append(f"{where} scrolls sideways: {scroll}px in {inner}px")
    page.add_script_tag(path=AXE)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    for violation in result["violations"]:
        if violation["impact"] in BLOCKING_IMPACTS:
            targets = ["; ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
            problems.append(f"{where} axe {violation['id']} ({violation['impact']}): {targets}")
    return len(charts)


def test_report_charts_read_at_every_width_in_both_languages(browser: Browser, live_site: LiveSite, tmp_path):
    site = live_site
    first_center = _seed(site)
    shots = Path(os.environ.get("LMS_REPORT_SHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    pages = {"overview": ("/manage/reports", 2), "trend": (f"/manage/reports/trend?center={first_center}", 1),
             "scores": ("/manage/reports/scores", 1)}
    problems: list[str] = []
    for locale, direction in (("ar", "rtl"), ("en", "ltr")):
        _speak(site, "hr", locale)
        for viewport_name, viewport in VIEWPORTS.items():
            context = browser.new_context(viewport=viewport, bypass_csp=True)  # bypass_csp: axe's script
            try:
                page = context.new_page()
                _sign_in(page, site)
                for name, (path, expected_charts) in pages.items():
                    page.goto(site.url + path)
                    expect(page.locator("html")).to_have_attribute("lang", locale)
                    expect(page.locator("html")).to_have_attribute("dir", direction)
                    where = f"{name} [{locale}, {viewport['width']}px]"
                    assert _check_page(page, where, problems, locale == "ar") == expected_charts, where
                    if name == "trend":  # its three columns fit a phone whole, no scrolling inside their box
                        box = page.locator(".table-wrap:has(.trend-table)")
                        overflow = box.evaluate("b => b.scrollWidth - b.clientWidth")
                        if overflow > 1:
                            problems.append(f"{where}: the trend's table scrolls by {overflow}px")
                    page.screenshot(path=shots / f"{name}-{locale}-{viewport_name}.png", full_page=True)
            finally:
                context.close()
    assert not problems, "\n".join(problems)


def test_the_overview_says_the_shared_beginning_once_and_each_name_whole(browser: Browser, live_site: LiveSite):
    site = live_site
    _seed(site)
    _speak(site, "hr", "ar")
    context = browser.new_context(viewport=VIEWPORTS["phone"])
    try:
        page = context.new_page()
        _sign_in(page, site)
        page.goto(f"{site.url}/manage/reports")
        section = page.locator("section[aria-labelledby=by-center]")
        expect(section.locator("figcaption")).to_contain_text("المركز التكنولوجي")
        labels = section.locator("svg.chart text").all_text_contents()
        assert "رقم ٣ - القليوبية" in labels and "المتنقل رقم ١" in labels
        assert not any("…" in label or "الجيزة" in label for label in labels)  # whole; Giza is out of scope
        tips = section.locator("svg.chart g.chart-row > title").all_text_contents()
        assert any(tip.startswith("المركز التكنولوجي رقم ٣ - القليوبية: ") for tip in tips)
        expect(section.locator("table tbody th", has_text="المركز التكنولوجي رقم ٣ - القليوبية")).to_have_count(1)
    finally:
        context.close()
