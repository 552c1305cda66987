"""Two editors with the same question or the same quiz settings open: the second save is told, not silent."""
import re
import time

import pytest

from lms.extensions import db as _db
from lms.quizzes import authoring
from lms.quizzes.models import Question
from tests.conftest import Auth
from tests.quizzes.test_manage import _bank, _form, _unchanged, _url


def _seen(page: str) -> str:
    return re.search(r'name="seen" type="hidden" value="([0-9a-f]+\.[0-9]+)"', page).group(1)


@pytest.fixture
def other(app):
    """A second browser: an administrator, who may edit every course."""
    client = app.test_client()
    Auth(client).as_role("admin", full_name_ar="وليد سعيد", full_name_latin="Walid Said")
    return client


def test_a_question_saved_by_another_editor_meanwhile_is_not_replaced(client, as_trainer, other, quiz_course):
    question = next(q for q in _bank(quiz_course).values() if q.type == "single")
    address = _url(quiz_course, f"/questions/{question.id}")
    opened = _seen(client.get(address).text)
    theirs = _form(_unchanged(question), prompt_ar="نص وليد", seen=_seen(other.get(address).text), save="1")
    assert other.post(address, data=theirs).status_code == 302

    mine = _form(_unchanged(question), prompt_ar="نص سميرة", seen=opened, save="1")
    refused = client.post(address, data=mine)
    assert refused.status_code == 200 and "وليد سعيد" in refused.text and "لم يُحفظ شيء" in refused.text
    assert "نص سميرة</textarea>" in refused.text
    _db.session.expire_all()
    assert _db.session.get(Question, question.id).prompt["ar"] == "نص وليد"

    assert client.post(address, data={**mine, "seen": _seen(refused.text)}).status_code == 302
    _db.session.expire_all()
    assert _db.session.get(Question, question.id).prompt["ar"] == "نص سميرة"


def test_quiz_settings_saved_by_another_editor_meanwhile_are_not_replaced(client, as_trainer, other, quiz_course):
    address = _url(quiz_course, "/settings")
    form = {"pass_mark": "70", "attempts": "0", "wait_minutes": "0", "time_limit_minutes": "0", "questions": "",
            "shuffle": "y", "review": "full", "grading": "highest", "layout": "all"}
    opened = _seen(client.get(address).text)
    theirs = {**form, "attempts": "2", "seen": _seen(other.get(address).text)}
    assert other.post(address, data=theirs).status_code == 302
    refused = client.post(address, data={**form, "pass_mark": "80", "seen": opened})
    assert refused.status_code == 200 and "وليد سعيد" in refused.text
    _db.session.refresh(quiz_course)
    assert quiz_course.quiz_settings["attempts"] == 2 and quiz_course.quiz_settings["pass_mark"] == 70
    again = client.post(address, data={**form, "attempts": "2", "pass_mark": "80", "seen": _seen(refused.text)})
    assert again.status_code == 302
    _db.session.refresh(quiz_course)
    assert quiz_course.quiz_settings["pass_mark"] == 80


def test_the_service_without_a_fingerprint_saves_as_before(quiz_course):
    question = next(iter(_bank(quiz_course).values()))
    saved = authoring.save_question(quiz_course, question.type, _unchanged(question) | {"prompt_ar": "جديد"}, None,
                                    question.id)
    assert saved.prompt["ar"] == "جديد"


def test_a_question_save_that_renames_the_bank_file_does_not_block_the_settings(client, as_trainer, quiz_course):
    # A question GIFT cannot write moves the bank to quiz.xml: the trainer's own settings page, opened before, was
    # refused, naming her as "someone who saved after you opened this page".
    address = _url(quiz_course, "/settings")
    opened = _seen(client.get(address).text)
    quiz_course.quiz_settings = {**quiz_course.quiz_settings, "file": "quiz.xml"}
    _db.session.commit()
    form = {"pass_mark": "80", "attempts": "0", "wait_minutes": "0", "time_limit_minutes": "0", "questions": "",
            "shuffle": "y", "review": "full", "grading": "highest", "layout": "all", "seen": opened}
    assert client.post(address, data=form).status_code == 302


def test_a_change_made_before_the_page_opened_is_not_named(client, as_trainer, other, quiz_course):
    question = next(q for q in _bank(quiz_course).values() if q.type == "single")
    address = _url(quiz_course, f"/questions/{question.id}")
    fingerprint = _seen(client.get(address).text).partition(".")[0]
    other.post(address, data=_form(_unchanged(question), prompt_ar="نص وليد", save="1",
                                   seen=_seen(other.get(address).text)))
    later = f"{fingerprint}.{int(time.time()) + 3600}"  # a page opened after Walid's change
    refused = client.post(address, data=_form(_unchanged(question), prompt_ar="نص سميرة", save="1", seen=later))
    assert refused.status_code == 200 and "وليد سعيد" not in refused.text and "حفظ شخص آخر" in refused.text
    for hostile in (f"{fingerprint}.{'9' * 400}", f"{fingerprint}.١٢", f"{fingerprint}.-5", "x" * 5000):
        response = client.post(address, data=_form(_unchanged(question), prompt_ar="نص", save="1", seen=hostile))
        assert response.status_code == 200 and "حفظ شخص آخر" in response.text
