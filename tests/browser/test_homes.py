"""Issue 14's home pages in Chromium: the demo's learner, trainer, HR officer, center manager and administrator land
on their own home, in Arabic and English, at 360 and 1366 px: axe-core clean, no sideways scroll, no text under 12
px, touch targets of 44 px. The screenshots are kept (LMS_SCREENSHOTS=dir to keep them elsewhere) and looked at."""
import os
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from lms.accounts.models import User
from lms.core.models import utcnow
from lms.daily import run_daily
from lms.demo.cli import setup
from lms.extensions import db
from tests.browser.conftest import LiveSite
from tests.browser.test_journey import Auditor, new_page  # noqa: F401 (new_page: a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.no_db]

WIDTHS = {"phone": {"width": 360, "height": 780}, "desktop": {"width": 1366, "height": 900}}
# The demo's accounts (lms/demo/cli.py) and the heading of a section each must see.
HOMES = {"learner": "Due next", "trainer": "Your courses", "hr": "Training of your staff",
         "manager": "Training of your staff", "admin": "System health"}

# Text smaller than 12 CSS px, and links or buttons of the home's sections less than 44 px tall.
CHECKS = """() => {
  const small = [], tiny = [];
  for (const el of document.querySelectorAll('main *')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (own && el.offsetParent !== null && size < 12) small.push(el.outerHTML.slice(0, 80));
  }
  for (const el of document.querySelectorAll('.home-grid a, .home-grid button')) {
    if (el.closest('.visually-hidden')) continue;
    const box = el.getBoundingClientRect();
    if (box.height && box.height < 43.5) tiny.push(`${el.textContent.trim().slice(0, 40)} (${box.height}px)`);
  }
  return {small, tiny, scroll: document.documentElement.scrollWidth - window.innerWidth};
}"""


def _prepare(site: LiveSite) -> str:
    """The demo of `make run` on the live site (its journey learner renamed out of the way), and a daily run two
    hours ago; returns the demo password."""
    with site.app.app_context():
        journey = db.session.scalar(sa.select(User).where(User.username == "learner"))
        journey.username = "journey-learner"
        db.session.commit()
        now = utcnow()
        setup(now)
        ticks = iter((now - timedelta(hours=2), now - timedelta(hours=2) + timedelta(seconds=40)))
        run_daily(now - timedelta(hours=2), steps=(), clock=lambda: next(ticks))
        return site.app.config["LMS_DEMO_PASSWORD"]


def _speak(site: LiveSite, username: str, lang: str) -> None:
    with site.app.app_context():
        db.session.execute(sa.update(User).where(User.username == username).values(locale=lang))
        db.session.commit()


def _sign_in(page: Page, site: LiveSite, username: str, password: str) -> None:
    page.goto(f"{site.url}/login")
    page.get_by_label(site.text("ar", "Username or employee number"), exact=True).fill(username)
    page.get_by_label(site.text("ar", "Password"), exact=True).fill(password)
    page.get_by_role("button", name=site.text("ar", "Sign in"), exact=True).click()
    expect(page).to_have_url(f"{site.url}/")


@pytest.mark.parametrize("width", WIDTHS)
def test_every_roles_home_in_both_languages(new_page, live_site: LiveSite, width, tmp_path):  # noqa: F811
    password = _prepare(live_site)
    shots = Path(os.environ.get("LMS_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    audit = Auditor(width, tmp_path)
    for username, heading in HOMES.items():
        for lang in ("ar", "en"):
            _speak(live_site, username, lang)
            page = new_page(WIDTHS[width])
            _sign_in(page, live_site, username, password)
            expect(page.locator("html")).to_have_attribute("lang", lang)
            expect(page.get_by_role("heading", name=live_site.text(lang, heading), exact=True)).to_be_visible()
            audit.check(page)
            found = page.evaluate(CHECKS)
            where = f"{username} {lang} {width}"
            audit.problems += [f"{where}: text under 12px: {t}" for t in found["small"]]
            audit.problems += [f"{where}: touch target under 44px: {t}" for t in found["tiny"]]
            if found["scroll"] > 0:
                audit.problems.append(f"{where}: the page scrolls sideways by {found['scroll']}px")
            page.screenshot(path=shots / f"home-{username}-{lang}-{WIDTHS[width]['width']}.png", full_page=True)
            page.context.close()
    assert not audit.problems, "\n".join(audit.problems)
