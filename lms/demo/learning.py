"""Learners' progress for the demo, as it would stand had they worked through their courses on the days given:
module completions, a passed quiz, the completion; and the certificates those completions earned, issued by the
real issuing service (serials, codes, log and the holder's notification as for any completion)."""
import random
from datetime import datetime, timedelta

import sqlalchemy as sa

from lms.certificates.issuing import issue_certificate
from lms.certificates.models import Certificate
from lms.core.db import begin_write
from lms.core.signals import course_completed
from lms.courses.models import Course, Module
from lms.extensions import db
from lms.progress.models import Enrollment, ModuleCompletion
from lms.quizzes.attempts import draw_questions, record_finished_attempt
from lms.quizzes.bank import has_questions
from lms.quizzes.models import Question, QuizAttempt
from lms.quizzes.settings import QuizSettings
from lms.quizzes.types import type_of

ISSUE_CHUNK = 500


def untouched_enrolment(user_id: int, course: Course, at: datetime) -> Enrollment | None:
    """The learner's enrolment in the course (made at `at` if there is none), when nothing was done in it yet;
    None once it was: the demo never changes what someone did since, on the web or an earlier run."""
    enrollment = db.session.scalar(sa.select(Enrollment).where(Enrollment.user_id == user_id,
                                                               Enrollment.course_id == course.id))
    if enrollment is None:
        enrollment = Enrollment(user_id=user_id, course_id=course.id, enrolled_at=at)
        db.session.add(enrollment)
        db.session.flush()
        return enrollment
    started = db.session.scalar(sa.select(sa.func.count(ModuleCompletion.id)).join(Module).where(
        ModuleCompletion.user_id == user_id, Module.course_id == course.id))
    # A revoked certificate or a renewal reopens a course and clears its modules: its attempts and certificates
    # still say it was played.
    played = db.session.scalar(sa.select(
        sa.exists().where(QuizAttempt.user_id == user_id, QuizAttempt.course_id == course.id)
        | sa.exists().where(Certificate.user_id == user_id, Certificate.course_id == course.id)))
    return None if enrollment.completed_at is not None or started or played else enrollment


def work_through(enrollment: Enrollment, course: Course, modules: int, at: datetime) -> None:
    """The first `modules` modules done by `at`, spread over the days before it."""
    ids = db.session.scalars(sa.select(Module.id).where(Module.course_id == course.id)
                             .order_by(Module.position).limit(modules)).all()
    for n, module_id in enumerate(ids):
        db.session.add(ModuleCompletion(user_id=enrollment.user_id, module_id=module_id,
                                        completed_at=at - timedelta(days=len(ids) - 1 - n)))
    enrollment.last_position, enrollment.last_activity_at = len(ids) or None, at


def complete(enrollment: Enrollment, course: Course, at: datetime) -> Certificate:
    """Every module done and the quiz (if any) passed by `at`: the course completed then, with the news a
    completion sends (its certificate is issued, a learning path it finishes is completed), dated `at`."""
    work_through(enrollment, course, course.module_count, at - timedelta(hours=1))
    # Completed first, on `at`: the graded attempt would otherwise complete the course today.
    enrollment.completed_at = enrollment.last_activity_at = at
    if has_questions(course.id):
        _pass_quiz(enrollment.user_id, course, at)
    db.session.flush()
    course_completed.send(enrollment, now=at)
    return db.session.scalar(sa.select(Certificate).where(
        Certificate.user_id == enrollment.user_id, Certificate.course_id == course.id,
        Certificate.superseded_at.is_(None)))


def _pass_quiz(user_id: int, course: Course, at: datetime) -> QuizAttempt:
    """An attempt answered and graded as any other, finished at `at`: its questions drawn by the quiz's settings,
    all answered right but one (a pass, not a perfect one), so that the trainer's item statistics and the attempt's
    review show what a learner answered, as they would after a real exam."""
    settings = QuizSettings.from_dict(course.quiz_settings)
    rng = random.Random(f"{user_id}-{course.id}")  # noqa: S311 (demo data, the same on every run)
    questions = draw_questions(course, settings, seed=rng.randrange(2**32))
    bank = {q.id: q for q in db.session.scalars(
        sa.select(Question).where(Question.id.in_([item["question"] for item in questions])))}
    count = len(questions)
    missed = rng.randrange(count) if 100 * (count - 1) / count >= settings.pass_mark else None
    answers = {}
    for n, item in enumerate(questions):
        question = bank[item["question"]]
        answers[question.id] = type_of(question.type).sample_answer(question.data, right=n != missed)
    return record_finished_attempt(
        user_id, course, questions, answers, finished_at=at,
        started_at=at - timedelta(minutes=min(25, settings.time_limit_minutes or 25)),
        finished_by="learner", pass_mark=settings.pass_mark, review=settings.review,
        time_limit_minutes=settings.time_limit_minutes or None)


def issue_earned(echo=lambda message: None) -> int:
    """Issue the certificate of each completed enrolment that has none yet (the bulk demo data writes its
    completions as rows), on its completion day, in the order they were completed; how many were issued. Commits a
    chunk at a time."""
    waiting = db.session.scalars(
        sa.select(Enrollment.id).where(Enrollment.completed_at.is_not(None), ~sa.exists().where(
            Certificate.user_id == Enrollment.user_id, Certificate.course_id == Enrollment.course_id))
        .order_by(Enrollment.completed_at, Enrollment.id)).all()
    for start in range(0, len(waiting), ISSUE_CHUNK):
        ids = waiting[start:start + ISSUE_CHUNK]
        begin_write()
        enrolments = {e.id: e for e in db.session.scalars(sa.select(Enrollment).where(Enrollment.id.in_(ids)))}
        for enrollment_id in ids:
            enrollment = enrolments[enrollment_id]
            issue_certificate(enrollment, now=enrollment.completed_at)
        db.session.commit()
        db.session.expunge_all()  # a chunk at a time: the session does not grow with the organisation
        echo(f"  {start + len(ids)} certificates issued")
    return len(waiting)
