"""The learner's journey in real Chromium, Arabic then English, phone and desktop, checked by axe-core."""
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import LEARNER_PASSWORD, LiveSite
from tests.conftest import PROJECT_ROOT

pytestmark = [pytest.mark.browser, pytest.mark.no_db]

AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")
PHONE_WIDTH = 360
VIEWPORTS = {"phone": {"width": PHONE_WIDTH, "height": 740}, "desktop": {"width": 1280, "height": 800}}


@dataclass
class Auditor:
    """Runs every check that applies to any page and keeps the findings, so one run reports them all."""

    viewport: str
    shots: Path
    problems: list[str] = field(default_factory=list)
    pages_seen: int = 0

    def check(self, page: Page, full_page: bool = True) -> None:
        """full_page=False photographs only the window: a page of hundreds of slips takes seconds whole."""
        page.wait_for_load_state("load")
        where = f"{page.url} [{page.locator('html').get_attribute('lang')}, {self.viewport}]"
        self._axe(page, where)
        if page.viewport_size["width"] <= PHONE_WIDTH:
            self._no_sideways_scroll(page, where)
        self.pages_seen += 1
        page.screenshot(path=self.shots / f"{self.pages_seen:02d}-{self._name(page)}.png", full_page=full_page)

    def _axe(self, page: Page, where: str) -> None:
        page.add_script_tag(path=AXE)
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        for violation in result["violations"]:
            if violation["impact"] in BLOCKING_IMPACTS:
                targets = ["; ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
                self.problems.append(f"{where} axe {violation['id']} ({violation['impact']}): {targets}")

    def _no_sideways_scroll(self, page: Page, where: str) -> None:
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > PHONE_WIDTH + 1:
            self.problems.append(f"{where} scrolls sideways: {width}px wide")

    def _name(self, page: Page) -> str:
        lang = page.locator("html").get_attribute("lang")
        path = re.sub(r"\W+", "-", page.url.partition("#")[0].split("//", 1)[1].split("/", 1)[1]).strip("-") or "home"
        return f"{self.viewport}-{lang}-{path}"


def expect_language(page: Page, lang: str, direction: str) -> None:
    html = page.locator("html")
    expect(html).to_have_attribute("lang", lang)
    expect(html).to_have_attribute("dir", direction)


def progress_of(page: Page) -> int:
    """The course page's progress as assistive technology reads it."""
    bar = page.get_by_role("progressbar")
    expect(bar).to_have_count(1)
    return int(bar.get_attribute("aria-valuenow"))


def sign_in(page: Page, site: LiveSite, audit: Auditor) -> None:
    """Sign in through the Arabic form, found by its labels as a screen-reader user would."""
    page.goto(f"{site.url}/login")
    expect_language(page, "ar", "rtl")
    audit.check(page)
    page.get_by_label(site.text("ar", "Username or employee number"), exact=True).fill("learner")
    page.get_by_label(site.text("ar", "Password"), exact=True).fill(LEARNER_PASSWORD)
    page.get_by_role("button", name=site.text("ar", "Sign in"), exact=True).click()
    expect(page).to_have_url(f"{site.url}/")
    audit.check(page)


def take_course(page: Page, site: LiveSite, slug: str, audit: Auditor) -> None:
    """Catalogue, course, enrol, first module, done: the course page's progress bar moves from 0."""
    course_url = f"{site.url}/courses/{slug}"
    if page.locator(".menu-button").is_visible():  # a phone: the menu is folded behind its button
        page.locator(".menu-button").click()
    page.locator(".main-nav a[href='/courses']").click()
    expect(page).to_have_url(f"{site.url}/courses")
    audit.check(page)

    page.locator(f"main a[href='/courses/{slug}']").first.click()
    expect(page).to_have_url(course_url)
    expect(page.get_by_role("progressbar")).to_have_count(0)
    audit.check(page)

    page.locator("form[action$='/enrollment']").get_by_role("button").click()
    expect(page).to_have_url(f"{course_url}/modules/1")
    audit.check(page)

    page.locator(".crumbs a").click()
    expect(page).to_have_url(course_url)
    assert progress_of(page) == 0
    audit.check(page)

    page.locator(".module-list a[href$='/modules/1']").click()
    page.locator("form[action$='/completion']").get_by_role("button").click()
    expect(page).to_have_url(f"{course_url}/modules/2")
    audit.check(page)

    page.locator(".crumbs a").click()
    expect(page).to_have_url(course_url)
    assert progress_of(page) > 0
    audit.check(page)


def switch_language(page: Page, lang: str, direction: str) -> None:
    """The header's language button keeps the visitor on the page they were reading; on a phone a signed-in
    person finds it in the menu."""
    url = page.url
    if page.locator(".menu-button").is_visible():
        page.locator(".menu-button").click()
    page.locator("form[action='/language']").get_by_role("button").locator("visible=true").click()
    expect_language(page, lang, direction)
    expect(page).to_have_url(url)


@pytest.fixture
def new_page(browser: Browser):
    """A page in a fresh context (its own cookies); bypass_csp lets axe in past our `script-src 'self'`."""
    contexts = []

    def open_page(viewport: dict, **options) -> Page:  # options: service_workers="allow" for a worker's tests
        contexts.append(browser.new_context(viewport=viewport, bypass_csp=True, **options))
        return contexts[-1].new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_learner_journey_in_both_languages(new_page, live_site: LiveSite, viewport, tmp_path):
    """Issue: sign in in Arabic, finish a module, see progress move; every page accessible in ar and en."""
    assert len(live_site.course_slugs) >= 2, "the journey takes two published courses, one per language"
    first, second = live_site.course_slugs[:2]
    audit = Auditor(viewport, tmp_path)

    page = new_page(VIEWPORTS[viewport])
    sign_in(page, live_site, audit)
    take_course(page, live_site, first, audit)
    switch_language(page, "en", "ltr")
    page.locator(".brand").click()
    expect(page).to_have_url(f"{live_site.url}/")
    audit.check(page)
    take_course(page, live_site, second, audit)

    page = new_page(VIEWPORTS[viewport])  # signed out: the login page in English
    page.goto(f"{live_site.url}/login")
    switch_language(page, "en", "ltr")
    audit.check(page)

    if audit.problems:
        pytest.fail("\n".join([*audit.problems, f"screenshots: {tmp_path}"]), pytrace=False)
