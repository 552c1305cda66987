"""lms/static/js/offline/store.js in Chromium: the IndexedDB stores of the design, the device's id kept once, a
grant registered through POST /offline/devices with the page's session, the outbox in order, and the change event
(also in another page of the same device)."""
import pytest
from playwright.sync_api import Page

from tests.browser.conftest import LEARNER_PASSWORD, LiveSite
from tests.browser.test_journey import new_page, switch_language  # noqa: F401 (new_page: a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.no_db]


def sign_in(page: Page, site: LiveSite, username: str = "learner", password: str = LEARNER_PASSWORD) -> None:
    page.goto(f"{site.url}/login")
    page.get_by_label(site.text("ar", "Username or employee number"), exact=True).fill(username)
    page.get_by_label(site.text("ar", "Password"), exact=True).fill(password)
    page.get_by_role("button", name=site.text("ar", "Sign in"), exact=True).click()
    page.wait_for_url(f"{site.url}/")
    page.wait_for_function("window.lmsOffline && window.lmsOffline.ready")


def test_store_keeps_the_device_its_grants_and_the_outbox(new_page, live_site: LiveSite):  # noqa: F811
    page = new_page({"width": 1366, "height": 900})
    sign_in(page, live_site)
    stores = page.evaluate("""async () => {
        const db = await lmsOffline.open();
        return Array.from(db.objectStoreNames).sort();
    }""")
    assert stores == ["answers", "chains", "courses", "keys", "meta", "outbox", "packages", "results"]

    device = page.evaluate("lmsOffline.device.id()")
    assert page.evaluate("lmsOffline.device.id()") == device
    user = page.evaluate("lmsOffline.user()")
    token = page.evaluate("lmsOffline.device.grant(lmsOffline.user())")
    assert len(token) == 43
    assert page.evaluate("lmsOffline.device.grant(lmsOffline.user())") == token  # kept, not registered again
    kept = page.evaluate(f"lmsOffline.get('meta', 'grant:{user}')")
    assert kept["user"]["id"] == int(user) and kept["expires_at"]

    other = page.context.new_page()  # another page of the same device hears the changes
    other.goto(f"{live_site.url}/")
    other.wait_for_function("window.lmsOffline && window.lmsOffline.ready")
    other.evaluate("window.heard = []; addEventListener('lms-offline-change', e => heard.push(e.detail.store))")

    page.evaluate("""async () => {
        window.seen = [];
        addEventListener('lms-offline-change', (e) => seen.push(e.detail));
        for (const n of [1, 2, 3]) {
            await lmsOffline.outbox.add({user: lmsOffline.user(), url: '/offline/api/progress', body: {n}});
        }
    }""")
    assert page.evaluate("lmsOffline.outbox.count()") == 3
    items = page.evaluate("lmsOffline.outbox.list(lmsOffline.user())")
    assert [item["body"]["n"] for item in items] == [1, 2, 3]
    assert all(len(item["id"]) == 36 and item["tries"] == 0 for item in items)
    assert [event["op"] for event in page.evaluate("seen") if event["store"] == "outbox"] == ["put", "put", "put"]
    page.evaluate(f"lmsOffline.del('outbox', {items[0]['id']!r})")
    assert page.evaluate("lmsOffline.outbox.count()") == 2
    other.wait_for_function("heard.filter(s => s === 'outbox').length === 4")

    page.evaluate("lmsOffline.put('answers', {attempt: 7, q: 3, a: 'x', s: 1})")
    assert page.evaluate("lmsOffline.get('answers', [7, 3])")["a"] == "x"
    assert page.evaluate("lmsOffline.device.grant('999')") is None  # not the signed-in person: no grant


WORDS = """() => { const w = lmsOffline.words;
    return [w.digits(2026), w.fill('%(num)s of %(all)s', {num: 3, all: 10}), w.size(512, ['B', 'KB', 'MB']),
            w.size(1536, ['B', 'KB', 'MB']), w.size(5 * 1024 * 1024, ['B', 'KB', 'MB'])]; }"""


def test_the_field_kits_words_are_written_in_the_pages_language(new_page, live_site: LiveSite):  # noqa: F811
    page = new_page({"width": 360, "height": 780})
    sign_in(page, live_site)  # an Arabic page
    assert page.evaluate(WORDS) == ["٢٠٢٦", "3 of 10", "٥١٢ B", "١٫٥ KB", "٥٫٠ MB"]
    switch_language(page, "en", "ltr")
    page.wait_for_function("window.lmsOffline && window.lmsOffline.ready")
    assert page.evaluate(WORDS) == ["2026", "3 of 10", "512 B", "1.5 KB", "5.0 MB"]
