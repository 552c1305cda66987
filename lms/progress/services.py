"""Enrolment, module completion and progress. Every page's queries are a fixed number, whatever the size."""
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from lms.accounts.models import User
from lms.accounts.scope import EVERYTHING, Scope
from lms.core.db import begin_write
from lms.core.i18n import _, pick_language
from lms.core.models import ValidationError, utcnow
from lms.core.signals import course_completed
from lms.courses.models import Course, CourseStatus, Module
from lms.courses.services import may_see
from lms.extensions import db
from lms.progress.models import Enrollment, ModuleCompletion
from lms.progress.paths import course_to_finish_first, refuse_locked_quiz, require_unlocked
from lms.quizzes.attempts import NotAllowed, quiz_outcome
from lms.quizzes.bank import has_questions
from lms.quizzes.models import Question, QuizAttempt


def progress_percent(modules: int, done: int, has_quiz: bool, quiz_passed: bool) -> int:
    """Modules done and the quiz passed, each counting as one step, as Moodle counts activities: the one rule of
    every screen that shows a learner's progress in a course."""
    total = modules + has_quiz
    return round(100 * (done + (has_quiz and quiz_passed)) / total) if total else 0


@dataclass(frozen=True)
class CourseProgress:
    course: Course
    enrollment: Enrollment | None
    completed: int  # modules done
    has_quiz: bool = False
    quiz_passed: bool = False

    @property
    def percent(self) -> int:
        return progress_percent(self.course.module_count, self.completed, self.has_quiz, self.quiz_passed)

    @property
    def resume_position(self) -> int:
        last = self.enrollment.last_position if self.enrollment else None
        return last if last and 1 <= last <= self.course.module_count else 1


# Hot statements are built once: building a select costs more than running it on pages read all day.
_USER = sa.bindparam("user_id")
_DONE_BY_COURSE = (
    sa.select(Module.course_id, sa.func.count(ModuleCompletion.id).label("done"))
    .join(ModuleCompletion, ModuleCompletion.module_id == Module.id)
    .where(ModuleCompletion.user_id == _USER)
    .group_by(Module.course_id)
    .subquery()
)
# A course has a quiz when its bank holds an active question; a learner passed it when an attempt passed.
_HAS_QUIZ = sa.exists().where(Question.course_id == Course.id, Question.is_active)
_QUIZ_PASSED = sa.exists().where(QuizAttempt.course_id == Course.id, QuizAttempt.user_id == _USER,
                                 QuizAttempt.is_passed, QuizAttempt.archived_at.is_(None))
_COURSES_FOR_USER = (
    sa.select(Course, Enrollment, sa.func.coalesce(_DONE_BY_COURSE.c.done, 0), _HAS_QUIZ, _QUIZ_PASSED)
    .outerjoin(Enrollment, sa.and_(Enrollment.course_id == Course.id, Enrollment.user_id == _USER))
    .outerjoin(_DONE_BY_COURSE, _DONE_BY_COURSE.c.course_id == Course.id)
    .where(sa.or_(Course.status == CourseStatus.PUBLISHED, Enrollment.id.is_not(None)))
    .order_by(Course.id)
)


def courses_for(user_id: int) -> list[CourseProgress]:
    """Published courses and the user's enrolments, each with the user's progress (one query)."""
    rows = db.session.execute(_COURSES_FOR_USER, {"user_id": user_id})
    return [CourseProgress(*row) for row in rows]


def _enrolled_most_recent_first(entries: list[CourseProgress]) -> list[CourseProgress]:
    enrolled = [e for e in entries if e.enrollment]
    return sorted(enrolled, key=lambda e: e.enrollment.last_activity_at or e.enrollment.enrolled_at, reverse=True)


def my_courses(user_id: int) -> list[CourseProgress]:
    """The user's enrolments with their progress, most recently active first."""
    return _enrolled_most_recent_first(courses_for(user_id))


def dashboard(user_id: int) -> tuple[list[CourseProgress], list[Course]]:
    """The learner's courses (most recent first) and the published ones they can still join (one query)."""
    entries = courses_for(user_id)
    return _enrolled_most_recent_first(entries), [e.course for e in entries if not e.enrollment]


def catalogue(user_id: int) -> list[CourseProgress]:
    """Every published course, with the user's progress where enrolled."""
    return [e for e in courses_for(user_id) if e.course.is_published]


def visible_course(slug: str, user: User) -> Course | None:
    course = db.session.scalar(sa.select(Course).where(Course.slug == slug))
    return course if course is not None and may_see(course, user) else None


def enrollment_for(user_id: int, course_id: int, *, for_update: bool = False) -> Enrollment | None:
    query = sa.select(Enrollment).where(Enrollment.user_id == user_id, Enrollment.course_id == course_id)
    return db.session.scalar(query.with_for_update() if for_update else query)


def completed_positions(user_id: int, course_id: int) -> set[int]:
    return set(db.session.scalars(
        sa.select(Module.position)
        .join(ModuleCompletion, ModuleCompletion.module_id == Module.id)
        .where(Module.course_id == course_id, ModuleCompletion.user_id == user_id)
    ))


@dataclass(frozen=True)
class OutlineEntry:
    position: int
    title: dict[str, str]
    is_done: bool


_OUTLINE = (
    sa.select(Module.position, Module.title_ar, Module.title_en, ModuleCompletion.id.is_not(None))
    .outerjoin(ModuleCompletion, sa.and_(ModuleCompletion.module_id == Module.id, ModuleCompletion.user_id == _USER))
    .where(Module.course_id == sa.bindparam("course_id"))
    .order_by(Module.position)
)


_COURSE_WITH_ENROLLMENT = (
    sa.select(Course, Enrollment, _HAS_QUIZ, _QUIZ_PASSED)
    .outerjoin(Enrollment, sa.and_(Enrollment.course_id == Course.id, Enrollment.user_id == _USER))
    .where(Course.slug == sa.bindparam("slug"))
)


def course_overview(user: User, slug: str) -> tuple[CourseProgress, list[OutlineEntry]]:
    """A course the user may see, their progress in it and its modules marked done or not (two queries).

    LookupError when the course does not exist or is hidden from this user.
    """
    row = db.session.execute(_COURSE_WITH_ENROLLMENT, {"user_id": user.id, "slug": slug}).first()
    if row is None or not may_see(row[0], user):
        raise LookupError(slug)
    course, enrollment, has_quiz, quiz_passed = row
    outline = [
        OutlineEntry(position, {"ar": title_ar, "en": title_en}, bool(done) and enrollment is not None)
        for position, title_ar, title_en, done in db.session.execute(
            _OUTLINE, {"user_id": user.id, "course_id": course.id})
    ]
    return CourseProgress(course, enrollment, sum(e.is_done for e in outline), has_quiz, quiz_passed), outline


_QUIZ_STATE = sa.select(_HAS_QUIZ, _QUIZ_PASSED).where(Course.id == sa.bindparam("course_id"))


def _quiz_state(user_id: int, course_id: int) -> tuple[bool, bool]:
    """Whether the course has a quiz, and whether the user passed it (one query)."""
    has_quiz, passed = db.session.execute(_QUIZ_STATE, {"user_id": user_id, "course_id": course_id}).one()
    return bool(has_quiz), bool(passed)


def course_progress(user_id: int, course: Course) -> CourseProgress:
    enrollment = enrollment_for(user_id, course.id)
    completed = len(completed_positions(user_id, course.id)) if enrollment else 0
    return CourseProgress(course, enrollment, completed, *_quiz_state(user_id, course.id))


def enroll(user_id: int, course: Course) -> Enrollment:
    """Self-enrolment in a published course; enrolling twice is harmless."""
    if not course.is_published:
        raise ValidationError({"": _("This course is not open for enrolment.")})
    begin_write()
    enrollment = enrollment_for(user_id, course.id)
    if enrollment is None:
        enrollment = Enrollment(user_id=user_id, course_id=course.id)
        db.session.add(enrollment)
        try:
            db.session.commit()
        except IntegrityError:  # a parallel request enrolled first: same outcome
            db.session.rollback()
            enrollment = enrollment_for(user_id, course.id)
    return enrollment


class NotEnrolled(Exception):
    """The learner must enrol in the course before opening its modules."""


@dataclass(frozen=True)
class ModuleView:
    course: Course
    module: Module
    outline: list[OutlineEntry]  # every module of the course, marked done or not
    has_quiz: bool = False
    quiz_passed: bool = False

    @property
    def done(self) -> set[int]:
        """Positions of the modules the learner has finished."""
        return {entry.position for entry in self.outline if entry.is_done}

    @property
    def is_done(self) -> bool:
        return self.module.position in self.done

    @property
    def next_entry(self) -> OutlineEntry | None:
        """The module after this one, None on the last."""
        return next((entry for entry in self.outline if entry.position > self.module.position), None)

    @property
    def quiz_is_next(self) -> bool:
        """On the last module, the quiz is where to go next until it is passed; otherwise back to the course."""
        return self.next_entry is None and self.has_quiz and not self.quiz_passed


_MODULE_OF_COURSE = (
    sa.select(Module, _HAS_QUIZ, _QUIZ_PASSED)
    .join(Module.course)
    .options(contains_eager(Module.course))
    .where(Course.slug == sa.bindparam("slug"), Module.position == sa.bindparam("position"))
)


def open_module(user: User, slug: str, position: int) -> ModuleView:
    """The module a learner opens with the course's outline, remembered for "resume" (LookupError when hidden or
    missing; three queries)."""
    row = db.session.execute(_MODULE_OF_COURSE, {"slug": slug, "position": position, "user_id": user.id}).first()
    if row is None or not may_see(row[0].course, user):
        raise LookupError(slug, position)
    module, has_quiz, quiz_passed = row
    enrollment = enrollment_for(user.id, module.course_id)
    if enrollment is None:
        raise NotEnrolled(slug)
    require_unlocked(user.id, module.course_id)  # CourseLocked: an ordered learning path asks for another first
    outline = [OutlineEntry(number, {"ar": title_ar, "en": title_en}, bool(done))
               for number, title_ar, title_en, done in db.session.execute(
                   _OUTLINE, {"user_id": user.id, "course_id": module.course_id})]
    record_visit(enrollment, position)
    return ModuleView(module.course, module, outline, bool(has_quiz), bool(quiz_passed))


def record_visit(enrollment: Enrollment, position: int) -> None:
    """Remember the module opened last, for "resume where I left off". Writes only when it changed."""
    if enrollment.last_position == position:
        return
    begin_write()
    db.session.execute(
        sa.update(Enrollment).where(Enrollment.id == enrollment.id)
        .values(last_position=position, last_activity_at=utcnow())
    )
    db.session.commit()


def complete_module(user_id: int, course: Course, position: int) -> CourseProgress:
    """Mark a module as done (idempotent); completing the last one completes the course."""
    begin_write()
    # The row lock makes one learner's parallel completions count one after the other (PostgreSQL);
    # on SQLite, BEGIN IMMEDIATE already does.
    enrollment = enrollment_for(user_id, course.id, for_update=True)
    if enrollment is None:
        raise ValidationError({"": _("Enrol in the course first.")})
    if (first := course_to_finish_first(user_id, course.id)) is not None:
        raise ValidationError({"": _("Complete the course %(course)s first: this learning path goes in order.",
                                     course=pick_language(first, "title"))})
    module = db.session.scalar(sa.select(Module).where(Module.course_id == course.id, Module.position == position))
    if module is None:
        raise LookupError(position)
    now = utcnow()
    exists = db.session.scalar(sa.select(ModuleCompletion.id).where(
        ModuleCompletion.user_id == user_id, ModuleCompletion.module_id == module.id))
    if exists is None:
        db.session.add(ModuleCompletion(user_id=user_id, module_id=module.id, completed_at=now))
    enrollment.last_activity_at = now
    try:
        db.session.flush()
    except IntegrityError:  # the same module was completed by a parallel request, which carries on from here
        db.session.rollback()
        return course_progress(user_id, course)
    completed = len(completed_positions(user_id, course.id))
    _complete_if_done(enrollment, course, completed)
    db.session.commit()
    return CourseProgress(course, enrollment, completed, *_quiz_state(user_id, course.id))


def _complete_if_done(enrollment: Enrollment, course: Course, completed: int) -> None:
    """Every module done and the quiz (if the course has one) passed: the course is completed, once.

    The signal goes out inside the use case's transaction, so that what listeners write (a certificate)
    commits or fails with it.
    """
    if enrollment.completed_at is not None or completed < course.module_count:
        return
    if has_questions(course.id) and not quiz_outcome(enrollment.user_id, course).is_passed:
        return
    enrollment.completed_at = utcnow()
    db.session.flush()
    course_completed.send(enrollment)


def check_quiz_start(course: Course, user_id: int) -> None:
    """The quizzes package's `may_start_attempt`: enrolled (the enrolment row locked, so that one learner's attempts
    start one at a time), and not held back by a learning path that goes in order."""
    if enrollment_for(user_id, course.id, for_update=True) is None:
        raise NotAllowed(_("Enrol in the course first."))
    refuse_locked_quiz(course, user_id)


def complete_after_quiz(attempt: QuizAttempt, **_kwargs) -> None:
    if not attempt.is_passed:
        return
    enrollment = enrollment_for(attempt.user_id, attempt.course_id, for_update=True)
    if enrollment is not None:
        course = db.session.get(Course, attempt.course_id)
        _complete_if_done(enrollment, course, len(completed_positions(attempt.user_id, course.id)))


@dataclass(frozen=True)
class LearnerRow:
    user: User
    enrolled_at: datetime
    completed_at: datetime | None
    last_activity_at: datetime | None
    completed: int  # modules done
    percent: int
    quiz_passed: bool | None  # None: the course has no quiz


def progress_table(course: Course, page: int, per_page: int = 50, scope: Scope = EVERYTHING):
    """One page of the enrolled learners of a course (those in `scope`) with their progress, counted as the learner
    sees it (three queries whatever the size)."""
    done = (
        sa.select(ModuleCompletion.user_id, sa.func.count(ModuleCompletion.id).label("done"))
        .join(Module, Module.id == ModuleCompletion.module_id)
        .where(Module.course_id == course.id)
        .group_by(ModuleCompletion.user_id)
        .subquery()
    )
    passed = sa.exists().where(QuizAttempt.course_id == course.id, QuizAttempt.user_id == User.id,
                               QuizAttempt.is_passed, QuizAttempt.archived_at.is_(None))
    query = (
        sa.select(User, Enrollment, sa.func.coalesce(done.c.done, 0), passed)
        .join(Enrollment, Enrollment.user_id == User.id)
        .outerjoin(done, done.c.user_id == User.id)
        .options(sa.orm.joinedload(User.center))
        .where(Enrollment.course_id == course.id, scope.users())
        .order_by(User.full_name_ar)
    )
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(Enrollment).join(User, User.id == Enrollment.user_id)
        .where(Enrollment.course_id == course.id, scope.users())
    )
    rows = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).all()
    quiz = has_questions(course.id) if rows else False
    return total, [LearnerRow(u, e.enrolled_at, e.completed_at, e.last_activity_at, n,
                              progress_percent(course.module_count, n, quiz, passed), passed if quiz else None)
                   for u, e, n, passed in rows]


def completed_positions_by_course(user_id: int) -> dict[int, set[int]]:
    """course id -> positions of the modules the user has finished (one query for all courses)."""
    result: dict[int, set[int]] = {}
    rows = db.session.execute(
        sa.select(Module.course_id, Module.position)
        .join(ModuleCompletion, ModuleCompletion.module_id == Module.id)
        .where(ModuleCompletion.user_id == user_id)
    )
    for course_id, position in rows:
        result.setdefault(course_id, set()).add(position)
    return result


def enrolment_counts(scope: Scope = EVERYTHING, courses: list[Course] | None = None) -> list[tuple[Course, int, int]]:
    """Each course (all, or `courses`) with its number of enrolled and completed learners in `scope` (one query)."""
    in_scope = (sa.select(Enrollment.course_id, Enrollment.completed_at).join(User, User.id == Enrollment.user_id)
                .where(scope.users()).subquery())
    query = (sa.select(Course, sa.func.count(in_scope.c.course_id), sa.func.count(in_scope.c.completed_at))
             .outerjoin(in_scope, in_scope.c.course_id == Course.id)
             .group_by(Course.id)
             .order_by(Course.id))
    if courses is not None:
        query = query.where(Course.id.in_([c.id for c in courses]))
    return list(db.session.execute(query).all())
