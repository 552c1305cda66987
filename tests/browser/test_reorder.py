"""Reordering in Chromium: a trainer moves a module with the keyboard (the focus stays on it, a polite message
says where it went) and by dragging it; a refused order puts the list back with a visible message; a learning
path's courses likewise; course cards show their cover or a plain pattern. axe-core on every screen, 360 and
1366 px, Arabic and English."""
import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from lms.accounts.models import User
from lms.accounts.services import create_user
from lms.courses.models import Course, Module
from lms.extensions import db
from lms.progress import paths
from tests.browser.conftest import LiveSite
from tests.browser.test_journey import Auditor, new_page, switch_language  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.no_db]
PASSWORD = "reorder trainer 42"
SLUG = "serving-citizens"
VIEWPORTS = {"phone": {"width": 360, "height": 780}, "desktop": {"width": 1366, "height": 800}}


def _shots(tmp_path: Path) -> Path:
    """Where the screenshots go: LMS_SCREENSHOTS to keep them and look at them, else the test's folder."""
    folder = Path(os.environ.get("LMS_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _module_order(site: LiveSite) -> list[str]:
    with site.app.app_context():
        return list(db.session.scalars(sa.select(Module.file_name).join(Course).where(Course.slug == SLUG)
                                       .order_by(Module.position)))


def _sign_in(page, site: LiveSite) -> None:
    page.goto(f"{site.url}/login")
    page.get_by_label(site.text("ar", "Username or employee number"), exact=True).fill("order.trainer")
    page.get_by_label(site.text("ar", "Password"), exact=True).fill(PASSWORD)
    page.get_by_role("button", name=site.text("ar", "Sign in"), exact=True).click()
    page.wait_for_url(f"{site.url}/")


def _ids(items) -> list[str]:
    return [items.nth(n).get_attribute("data-id") for n in range(items.count())]


@pytest.fixture
def site(live_site: LiveSite) -> LiveSite:
    with live_site.app.app_context():
        create_user({"username": "order.trainer", "role": "trainer", "full_name_ar": "منى المدربة",
                     "full_name_latin": "Mona Trainer"}, PASSWORD)
    return live_site


def test_modules_move_by_keyboard_and_by_drag_and_a_refusal_puts_them_back(new_page, site, tmp_path):  # noqa: F811
    audit = Auditor("desktop", _shots(tmp_path))
    page = new_page(VIEWPORTS["desktop"])
    _sign_in(page, site)
    page.goto(f"{site.url}/manage/courses/{SLUG}")
    items = page.locator("ol.reorder-list > li.reorder-item")
    expect(page.locator("ol.reorder-list.is-enhanced")).to_have_count(1)
    files = _module_order(site)
    start = _ids(items)
    audit.check(page)

    # The keyboard: Tab to the first module's "Move down", press Enter.
    first_down = items.nth(0).locator("[data-move=down]")
    first_down.focus()
    with page.expect_response(lambda r: r.url.endswith("/modules/order") and r.ok):
        page.keyboard.press("Enter")
    assert _ids(items) == [start[1], start[0], *start[2:]]
    assert page.evaluate("() => document.activeElement.closest('li').dataset.id") == start[0]
    assert page.evaluate("() => document.activeElement.dataset.move") == "down"
    expect(page.locator("#module-order-status")).to_contain_text("إلى الموضع ٢")
    assert _module_order(site) == [files[1], files[0], *files[2:]]
    expect(items.nth(0).locator("[data-move=up]")).to_have_attribute("aria-disabled", "true")
    expect(items.nth(1).locator("[data-move=up]")).not_to_have_attribute("aria-disabled", "true")

    # The mouse: drag the last module onto the top half of the first.
    before = _ids(items)
    first_box = items.nth(0).bounding_box()
    with page.expect_response(lambda r: r.url.endswith("/modules/order") and r.ok):
        items.nth(4).drag_to(items.nth(0), target_position={"x": first_box["width"] / 2, "y": 3})
    assert _ids(items) == [before[4], *before[:4]]
    assert _module_order(site) == [files[4], files[1], files[0], files[2], files[3]]
    expect(page.locator("#module-order-status")).to_contain_text("إلى الموضع ١")
    audit.check(page)

    # A finger: pointer events on the handle move the third module above the second.
    before = _ids(items)
    target = items.nth(1).bounding_box()
    with page.expect_response(lambda r: r.url.endswith("/modules/order") and r.ok):
        page.evaluate("""([x, y]) => {
            const handle = document.querySelectorAll('ol.reorder-list > li')[2].querySelector('.reorder-handle');
            const touch = {pointerId: 7, pointerType: 'touch', bubbles: true, isPrimary: true};
            handle.dispatchEvent(new PointerEvent('pointerdown', touch));
            handle.dispatchEvent(new PointerEvent('pointermove', {...touch, clientX: x, clientY: y}));
            handle.dispatchEvent(new PointerEvent('pointerup', {...touch, clientX: x, clientY: y}));
        }""", [target["x"] + target["width"] / 2, target["y"] + 4])
    assert _ids(items) == [before[0], before[2], before[1], *before[3:]]
    expect(page.locator("#module-order-status")).to_contain_text("إلى الموضع ٢")

    # The server refuses (another editor removed a module, say): the list goes back, and a message says so.
    page.route("**/modules/order", lambda route: route.fulfill(
        status=409, content_type="application/json", json={"error": {"message": "—"}}))
    shown = _ids(items)
    items.nth(0).locator("[data-move=down]").focus()
    page.keyboard.press("Enter")
    error = page.locator("#module-order-status-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text(site.text("ar", "The new order could not be saved; the list is back as it was."))
    assert _ids(items) == shown
    page.unroute("**/modules/order")
    audit.check(page)

    # The log says what happened, in the trainer's words.
    page.goto(f"{site.url}/manage/courses/{SLUG}/log")
    expect(page.get_by_text(site.text("ar", "Order of the modules changed")).first).to_be_visible()
    assert audit.problems == []


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_screens_in_both_languages_pass_axe(new_page, site, tmp_path, viewport):  # noqa: F811
    with site.app.app_context():
        trainer = db.session.scalar(sa.select(User).where(User.username == "order.trainer"))
        course_ids = list(db.session.scalars(sa.select(Course.id).order_by(Course.id)))
        path = paths.save_path({"slug": "window-basics", "title_ar": "أساسيات الشباك", "title_en": "Window basics",
                                "is_ordered": True, "status": "published"}, course_ids, trainer)
        path_id = path.id
    audit = Auditor(viewport, _shots(tmp_path))
    page = new_page(VIEWPORTS[viewport])
    _sign_in(page, site)
    for lang in ("ar", "en"):
        if lang == "en":
            switch_language(page, "en", "ltr")
        page.goto(f"{site.url}/manage/courses/{SLUG}")
        page.locator("#modules").scroll_into_view_if_needed()
        audit.check(page)

        page.goto(f"{site.url}/manage/paths/{path_id}")
        items = page.locator("ol.reorder-list > li.reorder-item")
        start = _ids(items)
        items.nth(1).locator("[data-move=up]").focus()
        with page.expect_response(lambda r: r.url.endswith("/courses/order") and r.ok):
            page.keyboard.press("Enter")
        assert _ids(items) == [start[1], start[0], *start[2:]]
        assert page.evaluate("() => document.activeElement.closest('li').dataset.id") == start[1]
        # The path form's position boxes follow, so that saving the form keeps the new order.
        expect(page.locator(f"#position-{start[1]}")).to_have_value("1")
        expect(page.locator(f"#position-{start[0]}")).to_have_value("2")
        expect(page.locator("#path-order-status")).to_contain_text("الموضع ١" if lang == "ar" else "to position 1.")
        audit.check(page)

        page.goto(f"{site.url}/courses")
        cards = page.locator(".course-card")
        expect(cards.locator("img.course-cover")).to_have_count(2)
        expect(cards.locator(".course-cover-none")).to_have_count(cards.count() - 2)
        cover = cards.locator("img.course-cover").first
        assert cover.get_attribute("alt") == "" and cover.get_attribute("loading") == "lazy"
        cover.scroll_into_view_if_needed()
        expect(cover).to_have_js_property("complete", True)
        assert cover.evaluate("img => img.naturalWidth") == 640
        box = cover.bounding_box()
        assert abs(box["width"] / box["height"] - 16 / 9) < 0.02
        audit.check(page)
    assert audit.problems == []


def test_without_javascript_the_buttons_are_forms_and_the_focus_comes_back(browser, site, tmp_path):
    context = browser.new_context(viewport=VIEWPORTS["phone"], java_script_enabled=False, bypass_csp=True)
    try:
        page = context.new_page()
        _sign_in(page, site)
        switch_language(page, "en", "ltr")
        page.goto(f"{site.url}/manage/courses/{SLUG}")
        items = page.locator("ol.reorder-list > li.reorder-item")
        expect(page.locator(".reorder-handle")).to_have_count(0)  # no dragging without the script
        start = _ids(items)
        items.nth(2).locator("[data-move=up]").focus()
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/manage/courses/{SLUG}?moved={start[2]}&direction=up")
        assert _ids(items) == [start[0], start[2], start[1], *start[3:]]
        assert page.evaluate("() => document.activeElement.closest('li').dataset.id") == start[2]
        assert page.evaluate("() => document.activeElement.dataset.move") == "up"
        expect(page.locator(".flash-success")).to_contain_text("to position 2.")
    finally:
        context.close()
