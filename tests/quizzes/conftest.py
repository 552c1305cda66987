"""A course whose bank holds one question of each type, with feedback that must never reach a learner early."""
import pytest

from lms.extensions import db
from lms.quizzes import bank
from lms.quizzes.formats import Answer, ParsedQuestion
from tests import factories

SECRET = "SECRET-FEEDBACK"  # in every feedback text: a page or JSON that contains it leaks the key


def sample_questions() -> list[ParsedQuestion]:
    fb = SECRET
    return [
        ParsedQuestion("single", "ما عاصمة مصر؟", [Answer("القاهرة", 1, fb + " right"), Answer("أسوان", 0, fb),
                                                     Answer("طنطا", 0, fb)], title="Q1", general_feedback=fb + " G"),
        ParsedQuestion("multiple", "اختر الأعداد الزوجية", [Answer("2", 0.5, fb), Answer("4", 0.5, fb),
                                                          Answer("3", -1, fb)], title="Q2"),
        ParsedQuestion("truefalse", "الشمس نجم", [Answer("true", 1, fb), Answer("false", 0, fb)], title="Q3"),
        ParsedQuestion("short", "اكتب اسم المحافظة", [Answer("الإسكندرية", 1, fb)], title="Q4"),
        ParsedQuestion("numeric", "كم يساوي ٢٫٥ × ٢؟", [Answer("", 1, fb, value=5.0, tolerance=0.0)], title="Q5"),
        ParsedQuestion("matching", "صل كل خدمة بالجهة", [
            Answer("شهادة ميلاد", 1, "", match="الأحوال المدنية"), Answer("رخصة قيادة", 1, "", match="المرور"),
            Answer("سجل تجاري", 1, "", match="الغرفة التجارية")], title="Q6"),
    ]


STEPS = [("استلام الطلب", "Receive the request"), ("مراجعة المستندات", "Check the documents"),
         ("سداد الرسوم", "Pay the fees"), ("تسليم الخدمة", "Deliver the service")]


def ordering_question(title: str = "Q7", steps=STEPS) -> dict[str, ParsedQuestion]:
    """An ordering question in both languages (a bank pair), its steps in the right order."""
    return {"ar": ParsedQuestion("ordering", "رتب خطوات تقديم الخدمة", [Answer(ar) for ar, _en in steps],
                                 title=title, general_feedback=SECRET + " G"),
            "en": ParsedQuestion("ordering", "Put the steps of the service in order", [Answer(en) for _ar, en in steps],
                                 title=title, general_feedback=SECRET + " G")}


def add_bank(course, bank_questions=None, **settings):
    course.quiz_settings = {"file": "quiz.gift", "pass_mark": 70, **settings}
    db.session.commit()
    bank._apply(course, [{"ar": q} for q in (bank_questions or sample_questions())], retire_missing=True)
    db.session.commit()
    return course


@pytest.fixture
def quiz_course(db):
    return add_bank(factories.CourseFactory(modules=2))


def right_answers(rows) -> dict:
    """The answers that earn full marks, for each question of an attempt (from the key: tests only)."""
    answers = {}
    for _aq, q in rows:
        data = q.data["answers"]
        if q.type in ("single", "truefalse"):
            answers[str(q.id)] = next(a["id"] for a in data if a["fraction"] >= 1)
        elif q.type == "multiple":
            answers[str(q.id)] = [a["id"] for a in data if a["fraction"] > 0]
        elif q.type == "short":
            answers[str(q.id)] = data[0]["text"]["ar"]
        elif q.type == "numeric":
            answers[str(q.id)] = data[0]["value"]
        elif q.type == "ordering":
            answers[str(q.id)] = [a["id"] for a in data]  # stored in the right order
        else:
            answers[str(q.id)] = {a["id"]: a["choice_id"] for a in data}
    return answers
