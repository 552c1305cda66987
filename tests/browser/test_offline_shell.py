"""The installable app in real Chromium, with its real service worker: a course made available offline is read
without a network in both languages, a module marked as done offline is sent once when the network returns, a
page not kept shows the offline page, and "Remove from this device" frees the course."""
import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from lms.courses.models import Course, Module
from lms.extensions import db
from lms.progress.models import ModuleCompletion
from tests.browser.conftest import LiveSite, wait_for_promise
from tests.browser.test_journey import VIEWPORTS, Auditor, sign_in, switch_language

pytestmark = [pytest.mark.browser, pytest.mark.no_db]


def open_with_worker(browser: Browser, viewport: str) -> Page:
    """A fresh device whose pages may register the app's service worker (blocked in the other browser tests)."""
    context = browser.new_context(viewport=VIEWPORTS[viewport], service_workers="allow", bypass_csp=True)
    return context.new_page()


def wait_for_worker(page: Page) -> None:
    """The service worker is installed (its shell kept) and controls this page."""
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller !== null",
                           timeout=20_000)


def module_titles(site: LiveSite, slug: str) -> dict[int, tuple[str, str]]:
    with site.app.app_context():
        course = db.session.scalar(sa.select(Course).where(Course.slug == slug))
        return {m.position: (m.title_ar, m.title_en or m.title_ar)
                for m in db.session.scalars(sa.select(Module).where(Module.course_id == course.id))}


def completions(site: LiveSite) -> int:
    with site.app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(ModuleCompletion))


def test_a_course_kept_offline_is_read_and_marked_done_without_a_network(browser, live_site: LiveSite, tmp_path):
    slug = live_site.course_slugs[0]
    titles = module_titles(live_site, slug)
    page = open_with_worker(browser, "phone")
    sign_in(page, live_site, Auditor("phone", tmp_path))
    page.goto(f"{live_site.url}/courses/{slug}")
    page.locator("form[action$='/enrollment']").get_by_role("button").click()
    page.goto(f"{live_site.url}/courses/{slug}")
    wait_for_worker(page)
    kept_for_everyone = page.evaluate("""async () => {
      const name = (await caches.keys()).find((n) => n.startsWith("lms-shell-"));
      const copy = await (await caches.open(name)).match("/offline?sw-lang=ar");
      return copy ? await copy.text() : "";
    }""")
    assert "أنت دون اتصال" in kept_for_everyone and "متعلم التجربة" not in kept_for_everyone  # no one's name

    box = page.locator("#offline-course")
    expect(box).to_be_visible()
    expect(box.locator(".offline-state")).to_have_text(live_site.text("ar", "Not available offline on this device."))
    box.get_by_role("button", name=live_site.text("ar", "Make available offline")).click()
    expect(box.locator(".offline-state")).to_contain_text("متاحة دون اتصال على هذا الجهاز", timeout=20_000)
    expect(box.get_by_role("button", name=live_site.text("ar", "Make available offline"))).to_be_hidden()
    kept = f"lms-course-{page.evaluate('() => document.body.dataset.user')}-{slug}"  # this person's own cache
    assert page.evaluate(f"() => caches.has('{kept}')")
    page.goto(f"{live_site.url}/offline/device")  # opened once: kept as this person's page
    page.goto(f"{live_site.url}/courses/{slug}")

    page.context.set_offline(True)
    page.goto(f"{live_site.url}/courses/{slug}/modules/2")
    expect(page.locator("h1")).to_contain_text(titles[2][0])
    switch_language(page, "en", "ltr")  # the worker remembers the choice and serves the English copy it kept
    expect(page.locator("h1")).to_contain_text(titles[2][1])

    before = completions(live_site)
    page.get_by_role("button", name=live_site.text("en", "Mark as done")).click()
    expect(page.get_by_role("status").filter(has_text="Done, waiting to be sent")).to_be_visible()
    assert completions(live_site) == before  # nothing reached the server
    assert page.evaluate("() => window.lmsOffline.outbox.count()") == 1
    page.goto(f"{live_site.url}/courses/{slug}")  # the course page, kept: the mark waits there too
    expect(page.locator(".module-list .pending-badge")).to_have_text("Done, waiting to be sent")
    bar = page.locator("[data-progress-steps]")  # and the bar counts it, as the badge says (it stood still)
    steps, done = (int(bar.get_attribute(name)) for name in ("data-progress-steps", "data-progress-done"))
    expect(bar.locator(".progress-track")).to_have_attribute("aria-valuenow", str(round(100 * (done + 1) / steps)))

    page.goto(f"{live_site.url}/notifications")  # never opened: not kept
    expect(page.locator("h1")).to_have_text("You are offline")
    page.get_by_role("link", name="This device", exact=True).last.click()
    expect(page.locator("#device-courses li")).to_have_count(1)
    expect(page.locator("#device-outbox")).to_have_text("1")  # kept with the course in both languages: English

    page.context.set_offline(False)
    wait_for_promise(page, "async () => (await window.lmsOffline.outbox.count()) === 0", timeout=20_000)
    assert completions(live_site) == before + 1
    page.reload()  # from the network now, in the language the server keeps for this person (the choice made
    expect(page.locator("#device-outbox")).to_have_text(live_site.text("ar", "Nothing"))  # offline stayed on the
    # device); "nothing" in words, as a lone Arabic-Indic zero reads as a dot
    page.evaluate("() => window.lmsOffline.sync.now()")  # sending again sends nothing
    assert completions(live_site) == before + 1

    page.goto(f"{live_site.url}/courses/{slug}")
    box.get_by_role("button", name=live_site.text("ar", "Remove from this device")).click()
    expect(box.locator(".offline-state")).to_have_text(live_site.text("ar", "Not available offline on this device."))
    assert not page.evaluate(f"() => caches.has('{kept}')")


ASK_VERSION = """() => new Promise((resolve) => {
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data && event.data.type === "lms-sw-version") resolve(event.data.version);
  });
  navigator.serviceWorker.controller.postMessage({type: "lms-sw-version"});
})"""


def test_a_new_version_waits_while_an_attempt_is_open_then_takes_over_when_asked(browser, live_site: LiveSite,
                                                                                 tmp_path, monkeypatch):
    from lms.offline import shell

    slug = live_site.course_slugs[0]
    attempt = open_with_worker(browser, "desktop")
    sign_in(attempt, live_site, Auditor("desktop", tmp_path))
    wait_for_worker(attempt)
    old = attempt.evaluate(ASK_VERSION)
    attempt.goto(f"{live_site.url}/courses/{slug}")
    attempt.locator("form[action$='/enrollment']").get_by_role("button").click()
    attempt.goto(f"{live_site.url}/courses/{slug}/quiz")
    attempt.locator("form[action$='/quiz/attempts']").get_by_role("button").click()
    attempt.wait_for_url("**/quiz/attempts/*")

    monkeypatch.setattr(shell, "SHELL_ASSETS", shell.SHELL_ASSETS[:-1])  # a deployment: a new worker
    other = attempt.context.new_page()
    other.goto(f"{live_site.url}/")
    wait_for_promise(other, "async () => { const r = await navigator.serviceWorker.ready; await r.update();"
                            " return Boolean(r.waiting); }", timeout=20_000)
    other.reload()  # the page offers the waiting version
    bar = other.locator("#sw-update")
    expect(bar).to_be_visible()
    expect(bar).to_contain_text(live_site.text("ar", "A new version is ready."))
    expect(attempt.locator("#sw-update")).to_be_hidden()  # never offered on the attempt's own page
    bar.get_by_role("button").click()
    expect(bar).to_contain_text(live_site.text(
        "ar", "A new version is ready: it will be used once the exam open in another page is finished."))
    expect(bar.get_by_role("button")).to_be_hidden()
    attempt.reload()  # a reload mid-attempt stays on the version the attempt began with
    assert attempt.evaluate(ASK_VERSION) == old

    attempt.close()  # the attempt's page is closed: now the new version may take over
    other.reload()
    expect(bar.get_by_role("button")).to_be_visible()
    with other.expect_navigation():  # the page that asked reloads itself under the new version
        bar.get_by_role("button").click()
    new = other.evaluate(ASK_VERSION)
    assert new != old
    assert other.evaluate("() => caches.keys()").count(f"lms-shell-{old}") == 0  # the old shell is removed


def test_signing_out_without_a_network_signs_out_here_and_tells_the_server_later(browser, live_site: LiveSite,
                                                                                 tmp_path):
    page = open_with_worker(browser, "phone")
    sign_in(page, live_site, Auditor("phone", tmp_path))
    wait_for_worker(page)
    page.reload()  # a page of this person's, kept
    page.context.set_offline(True)
    if page.locator(".menu-button").is_visible():
        page.locator(".menu-button").click()
    page.locator("form.logout").get_by_role("button").locator("visible=true").first.click()
    expect(page.locator("#signed-out")).to_be_visible()
    expect(page.locator("#signed-out")).to_contain_text(live_site.text(
        "ar", "You are signed out on this device. The server will be told when the network returns."))
    not_kept = page.get_by_text(live_site.text("ar", "This page is not kept on this device. It opens again when the "
                                                     "network returns."))
    expect(not_kept).to_be_hidden()  # said of no page here: the sign-out's page does not contradict itself
    page.goto(f"{live_site.url}/")  # no one's pages behind: the next person sees the offline page, not theirs
    expect(page.locator("h1")).to_have_text(live_site.text("ar", "You are offline"))
    expect(page.locator("#signed-out")).to_be_hidden()
    expect(not_kept).to_be_visible()
    assert "متعلم التجربة" not in page.content()

    page.context.set_offline(False)
    page.goto(f"{live_site.url}/")  # the first page with a network ends the session on the server
    expect(page).to_have_url(f"{live_site.url}/login?next=%2F")
    page.goto(f"{live_site.url}/courses")
    expect(page).to_have_url(f"{live_site.url}/login?next=%2Fcourses")
