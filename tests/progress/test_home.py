"""The learner's home sections at a fixed moment: what is due next, soonest first, and where they left off."""
from datetime import UTC, datetime, timedelta

from lms.progress import services
from lms.progress.home import due_next, last_touched
from lms.quizzes.models import AttemptStatus, QuizAttempt
from tests import factories

NOW = datetime(2031, 3, 14, 9, 30, tzinfo=UTC)


def _enrol(db, user, course, **values):
    enrollment = services.enroll(user.id, course)
    for name, value in values.items():
        setattr(enrollment, name, value)
    db.session.commit()
    return enrollment


def test_due_next_lists_open_courses_with_a_due_date_soonest_first_and_marks_the_overdue(db):
    learner = factories.UserFactory()
    later, soon, late, done, free = (factories.CourseFactory() for _ in range(5))
    _enrol(db, learner, later, due_at=NOW + timedelta(days=5))
    _enrol(db, learner, soon, due_at=NOW + timedelta(days=1))
    _enrol(db, learner, late, due_at=NOW - timedelta(days=2))
    _enrol(db, learner, done, due_at=NOW - timedelta(days=9), completed_at=NOW - timedelta(days=10))
    _enrol(db, learner, free)
    other = factories.UserFactory()
    _enrol(db, other, later, due_at=NOW - timedelta(days=1))  # someone else's

    due = due_next(learner.id, NOW)
    assert [item.course.id for item in due.items] == [late.id, soon.id, later.id]
    assert [item.is_overdue for item in due.items] == [True, False, False]
    assert (due.total, due.overdue) == (3, 1)
    shown = due_next(learner.id, NOW, limit=2)
    assert len(shown.items) == 2 and shown.total == 3
    # the same enrolments a week later: the course due tomorrow is overdue too
    assert due_next(learner.id, NOW + timedelta(days=7)).overdue == 3


def test_where_i_left_off_is_the_last_module_opened_or_an_open_quiz_attempt(db):
    learner = factories.UserFactory()
    first, second = factories.CourseFactory(modules=3), factories.CourseFactory(modules=2)
    assert last_touched(learner.id, NOW) is None
    _enrol(db, learner, first, last_position=2, last_activity_at=NOW - timedelta(hours=3))
    _enrol(db, learner, second, last_position=1, last_activity_at=NOW - timedelta(days=1))
    resume = last_touched(learner.id, NOW)
    assert (resume.course.id, resume.position, resume.attempt_id) == (first.id, 2, None)
    assert resume.module_title == {"ar": "الوحدة 2", "en": "Module 2"}

    attempt = QuizAttempt(user_id=learner.id, course_id=second.id, number=1, status=AttemptStatus.OPEN,
                          started_at=NOW - timedelta(hours=1))
    db.session.add(attempt)
    db.session.commit()
    resume = last_touched(learner.id, NOW)
    assert (resume.course.id, resume.attempt_id) == (second.id, attempt.id)

    # an attempt older than the module read since gives way to it
    attempt.started_at = NOW - timedelta(hours=5)
    db.session.commit()
    assert last_touched(learner.id, NOW).course.id == first.id


def test_a_completed_course_is_not_where_one_left_off(db):
    learner = factories.UserFactory()
    course = factories.CourseFactory()
    _enrol(db, learner, course, last_position=2, last_activity_at=NOW - timedelta(hours=1),
           completed_at=NOW - timedelta(hours=1))
    assert last_touched(learner.id, NOW) is None
