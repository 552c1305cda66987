"""Races of one learner with themself: two starts give one attempt, two submissions one grade (both backends)."""
import pytest
import sqlalchemy as sa

from lms.accounts.models import User
from lms.courses.models import Course, CourseStatus
from lms.extensions import db
from lms.progress.models import Enrollment
from lms.quizzes import attempts, bank
from lms.quizzes.models import AttemptStatus, QuizAttempt
from tests.conftest import database_url, make_app, run_in_threads
from tests.quizzes.conftest import right_answers, sample_questions

WORKERS = 8


@pytest.fixture
def quiz_app(tmp_path):
    app = make_app(database_url(tmp_path, "quiz_race"))
    with app.app_context():
        db.create_all()
        course = Course(slug="quiz-race", title_ar="سباق", title_en="Race", status=CourseStatus.PUBLISHED,
                        module_count=0, quiz_settings={"file": "quiz.gift", "pass_mark": 50})
        db.session.add(course)
        db.session.add_all(User(username=f"u{n}", full_name_ar="م", full_name_latin="M") for n in range(WORKERS))
        db.session.flush()
        db.session.add_all(Enrollment(user_id=u.id, course_id=course.id) for u in db.session.scalars(sa.select(User)))
        bank._apply(course, [{"ar": q} for q in sample_questions()], retire_missing=True)
        db.session.commit()
    yield app
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def _user_and_course(name="u0"):
    return (db.session.scalar(sa.select(User).where(User.username == name)),
            db.session.scalar(sa.select(Course).where(Course.slug == "quiz-race")))


@pytest.mark.no_db
def test_starting_at_the_same_time_gives_one_attempt(quiz_app):
    started = []

    def work(n):
        user, course = _user_and_course()
        started.append(attempts.start_attempt(user.id, course).id)

    assert run_in_threads(quiz_app, work, WORKERS) == []
    assert len(set(started)) == 1
    with quiz_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(QuizAttempt)) == 1


@pytest.mark.no_db
def test_submitting_at_the_same_time_gives_one_grade(quiz_app):
    with quiz_app.app_context():
        user, course = _user_and_course()
        attempt = attempts.start_attempt(user.id, course)
        key = right_answers(attempts.attempt_questions(attempt.id))
        attempts.save_answers(attempt.id, user.id, key)
        attempt_id, user_id = attempt.id, user.id
    grades = []

    def work(n):
        graded = attempts.submit_attempt(attempt_id, user_id)
        grades.append((graded.score, graded.finished_at))

    assert run_in_threads(quiz_app, work, WORKERS) == []
    assert len(set(grades)) == 1 and grades[0][0] == 100
    with quiz_app.app_context():
        assert db.session.scalar(sa.select(Enrollment.completed_at).where(Enrollment.user_id == user_id)) is not None


@pytest.mark.no_db
def test_answers_racing_a_submission_are_graded_or_refused_never_lost(quiz_app):
    with quiz_app.app_context():
        user, course = _user_and_course()
        attempt = attempts.start_attempt(user.id, course)
        key = right_answers(attempts.attempt_questions(attempt.id))
        attempt_id, user_id = attempt.id, user.id
    items = list(key.items())
    saved = []

    def work(n):
        if n == 0:
            attempts.submit_attempt(attempt_id, user_id)
            return
        question, answer = items[(n - 1) % len(items)]
        try:
            attempts.save_answers(attempt_id, user_id, {question: answer})
            saved.append(question)
        except attempts.AttemptFinished:
            pass

    assert run_in_threads(quiz_app, work, WORKERS) == []
    with quiz_app.app_context():
        graded = db.session.get(QuizAttempt, attempt_id)
        assert graded.status == AttemptStatus.FINISHED
        # Every answer the server accepted was graded: the score counts exactly them.
        assert graded.score == pytest.approx(100 * len(set(saved)) / len(items), abs=0.01)


@pytest.mark.no_db
def test_many_learners_take_the_quiz_at_once(quiz_app):
    def work(n):
        user, course = _user_and_course(f"u{n}")
        attempt = attempts.start_attempt(user.id, course)
        attempts.save_answers(attempt.id, user.id, right_answers(attempts.attempt_questions(attempt.id)))
        assert attempts.submit_attempt(attempt.id, user.id).score == 100

    assert run_in_threads(quiz_app, work, WORKERS) == []
    with quiz_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Enrollment.completed_at))) == WORKERS
