"""An ordering question in real Chromium on a phone, in Arabic: put in order with the keyboard alone, autosaved."""
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from lms.courses.models import Course
from lms.extensions import db
from lms.quizzes import attempts, bank
from tests.browser.conftest import LiveSite
from tests.browser.test_journey import VIEWPORTS, Auditor, new_page, sign_in  # noqa: F401 (new_page: a fixture)
from tests.quizzes.conftest import ordering_question

pytestmark = [pytest.mark.browser, pytest.mark.no_db]


def _ordering_only(site: LiveSite, slug: str) -> None:
    """The course's bank holds one ordering question (its other questions retired)."""
    with site.app.app_context():
        course = db.session.scalar(sa.select(Course).where(Course.slug == slug))
        bank._apply(course, [ordering_question()], retire_missing=True)
        db.session.commit()


def _start_ordering_attempt(page, site: LiveSite, slug: str) -> tuple[int, list[str]]:
    """Enrol, start the quiz: the attempt's id and its one ordering question's items in the right order."""
    page.goto(f"{site.url}/courses/{slug}")
    page.locator("form[action$='/enrollment']").get_by_role("button").click()
    page.goto(f"{site.url}/courses/{slug}/quiz")
    page.locator("form[action$='/quiz/attempts']").get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/quiz/attempts/\d+$"))
    attempt_id = int(page.url.rsplit("/", 1)[1])
    with site.app.app_context():
        ((_row, question),) = attempts.attempt_questions(attempt_id)
        return attempt_id, [a["id"] for a in question.data["answers"]]


def test_a_learner_orders_the_items_with_the_keyboard_alone(new_page, live_site: LiveSite, tmp_path):  # noqa: F811
    slug = live_site.course_slugs[0]
    _ordering_only(live_site, slug)
    audit = Auditor("phone", tmp_path)
    page = new_page(VIEWPORTS["phone"])
    sign_in(page, live_site, audit)
    attempt_id, right = _start_ordering_attempt(page, live_site, slug)
    box = page.locator("[data-reader=ordering]")
    expect(box.locator("[data-move]").first).to_be_visible()  # the script shows the buttons
    audit.check(page)

    def shown() -> list[str]:
        return [key for key in box.locator("select").evaluate_all("all => all.map(s => s.dataset.key)")]

    assert shown() != right
    # Place each item in turn: reach its position select with the keyboard, Tab to its "move up" button, and press
    # Enter until it is in its place (the button keeps the focus after each move).
    for place, item in enumerate(right):
        box.locator(f"select[data-key='{item}']").focus()
        page.keyboard.press("Tab")
        expect(page.locator(":focus")).to_have_attribute("data-move", "up")
        for _n in range(shown().index(item) - place):
            page.keyboard.press("Enter")
        assert shown().index(item) == place
    assert shown() == right
    positions = box.locator("select").evaluate_all("all => all.map(s => s.value)")
    assert positions == ["1", "2", "3", "4"]
    expect(box.locator("[data-announce]")).to_contain_text("٤")  # "…: position n of ٤", read out
    expect(page.locator("#save-state")).to_have_attribute("data-state", "saved", timeout=10_000)
    with live_site.app.app_context():
        assert attempts.attempt_questions(attempt_id)[0][0].response == right
    audit.check(page)

    page.reload()  # the saved order comes back, in the learner's order
    assert shown() == right
    page.locator("button[name=go][value=finish]").click()
    page.locator(f"form[action$='/quiz/attempts/{attempt_id}/submit']").get_by_role("button").click()
    expect(page.locator(".result")).to_have_class(re.compile("is-passed"))
    audit.check(page)
    if audit.problems:
        pytest.fail("\n".join([*audit.problems, f"screenshots: {tmp_path}"]), pytrace=False)


def test_an_order_kept_on_the_device_comes_back_after_a_reload(new_page, live_site: LiveSite, tmp_path):  # noqa: F811
    """An answer the server does not hold yet (the network dropped): the page puts the order back from the device."""
    from tests.browser.conftest import wait_for_promise

    slug = live_site.course_slugs[0]
    _ordering_only(live_site, slug)
    page = new_page(VIEWPORTS["phone"])
    sign_in(page, live_site, Auditor("phone", tmp_path))
    attempt_id, right = _start_ordering_attempt(page, live_site, slug)
    box = page.locator("[data-reader=ordering]")
    expect(box.locator("[data-move]").first).to_be_visible()
    page.route("**/answers", lambda route: route.abort())  # nothing reaches the server from here on
    for place, item in enumerate(right):
        box.locator(f"select[data-key='{item}']").select_option(str(place + 1))
    wait_for_promise(page, """async ([attempt, wanted]) => {
      const rows = await window.lmsOffline.all("answers");
      return rows.some((row) => row.attempt === attempt && JSON.stringify(row.a) === JSON.stringify(wanted));
    }""", arg=[attempt_id, right])
    page.reload()
    expect(box.locator("[data-move]").first).to_be_visible()
    expect(box.locator("select")).to_have_count(len(right))
    page.wait_for_function("(wanted) => Array.from(document.querySelectorAll('[data-reader=ordering] select'))"
                           ".map((s) => s.dataset.key).join() === wanted.join()", arg=right)
    positions = box.locator("select").evaluate_all("all => all.map(s => s.value)")
    assert positions == [str(n) for n in range(1, len(right) + 1)]
