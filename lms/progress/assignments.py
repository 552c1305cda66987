"""تكليف بدورة: HR requires a course or a learning path of an audience, by a due date.

An audience is a list of people (`{"users": [ids]}`) or a rule (`governorates`, `districts`, `centers`,
`center_kind`, `job_titles`; AND across parts, OR within a list). The assigner's scope is stored with it
(`within_governorate` / `within_center`), so that people who come to match the rule later are taken only from
where the assigner may act. Everything is written in bulk: assigning to 10,000 people costs the same number of
statements as assigning to ten.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from lms.accounts.models import Center, CenterKind, District, Governorate, JobTitle, User
from lms.accounts.scope import Scope, scope_of
from lms.core.db import begin_write, locked, upsert_insert
from lms.core.i18n import _, localize_digits
from lms.core.localtime import end_of_day, local_date
from lms.core.models import UTCDateTime, ValidationError, utcnow
from lms.courses.models import Course
from lms.extensions import db
from lms.notifications.models import Notification
from lms.progress.models import (
    Assignment,
    AssignmentMember,
    Enrollment,
    LearningPath,
    PathCourse,
    PathEnrollment,
    PathStatus,
)
from lms.progress.status import TrainingStatus, status_expression

RULE_LISTS = ("governorates", "districts", "centers", "job_titles")
MAX_DUE_DAYS = 3650


# -- audiences ------------------------------------------------------------------------------------------------

def is_rule(audience: dict) -> bool:
    return "users" not in (audience or {})


def audience_condition(audience: dict, user=User):
    """A condition on User (center parts go through a subquery on Center, so no join is needed): the active
    people an audience names, within the scope stored with it."""
    audience = audience or {}
    conditions = [user.is_active.is_(True)]
    if not is_rule(audience):
        conditions.append(user.id.in_([int(i) for i in audience.get("users") or []] or [-1]))
    center_parts = []
    if audience.get("governorates"):
        center_parts.append(Center.governorate_id.in_(audience["governorates"]))
    if audience.get("districts"):
        center_parts.append(Center.district_id.in_(audience["districts"]))
    if audience.get("centers"):
        center_parts.append(Center.id.in_(audience["centers"]))
    if audience.get("center_kind"):
        center_parts.append(Center.kind == CenterKind(audience["center_kind"]))
    if audience.get("within_governorate") is not None:
        center_parts.append(Center.governorate_id == audience["within_governorate"])
    if audience.get("within_center") is not None:
        center_parts.append(Center.id == audience["within_center"])
    if center_parts:
        conditions.append(user.center_id.in_(sa.select(Center.id).where(*center_parts)))
    if is_rule(audience) and audience.get("job_titles"):
        conditions.append(user.job_title_id.in_(audience["job_titles"]))
    return sa.and_(*conditions)


def _bound(scope: Scope) -> dict:
    if scope.center_id is not None:
        return {"within_center": scope.center_id}
    if scope.governorate_id is not None:
        return {"within_governorate": scope.governorate_id}
    return {}


def _ids(values, field: str) -> list[int]:
    try:
        return sorted({int(v) for v in values or []})
    except (TypeError, ValueError):
        raise ValidationError({field: _("Choose from the list.")}) from None


def _clean_audience(audience: dict, scope: Scope) -> dict:
    """The audience as stored: only known keys, ids as numbers, each checked against the assigner's scope."""
    audience = audience or {}
    if not is_rule(audience):
        users = _ids(audience.get("users"), "users")
        if not users:
            raise ValidationError({"users": _("Name at least one person.")})
        in_scope = db.session.scalar(sa.select(sa.func.count(User.id)).where(
            User.id.in_(users), User.is_active.is_(True), scope.users()))
        if in_scope != len(users):
            raise ValidationError({"users": _("Some of these people are not staff you manage.")})
        return {"users": users, **_bound(scope)}
    clean: dict = {}
    for key, model, in_scope in (
            ("governorates", Governorate, scope.governorates(Governorate.id)),
            ("districts", District, scope.governorates(District.governorate_id)),
            ("centers", Center, scope.centers())):
        ids = _ids(audience.get(key), key)
        if ids:
            found = db.session.scalar(sa.select(sa.func.count(model.id)).where(model.id.in_(ids), in_scope))
            if found != len(ids):
                raise ValidationError({key: _("Choose only places you manage.")})
            clean[key] = ids
    ids = _ids(audience.get("job_titles"), "job_titles")
    if ids:
        if db.session.scalar(sa.select(sa.func.count(JobTitle.id)).where(JobTitle.id.in_(ids))) != len(ids):
            raise ValidationError({"job_titles": _("Choose from the list.")})
        clean["job_titles"] = ids
    kind = audience.get("center_kind") or None
    if kind is not None:
        if kind not in {k.value for k in CenterKind}:
            raise ValidationError({"center_kind": _("Choose from the list.")})
        clean["center_kind"] = kind
    return {**clean, **_bound(scope)}


def people_by_employee_numbers(numbers: list[str], viewer: User) -> tuple[list[int], list[str]]:
    """The ids of the active staff in the viewer's scope with these employee numbers, and the numbers not found."""
    numbers = [n for n in dict.fromkeys(n.strip() for n in numbers) if n]
    if not numbers:
        return [], []
    rows = dict(db.session.execute(sa.select(User.employee_number, User.id).where(
        User.employee_number.in_(numbers), User.is_active.is_(True), scope_of(viewer).users())).all())
    return [rows[n] for n in numbers if n in rows], [n for n in numbers if n not in rows]


def audience_size(audience: dict) -> int:
    return db.session.scalar(sa.select(sa.func.count(User.id)).where(audience_condition(audience))) or 0


# -- due dates ------------------------------------------------------------------------------------------------

def member_due(assignment: Assignment, joined_at: datetime) -> datetime:
    """The end of the due day, as screens show it: the fixed day, or the day `due_days` after joining."""
    if assignment.due_on is not None:
        return end_of_day(assignment.due_on)
    return end_of_day(local_date(joined_at) + timedelta(days=assignment.due_days))


# -- creating, joining, withdrawing ---------------------------------------------------------------------------

def assigned_due(user_id: int, course_id: int) -> datetime | None:
    """The earliest due date of the active assignments of this course that reached this person (None if none)."""
    return db.session.scalar(
        sa.select(sa.func.min(AssignmentMember.due_at)).join(Assignment)
        .where(AssignmentMember.user_id == user_id, Assignment.course_id == course_id, Assignment.is_active))


def create_assignment(actor: User, *, audience: dict, course_id: int | None = None, path_id: int | None = None,
                      due_on: date | None = None, due_days: int | None = None,
                      now: datetime | None = None) -> Assignment:
    """Assign a published course or learning path to an audience within the actor's scope: members, enrolments
    and "assigned" notifications are written in bulk, in one transaction."""
    now = now or utcnow()
    scope = scope_of(actor)
    if scope.nobody:
        raise ValidationError({"": _("You do not manage any staff.")})
    if (course_id is None) == (path_id is None):
        raise ValidationError({"course": _("Choose a course or a learning path.")})
    if (due_on is None) == (due_days is None):
        raise ValidationError({"due_on": _("Give a due date or a number of days.")})
    if due_on is not None and due_on < local_date(now):
        raise ValidationError({"due_on": _("The due date has passed.")})
    if due_days is not None and not 1 <= due_days <= MAX_DUE_DAYS:
        raise ValidationError({"due_days": _("Give a number of days between 1 and %(max)s.",
                                                 max=localize_digits(MAX_DUE_DAYS))})
    begin_write()
    # Locking the course (or path) row makes two identical forms sent at the same instant wait for each other, so
    # that the second finds the first below (SQLite's BEGIN IMMEDIATE already serialises writers).
    if course_id is not None:
        course = _locked_or_none(Course, course_id)
        if course is None or not course.is_published:
            raise ValidationError({"course": _("Choose a published course.")})
    else:
        path = _locked_or_none(LearningPath, path_id)
        if path is None or path.status != PathStatus.PUBLISHED or not path.steps:
            raise ValidationError({"path": _("Choose a published learning path.")})
    clean = _clean_audience(audience, scope)
    same = _same_active_assignment(course_id, path_id, clean, due_on, due_days)
    if same is not None:  # the form sent twice (a double click, a reload): nobody is enrolled or told twice
        db.session.commit()
        return same
    if audience_size(clean) == 0:
        raise ValidationError({"": _("Nobody matches this audience.")})
    assignment = Assignment(course_id=course_id, path_id=path_id, audience=clean, due_on=due_on,
                            due_days=due_days, created_by_id=actor.id, created_at=now)
    db.session.add(assignment)
    db.session.flush()
    due = member_due(assignment, now)
    db.session.execute(upsert_insert(AssignmentMember).from_select(
        ["assignment_id", "user_id", "added_at", "due_at"],
        sa.select(sa.literal(assignment.id), User.id, sa.literal(now, UTCDateTime()), sa.literal(due, UTCDateTime()))
        .where(audience_condition(clean))).on_conflict_do_nothing())
    _enrol_members(assignment, AssignmentMember.assignment_id == assignment.id, now)
    db.session.commit()
    return assignment


def _locked_or_none(model, ident: int):
    try:
        return locked(model, ident)
    except LookupError:
        return None


def _same_active_assignment(course_id, path_id, audience: dict, due_on, due_days) -> Assignment | None:
    """An active assignment of the same course or path to the same audience with the same due rule."""
    candidates = db.session.scalars(sa.select(Assignment).where(
        Assignment.is_active.is_(True), Assignment.course_id == course_id, Assignment.path_id == path_id,
        Assignment.due_on == due_on, Assignment.due_days == due_days).order_by(Assignment.id))
    return next((a for a in candidates if a.audience == audience), None)


def _enrol_members(assignment: Assignment, members, now: datetime) -> int:
    """Enrol the members selected by `members` (a condition on AssignmentMember) and tell them; how many were
    told. Inside the caller's transaction, a fixed number of statements whatever the number of members."""
    if assignment.course_id is not None:
        course_ids = [assignment.course_id]
    else:
        course_ids = list(db.session.scalars(sa.select(PathCourse.course_id).where(
            PathCourse.path_id == assignment.path_id).order_by(PathCourse.position)))
        _upsert_due(PathEnrollment, {"path_id": assignment.path_id}, members, now, ["user_id", "path_id"])
    for course_id in course_ids:
        _upsert_due(Enrollment, {"course_id": course_id}, members, now, ["user_id", "course_id"],
                    extra={"is_required": True})
    if assignment.course_id is not None:
        subject, url = db.session.get(Course, assignment.course_id), "/courses/{slug}"
        done = sa.select(Enrollment.user_id).where(Enrollment.course_id == assignment.course_id,
                                                   Enrollment.completed_at.is_not(None))
    else:
        subject, url = db.session.get(LearningPath, assignment.path_id), "/paths/{slug}"
        done = sa.select(PathEnrollment.user_id).where(PathEnrollment.path_id == assignment.path_id,
                                                       PathEnrollment.completed_at.is_not(None))
    # Everyone enrolled by one call joined at the same moment, so they share one due date and one message:
    # stored with INSERT ... SELECT, in the rows notify_many() writes (one statement, where notify_many's
    # 500-row VALUES lists took seconds to compile for 10,000 people).
    params = {"title": {"ar": subject.title_ar, "en": subject.title_en}, "url": url.format(slug=subject.slug),
              "due_at": member_due(assignment, now).isoformat()}
    stored = db.session.execute(upsert_insert(Notification).from_select(
        ["user_id", "kind", "key", "params", "created_at", "email_skipped"],
        sa.select(AssignmentMember.user_id, sa.literal("assigned"), sa.literal(f"assigned:{assignment.id}"),
                  sa.literal(params, sa.JSON()), sa.literal(now, UTCDateTime()), sa.false())
        .where(members, AssignmentMember.user_id.not_in(done)))
        .on_conflict_do_nothing(index_elements=["user_id", "key"]))
    return stored.rowcount


def _upsert_due(model, fixed: dict, members, now: datetime, keys: list[str], extra: dict | None = None) -> None:
    """INSERT ... SELECT the members into `model` (Enrollment or PathEnrollment); an existing row keeps the
    earlier due date, and a completed one keeps its own."""
    extra = extra or {}
    columns = {"user_id": AssignmentMember.user_id,
               **{name: sa.literal(value) for name, value in fixed.items()},
               "enrolled_at": sa.literal(now, UTCDateTime()), "due_at": AssignmentMember.due_at,
               **{name: sa.literal(value) for name, value in extra.items()}}
    statement = upsert_insert(model).from_select(
        list(columns), sa.select(*columns.values()).where(members))
    new_due = statement.excluded.due_at
    statement = statement.on_conflict_do_update(index_elements=keys, set_={
        **{name: getattr(statement.excluded, name) for name in extra},
        "due_at": sa.case((model.completed_at.is_not(None), model.due_at), (model.due_at.is_(None), new_due),
                          (new_due < model.due_at, new_due), else_=model.due_at)})
    db.session.execute(statement)


def join_matching(user_ids: list[int], now: datetime | None = None) -> int:
    """Add these people to every active rule assignment they now match (due_days counted from now), enrol and
    tell them; how many memberships were added. Inside the caller's write transaction."""
    user_ids = [int(i) for i in user_ids or []]
    if not user_ids:
        return 0
    now = now or utcnow()
    added = 0
    for assignment in db.session.scalars(sa.select(Assignment).where(Assignment.is_active.is_(True))):
        if not is_rule(assignment.audience):
            continue
        due = member_due(assignment, now)
        new = db.session.scalars(upsert_insert(AssignmentMember).from_select(
            ["assignment_id", "user_id", "added_at", "due_at"],
            sa.select(sa.literal(assignment.id), User.id, sa.literal(now, UTCDateTime()),
                      sa.literal(due, UTCDateTime()))
            .where(User.id.in_(user_ids), audience_condition(assignment.audience)))
            .on_conflict_do_nothing().returning(AssignmentMember.user_id)).all()
        if new:
            added += len(new)
            _enrol_members(assignment, sa.and_(AssignmentMember.assignment_id == assignment.id,
                                               AssignmentMember.user_id.in_(new)), now)
    return added


def enrol_changed_staff(user_ids, **_kwargs) -> None:
    join_matching(list(user_ids))


def withdraw(assignment_id: int, actor: User) -> Assignment:
    """Nobody new joins a withdrawn assignment; its members, enrolments and due dates stay."""
    begin_write()
    assignment = assignment_for(assignment_id, actor)
    if not may_manage(assignment, actor):
        raise LookupError(assignment_id)
    assignment.is_active = False
    db.session.commit()
    return assignment


# -- reading, within the viewer's scope -----------------------------------------------------------------------

def may_manage(assignment: Assignment, viewer: User) -> bool:
    """Whether the viewer's scope holds the whole audience the assignment may ever reach (or they made it)."""
    scope = scope_of(viewer)
    if scope.nobody:
        return False
    if scope.is_everything or assignment.created_by_id == viewer.id:
        return True
    audience = assignment.audience or {}
    if scope.center_id is not None:
        return audience.get("within_center") == scope.center_id
    if audience.get("within_governorate") == scope.governorate_id:
        return True
    center_id = audience.get("within_center")
    return center_id is not None and db.session.scalar(
        sa.select(Center.governorate_id).where(Center.id == center_id)) == scope.governorate_id


def _visible(scope: Scope, viewer: User):
    """Assignments the viewer sees: those they made and those that reached someone in their scope."""
    if scope.is_everything:
        return sa.true()
    return sa.or_(Assignment.created_by_id == viewer.id, Assignment.id.in_(
        sa.select(AssignmentMember.assignment_id).join(User, User.id == AssignmentMember.user_id)
        .where(scope.users())))


def assignment_for(assignment_id: int, viewer: User) -> Assignment:
    """LookupError when it does not exist or lies outside the viewer's scope."""
    scope = scope_of(viewer)
    assignment = db.session.scalar(sa.select(Assignment).where(Assignment.id == assignment_id,
                                                               _visible(scope, viewer)))
    if assignment is None or scope.nobody:
        raise LookupError(assignment_id)
    return assignment


def member_rows(now: datetime):
    """A subquery: one row per assignment member, with the columns status.py reads (completed_at, due_at,
    last_activity_at) taken from the course enrolment, or for a path from the path enrolment."""
    path_activity = (sa.select(sa.func.max(Enrollment.last_activity_at))
                     .join(PathCourse, PathCourse.course_id == Enrollment.course_id)
                     .where(PathCourse.path_id == Assignment.path_id, Enrollment.user_id == AssignmentMember.user_id)
                     .correlate(Assignment, AssignmentMember).scalar_subquery())
    return (
        sa.select(AssignmentMember.assignment_id, AssignmentMember.user_id, AssignmentMember.added_at,
                  sa.func.coalesce(Enrollment.completed_at, PathEnrollment.completed_at).label("completed_at"),
                  sa.func.coalesce(Enrollment.due_at, PathEnrollment.due_at, AssignmentMember.due_at)
                  .label("due_at"),
                  sa.case((Assignment.course_id.is_not(None), Enrollment.last_activity_at), else_=path_activity)
                  .label("last_activity_at"))
        .join(Assignment, Assignment.id == AssignmentMember.assignment_id)
        .outerjoin(Enrollment, sa.and_(Enrollment.user_id == AssignmentMember.user_id,
                                       Enrollment.course_id == Assignment.course_id))
        .outerjoin(PathEnrollment, sa.and_(PathEnrollment.user_id == AssignmentMember.user_id,
                                           PathEnrollment.path_id == Assignment.path_id))
        .subquery("member_rows")
    )


def status_counts(assignment_ids: list[int], viewer: User, now: datetime | None = None) -> dict[int, dict]:
    """assignment id -> {status: count} of its active members in the viewer's scope (one query)."""
    now = now or utcnow()
    counts = {i: {s.value: 0 for s in TrainingStatus} for i in assignment_ids}
    if not assignment_ids:
        return counts
    rows = member_rows(now)
    status = status_expression(now, rows.c)
    query = (sa.select(rows.c.assignment_id, status, sa.func.count())
             .join(User, User.id == rows.c.user_id)
             .where(rows.c.assignment_id.in_(assignment_ids), User.is_active.is_(True), scope_of(viewer).users())
             .group_by(rows.c.assignment_id, status))
    for assignment_id, value, count in db.session.execute(query):
        counts[assignment_id][value] = count
    return counts


def list_assignments(viewer: User, *, page: int = 1, per_page: int = 50, course_id: int | None = None,
                     active: bool | None = None) -> tuple[int, list[Assignment]]:
    """One page of the assignments the viewer sees, newest first, and their total (two queries)."""
    scope = scope_of(viewer)
    if scope.nobody:
        return 0, []
    query = sa.select(Assignment).where(_visible(scope, viewer))
    if course_id is not None:
        query = query.where(Assignment.course_id == course_id)
    if active is not None:
        query = query.where(Assignment.is_active.is_(active))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    items = list(db.session.scalars(query.options(sa.orm.joinedload(Assignment.course),
                                                  sa.orm.joinedload(Assignment.path))
                                    .order_by(Assignment.created_at.desc(), Assignment.id.desc())
                                    .limit(per_page).offset((max(page, 1) - 1) * per_page)))
    return total, items


@dataclass(frozen=True)
class MemberRow:
    user: User
    added_at: datetime
    due_at: datetime | None
    status: str


# The columns a member list may be sorted on (an allow-list), each with its tie-breakers.
MEMBER_SORTS = {
    "name": lambda rows, status: (User.full_name_ar, User.id),
    "employee_number": lambda rows, status: (User.employee_number, User.id),
    "center": lambda rows, status: (Center.code, User.full_name_ar, User.id),
    "due": lambda rows, status: (rows.c.due_at, User.full_name_ar, User.id),
    "status": lambda rows, status: (status, User.full_name_ar, User.id),
}


def members_page(assignment: Assignment, viewer: User, *, page: int = 1, per_page: int = 50, sort: str = "name",
                 descending: bool = False, status: str | None = None,
                 now: datetime | None = None) -> tuple[int, list[MemberRow]]:
    """One page of an assignment's active members in the viewer's scope with their status (two queries)."""
    now = now or utcnow()
    rows = member_rows(now)
    status_column = status_expression(now, rows.c).label("status")
    query = (sa.select(User, rows.c.added_at, rows.c.due_at, status_column)
             .join(rows, rows.c.user_id == User.id)
             .outerjoin(Center, Center.id == User.center_id)
             .options(sa.orm.contains_eager(User.center))
             .where(rows.c.assignment_id == assignment.id, User.is_active.is_(True), scope_of(viewer).users()))
    if status in {s.value for s in TrainingStatus}:
        query = query.where(status_expression(now, rows.c) == status)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    order = (MEMBER_SORTS.get(sort) or MEMBER_SORTS["name"])(rows, status_column)
    order = [column.desc() for column in order[:1]] + list(order[1:]) if descending else list(order)
    result = db.session.execute(query.order_by(*order).limit(per_page).offset((max(page, 1) - 1) * per_page))
    return total, [MemberRow(user, added_at, due_at, value) for user, added_at, due_at, value in result]
