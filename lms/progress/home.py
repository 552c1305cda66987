"""The learner's sections of the home page: what is due next, where they left off, their courses.

Every person may learn, so these sections serve every role; a member of staff who follows no course of their own
does not see them (HR's home is about their governorate, not about an empty course list).
"""
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from lms.accounts.models import Role
from lms.courses.models import Course, Module
from lms.extensions import db
from lms.progress import services
from lms.progress.models import Enrollment
from lms.quizzes.models import AttemptQuestion, AttemptStatus, QuizAttempt

DUE_SHOWN = 5


@dataclass(frozen=True)
class DueCourse:
    course: Course
    due_at: datetime
    is_overdue: bool
    resume_position: int


@dataclass(frozen=True)
class DueNext:
    items: list[DueCourse]  # soonest first, the overdue ones (the soonest of all) first
    total: int  # how many courses are due, shown or not
    overdue: int


def due_next(user_id: int, now: datetime, limit: int = DUE_SHOWN) -> DueNext:
    """The learner's courses with a due date that they have not completed, soonest first (two queries)."""
    open_with_due = (Enrollment.user_id == user_id, Enrollment.completed_at.is_(None), Enrollment.due_at.is_not(None))
    total, overdue = db.session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(sa.case((Enrollment.due_at < now, 1), else_=0)), 0))
        .where(*open_with_due)).one()
    rows = db.session.execute(
        sa.select(Enrollment, Course).join(Course, Course.id == Enrollment.course_id)
        .where(*open_with_due).order_by(Enrollment.due_at, Course.id).limit(limit)).all()
    items = [DueCourse(course, enrollment.due_at, enrollment.due_at < now,
                       services.CourseProgress(course, enrollment, 0).resume_position)
             for enrollment, course in rows]
    return DueNext(items, int(total), int(overdue))


@dataclass(frozen=True)
class Resume:
    """The course module, or the open quiz attempt, the learner touched last."""

    course: Course
    at: datetime
    position: int | None = None  # the module to open again
    module_title: dict[str, str] | None = None
    attempt_id: int | None = None  # an open quiz attempt: it has a clock


def last_touched(user_id: int, now: datetime) -> Resume | None:
    """Where the learner left off: the open quiz attempt or the unfinished course they worked on last (two
    queries). `now` bounds the look-up: activity stamped after it is not yet "last"."""
    attempt = db.session.execute(
        sa.select(QuizAttempt.id, QuizAttempt.course_id,
                  sa.func.coalesce(sa.func.max(AttemptQuestion.saved_at), QuizAttempt.started_at).label("at"))
        .outerjoin(AttemptQuestion, AttemptQuestion.attempt_id == QuizAttempt.id)
        .where(QuizAttempt.user_id == user_id, QuizAttempt.status == AttemptStatus.OPEN)
        .group_by(QuizAttempt.id, QuizAttempt.course_id, QuizAttempt.started_at)).first()
    row = db.session.execute(
        sa.select(Enrollment, Course, Module.title_ar, Module.title_en).join(Course, Course.id == Enrollment.course_id)
        .outerjoin(Module, sa.and_(Module.course_id == Course.id, Module.position == Enrollment.last_position))
        .where(Enrollment.user_id == user_id, Enrollment.completed_at.is_(None),
               Enrollment.last_activity_at.is_not(None), Enrollment.last_activity_at <= now)
        .order_by(Enrollment.last_activity_at.desc(), Enrollment.id.desc()).limit(1)).first()
    module = None
    if row is not None:
        enrollment, course, title_ar, title_en = row
        position = services.CourseProgress(course, enrollment, 0).resume_position
        titles = {"ar": title_ar, "en": title_en} if title_ar is not None else None
        module = Resume(course, enrollment.last_activity_at, position=position, module_title=titles)
    if attempt is not None and (module is None or _aware(attempt.at) >= module.at):
        return Resume(db.session.get(Course, attempt.course_id), _aware(attempt.at), attempt_id=attempt.id)
    return module


def _aware(moment: datetime) -> datetime:
    """A max() over a UTCDateTime column comes back naive on SQLite: it is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- the sections ----------------------------------------------------------------------------------------------

def _is_learner(viewer) -> bool:
    return viewer.role == Role.LEARNER


def load_due(viewer, now: datetime) -> DueNext | None:
    due = due_next(viewer.id, now)
    return due if due.total else None


def load_resume(viewer, now: datetime) -> Resume | None:
    return last_touched(viewer.id, now)


@dataclass(frozen=True)
class MyCourses:
    mine: list
    available: list


def load_courses(viewer, now: datetime) -> MyCourses | None:
    mine, available = services.dashboard(viewer.id)
    if not mine and not _is_learner(viewer):
        return None  # staff who follow no course: their home is about their work
    return MyCourses(mine, available)
