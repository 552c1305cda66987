"""The trainer's quiz screens in Chromium: every one passes axe-core, in Arabic, with a real bank and attempts."""
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from lms.accounts.services import create_user
from lms.courses.models import Course
from lms.extensions import db
from lms.progress.services import enroll
from lms.quizzes import attempts
from tests.browser.conftest import LiveSite
from tests.browser.test_journey import VIEWPORTS, Auditor, new_page  # noqa: F401 (new_page: a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.no_db]
TRAINER_PASSWORD = "trainer tools 42"


def test_every_quiz_tool_is_accessible(new_page, live_site: LiveSite, tmp_path):  # noqa: F811
    slug = live_site.course_slugs[0]
    with live_site.app.app_context():
        create_user({"username": "trainer", "role": "trainer", "full_name_ar": "مدرب", "full_name_latin": "T"},
                    TRAINER_PASSWORD)
        course = db.session.scalar(sa.select(Course).where(Course.slug == slug))
        learner = db.session.scalar(sa.text("SELECT id FROM users WHERE username = 'learner'"))
        enroll(learner, course)
        attempt = attempts.start_attempt(learner, course)
        attempts.submit_attempt(attempt.id, learner)
        question_id = attempts.attempt_sheet(attempt.id)[0].id
    audit = Auditor("desktop", tmp_path)
    page = new_page(VIEWPORTS["desktop"])
    page.goto(f"{live_site.url}/login")
    page.get_by_label(live_site.text("ar", "Username or employee number"), exact=True).fill("trainer")
    page.get_by_label(live_site.text("ar", "Password"), exact=True).fill(TRAINER_PASSWORD)
    page.get_by_role("button", name=live_site.text("ar", "Sign in"), exact=True).click()
    base = f"{live_site.url}/manage/courses/{slug}/quiz"
    for path in ("", "/questions", f"/questions/{question_id}", "/questions/new?type=matching",
                 "/questions/new?type=ordering", "/import",
                 "/settings", "/attempts", f"/attempts/{attempt.id}", "/statistics", "/log"):
        response = page.goto(base + path)
        assert response.status == 200, path
        audit.check(page)
    page.goto(f"{base}/questions/{question_id}")
    page.locator("input[name=preview]").click()  # the preview shows the question as learners see it
    expect(page.locator("#question-preview fieldset.question").first).to_be_visible()
    audit.check(page)
    if audit.problems:
        pytest.fail("\n".join([*audit.problems, f"screenshots: {tmp_path}"]), pytrace=False)
