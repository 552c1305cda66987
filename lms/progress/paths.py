"""مسار تدريبي: courses taken in order. Authoring and publishing, enrolling (a path enrolment and its courses'),
the lock of an ordered path, and completing a path (the certificates package then issues its certificate)."""
import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from lms.accounts import roles
from lms.accounts.models import Role, User
from lms.core.db import begin_write, locked, upsert_insert, value_taken
from lms.core.edits import check_unchanged
from lms.core.hooks import Hook
from lms.core.i18n import _, localize_digits, pick_language
from lms.core.models import UTCDateTime, ValidationError, utcnow
from lms.core.signals import path_completed
from lms.courses.models import Course, CourseStatus
from lms.extensions import db
from lms.progress.models import Enrollment, LearningPath, PathCourse, PathEnrollment, PathStatus
from lms.progress.status import TrainingStatus, status_of
from lms.quizzes.attempts import NotAllowed

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,79}$")
MAX_VALIDITY_MONTHS = 240

uncertified_courses = Hook("progress.uncertified_courses", """(user_id, path_id): the ids of the path's courses
whose completion no longer counts because its course certificate was revoked, read under a lock on those
certificates, so that a revocation and the completion of the path wait for each other. Called inside the write
transaction that would complete the path; the certificates package provides it.""")


class CourseLocked(Exception):
    """An ordered learning path asks the learner to complete `course` first."""

    def __init__(self, course: Course):
        super().__init__(course.slug)
        self.course = course


# -- authoring ------------------------------------------------------------------------------------------------

def may_edit(path: LearningPath | None, user: User) -> bool:
    """Those who manage learning paths edit every path, except a trainer: only the paths they made."""
    if user.role not in roles.MANAGE_PATHS:
        return False
    return user.role != Role.TRAINER or path is None or path.created_by_id == user.id


def list_paths(published_only: bool = False) -> list[LearningPath]:
    query = sa.select(LearningPath).options(sa.orm.selectinload(LearningPath.steps).joinedload(PathCourse.course))
    if published_only:
        query = query.where(LearningPath.status == PathStatus.PUBLISHED)
    return list(db.session.scalars(query.order_by(LearningPath.title_ar)))


def stored_path(path: LearningPath) -> dict:
    """What the path's form changes, as stored (an edit form's fingerprint is taken of it)."""
    return {"slug": path.slug, "status": path.status.value, "title_ar": path.title_ar, "title_en": path.title_en,
            "summary_ar": path.summary_ar, "summary_en": path.summary_en, "is_ordered": path.is_ordered,
            "validity_months": path.validity_months, "course_ids": [step.course_id for step in path.steps]}


def save_path(values: dict, course_ids: list[int], actor: User, path_id: int | None = None) -> LearningPath:
    """Create or change a path; `course_ids` in their order (positions 1, 2, 3...). A published path needs
    courses, all of them published."""
    slug = (values.get("slug") or "").strip().lower()
    errors = {}
    if not SLUG.match(slug):
        errors["slug"] = _("Use lowercase Latin letters, digits and hyphens.")
    elif value_taken(LearningPath.slug, slug, path_id):
        errors["slug"] = _("Another learning path already uses this address.")
    for field in ("title_ar", "title_en"):
        if not (values.get(field) or "").strip():
            errors[field] = _("This field is required.")
    months = values.get("validity_months") or 0
    if not isinstance(months, int) or not 0 <= months <= MAX_VALIDITY_MONTHS:
        errors["validity_months"] = _("Give a number of months between 0 and %(max)s.",
                                      max=localize_digits(MAX_VALIDITY_MONTHS))
    course_ids = list(dict.fromkeys(int(i) for i in course_ids))
    courses = {c.id: c for c in db.session.scalars(sa.select(Course).where(Course.id.in_(course_ids)))}
    if len(courses) != len(course_ids):
        errors["courses"] = _("Choose from the list.")
    status = PathStatus(values.get("status") or PathStatus.DRAFT)
    if status == PathStatus.PUBLISHED and not errors.get("courses"):
        if not course_ids:
            errors["courses"] = _("A published learning path needs at least one course.")
        elif any(c.status != CourseStatus.PUBLISHED for c in courses.values()):
            errors["courses"] = _("A published learning path may hold published courses only.")
    if errors:
        raise ValidationError(errors)
    begin_write()
    path = locked(LearningPath, path_id) if path_id is not None else LearningPath(created_by_id=actor.id)
    if not may_edit(path if path_id is not None else None, actor):
        raise LookupError(path_id)
    if path_id is not None:
        new = {"slug": slug, "status": status.value, "title_ar": values["title_ar"].strip(),
               "title_en": values["title_en"].strip(), "summary_ar": (values.get("summary_ar") or "").strip(),
               "summary_en": (values.get("summary_en") or "").strip(), "is_ordered": bool(values.get("is_ordered")),
               "validity_months": months, "course_ids": course_ids}
        check_unchanged(values.get("seen"), stored_path(path), new)
    path.slug, path.status = slug, status
    path.title_ar, path.title_en = values["title_ar"].strip(), values["title_en"].strip()
    path.summary_ar = (values.get("summary_ar") or "").strip()
    path.summary_en = (values.get("summary_en") or "").strip()
    path.is_ordered, path.validity_months = bool(values.get("is_ordered")), months
    db.session.add(path)
    path.steps.clear()
    db.session.flush()  # the old positions go before the new ones come (they share the primary key)
    path.steps.extend(PathCourse(position=n, course_id=course_id) for n, course_id in enumerate(course_ids, 1))
    db.session.commit()
    return path


def _locked_steps(path_id: int, actor: User) -> tuple[LearningPath, list[int]]:
    """The path locked for this write (two editors reordering take turns) and its course ids in order, read
    after the lock."""
    path = locked(LearningPath, path_id)
    if not may_edit(path, actor):
        raise LookupError(path_id)
    course_ids = list(db.session.scalars(sa.select(PathCourse.course_id).where(PathCourse.path_id == path_id)
                                         .order_by(PathCourse.position)))
    return path, course_ids


def _renumber_steps(path: LearningPath, course_ids: list[int]) -> None:
    # (path_id, position) is the primary key: park the positions below zero first, then number from 1.
    table = PathCourse.__table__
    db.session.execute(sa.update(table).where(table.c.path_id == path.id).values(position=-table.c.position))
    for position, course_id in enumerate(course_ids, start=1):
        db.session.execute(sa.update(table).where(table.c.path_id == path.id, table.c.course_id == course_id)
                           .values(position=position))
    # Loaded steps are known by their old primary key: forget them, so that the path reads its new order.
    session = db.session()
    for instance in list(session.identity_map.values()):
        if isinstance(instance, PathCourse) and instance.path_id == path.id:
            session.expunge(instance)
    session.expire(path, ["steps"])


def reorder_path_courses(path_id: int, course_ids: list[int], actor: User) -> None:
    """Put the path's courses in this order: `course_ids` must be exactly the path's courses, each once
    (ValidationError otherwise, and nothing changes). LookupError when the actor may not edit the path."""
    begin_write()
    path, current = _locked_steps(path_id, actor)
    if len(course_ids) != len(set(course_ids)) or set(course_ids) != set(current):
        raise ValidationError({"courses": _("The list of courses has changed since the page was opened: reload "
                                            "the page and try again.")})
    if course_ids != current:
        _renumber_steps(path, course_ids)
    db.session.commit()


def move_path_course(path_id: int, course_id: int, offset: int, actor: User) -> int:
    """Move a course of the path up (-1) or down (+1); its new position (1, 2, 3...). LookupError when the
    course is not on the path or the actor may not edit it."""
    begin_write()
    path, order = _locked_steps(path_id, actor)
    if course_id not in order:
        raise LookupError(course_id)
    index = order.index(course_id)
    target = index + offset
    if 0 <= target < len(order):
        order[index], order[target] = order[target], order[index]
        _renumber_steps(path, order)
    else:
        target = index
    db.session.commit()
    return target + 1


# -- enrolling ------------------------------------------------------------------------------------------------

def path_by_slug(slug: str) -> LearningPath | None:
    return db.session.scalar(sa.select(LearningPath).where(LearningPath.slug == slug))


def enrol_in_path(user_id: int, path: LearningPath, now: datetime | None = None) -> PathEnrollment:
    """Self-enrolment in a published path and each of its courses; harmless twice."""
    if path.status != PathStatus.PUBLISHED:
        raise ValidationError({"": _("This learning path is not open for enrolment.")})
    now = now or utcnow()
    begin_write()
    db.session.execute(upsert_insert(PathEnrollment).values(user_id=user_id, path_id=path.id, enrolled_at=now)
                       .on_conflict_do_nothing(index_elements=["user_id", "path_id"]))
    db.session.execute(upsert_insert(Enrollment).from_select(
        ["user_id", "course_id", "enrolled_at", "is_required"],
        sa.select(sa.literal(user_id), PathCourse.course_id, sa.literal(now, UTCDateTime()), sa.false())
        .where(PathCourse.path_id == path.id)).on_conflict_do_nothing(index_elements=["user_id", "course_id"]))
    enrollment = db.session.scalar(sa.select(PathEnrollment).where(
        PathEnrollment.user_id == user_id, PathEnrollment.path_id == path.id))
    complete_if_done(enrollment, now)
    db.session.commit()
    return enrollment


def enrolments_of(user_id: int) -> list[PathEnrollment]:
    return list(db.session.scalars(
        sa.select(PathEnrollment).join(LearningPath, LearningPath.id == PathEnrollment.path_id)
        .options(sa.orm.contains_eager(PathEnrollment.path))
        .where(PathEnrollment.user_id == user_id).order_by(PathEnrollment.enrolled_at.desc())))


def complete_if_done(enrollment: PathEnrollment, now: datetime | None = None) -> bool:
    """Every course of the path completed: the path is completed, once (inside the caller's transaction)."""
    if enrollment.completed_at is not None:
        return False
    # First the lock: a revocation that committed while this transaction waited for it has reopened the course,
    # and the count below, a new statement, sees it.
    uncertified = uncertified_courses(enrollment.user_id, enrollment.path_id)
    remaining = db.session.scalar(
        sa.select(sa.func.count()).select_from(PathCourse)
        .outerjoin(Enrollment, sa.and_(Enrollment.course_id == PathCourse.course_id,
                                       Enrollment.user_id == enrollment.user_id))
        .where(PathCourse.path_id == enrollment.path_id,
               sa.or_(Enrollment.completed_at.is_(None), PathCourse.course_id.in_(uncertified))))
    if remaining:
        return False
    enrollment.completed_at = now or utcnow()
    db.session.flush()
    path_completed.send(enrollment)
    return True


def complete_paths_on_completion(enrollment: Enrollment, **_kwargs) -> None:
    open_paths = db.session.scalars(sa.select(PathEnrollment).where(
        PathEnrollment.user_id == enrollment.user_id, PathEnrollment.completed_at.is_(None),
        PathEnrollment.path_id.in_(sa.select(PathCourse.path_id).where(PathCourse.course_id == enrollment.course_id))
    )).all()
    for path_enrollment in open_paths:
        complete_if_done(path_enrollment, enrollment.completed_at)


def reopen_paths(user_id: int, course_id: int) -> list[int]:
    """The learner's completed paths that hold this course are not completed any more (its completion no longer
    counts); their ids. Inside the caller's write transaction."""
    reopened = list(db.session.scalars(
        sa.update(PathEnrollment).where(
            PathEnrollment.user_id == user_id, PathEnrollment.completed_at.is_not(None),
            PathEnrollment.path_id.in_(sa.select(PathCourse.path_id).where(PathCourse.course_id == course_id)))
        .values(completed_at=None).returning(PathEnrollment.path_id)
        .execution_options(synchronize_session=False)))
    session = db.session()
    for instance in list(session.identity_map.values()):
        if isinstance(instance, PathEnrollment) and instance.path_id in reopened and instance.user_id == user_id:
            session.expire(instance)
    return reopened


# -- the lock of an ordered path ------------------------------------------------------------------------------

_CURRENT, _BEFORE = aliased(PathCourse), aliased(PathCourse)
_MINE = aliased(Enrollment)
_FINISH_FIRST = (
    sa.select(Course)
    .join(_BEFORE, _BEFORE.course_id == Course.id)
    .join(_CURRENT, sa.and_(_CURRENT.path_id == _BEFORE.path_id, _CURRENT.position == _BEFORE.position + 1))
    .join(LearningPath, sa.and_(LearningPath.id == _CURRENT.path_id, LearningPath.is_ordered.is_(True)))
    .join(PathEnrollment, sa.and_(PathEnrollment.path_id == LearningPath.id,
                                  PathEnrollment.user_id == sa.bindparam("user_id"),
                                  PathEnrollment.completed_at.is_(None)))
    .outerjoin(Enrollment, sa.and_(Enrollment.course_id == _BEFORE.course_id,
                                   Enrollment.user_id == sa.bindparam("user_id")))
    .where(_CURRENT.course_id == sa.bindparam("course_id"), Enrollment.completed_at.is_(None),
           ~sa.exists().where(_MINE.user_id == sa.bindparam("user_id"), _MINE.course_id == _CURRENT.course_id,
                              _MINE.completed_at.is_not(None)))
    .order_by(LearningPath.id)
    .limit(1)
)


def course_to_finish_first(user_id: int, course_id: int) -> Course | None:
    """The course an ordered path the learner is on asks them to complete before this one (one query); None
    when nothing holds it back (a course already completed stays open for review)."""
    return db.session.scalar(_FINISH_FIRST, {"user_id": user_id, "course_id": course_id})


def require_unlocked(user_id: int, course_id: int) -> None:
    blocker = course_to_finish_first(user_id, course_id)
    if blocker is not None:
        raise CourseLocked(blocker)


def refuse_locked_quiz(course: Course, user_id: int) -> None:
    blocker = course_to_finish_first(user_id, course.id)
    if blocker is not None:
        raise NotAllowed(_("Complete the course %(course)s first: this learning path goes in order.",
                           course=pick_language(blocker, "title")))


# -- the learner's path page ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Step:
    position: int
    course: Course
    status: TrainingStatus
    is_locked: bool


@dataclass(frozen=True)
class PathView:
    path: LearningPath
    enrollment: PathEnrollment | None
    steps: list[Step]

    @property
    def completed(self) -> int:
        return sum(s.status == TrainingStatus.COMPLETED for s in self.steps)


def path_view(slug: str, user: User, now: datetime | None = None) -> PathView:
    """A path with the learner's status in each course and which are locked (three queries). LookupError when
    it does not exist, or is a draft and the viewer may not edit it."""
    now = now or utcnow()
    path = path_by_slug(slug)
    if path is None or (path.status != PathStatus.PUBLISHED and not may_edit(path, user)):
        raise LookupError(slug)
    enrollment = db.session.scalar(sa.select(PathEnrollment).where(
        PathEnrollment.user_id == user.id, PathEnrollment.path_id == path.id))
    rows = db.session.execute(
        sa.select(PathCourse.position, Course, Enrollment)
        .join(Course, Course.id == PathCourse.course_id)
        .outerjoin(Enrollment, sa.and_(Enrollment.course_id == Course.id, Enrollment.user_id == user.id))
        .where(PathCourse.path_id == path.id).order_by(PathCourse.position)).all()
    steps, before_done = [], True
    for position, course, course_enrollment in rows:
        status = status_of(course_enrollment, now)
        done = status == TrainingStatus.COMPLETED
        locked = (path.is_ordered and enrollment is not None and enrollment.completed_at is None
                  and not before_done and not done)
        steps.append(Step(position, course, status, locked))
        before_done = done
    return PathView(path, enrollment, steps)
