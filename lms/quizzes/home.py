"""The quizzes' sections of a trainer's home page: recent attempts on their courses, and the questions that the
item statistics flag (lms.quizzes.statistics: one rule, shown on the statistics page too)."""
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from lms.accounts.models import User
from lms.core.i18n import current_locale
from lms.courses.models import Course
from lms.courses.services import managed_courses
from lms.extensions import db
from lms.quizzes.models import AttemptStatus, QuizAttempt
from lms.quizzes.statistics import ItemStatistics, course_statistics

ATTEMPTS_SHOWN = 5


@dataclass(frozen=True)
class RecentAttempt:
    attempt: QuizAttempt
    learner: User
    course: Course


def recent_attempts(course_ids: list[int], now: datetime, limit: int = ATTEMPTS_SHOWN) -> list[RecentAttempt]:
    """The latest finished attempts on these courses' quizzes, newest first (one query)."""
    if not course_ids:
        return []
    rows = db.session.execute(
        sa.select(QuizAttempt, User, Course).join(User, User.id == QuizAttempt.user_id)
        .join(Course, Course.id == QuizAttempt.course_id)
        .where(QuizAttempt.course_id.in_(course_ids), QuizAttempt.status == AttemptStatus.FINISHED,
               QuizAttempt.finished_at <= now)
        .order_by(QuizAttempt.finished_at.desc(), QuizAttempt.id.desc()).limit(limit))
    return [RecentAttempt(*row) for row in rows]


@dataclass(frozen=True)
class FlaggedQuestion:
    course: Course
    item: ItemStatistics


def flagged_questions(courses: list[Course], lang: str) -> list[FlaggedQuestion]:
    """The questions of these courses' banks that the item statistics flag, course by course (two queries per
    course: the statistics page's own)."""
    return [FlaggedQuestion(course, item) for course in courses
            for item in course_statistics(course.id, lang) if item.needs_a_look]


# --- the sections ----------------------------------------------------------------------------------------------

def load_attempts(viewer, now: datetime) -> list[RecentAttempt] | None:
    return recent_attempts([c.id for c in managed_courses(viewer)], now) or None


def load_flagged(viewer, now: datetime) -> list[FlaggedQuestion] | None:
    """Shown, even empty, to a trainer with courses: "nothing flagged" is news too."""
    courses = managed_courses(viewer)
    return flagged_questions(courses, current_locale()) if courses else None
