"""The attempt page says what is saved, with or without JavaScript: "Saved at 10:42" in the governorate's clock and
the page's digits once an answer is saved, how its buttons save before."""
import re
from datetime import UTC, datetime

from lms.progress import services as progress
from lms.quizzes import attempts


def _state(page: str) -> str:
    return re.search(r'<p class="save-state".*?</p>', page, re.S).group(0)


def _short_question(attempt_id: int):
    return next(q for _aq, q in attempts.attempt_questions(attempt_id) if q.type == "short")


def test_before_any_save_the_page_says_how_its_answers_are_saved(client, as_learner, quiz_course):
    progress.enroll(as_learner.id, quiz_course)
    attempt = attempts.start_attempt(as_learner.id, quiz_course)
    client.post("/language", data={"lang": "en"})
    state = _state(client.get(f"/quiz/attempts/{attempt.id}").text)
    assert 'data-state="idle"' in state and "data-saved-at" not in state and "Saved at" not in state
    assert "saved when you go to another question or press" in state
    assert 'class="save-icon" aria-hidden="true"' in state  # the icon is decoration: the words say it


def test_after_a_save_the_page_says_when_in_the_governorates_clock(client, as_learner, quiz_course, time_machine):
    progress.enroll(as_learner.id, quiz_course)
    attempt = attempts.start_attempt(as_learner.id, quiz_course)
    question = _short_question(attempt.id)
    moment = datetime(2026, 11, 22, 8, 42, tzinfo=UTC)  # 10:42 in Cairo
    attempts.save_answers(attempt.id, as_learner.id, {str(question.id): "الإسكندرية"}, now=moment)
    arabic = _state(client.get(f"/quiz/attempts/{attempt.id}").text)
    assert 'data-state="saved"' in arabic and "١٠:٤٢" in arabic
    assert 'data-saved-at="2026-11-22T08:42:00+00:00"' in arabic  # the script counts on from the same moment
    client.post("/language", data={"lang": "en"})
    assert "Saved at 10:42" in _state(client.get(f"/quiz/attempts/{attempt.id}").text)


def test_the_page_announces_good_news_politely_and_failures_at_once(client, as_learner, quiz_course):
    progress.enroll(as_learner.id, quiz_course)
    attempt = attempts.start_attempt(as_learner.id, quiz_course)
    page = client.get(f"/quiz/attempts/{attempt.id}").text
    assert '<p class="visually-hidden" id="save-announce" role="status" aria-live="polite"></p>' in page
    assert '<p class="visually-hidden" id="save-alert" role="alert" aria-live="assertive"></p>' in page
    texts = re.search(r'<script type="application/json" id="quiz-texts">(.*?)</script>', page, re.S).group(1)
    assert '"timeZone": "Africa/Cairo"' in texts and "{time}" in texts
