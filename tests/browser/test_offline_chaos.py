"""The mobile-center field kit under chaos (issue 16), in real Chromium with the real service worker: three
tablets and ten staff who take turns on them (sign in, work, sign out). Courses are made available offline, the
network is cut, staff read modules and mark them done, and take timed quizzes: attempts started online and carried
on offline, offline exams unlocked with the invigilator's code. Pages are reloaded, closed and reopened, a tablet is
restarted mid-attempt, its clock moved back (accepted, listed as suspicious) and forward past the time limit
(refused), an upload is tampered with in the outbox (refused), the server's answer to one upload is lost (sent
again), one upload is replayed twice (the same verdict) and once with another body (409), an exam seat and an
online-started attempt are each taken on two tablets and sent at the same moment (the first wins, the other is
refused, never merged); the network returns at seeded random moments, sometimes before "Finish". Afterwards the
database holds exactly the attempts, answers, uploads and module marks made, none twice; HR's list shows every
refused and suspicious upload with its reason; each person saw the verdict on the tablet and sees the result.

Tablets A and B are browser contexts: their "restart" closes the page and opens another in the same context (a new
context would start with an empty IndexedDB: storage_state keeps cookies and local storage only, so it would be a
new tablet). Tablet C is a browser launched on a profile directory (launch_persistent_context), closed and launched
again for a real restart: its IndexedDB, service worker, caches and cookies survive. Playwright's clock moves C's
Date.now(). The seed is printed; CHAOS_SEED=<n> replays a run with other random choices.

Offline persistent contexts: with C cut off by set_offline(True), the server's log still showed some of its quiz
autosaves arriving (Playwright's offline emulation seems not to reach every request of a persistent context whose
pages a service worker controls; A and B, ordinary contexts, never leak). So nothing here depends on C's autosaves
being stopped: a refused upload is checked against what the server held just before the uploads came, and the
attempt taken on two tablets is taken on A and B.
"""
import os
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from playwright.sync_api import Browser, BrowserContext, Page, expect

from lms.accounts.models import User
from lms.accounts.services import create_user
from lms.core.models import utcnow
from lms.courses.models import Course, Module
from lms.extensions import db
from lms.offline import exams
from lms.offline.models import OfflineSeat, OfflineUpload
from lms.offline.uploads import REASONS, SUSPICIONS
from lms.progress import services as progress
from lms.progress.models import ModuleCompletion
from lms.quizzes.models import AttemptQuestion, QuizAttempt
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, LiveSite, _real_clock_env, wait_for_promise
from tests.browser.test_offline_quiz import REPLAY
from tests.browser.test_offline_shell import wait_for_worker
from tests.browser.test_quiz import _answer, _key, _set_quiz
from tests.offline.conftest import seat_key_answers

pytestmark = [pytest.mark.browser, pytest.mark.no_db]

SEED = int(os.environ.get("CHAOS_SEED", "1616"))
TABLET = {"width": 800, "height": 1280}
PASSWORD = "field kit chaos 42"
STAFF = [f"staff{n:02d}" for n in range(1, 11)]
NUMBER = {name: f"8{n:04d}" for n, name in enumerate(STAFF, 1)}
SEATS = ("staff02", "staff04", "staff07", "staff09")  # the offline exam's seats
OUTBOX_EMPTY = "async () => (await window.lmsOffline.outbox.count()) === 0"
OUTBOX = "async () => (await window.lmsOffline.outbox.list()).map((item) => item.body)"


@dataclass
class Tablet:
    name: str
    context: BrowserContext
    page: Page = None
    online: bool = True
    launch: Callable[[], BrowserContext] | None = None  # a tablet whose profile outlives a restart
    clock_offset: float | None = None  # seconds its clock is off by, once faked

    def open_page(self) -> Page:
        self.page = self.context.new_page()
        self.page.on("dialog", lambda dialog: dialog.accept())
        self.page.on("pageerror", lambda error: print(f"PAGEERROR {self.name}", error))
        return self.page

    def set_online(self, online: bool) -> None:
        self.online = online
        self.context.set_offline(not online)

    def move_clock(self, hours: float) -> None:
        self.clock_offset = hours * 3600
        self.context.clock.set_system_time(time.time() + self.clock_offset)

    def restart(self, clock_hours: float | None = None) -> Page:
        """The tablet switched off and on again mid-attempt, its clock moved meanwhile if asked (while off: a page
        still open would keep its record's wall time under the new clock). With a profile on disk, the browser
        itself is closed and launched again on it (IndexedDB, the worker and its caches, the cookies stay);
        otherwise the page is closed and another opened in the same context."""
        if self.launch is None:
            self.page.close()
            if clock_hours is not None:
                self.move_clock(clock_hours)
        else:
            self.context.close()
            self.context = self.launch(offline=not self.online)  # offline from its first request on
            if clock_hours is not None:
                self.clock_offset = clock_hours * 3600
            if self.clock_offset is not None:
                self.context.clock.install(time=time.time() + self.clock_offset)
        return self.open_page()


@dataclass
class Expected:
    """What one piece of work should leave on the server."""
    user: str
    kind: str  # "attempt" or "seat"
    typed: dict  # question id -> answer given (the last one)
    status: str  # "accepted" or "refused"
    reason: str | None = None
    suspicious: set = field(default_factory=set)
    attempt: int | None = None  # an online-started attempt's id
    seat: int | None = None
    upload_id: str | None = None
    tablet: str = ""
    online: dict = field(default_factory=dict)  # the answers saved through the server before the network went
    finished_by: str = "offline"
    race: bool = False  # one of the two tablets holding the same seat or attempt
    loser: bool = False  # the one whose upload arrived second
    held: dict = field(default_factory=dict)  # the attempt's answers on the server before the network returned


@dataclass
class Field:
    site: LiveSite
    rng: random.Random
    slug: str
    seat_of: dict
    code: str
    work: list = field(default_factory=list)  # every Expected
    uploads: dict = field(default_factory=dict)  # upload_id -> body, as the tablets queued them

    def url(self, path: str) -> str:
        return f"{self.site.url}{path}"


# -- the staff, the course and the offline exam -------------------------------------------------------------------

def _seed_staff(site: LiveSite, slug: str) -> tuple[dict, str]:
    with site.app.app_context():
        course = db.session.scalar(sa.select(Course).where(Course.slug == slug))
        hr = create_user({"username": "hr-chaos", "role": "hr", "full_name_ar": "الموارد البشرية",
                          "full_name_latin": "HR Chaos"}, PASSWORD)  # every governorate's staff
        for n, name in enumerate(STAFF, 1):
            user = create_user({"username": name, "role": "learner", "employee_number": NUMBER[name],
                                "full_name_ar": f"موظف {n}", "full_name_latin": f"Staff {n}"}, PASSWORD)
            progress.enroll(user.id, course)
        db.session.commit()
        today = utcnow().date()
        prepared = exams.prepare(hr, course, [NUMBER[name] for name in SEATS], today - timedelta(days=1),
                                 today + timedelta(days=1), "ar")
        seats = {db.session.get(User, seat.user_id).username: seat.id for seat in db.session.scalars(
            sa.select(OfflineSeat).where(OfflineSeat.exam_id == prepared.exam.id))}
        return seats, prepared.code


def _seat_key(site: LiveSite, seat_id: int) -> dict:
    with site.app.app_context():
        return seat_key_answers(db.session.get(OfflineSeat, seat_id))


def _half(key: dict) -> dict:
    """The first half of the questions only: a result that differs from a full one."""
    items = sorted(key.items())
    return dict(items[: max(1, len(items) // 2)])


# -- what a person does on a tablet --------------------------------------------------------------------------------

def sign_in(tablet: Tablet, site: LiveSite, username: str) -> Page:
    page = tablet.page
    page.goto(f"{site.url}/login")
    page.get_by_label(site.text("ar", "Username or employee number"), exact=True).fill(username)
    page.get_by_label(site.text("ar", "Password"), exact=True).fill(PASSWORD)
    page.get_by_role("button", name=site.text("ar", "Sign in"), exact=True).click()
    expect(page).to_have_url(f"{site.url}/")
    wait_for_worker(page)
    return page


def sign_out(tablet: Tablet, site: LiveSite) -> None:
    page = tablet.page
    if page.locator(".menu-button").is_visible():
        page.locator(".menu-button").click()
    page.locator("form.logout").get_by_role("button").locator("visible=true").click()
    page.wait_for_url(re.compile(r"/(login)?(\?.*)?$"))


def make_available_offline(page: Page, f: Field) -> None:
    page.goto(f.url(f"/courses/{f.slug}"))
    box = page.locator("#offline-course")
    box.get_by_role("button", name=f.site.text("ar", "Make available offline")).click()
    expect(box.locator(".offline-state")).to_contain_text("متاحة دون اتصال على هذا الجهاز", timeout=20_000)


def read_and_mark_done(page: Page, f: Field, position: int) -> None:
    """Offline: the module page from the course kept on the tablet, marked as done (it waits in the outbox)."""
    page.goto(f.url(f"/courses/{f.slug}/modules/{position}"))
    expect(page.locator("h1")).to_be_visible()
    page.get_by_role("button", name=f.site.text("ar", "Mark as done")).click()
    expect(page.get_by_role("status").filter(
        has_text=f.site.text("ar", "Done, waiting to be sent"))).to_be_visible()


def start_attempt(page: Page, f: Field) -> int:
    page.goto(f.url(f"/courses/{f.slug}/quiz"))
    page.locator("form[action$='/quiz/attempts']").get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/quiz/attempts/\d+$"))
    attempt_id = int(page.url.rsplit("/", 1)[1])
    wait_for_record(page, f"attempt:{attempt_id}", 0)
    return attempt_id


def wait_for_record(page: Page, name: str, answers: int) -> None:
    """The page has its grant, its chain record, and at least `answers` answers chained on the device."""
    wait_for_promise(page, """async ([name, count]) => {
      const store = window.lmsOffline;
      if (!store) return false;
      const grant = await store.get("meta", "grant:" + document.body.getAttribute("data-user"));
      const record = await store.get("chains", name);
      return Boolean(grant && record && record.chain) &&
        record.events.filter((text) => JSON.parse(text).k === "answer").length >= count;
    }""", arg=[name, answers], timeout=15_000)


def answer_all(page: Page, answers: dict) -> None:
    for question_id, value in answers.items():
        _answer(page, question_id, value)


def finish_attempt(page: Page, f: Field) -> None:
    """"Finish": offline it goes to the outbox; with the network back it may go through the server."""
    page.locator("button[name=go][value=finish]").click()
    confirm = page.locator("form[action$='/submit']")
    expect(page.locator("#offline-state").or_(confirm)).to_be_visible(timeout=15_000)
    if confirm.count():  # through the server: its page asks before submitting, then shows the result
        confirm.get_by_role("button").click()
        expect(page.locator(".result")).to_be_visible()


def open_exam(page: Page, f: Field, seat_id: int) -> None:
    """Online: the exam page (kept by the worker) and the seat's package downloaded to the tablet."""
    page.goto(f.url(f"/offline/exams/{seat_id}/take"))
    page.get_by_role("button", name=f.site.text("ar", "Download to this device")).click()
    expect(page.get_by_label(f.site.text("ar", "Invigilator code"), exact=True)).to_be_visible(timeout=15_000)


def unlock_exam(page: Page, f: Field) -> None:
    page.get_by_label(f.site.text("ar", "Invigilator code"), exact=True).fill(f.code)
    page.get_by_role("button", name=f.site.text("ar", "Open the exam")).click()
    expect(page.locator("#exam-questions")).to_be_visible(timeout=20_000)


def submit_exam(page: Page, f: Field) -> None:
    page.get_by_role("button", name=f.site.text("ar", "Submit my answers")).click()
    expect(page.locator("#exam-done")).to_be_visible(timeout=10_000)


def keep_outbox(tablet: Tablet, f: Field) -> list[dict]:
    """What waits on the tablet, as it will be sent (for the checks and the replay)."""
    bodies = wait_for_promise(tablet.page, f"async () => {{ const b = await ({OUTBOX})(); return [b]; }}")[0]
    for body in bodies:
        if "upload_id" in body:
            f.uploads[body["upload_id"]] = body
    return bodies


def lose_first_answer(tablet: Tablet) -> list[int]:
    """The network drops just after the server has judged and stored the tablet's next upload: the answer never
    arrives, so the tablet keeps the upload and sends it again. Returns the statuses lost (to check it happened)."""
    lost: list[int] = []

    def handle(route):
        if lost:
            return route.continue_()
        lost.append(route.fetch().status)
        return route.abort("connectionreset")

    tablet.context.route("**/offline/api/uploads", handle)
    return lost


def network_returns(tablet: Tablet) -> None:
    """The network comes back: the tablet sends what waits, in order, until nothing does."""
    tablet.set_online(True)
    page = tablet.page
    deadline = time.monotonic() + 30
    while True:
        page.evaluate("async () => { await window.lmsOffline.sync.now(); }")
        if page.evaluate(OUTBOX_EMPTY):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{tablet.name}: the outbox did not empty")
        time.sleep(0.3)


# -- the pieces of work: generators, one step per next(), so that the tablets' steps interleave at random ----------

SUBMITTED = """async (name) => { const r = await window.lmsOffline.get("chains", name);
  return r && r.submitted ? [r.submitted] : null; }"""


def submitted_upload(page: Page, f: Field, record: str) -> str:
    """The upload id the tablet made when it submitted (kept in the attempt's record), whether or not it was sent
    already; its body too when it still waits."""
    upload_id = wait_for_promise(page, SUBMITTED, arg=record)[0]
    f.uploads.setdefault(upload_id, None)
    return upload_id


def online_attempt(tablet: Tablet, f: Field, who: str, *, partial=False, reload=False, restart=False,
                   read=False, clock_hours=0.0, back_mid_attempt=False, shared: dict | None = None):
    """An attempt started online, carried on offline, submitted offline (or through the server when the network
    came back before "Finish"). With `shared`, the attempt is also taken on another tablet (join_attempt)."""
    page = tablet.page
    if read:
        make_available_offline(page, f)
        yield
    attempt_id = start_attempt(page, f)
    key = _key(f.site, attempt_id)
    typed = _half(key) if partial else key
    first, rest = dict(list(typed.items())[:1]), dict(list(typed.items())[1:])
    answer_all(page, first)  # one answer saved online
    expect(page.locator("#save-state")).to_have_attribute("data-state", "saved", timeout=10_000)
    expected = Expected(who, "attempt", typed, "accepted", attempt=attempt_id, tablet=tablet.name, online=first,
                        race=shared is not None)
    f.work.append(expected)
    if shared is not None:
        shared.update(attempt=attempt_id, online=first)
    yield
    tablet.set_online(False)
    yield
    if read:
        read_and_mark_done(page, f, 2)
        page.goto(f.url(f"/quiz/attempts/{attempt_id}"))  # from the worker's copy
        expected.suspicious.add("resumed")
        yield
    answer_all(page, rest)
    wait_for_record(page, f"attempt:{attempt_id}", len(typed))
    yield
    if reload:
        page.reload()
        expected.suspicious.add("resumed")
        expect(page.locator("#quiz-form")).to_be_visible()
        yield
    if restart or clock_hours:
        if clock_hours:  # moved while the tablet is off
            expected.suspicious.add("clock_moved")
            if clock_hours > 0:  # its elapsed time jumps past the limit: too late
                expected.status, expected.reason = "refused", "after_limit"
        page = tablet.restart(clock_hours or None)
        page.goto(f.url(f"/quiz/attempts/{attempt_id}"))
        expected.suspicious.add("resumed")
        if expected.reason != "after_limit":
            expect(page.locator("#quiz-form")).to_be_visible()
        yield
    if back_mid_attempt:
        network_returns(tablet)
        expect(page.locator("#save-state")).to_have_attribute("data-state", "saved", timeout=15_000)
        yield
    if expected.reason == "after_limit":  # the reopened page knows the time is up: it submitted by itself
        try:
            expect(page.locator("#offline-state")).to_be_visible(timeout=15_000)
        except AssertionError:
            print("DIAGNOSIS", page.evaluate("""async (name) => ({online: navigator.onLine,
              timer: document.querySelector(".timer-value").textContent, now: Date.now(),
              left: typeof window.lmsQuiz.atMostLeft, record: await window.lmsOffline.get("chains", name)})""",
                                              f"attempt:{attempt_id}"))
            raise
    else:
        finish_attempt(page, f)
    if page.locator("#offline-state").count():
        expected.upload_id = submitted_upload(page, f, f"attempt:{attempt_id}")
        if not tablet.online:
            keep_outbox(tablet, f)
    else:  # submitted through the server: no upload at all
        expected.suspicious = set()
        expected.finished_by = "learner"
    yield


def join_attempt(tablet: Tablet, f: Field, who: str, shared: dict, *, partial=False):
    """The same attempt opened on a second tablet (once the first has started it), answered and submitted offline
    there too: the first upload to arrive wins, the other is refused and never merged."""
    while "attempt" not in shared:
        yield
    attempt_id = shared["attempt"]
    page = tablet.page
    page.goto(f.url(f"/quiz/attempts/{attempt_id}"))
    wait_for_record(page, f"attempt:{attempt_id}", 0)
    key = _key(f.site, attempt_id)
    typed = _half(key) if partial else key
    expected = Expected(who, "attempt", typed, "accepted", attempt=attempt_id, tablet=tablet.name,
                        online=shared["online"], race=True)
    f.work.append(expected)
    yield
    tablet.set_online(False)
    yield
    answer_all(page, typed)
    wait_for_record(page, f"attempt:{attempt_id}", len(typed))
    yield
    finish_attempt(page, f)
    expect(page.locator("#offline-state")).to_be_visible()
    expected.upload_id = submitted_upload(page, f, f"attempt:{attempt_id}")
    keep_outbox(tablet, f)
    yield


def exam_seat(tablet: Tablet, f: Field, who: str, *, partial=False, restart=False, tamper=False,
              back_mid_exam=False, race=False):
    """An offline exam: downloaded online, opened with the code and answered offline, submitted (the network may
    have come back meanwhile: the exam page works the same)."""
    page = tablet.page
    seat_id = f.seat_of[who]
    key = _seat_key(f.site, seat_id)
    typed = _half(key) if partial else key
    open_exam(page, f, seat_id)
    mine = Expected(who, "seat", typed, "accepted", seat=seat_id, tablet=tablet.name, race=race)
    f.work.append(mine)
    yield
    tablet.set_online(False)
    yield
    unlock_exam(page, f)
    answer_all(page, typed)
    wait_for_record(page, f"seat:{seat_id}", len(typed))
    yield
    if back_mid_exam:
        network_returns(tablet)
        yield
    if restart:
        page = tablet.restart()
        page.goto(f.url(f"/offline/exams/{seat_id}/take"))
        expect(page.locator("#exam-questions")).to_be_visible(timeout=15_000)
        mine.suspicious.add("resumed")
        yield
    submit_exam(page, f)
    mine.upload_id = submitted_upload(page, f, f"seat:{seat_id}")
    if tamper:  # someone changes an answer in the outbox before it is sent: the chain no longer verifies
        assert not tablet.online
        page.evaluate("""async (id) => {
          const store = window.lmsOffline;
          const item = await store.get("outbox", id);
          const events = item.body.events.map((text) => JSON.parse(text));
          const answer = events.find((event) => event.k === "answer");
          answer.a = typeof answer.a === "string" ? answer.a + "!" : "tampered";
          item.body.events = events.map((event) => JSON.stringify(event));
          await store.put("outbox", item);
        }""", mine.upload_id)
        mine.status, mine.reason = "refused", "chain_invalid"
    if not tablet.online:
        keep_outbox(tablet, f)
    yield


def interleave(rng: random.Random, pieces: list) -> None:
    """Runs the pieces' steps in a seeded random order (each piece's own steps stay in their order)."""
    live = list(pieces)
    while live:
        piece = rng.choice(live)
        try:
            next(piece)
        except StopIteration:
            live.remove(piece)


def networks_return(rng: random.Random, tablets: list[Tablet]) -> list[str]:
    """The network comes back on each tablet, in a random order, at random moments."""
    order = list(tablets)
    rng.shuffle(order)
    for tablet in order:
        time.sleep(rng.uniform(0, 0.5))
        network_returns(tablet)
    return [t.name for t in order]


def all_at_once(tablets: list[Tablet]) -> None:
    """The network returns on these tablets at the same moment: their uploads reach the server together."""
    for tablet in tablets:
        tablet.set_online(True)  # each page's "online" event sends its outbox at once
    for tablet in tablets:
        network_returns(tablet)


def round_of(f: Field, tablets: list[Tablet], people: list[tuple[Tablet, str]], pieces, together=False) -> None:
    """People sign in (online), work (the pieces, interleaved), the network returns, they sign out."""
    for tablet in tablets:
        tablet.set_online(True)
    for tablet, who in people:
        sign_in(tablet, f.site, who)
    before = len(f.work)
    interleave(f.rng, pieces)
    for expected in f.work[before:]:  # what the server holds of each attempt before the uploads arrive
        if expected.attempt:
            expected.held = held_answers(f.site, expected.attempt)
    if together:
        all_at_once([t for t, _ in people])
        print("  the network returns on", [t.name for t, _ in people], "at the same moment")
    else:
        print("  the network returns on", networks_return(f.rng, [t for t, _ in people]))
    for expected in f.work[before:]:
        if expected.upload_id:
            shows_verdict(next(t for t in tablets if t.name == expected.tablet), f.site, expected)


def held_answers(site: LiveSite, attempt_id: int) -> dict:
    """The answers the server holds for an attempt: {question id: (response, sequence number)}."""
    with site.app.app_context():
        return {q.question_id: (q.response, q.seq) for q in db.session.scalars(
            sa.select(AttemptQuestion).where(AttemptQuestion.attempt_id == attempt_id))
            if q.response not in (None, "", [], {})}


VERDICT = """async (id) => { const kept = await window.lmsOffline.get("results", id);
  return kept && kept.verdict ? [kept.verdict] : null; }"""


def shows_verdict(tablet: Tablet, site: LiveSite, expected: Expected) -> None:
    """The person at the tablet sees what the server said of their upload: received, or refused and why."""
    page = tablet.page
    verdict = wait_for_promise(page, VERDICT, arg=expected.upload_id)[0]
    assert verdict["upload_id"] == expected.upload_id
    if verdict["status"] == "refused":
        assert verdict["message"] == reason_text(site, verdict["reason"])
        panel = page.locator("#offline-state" if expected.kind == "attempt" else "#exam-done-text")
        expect(panel).to_contain_text(verdict["message"])
    else:
        link = page.locator("#offline-state a" if expected.kind == "attempt" else "#exam-result")
        expect(link).to_have_attribute("href", verdict["result_url"])


# -- the checks ----------------------------------------------------------------------------------------------------

def reason_text(site: LiveSite, code: str) -> str:
    with site.app.test_request_context(), force_locale("ar"):
        return str(REASONS.get(code) or SUSPICIONS[code])


def test_three_tablets_ten_staff_and_the_network_coming_and_going(browser: Browser, live_site: LiveSite,
                                                                  tmp_path):
    print(f"\nchaos seed: {SEED} (CHAOS_SEED={SEED} replays this run)")
    rng = random.Random(SEED)
    began = time.monotonic()
    slug = live_site.course_slugs[0]
    _set_quiz(live_site, slug, time_limit_minutes=20, attempts=0)
    seats, code = _seed_staff(live_site, slug)
    f = Field(live_site, rng, slug, seats, code)
    tablets = [Tablet(name, browser.new_context(viewport=TABLET, service_workers="allow")) for name in "AB"]
    launch = partial(browser.browser_type.launch_persistent_context, tmp_path / "tablet-c",
                     executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, env=_real_clock_env(), viewport=TABLET,
                     service_workers="allow")
    tablets.append(Tablet("C", launch(), launch=launch))  # its restarts are real ones
    tablets[2].context.clock.install(time=time.time())  # tablet C's clock is moved later on
    tablets[2].clock_offset = 0
    for tablet in tablets:
        tablet.open_page()
    a, b, c = tablets

    print("round 1: a course read offline, an attempt reloaded, an exam after a restart, a clock moved back,"
          " the answer to an upload lost")
    lost = lose_first_answer(a)
    round_of(f, tablets, [(a, "staff01"), (b, "staff02"), (c, "staff03")], [
        online_attempt(a, f, "staff01", read=True, reload=True),
        exam_seat(b, f, "staff02", restart=True),
        online_attempt(c, f, "staff03", clock_hours=-3)])
    assert lost == [200], lost  # tablet A's upload was judged once, its answer lost, then sent again
    a.context.unroute("**/offline/api/uploads")
    replayed = next(e for e in f.work if e.user == "staff01")
    replays = [a.page.evaluate(REPLAY, f.uploads[replayed.upload_id]) for _ in range(2)]  # the same upload twice
    forged = a.page.evaluate(REPLAY, {**f.uploads[replayed.upload_id], "submitted": False})  # its id, another body
    assert forged["status"] == 409, forged
    for tablet in tablets:
        sign_out(tablet, live_site)

    print("round 2: one exam seat on two tablets (sent at the same moment), a clock moved forward past the limit")
    round_of(f, tablets, [(a, "staff04"), (b, "staff04"), (c, "staff05")], [
        exam_seat(a, f, "staff04", race=True),
        exam_seat(b, f, "staff04", partial=True, race=True),
        online_attempt(c, f, "staff05", clock_hours=48)], together=True)
    for tablet in tablets:
        sign_out(tablet, live_site)
    c.move_clock(0)  # tablet C's clock is put right

    back = {who: rng.random() < 0.5 for who in ("staff06", "staff07", "staff10")}
    print("round 3: the network back mid-attempt (or not), a plain exam, a failed attempt after a restart;",
          "the network back before the end for", [who for who, early in back.items() if early])
    round_of(f, tablets, [(a, "staff06"), (b, "staff07"), (c, "staff08")], [
        online_attempt(a, f, "staff06", read=True, back_mid_attempt=back["staff06"]),
        exam_seat(b, f, "staff07", back_mid_exam=back["staff07"]),
        online_attempt(c, f, "staff08", partial=True, restart=True)])
    for tablet in tablets:
        sign_out(tablet, live_site)

    print("round 4: an upload tampered with in the outbox, an attempt whose network returns (or not)")
    round_of(f, tablets, [(a, "staff09"), (b, "staff10")], [
        exam_seat(a, f, "staff09", tamper=True),
        online_attempt(b, f, "staff10", back_mid_attempt=back["staff10"])])
    for tablet in (a, b):
        sign_out(tablet, live_site)

    print("round 5: one attempt started online, taken on two tablets, sent by both at the same moment")
    shared: dict = {}
    first, second = rng.sample([a, b], 2)  # not C: see the note on offline persistent contexts
    round_of(f, tablets, [(first, "staff03"), (second, "staff03")], [
        online_attempt(first, f, "staff03", shared=shared),
        join_attempt(second, f, "staff03", shared, partial=True)], together=True)
    for tablet in (first, second):
        sign_out(tablet, live_site)
    print(f"the field work took {time.monotonic() - began:.1f} s")

    attempts = _check_database(live_site, f, replays)
    _check_hr_page(a, live_site, f)
    _check_results(browser, live_site, attempts)
    for tablet in tablets:
        tablet.context.close()
    print(f"took {time.monotonic() - began:.1f} s")


def _check_database(site: LiveSite, f: Field, replays: list) -> dict[str, list[tuple[int, bool]]]:
    """Exactly the uploads, attempts and answers made, none twice; returns each learner's finished attempts."""
    with site.app.app_context():
        users = {u.username: u.id for u in db.session.scalars(sa.select(User))}
        rows = db.session.scalars(sa.select(OfflineUpload).order_by(OfflineUpload.id)).all()
        by_id = {row.upload_id: row for row in rows}
        assert len(by_id) == len(rows) == len(f.uploads), (sorted(by_id), sorted(f.uploads))
        assert set(by_id) == set(f.uploads)

        races: dict = {}
        for expected in f.work:
            if expected.race:
                races.setdefault((expected.kind, expected.seat or expected.attempt), []).append(expected)
        for (kind, target), race in races.items():
            assert len(race) == 2
            first = min(race, key=lambda e: by_id[e.upload_id].id)  # the first upload to arrive wins
            for expected in race:
                if expected is not first:
                    expected.status, expected.reason, expected.loser = "refused", "already_received", True
            print(f"  {kind} {target}, taken on two tablets, went to tablet {first.tablet}")

        attempts_of = {name: set() for name in STAFF}
        for expected in f.work:
            row = by_id.get(expected.upload_id) if expected.upload_id else None
            if row is not None:
                assert (row.status, row.reason) == (expected.status, expected.reason), (expected, row.detail)
                assert set(row.suspicious or []) == expected.suspicious, (expected, row.suspicious)
                assert row.user_id == users[expected.user]
            attempt_id = expected.attempt or (row.result_attempt_id if row is not None else None)
            if expected.status == "accepted":
                assert attempt_id is not None
            if attempt_id is not None:
                attempts_of[expected.user].add(attempt_id)
            if attempt_id is None or expected.loser:  # the winner's upload says what the attempt holds
                continue
            attempt = db.session.get(QuizAttempt, attempt_id)
            assert attempt.user_id == users[expected.user]
            questions = db.session.scalars(sa.select(AttemptQuestion)
                                           .where(AttemptQuestion.attempt_id == attempt_id)).all()
            assert len({q.question_id for q in questions}) == len(questions)  # no question twice
            answered = {q.question_id: q for q in questions if q.response not in (None, "", [], {})}
            if expected.status == "accepted":
                assert attempt.finished_at is not None, expected
                assert attempt.finished_by == expected.finished_by, expected
                assert set(answered) == set(expected.typed), (expected, answered)
                assert all(q.fraction == 1 for q in answered.values()), expected  # each answer as typed (right)
                assert (attempt.score >= 99.9) == (len(expected.typed) == len(questions)), expected
            else:  # refused: the attempt stays as the server had it before the upload came
                assert attempt.finished_at is None, expected
                assert {q: (row.response, row.seq) for q, row in answered.items()} == expected.held, expected
                assert set(expected.online) <= set(answered), expected
        counts = dict(db.session.execute(sa.select(User.username, sa.func.count(QuizAttempt.id))
                                         .join(QuizAttempt, QuizAttempt.user_id == User.id)
                                         .group_by(User.username)).all())
        assert {name: counts.get(name, 0) for name in STAFF} == {n: len(ids) for n, ids in attempts_of.items()}

        replayed = next(e for e in f.work if e.user == "staff01")
        assert replays[0] == replays[1]
        assert replays[0]["status"] == 200 and replays[0]["verdict"]["upload_id"] == replayed.upload_id
        assert replays[0]["verdict"]["status"] == "accepted"

        done = dict(db.session.execute(sa.select(User.username, sa.func.count(ModuleCompletion.id))
                                       .join(ModuleCompletion, ModuleCompletion.user_id == User.id)
                                       .group_by(User.username)).all())
        for name in ("staff01", "staff06"):  # module 2, marked as done offline
            module = db.session.scalar(sa.select(Module).join(Course).where(Course.slug == f.slug,
                                                                             Module.position == 2))
            assert db.session.scalar(sa.select(ModuleCompletion).where(
                ModuleCompletion.user_id == users[name], ModuleCompletion.module_id == module.id)), name
        assert done == {"staff01": 1, "staff06": 1}, done  # the marks made offline, each once

        finished = {}
        for attempt in db.session.scalars(sa.select(QuizAttempt).where(QuizAttempt.finished_at.is_not(None))):
            name = next(n for n, i in users.items() if i == attempt.user_id)
            finished.setdefault(name, []).append((attempt.id, bool(attempt.is_passed)))
        return finished


def _check_hr_page(tablet: Tablet, site: LiveSite, f: Field) -> None:
    """HR sees every refused upload with its reason, and every suspicious one with what looked wrong."""
    tablet.set_online(True)
    sign_in(tablet, site, "hr-chaos")
    page = tablet.page
    page.goto(f"{site.url}/offline/uploads")
    flagged = [e for e in f.work if e.upload_id and (e.status == "refused" or e.suspicious)]
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(len(flagged))
    for expected in flagged:
        row = rows.filter(has_text=NUMBER[expected.user])
        for code in ([expected.reason] if expected.reason else []) + sorted(expected.suspicious):
            expect(row.filter(has_text=reason_text(site, code)).first).to_be_visible()
    sign_out(tablet, site)


def _check_results(browser: Browser, site: LiveSite, finished: dict) -> None:
    """Each learner signs in and sees each result."""
    context = browser.new_context(viewport=TABLET)
    page = context.new_page()
    for name in STAFF:
        if name not in finished:
            continue
        page.goto(f"{site.url}/login")
        page.get_by_label(site.text("ar", "Username or employee number"), exact=True).fill(name)
        page.get_by_label(site.text("ar", "Password"), exact=True).fill(PASSWORD)
        page.get_by_role("button", name=site.text("ar", "Sign in"), exact=True).click()
        expect(page).to_have_url(f"{site.url}/")
        for attempt_id, passed in finished[name]:
            page.goto(f"{site.url}/quiz/attempts/{attempt_id}/result")
            expect(page.locator(".result")).to_have_class(re.compile("is-passed" if passed else "is-failed"))
        context.clear_cookies()
    context.close()


def test_an_attempt_page_reloaded_offline_shows_the_time_really_left(browser: Browser, live_site: LiveSite):
    """Found by the chaos test: the worker serves the attempt page as it was last loaded online, with the time left
    then; the timer must count from the attempt's elapsed time on the device, not start again from that."""
    from tests.browser.test_quiz import _seconds

    slug = live_site.course_slugs[0]
    _set_quiz(live_site, slug, time_limit_minutes=20, attempts=0)
    _seed_staff(live_site, slug)
    tablet = Tablet("A", browser.new_context(viewport=TABLET, service_workers="allow"))
    tablet.open_page()
    f = Field(live_site, random.Random(SEED), slug, {}, "")
    page = sign_in(tablet, live_site, "staff01")
    attempt_id = start_attempt(page, f)
    tablet.set_online(False)
    time.sleep(6)
    page.reload()  # from the worker's copy, made when the attempt began
    expect(page.locator("#quiz-form")).to_be_visible()
    elapsed = wait_for_promise(page, """async (name) => { const r = await window.lmsOffline.get("chains", name);
      return r && r.events.some((text) => JSON.parse(text).k === "resume") ? [r.t] : null; }""",
                               arg=f"attempt:{attempt_id}")[0]
    assert elapsed >= 6000
    page.wait_for_timeout(1500)
    assert _seconds(page) <= 20 * 60 - 6, (_seconds(page), elapsed)
    tablet.context.close()
