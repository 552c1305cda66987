"""An attempt started online and finished with the network cut (issue 16): the answer given offline stays on the
device, the submission waits in the outbox, and when the network returns sync.js sends it once; the server
grades the attempt on the answers the device recorded, and the page shows the result link."""
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from lms.extensions import db
from lms.offline.models import OfflineUpload
from lms.quizzes import attempts
from lms.quizzes.models import AttemptStatus, QuizAttempt
from tests.browser.conftest import LiveSite
from tests.browser.test_journey import VIEWPORTS, Auditor, new_page, sign_in  # noqa: F401 (new_page: a fixture)
from tests.browser.test_quiz import _answer, _key, _set_quiz

pytestmark = [pytest.mark.browser, pytest.mark.no_db]


def test_an_attempt_submitted_offline_is_sent_once_when_the_network_returns(new_page, live_site: LiveSite,  # noqa: F811
                                                                             tmp_path):
    slug = live_site.course_slugs[0]
    _set_quiz(live_site, slug, time_limit_minutes=20, layout="all")
    page = new_page(VIEWPORTS["phone"])
    sign_in(page, live_site, Auditor("phone", tmp_path))
    page.goto(f"{live_site.url}/courses/{slug}")
    page.locator("form[action$='/enrollment']").get_by_role("button").click()
    page.goto(f"{live_site.url}/courses/{slug}/quiz")
    page.locator("form[action$='/quiz/attempts']").get_by_role("button").click()
    attempt_id = int(page.url.rsplit("/", 1)[1])
    page.wait_for_function("window.lmsOffline && window.lmsOffline.ready")
    key = _key(live_site, attempt_id)

    page.context.set_offline(True)
    for question_id, value in key.items():
        _answer(page, question_id, value)  # each save fails for the network: kept on the device
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator("form#quiz-form button[value='finish']").first.click()
    page.wait_for_function("lmsOffline.outbox.count().then(n => window.waiting = n) && window.waiting === 1")
    expect(page.locator("#sync-status")).to_contain_text(live_site.text("ar", "Offline"))
    page.screenshot(path=tmp_path / "submitted-offline-ar-360.png")  # kept for a person to look at
    with live_site.app.app_context():
        assert db.session.get(QuizAttempt, attempt_id).status == AttemptStatus.OPEN  # nothing reached the server

    page.context.set_offline(False)
    page.evaluate("lmsOffline.sync.now()")
    page.wait_for_function("lmsOffline.outbox.count().then(n => window.waiting = n) && window.waiting === 0",
                           timeout=20_000)
    page.evaluate("lmsOffline.sync.now()")  # sending again finds nothing to send
    with live_site.app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        assert attempt.status == AttemptStatus.FINISHED and attempt.score == 100.0
        saved = {q.id: aq.response is not None for aq, q in attempts.attempt_questions(attempt_id)}
        assert all(saved.values())
        uploads = db.session.scalars(sa.select(OfflineUpload).where(OfflineUpload.attempt_id == attempt_id)).all()
        assert [(u.status, u.reason) for u in uploads] == [("accepted", None)]
    expect(page.locator(f"a[href$='/attempts/{attempt_id}/result']").first).to_be_visible(timeout=15_000)
    expect(page.locator("#offline-state")).to_contain_text(live_site.text("ar", "Your quiz was received."))
    page.screenshot(path=tmp_path / "graded-after-sync-ar-360.png")
