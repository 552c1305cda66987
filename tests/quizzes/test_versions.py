"""A question changed after attempts used it: the attempts keep saying what was asked and what was answered."""
import pytest
import sqlalchemy as sa

from lms.extensions import db as _db
from lms.progress import services as progress
from lms.quizzes import attempts, authoring, bank
from lms.quizzes.formats.gift import parse_gift
from lms.quizzes.models import QuestionVersion
from tests import factories
from tests.quizzes.conftest import sample_questions


@pytest.fixture
def capital(quiz_course):
    return next(q for q in bank.bank_questions(quiz_course.id) if q.title == "Q1")  # ما عاصمة مصر؟ (القاهرة)


def _edit(course, question, prompt: str, right: str | None = None, texts: dict | None = None):
    """The trainer's web edit: a new prompt, option texts changed, another option made the right one."""
    values = authoring.question_values(question, question.type)
    values["prompt_ar"] = prompt
    for row in values["answers"]:
        if row and texts and row["text_ar"] in texts:
            row["text_ar"] = texts[row["text_ar"]]
        if row and right is not None:
            row["weight"] = "100" if row["text_ar"] == right else "0"
    return authoring.save_question(course, question.type, values, None, question.id)


def _answered(course, question, option_text: str):
    learner = factories.UserFactory()
    progress.enroll(learner.id, course)
    attempt = attempts.start_attempt(learner.id, course, seed=1)
    option = next(a["id"] for a in question.data["answers"] if a["text"]["ar"] == option_text)
    attempts.save_answers(attempt.id, learner.id, {str(question.id): option})
    return learner, attempt


def _seen(attempt_id: int, question_id: int):
    return next(q for _aq, q in attempts.attempt_questions(attempt_id) if q.id == question_id)


def test_a_finished_attempt_keeps_the_question_it_showed(client, auth, quiz_course, capital):
    learner, attempt = _answered(quiz_course, capital, "القاهرة")
    attempts.submit_attempt(attempt.id, learner.id)
    _edit(quiz_course, capital, "ما أكبر مدينة في مصر؟", texts={"القاهرة": "الجيزة"})

    shown = _seen(attempt.id, capital.id)
    assert shown.prompt["ar"] == "ما عاصمة مصر؟"
    assert [a["text"]["ar"] for a in shown.data["answers"]][:1] == ["القاهرة"]
    auth.login(learner)
    result = client.get(f"/quiz/attempts/{attempt.id}/result").text
    assert "ما عاصمة مصر؟" in result and "القاهرة" in result
    assert "ما أكبر مدينة في مصر؟" not in result and "الجيزة" not in result
    # A new attempt is asked the question as it is now.
    _db.session.expire_all()
    assert bank.bank_questions(quiz_course.id)[0].prompt["ar"] == "ما أكبر مدينة في مصر؟"


def test_a_running_attempt_is_graded_on_the_question_it_showed(quiz_course, capital):
    learner, attempt = _answered(quiz_course, capital, "القاهرة")
    _edit(quiz_course, capital, "ما عاصمة مصر؟", right="أسوان")  # the key changed while she answered
    finished = attempts.submit_attempt(attempt.id, learner.id)
    row = next(aq for aq, q in attempts.attempt_questions(finished.id) if q.id == capital.id)
    assert row.fraction == 1.0


def test_a_regrade_grades_and_shows_the_attempts_against_the_question_as_it_is(quiz_course, capital):
    learner, attempt = _answered(quiz_course, capital, "القاهرة")
    attempts.submit_attempt(attempt.id, learner.id)
    _edit(quiz_course, capital, "أي المدن ليست عاصمة؟", right="أسوان")
    assert next(aq for aq, q in attempts.attempt_questions(attempt.id) if q.id == capital.id).fraction == 1.0

    attempts.regrade(quiz_course, [capital.id], None)
    aq, shown = next((aq, q) for aq, q in attempts.attempt_questions(attempt.id) if q.id == capital.id)
    assert aq.fraction == 0.0 and shown.prompt["ar"] == "أي المدن ليست عاصمة؟"


def test_an_import_of_the_bank_keeps_what_attempts_showed(quiz_course, capital):
    learner, attempt = _answered(quiz_course, capital, "القاهرة")
    attempts.submit_attempt(attempt.id, learner.id)
    changed = [q if q.title != "Q1" else parse_gift("::Q1:: ما عاصمة جمهورية مصر العربية؟ {=القاهرة ~أسوان}")[0]
               for q in sample_questions()]
    bank._apply(quiz_course, [{"ar": q} for q in changed], retire_missing=True)
    _db.session.commit()
    assert _seen(attempt.id, capital.id).prompt["ar"] == "ما عاصمة مصر؟"


def test_nothing_is_kept_without_attempts_or_without_a_change(quiz_course, capital):
    _edit(quiz_course, capital, "ما عاصمة مصر العربية؟")  # no attempt used it
    learner, attempt = _answered(quiz_course, capital, "القاهرة")
    question = bank.bank_questions(quiz_course.id)[0]
    authoring.save_question(quiz_course, question.type, authoring.question_values(question, question.type) |
                            {"category": "جغرافيا"}, None, question.id)  # the category is not shown to learners
    assert _db.session.scalar(sa.select(sa.func.count(QuestionVersion.id))) == 0
