"""Quizzes without a network, in real Chromium: an online-started timed attempt carried on offline (reload
included) and submitted offline, then judged once when the network returns; an offline exam downloaded, opened
with the invigilator code, answered and submitted offline, then accepted and graded."""
import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import BrowserContext, Page, expect
from playwright.sync_api import Error as PlaywrightError

from lms.accounts.models import User
from lms.accounts.services import create_user
from lms.core.models import utcnow
from lms.courses.models import Course
from lms.extensions import db
from lms.offline import exams
from lms.offline.models import OfflineSeat, OfflineUpload
from lms.progress import services as progress
from lms.quizzes.models import AttemptQuestion, QuizAttempt
from tests.browser.conftest import LiveSite, wait_for_promise
from tests.browser.test_journey import VIEWPORTS, Auditor, new_page, sign_in  # noqa: F401 (new_page: a fixture)
from tests.browser.test_quiz import _answer, _key, _set_quiz
from tests.offline.conftest import seat_key_answers

pytestmark = [pytest.mark.browser, pytest.mark.no_db]


class FakeServiceWorker:
    """Until the service worker lands: what it does for these pages, a copy of each GET kept while online and
    served while offline (context.set_offline(True) cuts the network below the routes)."""

    def __init__(self, context: BrowserContext):
        self.kept: dict[str, tuple[int, dict, bytes]] = {}
        self.offline = False
        context.route("**/*", self._handle)

    def _handle(self, route):
        request = route.request
        if self.offline:
            if request.method == "GET" and request.url in self.kept:
                status, headers, body = self.kept[request.url]
                return route.fulfill(status=status, headers=headers, body=body)
            return route.abort("internetdisconnected")
        if request.method != "GET" or "/offline/api/" in request.url:  # the API is never kept, as the worker's
            return route.continue_()
        try:
            response = route.fetch()
            body = response.body()
        except PlaywrightError:  # the page or the server went away meanwhile (the test's end): nothing to keep
            return None
        if response.status == 200:
            self.kept[request.url] = (response.status, response.headers, body)
        return route.fulfill(response=response, body=body)


def go_offline(context: BrowserContext, worker: FakeServiceWorker, offline: bool) -> None:
    worker.offline = offline
    context.set_offline(offline)


def reload_offline(page: Page, worker: FakeServiceWorker) -> None:
    """A reload while the network is cut, served from the kept copies. Chromium's offline mode stops navigations
    before any route (a real service worker sits after it), so the network is cut by the routes alone for the
    reload, then by Chromium again."""
    assert worker.offline
    page.context.set_offline(False)
    page.reload()
    page.context.set_offline(True)


# sync.js sends the outbox (with the person's grant) and keeps each server answer in "results": what it sent.
SEND_OUTBOX = """async () => {
  const store = window.lmsOffline;
  const items = await store.outbox.list(document.body.getAttribute("data-user"));
  await store.sync.now();
  const sent = [];
  for (const item of items) {
    const kept = await store.get("results", item.id);
    sent.push({status: kept ? kept.http_status : null, body: item.body, verdict: kept ? kept.verdict : null});
  }
  return sent;
}"""

REPLAY = """async (body) => {
  const store = window.lmsOffline;
  const token = await store.device.grant(document.body.getAttribute("data-user"));
  const response = await fetch("/offline/api/uploads", {method: "POST", body: JSON.stringify(body),
    headers: {"Content-Type": "application/json", "Authorization": "Bearer " + token}});
  return {status: response.status, verdict: await response.json()};
}"""


def _start_attempt(page: Page, site: LiveSite, slug: str) -> int:
    page.goto(f"{site.url}/courses/{slug}")
    page.locator("form[action$='/enrollment']").get_by_role("button").click()
    page.goto(f"{site.url}/courses/{slug}/quiz")
    page.locator("form[action$='/quiz/attempts']").get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/quiz/attempts/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def _wait_for_device(page: Page, record: str) -> None:
    """The page has its grant and has begun its chain record on this device."""
    wait_for_promise(page, """async (name) => {
      const store = window.lmsOffline;
      if (!store) return false;
      const grant = await store.get("meta", "grant:" + document.body.getAttribute("data-user"));
      const chain = await store.get("chains", name);
      return Boolean(grant && chain && chain.chain);
    }""", arg=record, timeout=10_000)


def _checked(page: Page, question_id: int, value) -> None:
    fieldset = page.locator(f"fieldset[data-question='{question_id}']")
    kind = fieldset.get_attribute("data-kind")
    if kind in ("single", "truefalse"):
        expect(fieldset.locator(f"input[value='{value}']")).to_be_checked()
    elif kind == "multiple":
        for option in value:
            expect(fieldset.locator(f"input[value='{option}']")).to_be_checked()
    elif kind == "matching":
        for item, choice in value.items():
            expect(fieldset.locator(f"select[name='q-{question_id}-{item}']")).to_have_value(choice)
    else:
        assert fieldset.locator("input[type=text]").input_value()


def test_an_online_started_attempt_is_answered_reloaded_and_submitted_offline(new_page, live_site: LiveSite,  # noqa: F811
                                                                              tmp_path):
    slug = live_site.course_slugs[0]
    _set_quiz(live_site, slug, time_limit_minutes=20, attempts=0)
    audit = Auditor("phone", tmp_path)
    page = new_page(VIEWPORTS["phone"])
    worker = FakeServiceWorker(page.context)
    page.on("dialog", lambda dialog: dialog.accept())
    page.on("pageerror", lambda error: print("PAGEERROR", error))
    page.on("console", lambda message: print("CONSOLE", message.text))
    sign_in(page, live_site, audit)
    attempt_id = _start_attempt(page, live_site, slug)
    page.goto(page.url)  # a GET of the page the stand-in keeps (the start's redirect bypasses the routes)
    _wait_for_device(page, f"attempt:{attempt_id}")
    key = _key(live_site, attempt_id)

    go_offline(page.context, worker, True)
    for question_id, value in key.items():
        _answer(page, question_id, value)
    on_device = live_site.text("ar", "Saved on this device; will be sent when the network returns.")
    expect(page.locator("#save-text")).to_contain_text(on_device, timeout=10_000)
    page.screenshot(path=str(tmp_path / "offline-saved.png"))

    reload_offline(page, worker)  # served by the (stand-in) service worker: the answers come back from this device
    for question_id, value in key.items():
        _checked(page, question_id, value)
    page.locator("button[name=go][value=finish]").click()
    submitted = live_site.text("ar", "Your quiz is submitted on this device; it will be sent when the network "
                                     "returns, and your result will show then.")
    expect(page.locator("#offline-state")).to_contain_text(submitted)
    audit.check(page)
    assert page.evaluate("() => window.lmsOffline.outbox.count()") == 1
    with live_site.app.app_context():
        assert db.session.get(QuizAttempt, attempt_id).finished_at is None  # nothing reached the server

    go_offline(page.context, worker, False)
    sent = page.evaluate(SEND_OUTBOX)
    assert [s["status"] for s in sent] == [200]
    verdict = sent[0]["verdict"]
    assert verdict["status"] == "accepted", verdict
    expect(page.locator("#offline-state a")).to_have_attribute("href", verdict["result_url"])
    body = sent[0]["body"]
    assert len(json.dumps(body, ensure_ascii=False).encode("utf-8")) < 5000

    def state():
        with live_site.app.app_context():
            attempt = db.session.get(QuizAttempt, attempt_id)
            answers = {row.question_id: row.response for row in db.session.scalars(
                sa.select(AttemptQuestion).where(AttemptQuestion.attempt_id == attempt_id))}
            count = db.session.scalar(sa.select(sa.func.count()).select_from(QuizAttempt))
            uploads = db.session.scalar(sa.select(sa.func.count()).select_from(OfflineUpload))
            return (attempt.status, attempt.finished_by, attempt.finished_at, attempt.score, count, uploads, answers)

    first = state()
    assert first[1] == "offline" and first[2] is not None and first[3] is not None
    assert first[4] == 1 and first[5] == 1
    assert first[3] >= 99.9  # every answer was right
    replay = page.evaluate(REPLAY, body)  # the same upload again: the same verdict, nothing done twice
    assert replay["status"] == 200 and replay["verdict"] == verdict
    assert state() == first
    page.goto(f"{live_site.url}{verdict['result_url']}")
    expect(page.locator(".result")).to_have_class(re.compile("is-passed"))
    if audit.problems:
        pytest.fail("\n".join([*audit.problems, f"screenshots: {tmp_path}"]), pytrace=False)


def _prepare_exam(site: LiveSite, slug: str) -> tuple[int, str, dict]:
    """An offline exam for the seeded learner, prepared by an administrator through H1's service."""
    with site.app.app_context():
        learner = db.session.scalar(sa.select(User).where(User.username == "learner"))
        learner.employee_number = "70001"
        admin = create_user({"username": "examiner", "role": "admin", "full_name_ar": "مسؤول",
                             "full_name_latin": "Examiner"}, "examiner password 42")
        course = db.session.scalar(sa.select(Course).where(Course.slug == slug))
        progress.enroll(learner.id, course)
        db.session.commit()
        today = utcnow().date()
        prepared = exams.prepare(admin, course, ["70001"], today - timedelta(days=1), today + timedelta(days=1),
                                 "ar")
        seat = db.session.scalar(sa.select(OfflineSeat).where(OfflineSeat.exam_id == prepared.exam.id))
        return seat.id, prepared.code, seat_key_answers(seat)


def test_an_offline_exam_is_downloaded_opened_with_the_code_and_submitted_offline(new_page,  # noqa: F811
                                                                                 live_site: LiveSite, tmp_path):
    slug = live_site.course_slugs[0]
    _set_quiz(live_site, slug, time_limit_minutes=20, attempts=0)
    seat_id, code, key = _prepare_exam(live_site, slug)
    audit = Auditor("phone", tmp_path)
    page = new_page(VIEWPORTS["phone"])
    worker = FakeServiceWorker(page.context)
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, live_site, audit)

    page.goto(f"{live_site.url}/offline/exams/{seat_id}/take")
    audit.check(page)
    page.get_by_role("button", name=live_site.text("ar", "Download to this device")).click()
    code_field = page.get_by_label(live_site.text("ar", "Invigilator code"), exact=True)
    expect(code_field).to_be_visible(timeout=10_000)

    go_offline(page.context, worker, True)
    reload_offline(page, worker)
    expect(code_field).to_be_visible()
    wrong = "ZZZZZ-ZZZZZ" if code != "ZZZZZZZZZZ" else "00000-00000"
    code_field.fill(wrong)
    page.get_by_role("button", name=live_site.text("ar", "Open the exam")).click()
    expect(page.locator("#code-error")).to_have_text(live_site.text(
        "ar", "This code does not open this exam. Check it with the invigilator and try again."), timeout=20_000)
    assert page.evaluate(f"() => window.lmsOffline.get('packages', {seat_id}).then(Boolean)")  # kept: no lock-out

    # The code as read out on the day: Arabic-Indic digits, grouped, lower case.
    typed = (code[:5] + " - " + code[5:]).lower().translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    code_field.fill(typed)
    page.get_by_role("button", name=live_site.text("ar", "Open the exam")).click()
    expect(page.locator("#exam-questions")).to_be_visible(timeout=20_000)
    audit.check(page)
    for question_id, value in key.items():
        _answer(page, question_id, value)
    wait_for_promise(page, """async ([name, count]) => {
      const record = await window.lmsOffline.get("chains", name);
      return Boolean(record) && record.events.filter((text) => JSON.parse(text).k === "answer").length >= count;
    }""", arg=[f"seat:{seat_id}", len(key)], timeout=10_000)  # each answer kept on the device before it closes
    reload_offline(page, worker)  # the tablet closed and reopened: the exam carries on, answers and time kept
    expect(page.locator("#exam-questions")).to_be_visible(timeout=10_000)
    # ... and the clerk is told what HR will see of it (it was flagged without a word to her).
    expect(page.locator("#exam-status")).to_contain_text(live_site.text(
        "ar", "The exam carries on where it stopped. That its page was closed and reopened is sent with the answers, "
              "for HR to see."))
    for question_id, value in key.items():
        _checked(page, question_id, value)
    page.get_by_role("button", name=live_site.text("ar", "Submit my answers")).click()
    expect(page.locator("#exam-done-text")).to_have_text(live_site.text(
        "ar", "Your exam is submitted on this device; it will be sent when the network returns, and your result "
              "will show then."))
    audit.check(page)

    go_offline(page.context, worker, False)
    sent = page.evaluate(SEND_OUTBOX)
    assert [s["status"] for s in sent] == [200]
    verdict = sent[0]["verdict"]
    assert verdict["status"] == "accepted", verdict
    assert verdict["suspicious"] == ["resumed"]
    expect(page.locator("#exam-result")).to_be_visible()
    expect(page.locator("#exam-done-text")).to_have_text(live_site.text("ar", "Your exam was received."))
    with live_site.app.app_context():
        attempt = db.session.get(QuizAttempt, verdict["attempt"])
        assert attempt.finished_by == "offline" and attempt.score is not None
        assert db.session.get(OfflineSeat, seat_id).received_upload_id is not None
    page.locator("#exam-result").click()
    expect(page.locator(".result")).to_have_class(re.compile("is-passed"))
    if audit.problems:
        pytest.fail("\n".join([*audit.problems, f"screenshots: {tmp_path}"]), pytrace=False)
