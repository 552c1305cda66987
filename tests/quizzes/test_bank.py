"""The course folder's bank files become the question bank; bad banks import nothing; uploads add or update."""
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from lms.courses import services as courses
from lms.courses.files import CourseFileError
from lms.progress.services import enroll
from lms.quizzes import attempts, bank
from lms.quizzes.formats import BankFileError
from lms.quizzes.formats.gift import parse_gift
from lms.quizzes.models import Question
from tests import factories
from tests.conftest import PROJECT_ROOT

COURSES = PROJECT_ROOT / "courses"


def _copy(tmp_path: Path, slug: str = "serving-citizens") -> Path:
    target = tmp_path / "src" / slug
    shutil.copytree(COURSES / slug, target)
    return target


def _edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_each_shipped_course_gets_a_bilingual_bank(db):
    for course in courses.import_course_folders([COURSES]):
        questions = bank.bank_questions(course.id)
        titles = [q.title for q in parse_gift((COURSES / course.slug / "quiz.gift").read_text(encoding="utf-8"))]
        assert [q.title for q in questions] == titles
        assert all(q.prompt["ar"] and q.prompt["en"] for q in questions)
        assert {q.type for q in questions} >= {"single", "truefalse", "short"}


@pytest.mark.parametrize("name, old, new, where", [
    ("course.yaml", "quiz: {file: \"quiz.gift\", pass_mark: 70}", "quiz: {file: \"quiz.gift\", pass_mark: 170}",
     "course.yaml"),
    ("course.yaml", "quiz: {file: \"quiz.gift\", pass_mark: 70}", "quiz: {file: \"quiz.gift\", review: all}",
     "course.yaml"),
    ("course.yaml", "quiz: {file: \"quiz.gift\", pass_mark: 70}", "quiz: {file: \"missing.gift\"}", "course.yaml"),
    ("quiz.gift", "=السرية#", "السرية#", "quiz.gift، السطر ٣:"),
    ("quiz.en.gift", "::Q02::", "::Q99::", "quiz.gift، السطر ١١:"),  # Q02 has no English version
    ("quiz.en.gift", "::Q03::", "::Q01::", "quiz.en.gift، السطر"),  # two Q01: the second one's shape differs
])
def test_a_bad_quiz_block_or_bank_imports_nothing(db, tmp_path, name, old, new, where):
    folder = _copy(tmp_path)
    _edit(folder, name, old, new)
    with pytest.raises(CourseFileError) as error:
        courses.import_course_folders([folder])
    assert any(where in str(problem) for problem in error.value.problems), error.value.problems
    assert courses.course_by_slug("serving-citizens") is None


def test_reimport_keeps_question_ids_and_retires_what_attempts_used(db, tmp_path):
    folder = _copy(tmp_path)
    course = courses.import_course_folders([folder])[0]
    learner = factories.UserFactory()
    enroll(learner.id, course)
    attempt = attempts.start_attempt(learner.id, course)
    attempts.submit_attempt(attempt.id, learner.id)
    ids = {q.title: q.id for q in bank.bank_questions(course.id)}
    for name in ("quiz.gift", "quiz.en.gift"):  # Q01 leaves the bank
        text = (folder / name).read_text(encoding="utf-8")
        start = text.index("::Q01::")
        (folder / name).write_text(text[:start] + text[text.index("::Q02::"):], encoding="utf-8")
    courses.import_course_folders([folder])
    after = {q.title: q.id for q in bank.bank_questions(course.id)}
    assert "Q01" not in after and all(after[t] == ids[t] for t in after)
    retired = db.session.get(Question, ids["Q01"])
    assert retired is not None and not retired.is_active  # the finished attempt still points at it


def test_an_upload_previews_then_adds_and_updates_by_title(db):
    course = factories.CourseFactory()
    gift = "::A:: ما عاصمة مصر؟ {=القاهرة ~الجيزة}\n\n::B:: الشمس نجم {T}\n".encode()
    plan = bank.import_questions(course, "bank.gift", gift, "ar", None)
    assert plan.new == ["A", "B"] and bank.bank_questions(course.id) == []  # a preview changes nothing
    bank.import_questions(course, "bank.gift", gift, "ar", None, confirm=True)
    english = b"::B:: The sun is a star {T}\n\n::C:: 2 + 2 = {#4}\n"
    plan = bank.import_questions(course, "bank.en.gift", english, "en", None, confirm=True)
    assert plan.updated == ["B"] and plan.new == ["C"]
    by_title = {q.title: q for q in bank.bank_questions(course.id)}
    assert by_title["B"].prompt == {"ar": "الشمس نجم", "en": "The sun is a star"}
    assert by_title["C"].prompt["en"] == "2 + 2 =" and by_title["C"].prompt["ar"] == ""
    assert "::A::" in bank.export_gift(course.id, "ar")


def test_a_bad_upload_reports_lines_and_imports_nothing(db):
    course = factories.CourseFactory()
    gift = "::A:: سؤال {=نعم ~لا}\n\n::B:: سؤال بلا إجابة صحيحة {~نعم ~لا}\n\n::C:: سؤال مقالي {}\n".encode()
    with pytest.raises(BankFileError) as error:
        bank.import_questions(course, "bank.gift", gift, "ar", None, confirm=True)
    assert [p.line for p in error.value.problems] == [3, 5]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == 0


def test_moodle_xml_and_aiken_uploads(db):
    course = factories.CourseFactory()
    xml = b"""<?xml version="1.0" encoding="UTF-8"?>
<quiz><question type="truefalse"><name><text>TF</text></name>
<questiontext format="html"><text><![CDATA[<p>The sun is a star</p>]]></text></questiontext>
<answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer>
</question></quiz>"""
    bank.import_questions(course, "moodle.xml", xml, "en", None, confirm=True)
    aiken = "ما عاصمة مصر؟\nA) القاهرة\nB) أسوان\nANSWER: A\n".encode()
    bank.import_questions(course, "aiken.txt", aiken, "ar", None, confirm=True)
    types = sorted(q.type for q in bank.bank_questions(course.id))
    assert types == ["single", "truefalse"]


def test_the_questions_command_imports_and_exports(runner, db, tmp_path):
    course = factories.CourseFactory(slug="cli-course")
    file = tmp_path / "bank.gift"
    file.write_text("::A:: الشمس نجم {T}\n", encoding="utf-8")
    dry = runner.invoke(args=["questions", "import", "cli-course", str(file), "--dry-run"])
    assert dry.exit_code == 0 and bank.bank_questions(course.id) == []
    result = runner.invoke(args=["questions", "import", "cli-course", str(file)])
    assert result.exit_code == 0, result.output
    assert [q.title for q in bank.bank_questions(course.id)] == ["A"]
    exported = runner.invoke(args=["questions", "export", "cli-course"])
    assert "::A::" in exported.output and "{T}" in exported.output.replace("{TRUE}", "{T}")
    file.write_text("::B:: سؤال {~نعم ~لا}\n", encoding="utf-8")
    bad = runner.invoke(args=["questions", "import", "cli-course", str(file)])
    assert bad.exit_code != 0 and f"{file}:" in bad.output
    assert [q.title for q in bank.bank_questions(course.id)] == ["A"]


def test_the_sweep_command_closes_overdue_attempts(runner, db):
    from datetime import timedelta

    from lms.core.models import utcnow
    from tests.quizzes.conftest import add_bank

    course = add_bank(factories.CourseFactory(), time_limit_minutes=1)
    learner = factories.UserFactory()
    enroll(learner.id, course)
    attempt = attempts.start_attempt(learner.id, course, now=utcnow() - timedelta(minutes=10))
    result = runner.invoke(args=["quizzes", "close-overdue"])
    assert result.exit_code == 0, result.output
    db.session.refresh(attempt)
    assert attempt.finished_by == "timeout"


def test_an_arabic_upload_keeps_the_english_texts_of_the_questions_it_updates(db):
    course = factories.CourseFactory()
    bank.import_questions(course, "a.gift", "::A:: الشمس نجم {T}\n".encode(), "ar", None, confirm=True)
    bank.import_questions(course, "a.en.gift", b"::A:: The sun is a star {T}\n", "en", None, confirm=True)
    bank.import_questions(course, "a.gift", "::A:: الشمس نجمٌ {T}\n".encode(), "ar", None, confirm=True)
    (question,) = bank.bank_questions(course.id)
    assert question.prompt == {"ar": "الشمس نجمٌ", "en": "The sun is a star"}


def test_a_bank_half_written_in_english_exports_and_imports_back(db, tmp_path):
    course = factories.CourseFactory(slug="half-english")
    bank.import_questions(course, "a.gift", "::A:: الشمس نجم {T}\n\n::B:: اكتب ٥ {=خمسة}\n".encode(), "ar", None,
                          confirm=True)
    bank.import_questions(course, "a.en.gift", b"::A:: The sun is a star {T}\n", "en", None, confirm=True)
    target = courses.export_course("half-english", tmp_path)
    english = (target / "quiz.en.gift").read_text(encoding="utf-8")
    assert "::A:: The sun is a star" in english and "::B::" in english  # B falls back to Arabic
    db.session.delete(course)
    db.session.commit()
    (reimported,) = courses.import_course_folders([target])
    assert [q.title for q in bank.bank_questions(reimported.id)] == ["A", "B"]
