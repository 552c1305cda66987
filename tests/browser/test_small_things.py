"""Small things people notice, in real Chromium at 360 and 1366 px, Arabic then English, checked by axe-core: the
module page's outline and next step, the assignment form's one audience part, the quiz's save state."""
import re

import pytest
from playwright.sync_api import Page, expect

from lms.accounts.models import Governorate
from lms.accounts.services import create_user
from lms.extensions import db
from tests.browser.conftest import LEARNER_PASSWORD, LiveSite
from tests.browser.test_journey import Auditor, new_page, sign_in, switch_language  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.no_db]

PHONE = {"width": 360, "height": 780}
WIDE = {"width": 1366, "height": 800}
SIZES = {"phone": PHONE, "wide": WIDE}
LANGUAGES = ("ar", "en")


def _fail_on(audit: Auditor, tmp_path) -> None:
    if audit.problems:
        pytest.fail("\n".join([*audit.problems, f"screenshots: {tmp_path}"]), pytrace=False)


def _enrol_and_finish_the_first_module(page: Page, site: LiveSite, slug: str) -> None:
    page.goto(f"{site.url}/courses/{slug}")
    page.locator("form[action$='/enrollment']").get_by_role("button").click()
    expect(page).to_have_url(f"{site.url}/courses/{slug}/modules/1")
    page.locator("form[action$='/completion']").get_by_role("button").click()
    expect(page).to_have_url(f"{site.url}/courses/{slug}/modules/2")


@pytest.mark.parametrize("size", SIZES)
def test_the_module_page_shows_the_outline_and_the_next_step(new_page, live_site: LiveSite, size,  # noqa: F811
                                                             tmp_path):
    slug = live_site.course_slugs[0]
    audit = Auditor(f"{size}-module", tmp_path)
    page = new_page(SIZES[size])
    sign_in(page, live_site, audit)
    _enrol_and_finish_the_first_module(page, live_site, slug)
    for lang in LANGUAGES:
        if lang == "en":
            switch_language(page, "en", "ltr")
        outline = page.locator("details.module-outline")
        items = outline.locator(".outline-item")
        current = outline.locator("a[aria-current='page']")
        expect(current).to_have_attribute("href", f"/courses/{slug}/modules/2")
        expect(items.nth(0)).to_have_class(re.compile("is-done"))
        expect(items.nth(0)).to_contain_text("✓")
        expect(items.nth(0).locator(".visually-hidden")).to_have_text(
            re.compile(re.escape(live_site.text(lang, "done"))))
        heading = page.locator("article h1")
        if size == "phone":
            # Collapsed above the module: one line, and the module's title shows at once.
            expect(outline).not_to_have_attribute("open", "")
            expect(outline.locator(".outline")).to_be_hidden()
            box = outline.bounding_box()
            assert box["height"] < 80
            assert heading.bounding_box()["y"] - (box["y"] + box["height"]) < 120  # the reading starts right under it
            audit.check(page)
            outline.locator("summary").click()
            expect(current).to_be_visible()
            audit.check(page)
            outline.locator("summary").click()
        else:
            # Beside the module, open without a click, with the module's text beside it.
            expect(outline.locator("summary")).to_be_hidden()
            expect(current).to_be_visible()
            box, text = outline.bounding_box(), page.locator("article.prose").bounding_box()
            assert abs(box["y"] - text["y"]) < 40  # side by side, not stacked
            audit.check(page)
        step = page.locator("a.next-step")
        expect(step).to_be_visible()
        expect(step).to_contain_text(live_site.text(lang, "Next module"))
        assert step.bounding_box()["height"] >= 44
    step.click()
    expect(page).to_have_url(f"{live_site.url}/courses/{slug}/modules/3")
    _fail_on(audit, tmp_path)


def _hr(site: LiveSite) -> None:
    with site.app.app_context():
        governorate = Governorate(code="QLY", name_ar="القليوبية", name_en="Qalyubia")
        db.session.add(governorate)
        db.session.commit()
        create_user({"username": "hr", "role": "hr", "full_name_ar": "موارد القليوبية", "full_name_latin": "HR",
                     "scope_governorate_id": governorate.id}, LEARNER_PASSWORD)


def _sign_in_as(page: Page, site: LiveSite, username: str) -> None:
    page.goto(f"{site.url}/login")
    page.get_by_label(site.text("ar", "Username or employee number"), exact=True).fill(username)
    page.get_by_label(site.text("ar", "Password"), exact=True).fill(LEARNER_PASSWORD)
    page.get_by_role("button", name=site.text("ar", "Sign in"), exact=True).click()
    expect(page).not_to_have_url(f"{site.url}/login")


@pytest.mark.parametrize("size", SIZES)
def test_the_assignment_form_shows_only_the_chosen_audience(new_page, live_site: LiveSite, size,  # noqa: F811
                                                            tmp_path):
    _hr(live_site)
    audit = Auditor(f"{size}-assign", tmp_path)
    page = new_page(SIZES[size])
    _sign_in_as(page, live_site, "hr")
    page.goto(f"{live_site.url}/manage/assignments/new")
    for lang in LANGUAGES:
        if lang == "en":
            switch_language(page, "en", "ltr")
        people, rule = page.locator("[data-audience=people]"), page.locator("[data-audience=rule]")
        by_day, by_days = page.locator("[data-due=date]"), page.locator("[data-due=days]")
        page.get_by_role("radio", name=live_site.text(lang, "Everyone who matches a rule"), exact=True).check()
        expect(rule).to_be_visible()
        expect(people).to_be_hidden()
        expect(by_day).to_be_visible()
        expect(by_days).to_be_hidden()
        audit.check(page)
        page.get_by_role("radio", name=live_site.text(lang, "People, by employee number"), exact=True).check()
        expect(people).to_be_visible()
        expect(rule).to_be_hidden()
        page.get_by_role("radio", name=live_site.text(lang, "A number of days after each person joins"),
                         exact=True).check()
        expect(by_days).to_be_visible()
        expect(by_day).to_be_hidden()
        page.get_by_label(live_site.text(lang, "Employee numbers"), exact=True).fill("123456")
        audit.check(page)
    # Sent without a course: refused, and the choice and what was typed come back, the other part still hidden.
    page.get_by_role("button", name=live_site.text("en", "Assign"), exact=True).click()
    expect(page.locator(".field.has-error")).not_to_have_count(0)
    expect(page.get_by_role("radio", name=live_site.text("en", "People, by employee number"),
                            exact=True)).to_be_checked()
    expect(page.get_by_label(live_site.text("en", "Employee numbers"), exact=True)).to_have_value("123456")
    expect(page.locator("[data-audience=rule]")).to_be_hidden()
    audit.check(page)
    _fail_on(audit, tmp_path)


def test_the_user_and_center_forms_ask_only_what_the_chosen_role_or_kind_has(new_page, live_site: LiveSite):  # noqa: F811
    # A learner's form read "Governorate managed (HR): every governorate", as if the learner managed them all.
    with live_site.app.app_context():
        create_user({"username": "admin", "role": "admin", "full_name_ar": "مدير النظام",
                     "full_name_latin": "Admin"}, LEARNER_PASSWORD)
    page = new_page(PHONE)
    _sign_in_as(page, live_site, "admin")
    page.goto(f"{live_site.url}/admin/users/new")
    governorate = page.get_by_label(live_site.text("ar", "Governorate managed (HR)"), exact=True)
    role = page.get_by_label(live_site.text("ar", "Role"), exact=True)
    expect(governorate).to_be_hidden()  # a new account is a learner's
    role.select_option("hr")
    expect(governorate).to_be_visible()
    role.select_option("trainer")
    expect(governorate).to_be_hidden()
    # Likewise a fixed technology center's form asks for no current location.
    page.goto(f"{live_site.url}/admin/centers/new")
    location = page.get_by_label(live_site.text("ar", "Current location (mobile technology center)"), exact=True)
    kind = page.get_by_label(live_site.text("ar", "Kind"), exact=True)
    kind.select_option("fixed")
    expect(location).to_be_hidden()
    kind.select_option("mobile")
    expect(location).to_be_visible()


def test_the_training_record_prints_from_its_own_button_on_a_phone(new_page, live_site: LiveSite):  # noqa: F811
    # The page said "use your browser's Print command", which a phone's browser seldom shows.
    page = new_page(PHONE)
    _sign_in_as(page, live_site, "learner")
    page.goto(f"{live_site.url}/me/transcript")
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    expect(page.get_by_text(live_site.text("ar", "Use your browser's Print command for a paper copy."))).to_be_hidden()
    page.get_by_role("button", name=live_site.text("ar", "Print a paper copy"), exact=True).click()
    assert page.evaluate("() => window.printed") == 1


def _start_quiz(page: Page, site: LiveSite, slug: str) -> None:
    page.goto(f"{site.url}/courses/{slug}")
    page.locator("form[action$='/enrollment']").get_by_role("button").click()
    page.goto(f"{site.url}/courses/{slug}/quiz")
    page.locator("form[action$='/quiz/attempts']").get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/quiz/attempts/\d+$"))
    page.wait_for_load_state("load")  # an answer given before quiz.js runs is not saved by it (seen on a busy machine)


def _arabic_time(text: str) -> bool:
    return re.search(r"[٠-٩]{2}:[٠-٩]{2}", text) is not None


@pytest.mark.parametrize("size", SIZES)
def test_the_quiz_says_what_is_saved_and_cannot_hide_a_failure(new_page, live_site: LiveSite, size,  # noqa: F811
                                                               tmp_path):
    slug = live_site.course_slugs[0]
    audit = Auditor(f"{size}-quiz", tmp_path)
    page = new_page(SIZES[size])
    sign_in(page, live_site, audit)
    _start_quiz(page, live_site, slug)
    state, words = page.locator("#save-state"), page.locator("#save-text")
    expect(state).to_have_attribute("data-state", "idle")
    audit.check(page, full_page=False)
    # Back up through the questions with Shift+Tab: no control taking the focus hides under the sticky bar.
    page.locator("button[value=finish]").focus()
    for _ in range(40):
        page.keyboard.press("Shift+Tab")
        under_the_bar = page.evaluate("""() => {
          const focused = document.activeElement, bar = document.querySelector(".quiz-bar").getBoundingClientRect();
          return Boolean(focused.closest("fieldset.question")) && bar.top <= 1
            && focused.getBoundingClientRect().top < bar.bottom; }""")
        assert not under_the_bar, page.evaluate("document.activeElement.outerHTML")
    radios = page.locator("fieldset[data-kind=single] input[type=radio], fieldset[data-kind=truefalse] "
                          "input[type=radio]")

    radios.nth(0).check()
    expect(state).to_have_attribute("data-state", "saved")
    assert _arabic_time(words.inner_text())  # "تم الحفظ الساعة ١٠:٤٢"
    expect(page.locator("#save-announce")).to_have_text(words.inner_text())  # polite news
    expect(state.locator(".icon-saved")).to_be_visible()
    audit.check(page, full_page=False)

    page.route("**/answers", lambda route: route.abort())  # the connection drops
    radios.nth(1).check()
    # The field kit keeps the answer on this device (IndexedDB) and says so, in amber: not yet on the server.
    expect(state).to_have_attribute("data-state", "saving")
    expect(words).to_contain_text(live_site.text("ar", "Saved on this device; will be sent when the network "
                                                       "returns."))
    expect(page.locator("#save-announce")).to_contain_text(live_site.text(
        "ar", "Saved on this device; will be sent when the network returns."))
    audit.check(page, full_page=False)

    page.unroute("**/answers")  # back online: the next try saves it
    expect(state).to_have_attribute("data-state", "saved", timeout=15_000)

    switch_language(page, "en", "ltr")
    expect(state).to_have_attribute("data-state", "saved")  # the server says when it was last saved
    expect(words).to_have_text(re.compile(r"^Saved at \d{2}:\d{2}$"))
    audit.check(page, full_page=False)
    _fail_on(audit, tmp_path)


def test_a_device_that_cannot_keep_answers_says_not_saved_when_the_network_drops(new_page, live_site: LiveSite,  # noqa: F811
                                                                                  tmp_path):
    page = new_page(SIZES["phone"])
    # An old or locked-down browser: no IndexedDB.
    page.add_init_script("Object.defineProperty(window, 'indexedDB', {value: undefined})")
    sign_in(page, live_site, Auditor("no-storage", tmp_path))
    _start_quiz(page, live_site, live_site.course_slugs[0])
    state, words = page.locator("#save-state"), page.locator("#save-text")
    radios = page.locator("fieldset[data-kind=single] input[type=radio], fieldset[data-kind=truefalse] "
                          "input[type=radio]")
    radios.nth(0).check()
    expect(state).to_have_attribute("data-state", "saved")
    page.route("**/answers", lambda route: route.abort())
    radios.nth(1).check()
    expect(state).to_have_attribute("data-state", "failed")  # red: nothing holds the answer now
    expect(words).to_contain_text(live_site.text("ar", "Not saved yet: check your connection. We will try again."))
    page.unroute("**/answers")
    expect(state).to_have_attribute("data-state", "saved", timeout=15_000)


def test_without_javascript_the_quiz_saves_with_its_buttons_and_says_when(browser, live_site: LiveSite):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    try:
        page = context.new_page()
        _sign_in_as(page, live_site, "learner")
        _start_quiz(page, live_site, live_site.course_slugs[0])
        state = page.locator("#save-state")
        expect(state).to_have_attribute("data-state", "idle")
        expect(state.locator(".save-hint")).to_contain_text(live_site.text("ar", "Save my answers"))
        page.locator("fieldset[data-kind=single] input[type=radio]").first.check()
        page.locator("button[name=go]").filter(has_text=live_site.text("ar", "Save my answers")).click()
        expect(state).to_have_attribute("data-state", "saved")
        assert _arabic_time(page.locator("#save-text").inner_text())
    finally:
        context.close()


def test_an_edit_conflict_takes_the_focus_and_marks_the_title(new_page, live_site: LiveSite):  # noqa: F811
    # It was a flash at the top of a long form: the focus stayed on the page, the title said nothing was wrong.
    with live_site.app.app_context():
        for username in ("trainer-a", "trainer-b"):
            create_user({"username": username, "role": "admin", "full_name_ar": f"مدرب {username[-1]}",
                         "full_name_latin": f"Trainer {username[-1].upper()}"}, LEARNER_PASSWORD)
    slug = live_site.course_slugs[0]
    first, second = new_page(PHONE), new_page(PHONE)
    for page, username in ((first, "trainer-a"), (second, "trainer-b")):
        page.goto(f"{live_site.url}/login")
        page.get_by_label(live_site.text("ar", "Username or employee number"), exact=True).fill(username)
        page.get_by_label(live_site.text("ar", "Password"), exact=True).fill(LEARNER_PASSWORD)
        page.get_by_role("button", name=live_site.text("ar", "Sign in"), exact=True).click()
        expect(page).not_to_have_url(f"{live_site.url}/login")
        page.goto(f"{live_site.url}/manage/courses/{slug}")
    summary = live_site.text("ar", "Summary in Arabic")
    first.get_by_label(summary, exact=True).fill("ملخص المدرب أ")
    first.get_by_role("button", name=live_site.text("ar", "Save"), exact=True).click()
    expect(first.locator(".flash-success")).to_be_visible()
    second.get_by_label(summary, exact=True).fill("ملخص المدرب ب")
    second.get_by_role("button", name=live_site.text("ar", "Save"), exact=True).click()
    refusal = second.locator("main > p.flash-error")
    expect(refusal).to_contain_text("مدرب a")
    expect(refusal).to_be_focused()
    assert second.title().startswith(live_site.text("ar", "Error:"))
    expect(second.get_by_label(summary, exact=True)).to_have_value("ملخص المدرب ب")


SPLIT_WORDS = """(selector) => {
  const node = document.querySelector(selector).lastChild;  // the name's text, after the mark
  const split = [];
  let at = 0;
  for (const word of node.textContent.split(/\\s+/)) {
    const start = node.textContent.indexOf(word, at);
    if (!word) continue;
    at = start + word.length;
    const range = document.createRange();
    range.setStart(node, start);
    range.setEnd(node, at);
    const lines = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
    if (lines.size > 1) split.push(word);
  }
  return split;
}"""


@pytest.mark.parametrize("language", LANGUAGES)
def test_at_200_percent_zoom_the_name_keeps_its_words_whole_and_the_skip_link_stays_hidden(
        new_page, live_site: LiveSite, language, tmp_path):  # noqa: F811
    # At 200% the site's name broke inside its words ("تدري/ب"), and a wrapped skip link peeked in at the top.
    page = new_page({"width": 180, "height": 370}, device_scale_factor=2)  # a 360 px phone at 200%
    audit = Auditor("zoom-200", tmp_path)
    sign_in(page, live_site, audit)
    if language == "en":
        switch_language(page, "en", "ltr")
    assert page.evaluate(SPLIT_WORDS, ".brand") == []
    assert page.evaluate("document.querySelector('.skip-link').getBoundingClientRect().bottom") <= 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 180
    _fail_on(audit, tmp_path)
