"""The header's menu on a phone: folded behind a button that says whether it is open, closed by Escape, and simply
shown when JavaScript is off; on a desktop the menu is always there and the button is not."""
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import LEARNER_PASSWORD, LiveSite

pytestmark = [pytest.mark.browser, pytest.mark.no_db]

PHONE = {"width": 360, "height": 780}


def _signed_in(browser: Browser, site: LiveSite, **options) -> Page:
    page = browser.new_context(**options).new_page()
    page.goto(f"{site.url}/login")
    page.get_by_label(site.text("ar", "Username or employee number"), exact=True).fill("learner")
    page.get_by_label(site.text("ar", "Password"), exact=True).fill(LEARNER_PASSWORD)
    page.get_by_role("button", name=site.text("ar", "Sign in"), exact=True).click()
    expect(page).to_have_url(f"{site.url}/")
    return page


def test_on_a_phone_the_menu_opens_from_its_button_and_escape_closes_it(live_site, browser):
    page = _signed_in(browser, live_site, viewport=PHONE)
    button = page.get_by_role("button", name=live_site.text("ar", "Menu"))
    menu = page.get_by_role("navigation", name=live_site.text("ar", "Main menu"))
    certificates = menu.get_by_role("link", name=live_site.text("ar", "My certificates"))
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(certificates).to_be_hidden()
    assert page.locator(".site-header").bounding_box()["height"] <= 0.15 * PHONE["height"]
    expect(page.get_by_role("link", name=live_site.text("ar", "Notifications"))).to_be_visible()  # the bell stays

    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(certificates).to_be_visible()
    expect(menu.get_by_role("button", name="English")).to_be_visible()  # the language, in the menu
    page.keyboard.press("Tab")
    expect(menu.get_by_role("link").first).to_be_focused()  # the menu comes next, right after its button
    page.keyboard.press("Escape")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(certificates).to_be_hidden()
    expect(button).to_be_focused()


def test_without_javascript_the_phone_menu_is_simply_shown(live_site, browser):
    page = _signed_in(browser, live_site, viewport=PHONE, java_script_enabled=False)
    expect(page.get_by_role("button", name=live_site.text("ar", "Menu"))).to_be_hidden()
    menu = page.get_by_role("navigation", name=live_site.text("ar", "Main menu"))
    expect(menu.get_by_role("link", name=live_site.text("ar", "My certificates"))).to_be_visible()
    expect(page.get_by_role("button", name="English")).to_have_count(1)  # one language switch, in the bar


def test_on_a_desktop_the_menu_is_always_shown(live_site, browser):
    page = _signed_in(browser, live_site, viewport={"width": 1366, "height": 900})
    expect(page.get_by_role("button", name=live_site.text("ar", "Menu"))).to_be_hidden()
    expect(page.get_by_role("link", name=live_site.text("ar", "My certificates"))).to_be_visible()
    expect(page.get_by_role("button", name="English")).to_be_visible()
