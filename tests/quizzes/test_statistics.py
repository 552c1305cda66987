"""Item statistics against figures worked out by hand, in a fixed number of queries."""
import pytest
import sqlalchemy as sa

from lms.extensions import db as _db
from lms.progress import services as progress
from lms.quizzes import attempts
from lms.quizzes.statistics import course_statistics, discrimination, item_statistics
from tests import factories
from tests.quizzes.conftest import add_bank, sample_questions

# Four attempts at three questions, credits by hand:   A (single)  B (true/false)  C (multiple)
#   1                                                      1            1               1
#   2                                                      1            0               1
#   3                                                      0            1               0 (no answer)
#   4                                                      0            0               0.5
# A: facility 50, SD sqrt(1/3) = 57.74; rest = B + C = 2, 1, 1, 0.5; r = 0.75 / sqrt(1 × 1.1875) = 68.82
# B: facility 50, SD 57.74; rest = A + C = 2, 2, 0, 0.5; r = -0.25 / sqrt(1 × 3.1875) = -14.00
# C: facility 62.50, SD sqrt(0.6875 / 3) = 47.87; rest = A + B = 2, 1, 1, 0; r = 0.5 / sqrt(0.6875 × 2) = 42.64
EXPECTED = {"A": (50.0, 57.74, 68.82), "B": (50.0, 57.74, -14.00), "C": (62.5, 47.87, 42.64)}


def _course():
    single, multiple, truefalse = sample_questions()[:3]
    return add_bank(factories.CourseFactory(), [single, truefalse, multiple])


def _answers(rows, a: bool, b: bool, c: str):
    by_type = {q.type: q for _aq, q in rows}
    single, multiple = by_type["single"], by_type["multiple"]
    options = {a_["text"]["ar"]: a_["id"] for a_ in single.data["answers"] + multiple.data["answers"]}
    answers = {str(single.id): options["القاهرة" if a else "أسوان"],
               str(by_type["truefalse"].id): "true" if b else "false"}
    if c:
        answers[str(multiple.id)] = [options[text] for text in c.split()]
    return answers


def _attempt(course, answers):
    learner = factories.UserFactory()
    progress.enroll(learner.id, course)
    attempt = attempts.start_attempt(learner.id, course)
    attempts.save_answers(attempt.id, learner.id, answers(attempts.attempt_questions(attempt.id)))
    return attempts.submit_attempt(attempt.id, learner.id)


@pytest.fixture
def graded(db):
    course = _course()
    for a, b, c in ((True, True, "2 4"), (True, False, "2 4"), (False, True, ""), (False, False, "2")):
        _attempt(course, lambda rows, a=a, b=b, c=c: _answers(rows, a, b, c))
    return course


def test_the_figures_match_the_hand_computed_example(graded):
    items = {item.question.type: item for item in course_statistics(graded.id, "ar")}
    for name, kind in (("A", "single"), ("B", "truefalse"), ("C", "multiple")):
        facility, sd, disc = EXPECTED[name]
        item = items[kind]
        assert item.attempts == 4
        assert round(item.facility, 2) == facility, name
        assert round(item.sd, 2) == sd, name
        assert round(item.discrimination, 2) == disc, name


def test_what_learners_chose(graded):
    items = {item.question.type: item for item in course_statistics(graded.id, "ar")}
    single = [(str(r.label), r.count, r.percent, r.fraction) for r in items["single"].responses]
    assert single == [("القاهرة", 2, 50.0, 1), ("أسوان", 2, 50.0, 0), ("طنطا", 0, 0.0, 0)]
    assert [(r.count, r.percent) for r in items["truefalse"].responses] == [(2, 50.0), (2, 50.0)]
    multiple = items["multiple"]
    assert [(r.count, r.percent) for r in multiple.responses] == [(3, 75.0), (2, 50.0), (0, 0.0)]
    assert multiple.no_answer == 1


def test_short_numeric_and_matching_answers(db):
    questions = sample_questions()
    course = add_bank(factories.CourseFactory(), [questions[3], questions[4], questions[5]])

    def answers(short, number, matched):
        def build(rows):
            by_type = {q.type: q for _aq, q in rows}
            pairs = by_type["matching"].data["answers"]
            return {str(by_type["short"].id): short, str(by_type["numeric"].id): number,
                    str(by_type["matching"].id): {p["id"]: p["choice_id"] for p in pairs[:matched]}}
        return build

    for short, number, matched in (("الاسكندريه", "٥", 3), ("الإسكندرية", 5, 1), ("القاهرة", "4", 0)):
        _attempt(course, answers(short, number, matched))
    items = {item.question.type: item for item in course_statistics(course.id, "ar")}
    assert [(r.label, r.count, r.fraction) for r in items["short"].responses] == [("الاسكندريه", 2, 1.0),
                                                                                  ("القاهرة", 1, 0.0)]
    assert [(r.label, r.count) for r in items["numeric"].responses] == [("٥", 2), ("٤", 1)]
    matching = items["matching"]
    assert [r.count for r in matching.responses] == [2, 1, 1] and matching.no_answer == 1
    assert round(matching.responses[0].percent, 2) == 66.67


def test_undefined_discrimination_is_none():
    assert discrimination([1.0], [2.0]) is None  # one attempt
    assert discrimination([1.0, 1.0, 1.0], [0.0, 1.0, 2.0]) is None  # everybody got it right
    assert discrimination([0.0, 1.0], [1.0, 1.0]) is None  # the rest of the test is the same for all
    assert discrimination([0.0, 1.0], [0.0, 2.0]) == pytest.approx(100)


def test_item_statistics_of_an_unattempted_question(db):
    course = _course()
    (first, *_rest) = item_statistics(list(_course_questions(course)), [], "ar")
    assert (first.attempts, first.facility, first.sd, first.discrimination, first.responses) == (0, None, None,
                                                                                                None, [])


def _course_questions(course):
    from lms.quizzes.bank import bank_questions
    return bank_questions(course.id)


def test_statistics_take_two_queries_however_many_attempts(graded):
    statements = []

    def count(_conn, _cursor, statement, *_args):
        if not statement.startswith(("SAVEPOINT", "RELEASE")):  # the test's transaction, not the queries
            statements.append(statement)

    sa.event.listen(_db.engine, "before_cursor_execute", count)
    try:
        course_statistics(graded.id, "ar")
    finally:
        sa.event.remove(_db.engine, "before_cursor_execute", count)
    assert len(statements) == 2, statements


def test_the_statistics_page(client, as_trainer, graded):
    page = client.get(f"/manage/courses/{graded.slug}/quiz/statistics").text
    assert "٥٠٫٠٠٪" in page and "٦٨٫٨٢٪" in page and "-١٤٫٠٠٪" in page
    assert "القاهرة" in page
    assert page.count('<span class="badge">عدد قليل للحكم</span>') == 3  # four attempts each: too few to judge
    assert "أقل من ١٠ محاولات" in page


def test_ten_attempts_are_enough_to_judge(db):
    course = _course()
    for n in range(10):
        _attempt(course, lambda rows, n=n: _answers(rows, n % 2 == 0, n % 3 == 0, "2 4"))
    items = course_statistics(course.id, "ar")
    assert [item.attempts for item in items] == [10, 10, 10] and not any(item.too_few_to_judge for item in items)
