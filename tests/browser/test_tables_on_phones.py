"""Issue 14, tables: on a 360 px phone every data table is either one card per row (each value beside its
column's name) or a grid that scrolls inside its own named, focusable box; the page itself never scrolls sideways,
and every link, button and field of a table can be reached on screen. At 1366 px they are still tables. Every page
is visited in Arabic and English by the role that sees it, on the demo `make run` starts with."""
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from lms.accounts.models import User
from lms.certificates.models import Certificate, PrintBatch
from lms.core.models import utcnow
from lms.courses.models import Course
from lms.courses.services import import_course_folders
from lms.demo.cli import setup
from lms.extensions import db
from lms.progress.models import Assignment, LearningPath
from lms.quizzes.models import Question
from tests.browser.conftest import LiveSite, serving
from tests.browser.test_every_page import _seed_field_work
from tests.browser.test_journey import expect_language
from tests.conftest import PROJECT_ROOT, database_url, make_app

pytestmark = [pytest.mark.browser, pytest.mark.no_db]

PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1366, "height": 780}
LOCALES = {"ar": "rtl", "en": "ltr"}
SERVING, WORKFLOW = "serving-citizens", "digital-services-workflow"


@dataclass(frozen=True)
class DemoSite(LiveSite):
    password: str = ""
    pages: dict | None = None  # username -> the paths of the table pages they see


def _table_pages() -> dict[str, list[str]]:
    """Every template with a data table, with real ids from the demo."""
    first = lambda model, *where: db.session.scalar(sa.select(model.id).where(*where).order_by(model.id))  # noqa: E731
    heba = first(User, User.username == "heba")
    question = first(Question, Question.course_id == first(Course, Course.slug == SERVING))
    serving = f"/manage/courses/{SERVING}"
    return {
        "learner": ["/certificates", f"/courses/{WORKFLOW}/quiz", "/me/transcript"],
        "hr": ["/manage/staff/", "/manage/staff/job-titles", "/manage/staff/districts", "/manage/certificates",
               "/manage/certificates/expiry?days=365", f"/manage/certificates/{first(Certificate)}",
               "/manage/certificates/batches", f"/manage/certificates/batches/{first(PrintBatch)}",
               "/manage/assignments", f"/manage/assignments/{first(Assignment)}", "/manage/progress",
               "/manage/reports", "/manage/reports/matrix", "/manage/reports/overdue", "/manage/reports/scores",
               f"/manage/reports/people/{heba}", "/offline/uploads", "/offline/devices"],
        "trainer": ["/manage/courses", f"{serving}/log", f"{serving}/progress", f"{serving}/quiz/questions",
                    f"{serving}/quiz/questions/{question}", f"{serving}/quiz/statistics",
                    f"{serving}/quiz/attempts"],
        "admin": ["/admin/centers", "/admin/users", "/manage/paths", f"/manage/paths/{first(LearningPath)}"],
    }


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    """The demo of `make run` (its dates counted from the moment it is built), served over HTTP."""
    app = make_app(database_url(tmp_path_factory.mktemp("tables-db"), "tables"))
    with app.app_context():
        db.create_all()
        slugs = [c.slug for c in import_course_folders([PROJECT_ROOT / "courses"]) if c.is_published]
        setup(utcnow())
        course = db.session.scalar(sa.select(Course).where(Course.slug == "serving-citizens"))
        _seed_field_work({u.username: u for u in db.session.scalars(sa.select(User))}, course)
        pages = _table_pages()
    with serving(app) as url:
        yield DemoSite(url, app, slugs, app.config["LMS_DEMO_PASSWORD"], pages)


def sign_in(browser: Browser, site: DemoSite, username: str, locale: str) -> Page:
    page = browser.new_context(viewport=PHONE).new_page()
    page.goto(f"{site.url}/login")
    page.locator("#identifier").fill(username)
    page.locator("#password").fill(site.password)
    page.locator("main button[type=submit]").click()
    expect(page).not_to_have_url(f"{site.url}/login")
    page.wait_for_load_state("domcontentloaded")  # the menu button opens the menu once menu.js has run
    switch = page.locator(f"form[action='/language'] button[value={locale}]")
    if switch.count():  # the language is the account's: a test before may have changed it (on a phone: in the menu)
        page.locator(".menu-button").click()
        switch.locator("visible=true").click()
    expect_language(page, locale, LOCALES[locale])
    return page


# Every data table of the page, as the phone shows it: how it fits, what it labels, what a thumb can reach.
PHONE_CHECK = """() => {
  const problems = [], width = document.documentElement.clientWidth;
  const where = el => el.tagName.toLowerCase() + ' "' + (el.textContent || '').trim().slice(0, 40) + '"';
  if (document.documentElement.scrollWidth > width)
    problems.push('the page scrolls sideways: ' + document.documentElement.scrollWidth + 'px wide');
  const tables = [...document.querySelectorAll('main table')];
  if (!tables.length) problems.push('no table on the page');
  for (const table of tables) {
    const box = table.closest('.table-wrap');
    if (!box) { problems.push('a table outside a .table-wrap: ' + where(table)); continue; }
    const stacked = table.classList.contains('stack-table');
    if (stacked) {
      for (const row of table.querySelectorAll(':scope > tbody > tr')) {
        if (!['block', 'flex'].includes(getComputedStyle(row).display))  // flex: a card whose parts are reordered
          problems.push('a row is not a card: ' + where(row));
        for (const cell of row.children) {
          // "Nothing here" lines, and a row's own actions (a link that names itself, "Review") need no label.
          if (cell.colSpan > 1 || cell.classList.contains('row-actions')) continue;
          const label = getComputedStyle(cell, '::before');
          if (!cell.dataset.label || label.content === 'none' || label.display === 'none')
            problems.push('a cell without its column name: ' + where(cell));
          for (const text of [cell, ...cell.querySelectorAll('*')]) {
            const size = parseFloat(getComputedStyle(text).fontSize);
            if (text.getBoundingClientRect().width > 1 && size < 12) problems.push(size + 'px text: ' + where(text));
          }
          if (parseFloat(label.fontSize) < 12) problems.push('a label under 12px: ' + where(cell));
        }
      }
    } else {  // a grid that scrolls in its own box: one a keyboard can reach and a screen reader names
      if (box.getAttribute('role') !== 'region' || box.tabIndex !== 0)
        problems.push('a scrolling table whose box is not a focusable region: ' + where(table));
      const named = document.getElementById(box.getAttribute('aria-labelledby') || '');
      const name = box.getAttribute('aria-label') || (named && named.textContent);
      if (!name || !name.trim()) problems.push('a scrolling table box without a name: ' + where(table));
      if (getComputedStyle(box).overflowX !== 'auto')
        problems.push('a table box that does not scroll: ' + where(table));
      const hint = box.previousElementSibling, said = hint && hint.classList.contains('scroll-hint') && !hint.hidden;
      if (box.scrollWidth > box.clientWidth + 1 && !said)
        problems.push('a table wider than the screen without the line that says it scrolls: ' + where(table));
    }
    for (const target of table.querySelectorAll('a, button, input:not([type=hidden]), select, textarea')) {
      if (!stacked) target.scrollIntoView({block: 'nearest', inline: 'nearest'});
      const r = target.getBoundingClientRect();
      if (r.width <= 1) continue;
      if (r.left < -1 || r.right > width + 1)
        problems.push('off screen (' + Math.round(r.left) + '..' + Math.round(r.right) + '): ' + where(target));
      if (stacked && target.tagName === 'A' && r.height < 43.5)
        problems.push('a link ' + r.height + 'px high: ' + where(target));
    }
  }
  window.scrollTo(0, 0);
  return problems;
}"""

DESKTOP_CHECK = """() => {
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth) problems.push('the page scrolls sideways');
  for (const hint of document.querySelectorAll('.scroll-hint:not([hidden])')) {
    const box = hint.nextElementSibling;
    if (box.scrollWidth <= box.clientWidth + 1) problems.push('says a table scrolls sideways that fits');
  }
  for (const table of document.querySelectorAll('main table')) {
    const head = table.tHead, row = table.tBodies[0] && table.tBodies[0].rows[0];
    if (getComputedStyle(table).display !== 'table') problems.push('not a table at 1366px');
    if (!table.closest('.prose') && !table.caption && !table.hasAttribute('aria-label')
        && !table.hasAttribute('aria-labelledby'))  // a screen reader's list of tables reads each one's name
      problems.push('a table without a name: ' + (table.tHead ? table.tHead.textContent.trim().slice(0, 40) : ''));
    if (head && getComputedStyle(head).display !== 'table-header-group') problems.push('its column headers are hidden');
    if (row && getComputedStyle(row).display !== 'table-row') problems.push('its rows are not rows');
    for (const cell of table.querySelectorAll('td[data-label], th[data-label]'))
      if (getComputedStyle(cell, '::before').content !== 'none') {
        problems.push('a phone label shows at 1366px');
        break;
      }
  }
  return problems;
}"""


def check_pages(page: Page, site: DemoSite, paths: list[str], shots: Path, locale: str) -> list[str]:
    problems = []
    for path in paths:
        for viewport, script in ((PHONE, PHONE_CHECK), (DESKTOP, DESKTOP_CHECK)):
            page.set_viewport_size(viewport)
            response = page.goto(f"{site.url}{path}")
            assert response.ok, f"{path}: {response.status}"
            problems += [f"{path} [{locale}, {viewport['width']}px] {p}" for p in page.evaluate(script)]
            name = path.strip("/").replace("/", "-").replace("?", "-").replace("=", "-")
            page.screenshot(path=shots / f"{name}-{locale}-{viewport['width']}.png", full_page=True)
    return problems


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("username", ["learner", "hr", "trainer", "admin"])
def test_every_table_fits_a_phone_and_stays_a_table_on_a_desktop(browser, demo_site, username, locale, tmp_path):
    page = sign_in(browser, demo_site, username, locale)
    problems = check_pages(page, demo_site, demo_site.pages[username], tmp_path, locale)
    page.context.close()
    if problems:
        pytest.fail("\n".join([*problems, f"screenshots: {tmp_path}"]), pytrace=False)


@pytest.mark.parametrize("locale", LOCALES)
def test_a_rosters_errors_are_cards_on_a_phone(browser, demo_site, locale, tmp_path):
    """The roster preview's table of rows with errors (one row names a technology center that does not exist)."""
    roster = tmp_path / "roster.csv"
    roster.write_text("الرقم الوظيفي,الاسم بالعربية,كود المركز التكنولوجي\n70001,موظف جديد,NO-SUCH-CENTER\n",
                      encoding="utf-8")
    page = sign_in(browser, demo_site, "hr", locale)
    page.goto(f"{demo_site.url}/manage/staff/import")
    page.locator("input[type=file]").set_input_files(roster)
    page.locator("form[enctype] button[type=submit]").click()
    expect(page.locator("table.roster-errors tbody tr")).to_have_count(1)
    problems = page.evaluate(PHONE_CHECK)
    page.screenshot(path=tmp_path / f"roster-errors-{locale}-360.png", full_page=True)
    page.context.close()
    assert not problems, problems


def test_a_cards_labels_are_seen_not_read_twice(browser, demo_site):
    # On a phone each cell shows its column's name; a screen reader, which has the column header, heard it twice.
    page = sign_in(browser, demo_site, "hr", "ar")
    page.set_viewport_size(PHONE)
    page.goto(f"{demo_site.url}/manage/certificates")
    cell = page.locator("table.stack-table > tbody > tr > td[data-label]").nth(1)
    label = cell.get_attribute("data-label")
    assert page.evaluate("(cell) => getComputedStyle(cell, '::before').content", cell.element_handle()).startswith(
        f'"{label}"')  # shown
    assert label not in cell.aria_snapshot()  # not in what is read out
    page.context.close()
