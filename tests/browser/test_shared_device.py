"""One tablet, two staff (issue 16's shared devices): each chooses a PIN at their first online sign-in; what the
device keeps for a person is sealed with it; the next person cannot read it nor send it; it waits, sealed, until
its owner is back and enters the PIN, then goes; once nothing of theirs waits and they keep no course for the road,
signing out removes it."""
import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from lms.accounts.models import User
from lms.accounts.services import create_user
from lms.courses.models import Course
from lms.extensions import db
from lms.progress import services as progress
from lms.progress.models import ModuleCompletion
from tests.browser.conftest import LEARNER_PASSWORD, LiveSite, wait_for_promise
from tests.browser.test_journey import VIEWPORTS, new_page  # noqa: F401 (new_page: a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.no_db]

# Every record the device holds, as stored (sealed or not): what someone reading the tablet's storage would see.
RAW = """async () => {
  const db = await new Promise((ok, ko) => { const r = indexedDB.open("lms-offline"); r.onsuccess = () => ok(r.result);
                                                                             r.onerror = () => ko(r.error); });
  const out = {};
  for (const name of ["meta", "outbox", "results", "answers", "chains", "packages", "courses"]) {
    out[name] = await new Promise((ok) => {
      const tx = db.transaction(name, "readonly"); const store = tx.objectStore(name);
      const keys = store.getAllKeys(); const values = store.getAll();
      tx.oncomplete = () => ok(values.result.map((v, i) => ({key: keys.result[i],
        fields: v && typeof v === "object" ? Object.keys(v).sort() : [], text: JSON.stringify(v)})));
    });
  }
  db.close();
  return out;
}"""


def _sign_in(page: Page, site: LiveSite, username: str) -> None:
    page.goto(f"{site.url}/login")
    page.get_by_label(site.text("ar", "Username or employee number"), exact=True).fill(username)
    page.get_by_label(site.text("ar", "Password"), exact=True).fill(LEARNER_PASSWORD)
    page.get_by_role("button", name=site.text("ar", "Sign in"), exact=True).click()
    expect(page).to_have_url(f"{site.url}/")
    # The URL changes before the page's deferred scripts run: wait for the field kit itself.
    page.wait_for_function("() => window.lmsOffline && window.lmsOffline.ready")


def _sign_out(page: Page, site: LiveSite) -> None:
    page.locator("form.logout").get_by_role("button").locator("visible=true").first.click()
    expect(page).to_have_url(f"{site.url}/login")


def _choose_pin(page: Page, site: LiveSite, pin: str) -> None:
    box = page.locator("#device-pin")
    expect(box.locator("#pin-choose")).to_be_visible(timeout=10_000)
    box.get_by_label(site.text("ar", "New PIN"), exact=True).fill(pin)
    box.get_by_label(site.text("ar", "The PIN again"), exact=True).fill(pin)
    box.get_by_role("button", name=site.text("ar", "Save the PIN")).click()
    expect(box).to_be_hidden(timeout=10_000)


def _enter_pin(page: Page, site: LiveSite, pin: str) -> None:
    box = page.locator("#device-pin")
    box.get_by_label(site.text("ar", "PIN"), exact=True).fill(pin)
    box.get_by_role("button", name=site.text("ar", "Unlock")).click()
    # The PIN tried (the form may be hidden now): the field is emptied for the next try.
    expect(box.locator("#pin-enter button[type=submit]")).to_be_enabled(timeout=10_000)


def _mark_done_offline(page: Page, site: LiveSite, slug: str, position: int) -> None:
    """A module marked as done while the API cannot be reached: the mark waits in the outbox."""
    page.goto(f"{site.url}/courses/{slug}/modules/{position}")
    page.context.set_offline(True)
    page.get_by_role("button", name=site.text("ar", "Mark as done")).click()
    expect(page.get_by_role("status").filter(has_text=site.text("ar", "Done, waiting to be sent"))).to_be_visible()
    page.context.set_offline(False)


def _completions(site: LiveSite) -> int:
    with site.app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(ModuleCompletion))


def test_two_staff_share_a_tablet_each_behind_their_own_pin(new_page, live_site: LiveSite):  # noqa: F811
    slug = live_site.course_slugs[0]
    with live_site.app.app_context():
        other = create_user({"username": "clerk2", "role": "learner", "full_name_ar": "موظف الشباك الثاني",
                             "full_name_latin": "Second Clerk"}, LEARNER_PASSWORD)
        course = db.session.scalar(sa.select(Course).where(Course.slug == slug))
        for username in ("learner", "clerk2"):
            user_id = other.id if username == "clerk2" else other.id - 1
            progress.enroll(user_id, course)
    page = new_page(VIEWPORTS["desktop"])
    page.on("dialog", lambda dialog: dialog.accept())

    # The first clerk: their first use of the field kit here asks for a PIN (Arabic-Indic digits are digits).
    _sign_in(page, live_site, "learner")
    page.context.route("**/offline/api/progress", lambda route: route.abort("internetdisconnected"))
    _mark_done_offline(page, live_site, slug, 1)
    box = page.locator("#device-pin")
    expect(box.locator("#pin-choose")).to_be_visible(timeout=10_000)
    box.get_by_label(live_site.text("ar", "New PIN"), exact=True).fill("٤٨٢٩")
    box.get_by_label(live_site.text("ar", "The PIN again"), exact=True).fill("4820")
    box.get_by_role("button", name=live_site.text("ar", "Save the PIN")).click()
    expect(box.get_by_role("alert")).to_have_text(live_site.text("ar", "The two PINs are not the same."))
    _choose_pin(page, live_site, "٤٨٢٩")
    raw = page.evaluate(RAW)
    first_user = page.evaluate("() => document.body.getAttribute('data-user')")
    (waiting,) = raw["outbox"]
    assert "sealed" in waiting["fields"] and "body" not in waiting["fields"]  # the mark, unreadable at rest
    grant = next(r for r in raw["meta"] if r["key"] == f"grant:{first_user}")
    assert "token" not in grant["fields"] and "sealed" in grant["fields"]
    page.wait_for_function("() => window.lmsOffline && window.lmsOffline.ready")  # seen missing once under load
    assert page.evaluate("() => window.lmsOffline.outbox.list().then(items => items[0].body.items[0].module)")

    _sign_out(page, live_site)  # the mark could not be sent: it stays, sealed
    assert len(page.evaluate(RAW)["outbox"]) == 1
    page.context.unroute("**/offline/api/progress")

    # The second clerk on the same tablet: the first one's mark is there, but locked, and is not sent.
    _sign_in(page, live_site, "clerk2")
    mine = page.evaluate("() => window.lmsOffline.outbox.list()")
    assert [item.get("locked") for item in mine] == [True] and "body" not in mine[0]
    page.evaluate("() => window.lmsOffline.sync.now()")
    assert _completions(live_site) == 0
    _mark_done_offline(page, live_site, slug, 2)  # their own first use: their own PIN
    _choose_pin(page, live_site, "1357")
    wait_for_promise(page, "async () => (await window.lmsOffline.outbox.count(document.body.getAttribute("
                           "'data-user'))) === 0", timeout=15_000)  # theirs is sent; the other one's waits
    assert _completions(live_site) == 1 and len(page.evaluate(RAW)["outbox"]) == 1
    _sign_out(page, live_site)

    # The first clerk is back: a wrong PIN opens nothing; theirs does, and the mark goes.
    _sign_in(page, live_site, "learner")
    expect(page.locator("#pin-enter")).to_be_visible(timeout=10_000)
    _enter_pin(page, live_site, "1357")
    expect(page.locator("#pin-enter").get_by_role("alert")).to_have_text(live_site.text("ar", "Wrong PIN. Try again."))
    _enter_pin(page, live_site, "4829")
    expect(page.locator("#device-pin")).to_be_hidden(timeout=10_000)
    page.evaluate("() => window.lmsOffline.sync.now()")
    wait_for_promise(page, "async () => (await window.lmsOffline.outbox.count()) === 0", timeout=15_000)
    assert _completions(live_site) == 2

    _sign_out(page, live_site)  # nothing of theirs waits: what the device kept for them goes
    raw = page.evaluate(RAW)
    assert all(first_user not in r["text"] for r in raw["results"] + raw["outbox"] + raw["answers"] + raw["chains"])
    assert not any(r["key"] == f"grant:{first_user}" for r in raw["meta"])
    assert any(r["key"] == f"person:{first_user}" for r in raw["meta"])  # the PIN stays: asked again next time


def test_choosing_a_pin_can_wait_until_the_next_sign_in(new_page, live_site: LiveSite):  # noqa: F811
    # The PIN card stood above every page, an exam's included, until a PIN was chosen: "Not now" puts it off.
    slug = live_site.course_slugs[0]
    with live_site.app.app_context():
        create_user({"username": "clerk4", "role": "learner", "full_name_ar": "موظف الشباك الرابع",
                     "full_name_latin": "Fourth Clerk"}, LEARNER_PASSWORD)
        progress.enroll(db.session.scalar(sa.select(User.id).where(User.username == "clerk4")),
                        db.session.scalar(sa.select(Course).where(Course.slug == slug)))
    page = new_page(VIEWPORTS["desktop"])
    page.on("dialog", lambda dialog: dialog.accept())
    _sign_in(page, live_site, "clerk4")
    _mark_done_offline(page, live_site, slug, 1)  # a first use of the field kit here: the PIN is asked for
    box = page.locator("#device-pin")
    expect(box.locator("#pin-choose")).to_be_visible(timeout=10_000)
    box.get_by_role("button", name=live_site.text("ar", "Not now")).click()
    expect(box).to_be_hidden()
    expect(page.locator("#device-pin-done")).to_have_text(
        live_site.text("ar", "Asked again at your next sign-in on this device."))
    page.goto(f"{live_site.url}/courses/{slug}/modules/2")
    page.wait_for_function("() => window.lmsOffline && window.lmsOffline.ready")
    page.wait_for_timeout(500)  # the script decides after reading the device's records
    expect(box).to_be_hidden()
    _sign_out(page, live_site)  # nothing of theirs waits: what the device kept for them goes
    _sign_in(page, live_site, "clerk4")
    _mark_done_offline(page, live_site, slug, 3)  # the field kit used again, in a new sign-in: asked again
    expect(box.locator("#pin-choose")).to_be_visible(timeout=10_000)


def test_five_wrong_pins_make_the_next_try_wait(new_page, live_site: LiveSite):  # noqa: F811
    page = new_page(VIEWPORTS["phone"])
    _sign_in(page, live_site, "learner")
    page.evaluate("() => window.lmsOffline.device.grant()")  # the field kit used here: a PIN is asked for
    page.reload()
    _choose_pin(page, live_site, "2468")
    page.locator("form.logout").first.evaluate("form => form.requestSubmit()")
    expect(page).to_have_url(f"{live_site.url}/login")
    _sign_in(page, live_site, "learner")
    alert = page.locator("#pin-enter").get_by_role("alert")
    for attempt in range(1, 6):
        _enter_pin(page, live_site, "0000")
        if attempt < 5:
            expect(alert).to_have_text(live_site.text("ar", "Wrong PIN. Try again."))
    expect(alert).to_have_text(live_site.text("ar", "Wrong PIN. Try again in %(num)s seconds.").replace(
        "%(num)s", "٣٠"))
    _enter_pin(page, live_site, "2468")  # even the right one waits out the delay, and is not called wrong
    expect(alert).to_contain_text(live_site.text(
        "ar", "Too many wrong PINs: this one was not checked. Try again in %(num)s seconds.").split("%")[0])
    expect(page.locator("#device-pin")).to_be_visible()


def test_staff_sign_in_on_the_tablet_without_a_network_each_to_their_own(browser, live_site: LiveSite):
    """The vehicle out of coverage: one clerk signs out, the next signs in with employee number and PIN and sees
    only what the tablet keeps for them; the first one back sees theirs, and their mark goes with the network."""
    from tests.browser.test_offline_shell import open_with_worker, wait_for_worker

    slug = live_site.course_slugs[0]
    with live_site.app.app_context():
        create_user({"username": "clerk2", "role": "learner", "full_name_ar": "موظف الشباك الثاني",
                     "full_name_latin": "Second Clerk", "employee_number": "1002"}, LEARNER_PASSWORD)
        first = db.session.scalar(sa.select(User).where(User.username == "learner"))
        first.employee_number = "1001"
        progress.enroll(first.id, db.session.scalar(sa.select(Course).where(Course.slug == slug)))
        db.session.commit()
    page = open_with_worker(browser, "desktop")

    # At the depot, with a network: the second clerk has chosen a PIN here before (and signed out, nothing waiting).
    _sign_in(page, live_site, "clerk2")
    wait_for_worker(page)
    page.evaluate("() => window.lmsOffline.device.grant()")
    _choose_pin(page, live_site, "1357")
    _sign_out(page, live_site)

    # The first clerk keeps the course for the road and chooses their PIN.
    _sign_in(page, live_site, "learner")
    page.goto(f"{live_site.url}/courses/{slug}")
    page.locator("#offline-course .offline-make").click()
    _choose_pin(page, live_site, "4829")
    expect(page.locator("#offline-course .offline-state")).to_contain_text("متاحة دون اتصال", timeout=20_000)
    page.goto(f"{live_site.url}/")

    # Out of coverage: a module marked as done, then the clerk signs out for the next one.
    page.context.set_offline(True)
    page.goto(f"{live_site.url}/courses/{slug}/modules/2")
    page.get_by_role("button", name=live_site.text("ar", "Mark as done")).click()
    expect(page.get_by_role("status").filter(has_text=live_site.text("ar", "Done, waiting to be sent"))).to_be_visible()
    page.locator("form.logout").first.evaluate("form => form.requestSubmit()")
    expect(page.locator("#signed-out")).to_be_visible()

    page.get_by_role("link", name=live_site.text("ar", "Sign in on this device")).click()
    signin = page.locator("#offline-signin")
    signin.get_by_label(live_site.text("ar", "Employee number"), exact=True).fill("١٠٠٢")
    signin.get_by_label(live_site.text("ar", "PIN"), exact=True).fill("4829")  # the other clerk's PIN
    signin.get_by_role("button").click()
    expect(signin.get_by_role("alert")).to_have_text(live_site.text("ar", "Wrong PIN. Try again."))
    signin.get_by_label(live_site.text("ar", "PIN"), exact=True).fill("1357")
    signin.get_by_role("button").click()
    expect(page).to_have_url(f"{live_site.url}/")
    expect(page.locator("h1")).to_have_text(live_site.text("ar", "You are offline"))  # nothing kept for them
    page.goto(f"{live_site.url}/courses/{slug}/modules/1")  # the first clerk's pages are not theirs to see
    expect(page.locator("h1")).to_have_text(live_site.text("ar", "You are offline"))
    assert "متعلم التجربة" not in page.content()

    page.goto(f"{live_site.url}/offline/signin")
    signin.get_by_label(live_site.text("ar", "Employee number"), exact=True).fill("1001")
    signin.get_by_label(live_site.text("ar", "PIN"), exact=True).fill("٤٨٢٩")
    signin.get_by_role("button").click()
    expect(page.locator(".who").first).to_have_text("متعلم التجربة")  # their own kept pages again
    page.goto(f"{live_site.url}/courses/{slug}")
    expect(page.locator(".module-list .pending-badge")).to_have_text(live_site.text("ar", "Done, waiting to be sent"))
    assert _completions(live_site) == 0

    page.context.set_offline(False)  # back in coverage: the mark goes with the first clerk's grant
    page.evaluate("() => window.lmsOffline.sync.now()")
    wait_for_promise(page, "async () => (await window.lmsOffline.outbox.count()) === 0", timeout=15_000)
    assert _completions(live_site) == 1
    page.goto(f"{live_site.url}/")  # the browser's session with the server ends: a password again
    expect(page).to_have_url(f"{live_site.url}/login?next=%2F")


def test_a_pin_entered_in_one_page_opens_the_records_another_page_waits_for(new_page, live_site: LiveSite):  # noqa: F811
    page = new_page(VIEWPORTS["desktop"])
    _sign_in(page, live_site, "learner")
    page.wait_for_function("() => window.lmsOffline && window.lmsOffline.ready")
    page.evaluate("() => window.lmsOffline.device.grant()")
    page.reload()
    _choose_pin(page, live_site, "2468")
    page.evaluate("() => window.lmsOffline.outbox.add({url: '/offline/api/progress', user: "
                  "document.body.dataset.user, body: {items: []}})")
    page.locator("form.logout").first.evaluate("form => form.requestSubmit()")  # something waits: kept, sealed
    expect(page).to_have_url(f"{live_site.url}/login")
    _sign_in(page, live_site, "learner")
    other = page.context.new_page()  # a second tab of the same person, opened before the PIN is entered
    other.goto(f"{live_site.url}/")
    other.wait_for_function("() => window.lmsOffline && window.lmsOffline.ready")
    other.evaluate("() => { window.opened = null; window.lmsOffline.outbox.list(document.body.dataset.user)"
                   ".then((items) => { window.opened = items[0].body; }); }")
    other.wait_for_timeout(300)
    assert other.evaluate("() => window.opened") is None  # waiting for the PIN
    expect(page.locator("#pin-enter")).to_be_visible(timeout=10_000)
    _enter_pin(page, live_site, "2468")
    other.wait_for_function("() => window.opened !== null", timeout=10_000)
    assert other.evaluate("() => window.opened") == {"items": []}


def test_a_tablet_made_ready_for_two_clerks_keeps_each_ones_course_for_the_road(browser, live_site: LiveSite):
    # Signing out with nothing waiting removed a clerk's course kept offline: made ready in the morning one after the
    # other, only the last clerk found their course on the road, the others "You are offline" and no reason.
    slug = live_site.course_slugs[0]
    with live_site.app.app_context():
        course = db.session.scalar(sa.select(Course).where(Course.slug == slug))
        for username, number in (("clerk5", "1005"), ("clerk6", "1006")):
            clerk = create_user({"username": username, "role": "learner", "full_name_ar": f"موظف {number}",
                                 "full_name_latin": f"Clerk {number}", "employee_number": number}, LEARNER_PASSWORD)
            progress.enroll(clerk.id, course)
        db.session.commit()
    from tests.browser.test_offline_shell import open_with_worker, wait_for_worker
    page = open_with_worker(browser, "desktop")
    for username, pin in (("clerk5", "2580"), ("clerk6", "1470")):  # at the depot, with a network
        _sign_in(page, live_site, username)
        wait_for_worker(page)
        page.goto(f"{live_site.url}/courses/{slug}")
        page.locator("#offline-course .offline-make").click()
        _choose_pin(page, live_site, pin)
        expect(page.locator("#offline-course .offline-state")).to_contain_text("متاحة دون اتصال", timeout=20_000)
        _sign_out(page, live_site)  # nothing waits to be sent, but the course is kept for the road

    page.context.set_offline(True)
    page.goto(f"{live_site.url}/offline/signin")
    signin = page.locator("#offline-signin")
    signin.get_by_label(live_site.text("ar", "Employee number"), exact=True).fill("1005")
    signin.get_by_label(live_site.text("ar", "PIN"), exact=True).fill("2580")
    signin.get_by_role("button").click()
    expect(page.locator(".who").first).to_have_text("موظف 1005")
    page.goto(f"{live_site.url}/courses/{slug}/modules/1")  # the first clerk's course, read without a network
    expect(page.locator("h1")).not_to_have_text(live_site.text("ar", "You are offline"))
    expect(page.locator(".who").first).to_have_text("موظف 1005")
    page.goto(f"{live_site.url}/offline/device")  # where the offline page sends people: kept with the course
    expect(page.locator("h1")).to_have_text(live_site.text("ar", "This device"))


def test_the_pin_is_not_asked_over_a_running_attempt_but_on_the_next_page(new_page, live_site: LiveSite):  # noqa: F811
    # The PIN card covered the first screen of a timed quiz while its clock ran.
    from lms.quizzes import attempts

    slug = live_site.course_slugs[0]
    with live_site.app.app_context():
        clerk = create_user({"username": "clerk3", "role": "learner", "full_name_ar": "موظف الشباك الثالث",
                             "full_name_latin": "Third Clerk"}, LEARNER_PASSWORD)
        course = db.session.scalar(sa.select(Course).where(Course.slug == slug))
        progress.enroll(clerk.id, course)
        attempt_id = attempts.start_attempt(clerk.id, course).id
    page = new_page(VIEWPORTS["phone"])
    _sign_in(page, live_site, "clerk3")
    page.context.route("**/offline/api/progress", lambda route: route.abort("internetdisconnected"))
    _mark_done_offline(page, live_site, slug, 1)  # the field kit used here: a PIN is to be chosen
    expect(page.locator("#pin-choose")).to_be_visible(timeout=10_000)
    page.goto(f"{live_site.url}/quiz/attempts/{attempt_id}")
    page.wait_for_function("() => window.lmsOffline && window.lmsOffline.ready")
    page.wait_for_timeout(500)
    expect(page.locator("#device-pin")).to_be_hidden()
    page.goto(f"{live_site.url}/")
    expect(page.locator("#pin-choose")).to_be_visible(timeout=10_000)
