"""A timed quiz in real Chromium: answers autosave, a reload keeps them and the clock, then pass and fail."""
import json
import re
import time

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from lms.courses.models import Course
from lms.extensions import db
from lms.quizzes import attempts
from tests.browser.conftest import LiveSite
from tests.browser.test_journey import VIEWPORTS, Auditor, new_page, sign_in  # noqa: F401 (new_page: a fixture)
from tests.quizzes.conftest import right_answers

pytestmark = [pytest.mark.browser, pytest.mark.no_db]
TIME_LIMIT_MINUTES = 20


def _set_quiz(site: LiveSite, slug: str, **settings) -> None:
    with site.app.app_context():
        course = db.session.scalar(sa.select(Course).where(Course.slug == slug))
        course.quiz_settings = {**course.quiz_settings, **settings}
        db.session.commit()


def _key(site: LiveSite, attempt_id: int) -> dict:
    """The right answers of the attempt (read from the database: the page must never hold them)."""
    with site.app.app_context():
        return {int(k): v for k, v in right_answers(attempts.attempt_questions(attempt_id)).items()}


def _answer(page: Page, question_id: int, value) -> None:
    fieldset = page.locator(f"fieldset[data-question='{question_id}']")
    kind = fieldset.get_attribute("data-kind")
    if kind in ("single", "truefalse"):
        fieldset.locator(f"input[value='{value}']").check()
    elif kind == "multiple":
        for option in value:
            fieldset.locator(f"input[value='{option}']").check()
    elif kind == "matching":
        for item, choice in value.items():
            fieldset.locator(f"select[name='q-{question_id}-{item}']").select_option(choice)
    else:
        text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
        fieldset.locator("input[type=text]").fill(text)


def _enrolled(page: Page, site: LiveSite, viewport: str, tmp_path) -> str:
    """Signed in as the auditing learner, enrolled in the first course: its slug."""
    slug = site.course_slugs[0]
    sign_in(page, site, Auditor(viewport, tmp_path))
    page.goto(f"{site.url}/courses/{slug}")
    page.locator("form[action$='/enrollment']").get_by_role("button").click()
    return slug


def _start(page: Page, site: LiveSite, slug: str) -> int:
    """The quiz started (or the open attempt resumed) from its page, the attempt page loaded: its id."""
    page.goto(f"{site.url}/courses/{slug}/quiz")
    page.locator("form[action$='/quiz/attempts']").get_by_role("button").click()
    page.wait_for_url("**/quiz/attempts/*")
    page.wait_for_load_state("load")
    return int(page.url.rsplit("/", 1)[1])


def _seconds(page: Page) -> int:
    text = page.locator(".timer-value").inner_text().translate(str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789"))
    minutes, seconds = text.split(":")
    return int(minutes) * 60 + int(seconds)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_timed_quiz_survives_a_reload_then_passes_and_fails(new_page, live_site: LiveSite, viewport,  # noqa: F811
                                                              tmp_path):
    slug = live_site.course_slugs[0]
    _set_quiz(live_site, slug, time_limit_minutes=TIME_LIMIT_MINUTES, attempts=0)
    audit = Auditor(viewport, tmp_path)
    page = new_page(VIEWPORTS[viewport])
    sign_in(page, live_site, audit)

    page.goto(f"{live_site.url}/courses/{slug}")
    page.locator("form[action$='/enrollment']").get_by_role("button").click()
    page.goto(f"{live_site.url}/courses/{slug}/quiz")
    audit.check(page)
    page.locator("form[action$='/quiz/attempts']").get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/quiz/attempts/\d+$"))
    attempt_id = int(page.url.rsplit("/", 1)[1])
    audit.check(page)
    key = _key(live_site, attempt_id)

    # Answer half of the questions; each is saved by the page's script as it is given.
    half = dict(list(key.items())[: len(key) // 2])
    for question_id, value in half.items():
        _answer(page, question_id, value)
    expect(page.locator("#save-state")).to_have_attribute("data-state", "saved", timeout=10_000)
    for question_id in half:
        expect(page.locator(f"[data-nav='{question_id}']")).to_have_class(re.compile("is-answered"))
    before = _seconds(page)
    assert TIME_LIMIT_MINUTES * 60 - 120 < before <= TIME_LIMIT_MINUTES * 60

    page.reload()  # as after closing the tab or losing the connection
    for question_id, value in half.items():
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
    after = _seconds(page)
    assert before - 60 < after <= before  # the server's clock went on; it did not start again

    for question_id, value in key.items():
        if question_id not in half:
            _answer(page, question_id, value)
    expect(page.locator("#save-state")).to_have_attribute("data-state", "saved", timeout=10_000)
    page.locator("button[name=go][value=finish]").click()
    expect(page).to_have_url(re.compile(r"/submit$"))
    audit.check(page)
    page.locator(f"form[action$='/quiz/attempts/{attempt_id}/submit']").get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/result$"))
    expect(page.locator(".result")).to_have_class(re.compile("is-passed"))
    audit.check(page)

    # A second attempt left empty fails, and the quiz keeps the highest grade.
    page.goto(f"{live_site.url}/courses/{slug}/quiz")
    page.locator("form[action$='/quiz/attempts']").get_by_role("button").click()
    page.locator("button[name=go][value=finish]").click()
    page.locator("form[action$='/submit']").get_by_role("button").click()
    expect(page.locator(".result")).to_have_class(re.compile("is-failed"))
    page.goto(f"{live_site.url}/courses/{slug}/quiz")
    expect(page.locator(".badge.done")).to_have_count(1)
    audit.check(page)

    if audit.problems:
        pytest.fail("\n".join([*audit.problems, f"screenshots: {tmp_path}"]), pytrace=False)


def test_each_shipped_quiz_can_be_passed_and_failed_in_the_browser(new_page, live_site: LiveSite,  # noqa: F811
                                                                  tmp_path):
    audit = Auditor("desktop", tmp_path)
    page = new_page(VIEWPORTS["desktop"])
    sign_in(page, live_site, audit)
    assert len(live_site.course_slugs) == 3
    for slug in live_site.course_slugs:
        page.goto(f"{live_site.url}/courses/{slug}")
        page.locator("form[action$='/enrollment']").get_by_role("button").click()
        for answer_right in (True, False):
            page.goto(f"{live_site.url}/courses/{slug}/quiz")
            page.locator("form[action$='/quiz/attempts']").get_by_role("button").click()
            attempt_id = int(page.url.rsplit("/", 1)[1])
            if answer_right:
                for question_id, value in _key(live_site, attempt_id).items():
                    _answer(page, question_id, value)
            page.locator("button[name=go][value=finish]").click()  # the form saves what is on the page
            page.locator(f"form[action$='/quiz/attempts/{attempt_id}/submit']").get_by_role("button").click()
            expect(page.locator(".result")).to_have_class(re.compile("is-passed" if answer_right else "is-failed"))
        audit.check(page)
    if audit.problems:
        pytest.fail("\n".join([*audit.problems, f"screenshots: {tmp_path}"]), pytrace=False)


def test_autosave_waits_out_a_busy_server_then_saves_the_latest_answer(new_page, live_site: LiveSite,  # noqa: F811
                                                                      tmp_path):
    page = new_page(VIEWPORTS["desktop"])
    slug = _enrolled(page, live_site, "desktop", tmp_path)
    sent, busy = [], [True]

    def busy_until_seen(route):  # saves find the database locked, as under a burst of writers, until the page says so
        sent.append((time.monotonic(), route.request.post_data_json))
        if busy[0]:
            route.fulfill(status=503, headers={"Retry-After": "3"}, content_type="application/json",
                          body=json.dumps({"error": {"code": "busy", "message": "busy"}}))
        else:
            route.continue_()

    # Routed before the attempt page opens: a route added while a navigation commits was seen to miss the first save.
    page.context.route("**/answers", busy_until_seen)
    attempt_id = _start(page, live_site, slug)
    question = page.locator("fieldset[data-kind=single], fieldset[data-kind=truefalse]").first
    question_id = int(question.get_attribute("data-question"))
    radios = question.locator("input[type=radio]")
    # The attempt may be one an earlier test left open: start from an option not chosen yet, so that it is a change.
    unchosen_first = sorted(range(radios.count()), key=lambda n: radios.nth(n).is_checked())
    first, second = radios.nth(unchosen_first[0]), radios.nth(unchosen_first[1])
    first.check()
    expect(page.locator("#save-state")).to_have_attribute("data-state", "failed")  # not saved yet, in red
    expect(page.locator("#save-text")).to_contain_text(live_site.text("ar", "The server is busy: your answers will "
                                                                            "be saved in a moment."))
    busy[0] = False
    second.check()  # changed while the first save waits: only the newer answer goes
    expect(page.locator("#save-state")).to_have_attribute("data-state", "saved", timeout=15_000)
    refused_at = sent[0][0]
    retried_at = next(at for at, _body in sent[1:])
    assert retried_at - refused_at >= 2.9  # Retry-After was honoured
    assert sent[-1][1]["seq"] > sent[0][1]["seq"]
    assert sent[-1][1]["answers"] == {str(question_id): second.get_attribute("value")}
    with live_site.app.app_context():
        saved = {q.id: aq.response for aq, q in attempts.attempt_questions(attempt_id)}
    assert saved[question_id] == second.get_attribute("value")


def test_an_older_tab_does_not_overwrite_an_answer_saved_from_another(new_page, live_site: LiveSite,  # noqa: F811
                                                                      tmp_path):
    first = new_page(VIEWPORTS["desktop"])
    attempt_id = _start(first, live_site, _enrolled(first, live_site, "desktop", tmp_path))
    attempt_url = first.url
    second = first.context.new_page()  # the same learner's other tab, opened before the first one saves
    second.goto(attempt_url)
    questions = first.locator("fieldset[data-kind=single], fieldset[data-kind=truefalse]")
    question, other = (int(questions.nth(n).get_attribute("data-question")) for n in (0, 1))

    first.locator(f"fieldset[data-question='{question}'] input[type=radio]").nth(0).check()
    expect(first.locator("#save-state")).to_have_attribute("data-state", "saved")
    second.locator(f"fieldset[data-question='{question}'] input[type=radio]").nth(1).check()  # older page
    expect(second.locator(f"#q-{question}-live-error")).to_have_text(
        live_site.text("ar", "A newer answer to this question was saved from another window: reload the page to "
                             "see it."))
    second.locator(f"fieldset[data-question='{other}'] input[type=radio]").nth(1).check()  # numbered after it now
    expect(second.locator("#save-state")).to_have_attribute("data-state", "saved")
    with live_site.app.app_context():
        saved = {q.id: aq.response for aq, q in attempts.attempt_questions(attempt_id)}
    first_value = first.locator(f"fieldset[data-question='{question}'] input[type=radio]").nth(0).get_attribute("value")
    other_value = second.locator(f"fieldset[data-question='{other}'] input[type=radio]").nth(1).get_attribute("value")
    assert saved[question] == first_value and saved[other] == other_value


def test_an_answer_given_before_the_script_ran_is_saved_when_it_runs(new_page, live_site: LiveSite,  # noqa: F811
                                                                     tmp_path):
    page = new_page(VIEWPORTS["phone"])
    slug = _enrolled(page, live_site, "phone", tmp_path)
    page.route("**/js/quiz.js*", lambda route: route.abort())  # a slow phone: the page answerable, its script not yet
    attempt_id = _start(page, live_site, slug)
    question = page.locator("fieldset[data-kind=single], fieldset[data-kind=truefalse]").first
    question_id = int(question.get_attribute("data-question"))
    radios = question.locator("input[type=radio]")
    chosen = radios.nth(next(n for n in range(radios.count()) if not radios.nth(n).is_checked()))
    chosen.check()
    untouched = {int(fieldset.get_attribute("data-question"))
                 for fieldset in page.locator("fieldset[data-question]").all()} - {question_id}
    with live_site.app.app_context():
        before = {q.id: aq.response for aq, q in attempts.attempt_questions(attempt_id)}

    page.unroute("**/js/quiz.js*")
    page.add_script_tag(url=page.locator("script[src*='js/quiz.js']").get_attribute("src"))
    expect(page.locator("#save-state")).to_have_attribute("data-state", "saved", timeout=15_000)
    with live_site.app.app_context():
        after = {q.id: aq.response for aq, q in attempts.attempt_questions(attempt_id)}
    assert after[question_id] == chosen.get_attribute("value")
    assert {q: after[q] for q in untouched} == {q: before[q] for q in untouched}  # only what was given is sent


def test_the_last_minutes_and_the_end_of_time_are_seen_as_well_as_heard(new_page, live_site: LiveSite,  # noqa: F811
                                                                         tmp_path):
    # "Five minutes left" went only to a screen reader (a visually hidden line): a clerk who cannot hear it, or
    # does not use one, saw nothing until the digits turned red; "time is up" was cut by the page leaving at once.
    _set_quiz(live_site, live_site.course_slugs[0], time_limit_minutes=6, attempts=0)
    page = new_page(VIEWPORTS["phone"])
    page.clock.install()
    slug = _enrolled(page, live_site, "phone", tmp_path)
    _start(page, live_site, slug)
    note = page.locator("#timer-announce")
    expect(note).to_be_hidden()
    page.clock.run_for(62_000)  # about five minutes left
    expect(note).to_have_text(live_site.text("ar", "Five minutes left."))
    assert note.bounding_box()["height"] > 12  # a line one reads, not a visually hidden pixel
    page.clock.run_for(294_000)
    time_up = live_site.text("ar", "Time is up: submitting your answers.")
    for _ in range(6):  # a second at a time up to the end: said and seen before the answers go
        page.clock.run_for(1_000)
        if note.inner_text() == time_up:
            break
    expect(note).to_have_text(time_up)
    assert note.bounding_box()["height"] > 12
    page.clock.run_for(2_000)
    expect(page).to_have_url(re.compile(r"/quiz/attempts/\d+/result$|/quiz$"), timeout=15_000)
