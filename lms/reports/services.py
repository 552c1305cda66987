"""The reports' queries: read-only, scoped, and a fixed number of statements per page whatever its size.

Staff are in a report when they are in the viewer's scope, match the staff filters (place, job title, active)
and hold at least one enrolment matching the enrolment filters (course, status, dates). Counts are computed by
the database; statuses come from lms.progress.status.
"""
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import sqlalchemy as sa
from cachelib import SimpleCache

from lms.accounts.models import Center, District, Governorate, JobTitle, User
from lms.accounts.scope import Scope
from lms.certificates.models import Certificate
from lms.core.localtime import local_date
from lms.core.models import utcnow
from lms.courses.models import Course
from lms.extensions import db
from lms.progress.models import Enrollment
from lms.progress.status import TrainingStatus, status_condition, status_of
from lms.quizzes.models import AttemptStatus, QuizAttempt
from lms.reports.filters import PER_PAGE, Filters, day_bounds, sort_order

MATRIX_SORT_KEYS = ("center", "name", "employee_number", "job_title")
OVERDUE_SORT_KEYS = ("due", "name", "employee_number", "center", "course")
SCORE_BINS = 10  # 0-9, 10-19, ..., 90-100


def now() -> datetime:
    """The reports' clock (tests move it)."""
    return utcnow()


def _name(locale: str):
    return User.full_name_ar if locale == "ar" else User.full_name_latin


def matrix_sorts(locale: str) -> dict:
    return {"center": [Center.code, _name(locale)], "name": [_name(locale)],
            "employee_number": [User.employee_number], "job_title": [JobTitle.code, _name(locale)]}


def overdue_sorts(locale: str) -> dict:
    return {"due": [Enrollment.due_at], "name": [_name(locale)], "employee_number": [User.employee_number],
            "center": [Center.code, Enrollment.due_at], "course": [Course.slug, Enrollment.due_at]}


# --- conditions shared by every report ----------------------------------------------------------------------------

def staff_conditions(filters: Filters, scope: Scope) -> list:
    conditions = [scope.users(User)]
    if not filters.include_inactive:
        conditions.append(User.is_active.is_(True))
    if filters.governorate:
        conditions.append(User.center_id.in_(
            sa.select(Center.id).join(Governorate, Center.governorate_id == Governorate.id)
            .where(Governorate.code == filters.governorate)))
    if filters.district:
        conditions.append(User.center_id.in_(sa.select(Center.id).where(Center.district_id == filters.district)))
    if filters.center:
        conditions.append(User.center_id.in_(sa.select(Center.id).where(Center.code == filters.center)))
    if filters.job_title:
        conditions.append(User.job_title_id.in_(sa.select(JobTitle.id).where(JobTitle.code == filters.job_title)))
    return conditions


def enrollment_conditions(filters: Filters, at: datetime, *, with_status: bool = True) -> list:
    conditions = []
    if filters.course:
        conditions.append(Enrollment.course_id == sa.select(Course.id).where(Course.slug == filters.course)
                          .scalar_subquery())
    if filters.status and with_status:
        conditions.append(status_condition(filters.status, at))
    start, end = day_bounds(filters.since, filters.until)
    column = Enrollment.due_at if filters.dates == "due" else Enrollment.completed_at
    if start is not None:
        conditions.append(column >= start)
    if end is not None:
        conditions.append(column < end)
    return conditions


def _has_enrollment(filters: Filters, at: datetime):
    return sa.exists().where(Enrollment.user_id == User.id, *enrollment_conditions(filters, at))


def _flag(condition):
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def count_columns(at: datetime) -> list:
    return [sa.func.count(Enrollment.id).label("total"),
            _flag(status_condition(TrainingStatus.COMPLETED, at)).label("completed"),
            _flag(status_condition(TrainingStatus.IN_PROGRESS, at)).label("in_progress"),
            _flag(status_condition(TrainingStatus.OVERDUE, at)).label("overdue")]


@dataclass
class Counts:
    total: int = 0
    completed: int = 0
    in_progress: int = 0
    overdue: int = 0

    @property
    def not_started(self) -> int:
        return self.total - self.completed - self.in_progress - self.overdue

    @property
    def rate(self) -> float:
        """Completion rate, 0..100."""
        return 100 * self.completed / self.total if self.total else 0.0

    def add(self, row) -> None:
        """Adds a row of count_columns (a group's counts)."""
        self.total += int(row.total)
        self.completed += int(row.completed)
        self.in_progress += int(row.in_progress)
        self.overdue += int(row.overdue)

    @classmethod
    def of(cls, row) -> "Counts":
        return cls(int(row.total), int(row.completed), int(row.in_progress), int(row.overdue))


# --- completion matrix --------------------------------------------------------------------------------------------

@dataclass
class StaffRow:
    id: int
    employee_number: str | None
    full_name_ar: str
    full_name_latin: str
    is_active: bool
    center_code: str | None
    center_name_ar: str | None
    center_name_en: str | None
    job_title_ar: str | None
    job_title_en: str | None


@dataclass
class Cell:
    status: str
    due_at: datetime | None
    completed_at: datetime | None


@dataclass
class Matrix:
    total: int
    rows: list[StaffRow]
    courses: list  # rows with id, slug, title_ar, title_en
    cells: dict[tuple[int, int], Cell]
    totals: dict[int, Counts] = field(default_factory=dict)
    counted_at: datetime | None = None  # when the totals were counted (they may be reused: recent_rates)


_STAFF_COLUMNS = (User.id, User.employee_number, User.full_name_ar, User.full_name_latin, User.is_active,
                  Center.code.label("center_code"), Center.name_ar.label("center_name_ar"),
                  Center.name_en.label("center_name_en"), JobTitle.name_ar.label("job_title_ar"),
                  JobTitle.name_en.label("job_title_en"))


def matrix(filters: Filters, scope: Scope, locale: str, at: datetime, per_page: int = PER_PAGE,
           fresh: timedelta = timedelta(0)) -> Matrix:
    """One page of staff (rows) by the courses they hold (columns), with each column's totals over every page.

    Four statements whatever the page size (count, staff, cells, courses), and the totals: the overview's counts
    per course (recent_rates), reused for `fresh` by every page of the same scope and filters and by the overview.
    """
    where = [*staff_conditions(filters, scope), _has_enrollment(filters, at)]
    total = db.session.scalar(sa.select(sa.func.count()).select_from(User).where(*where))
    staff = db.session.execute(
        sa.select(*_STAFF_COLUMNS).select_from(User)
        .outerjoin(Center, User.center_id == Center.id).outerjoin(JobTitle, User.job_title_id == JobTitle.id)
        .where(*where).order_by(*sort_order(filters, matrix_sorts(locale), "center"), User.id)
        .offset((filters.page - 1) * per_page).limit(per_page)).all()
    rows = [StaffRow(**row._mapping) for row in staff]
    cells: dict[tuple[int, int], Cell] = {}
    if rows:
        for e in db.session.execute(
                sa.select(Enrollment.user_id, Enrollment.course_id, Enrollment.due_at, Enrollment.completed_at,
                          Enrollment.last_activity_at)
                .where(Enrollment.user_id.in_([r.id for r in rows]), *enrollment_conditions(filters, at))):
            cells[(e.user_id, e.course_id)] = Cell(status_of(e, at).value, e.due_at, e.completed_at)
    course_ids = {course_id for _user, course_id in cells}
    if not course_ids:
        return Matrix(total, rows, [], cells)
    title = Course.title_ar if locale == "ar" else Course.title_en
    courses = db.session.execute(sa.select(Course.id, Course.slug, Course.title_ar, Course.title_en)
                                 .where(Course.id.in_(course_ids)).order_by(title, Course.id)).all()
    counted = recent_rates(filters, scope, at, fresh)
    by_slug = {rate.key: rate.counts for rate in counted.courses}
    totals = {course.id: by_slug[course.slug] for course in courses if course.slug in by_slug}
    return Matrix(total, rows, courses, cells, totals, counted.counted_at)


# --- rates per center and per course ------------------------------------------------------------------------------

@dataclass
class Rate:
    key: str  # center code or course slug
    name_ar: str
    name_en: str
    counts: Counts


def rates(filters: Filters, scope: Scope, at: datetime) -> tuple[list[Rate], list[Rate]]:
    """Counts of the filtered enrolments per technology center and per course, each list in code (slug) order.

    One pass over the enrolments, grouped by center and course together and summed here, then the names. Starting
    from the staff in scope keeps it to their own enrolments: joined to the courses first, SQLite walked every
    course's enrolments in every governorate (300 ms instead of 30 with 10,000 staff). Staff without a center
    count in the courses' rates only.
    """
    by_center: dict[int, Counts] = {}
    by_course: dict[int, Counts] = {}
    for row in db.session.execute(
            sa.select(User.center_id, Enrollment.course_id, *count_columns(at)).select_from(Enrollment)
            .join(User, User.id == Enrollment.user_id)
            .where(*staff_conditions(filters, scope), *enrollment_conditions(filters, at))
            .group_by(User.center_id, Enrollment.course_id)):
        if row.center_id is not None:
            by_center.setdefault(row.center_id, Counts()).add(row)
        by_course.setdefault(row.course_id, Counts()).add(row)
    centers = db.session.execute(sa.select(Center.id, Center.code, Center.name_ar, Center.name_en)
                                 .where(Center.id.in_(by_center)).order_by(Center.code)) if by_center else ()
    courses = db.session.execute(sa.select(Course.id, Course.slug, Course.title_ar, Course.title_en)
                                 .where(Course.id.in_(by_course)).order_by(Course.slug)) if by_course else ()
    return ([Rate(c.code, c.name_ar, c.name_en, by_center[c.id]) for c in centers],
            [Rate(c.slug, c.title_ar, c.title_en, by_course[c.id]) for c in courses])


@dataclass(frozen=True)
class Rates:
    counted_at: datetime
    centers: list[Rate]
    courses: list[Rate]


# Per process: each server counts a scope and filters at most once in the freshness window (stale entries expire).
_recent = SimpleCache(threshold=500)


def recent_rates(filters: Filters, scope: Scope, at: datetime, fresh: timedelta) -> Rates:
    """The overview's rates as counted for the same scope and filters less than `fresh` before `at`, or counted
    now. A count walks every enrolment in scope (about 50 ms of a server with a governorate of 10,000 staff's
    50,000); HR opening the overview again, and colleagues opening it in the same minute, reuse it, and the page
    says when it was counted. Nothing (zero): counted every time."""
    if not fresh:
        return Rates(at, *rates(filters, scope, at))
    key = repr((scope, replace(filters, page=1, sort="")))
    found = _recent.get(key)
    if found is None or not at - fresh < found.counted_at <= at:
        found = Rates(at, *rates(filters, scope, at))
        _recent.set(key, found, timeout=int(fresh.total_seconds()))
    return found


# --- overdue list -------------------------------------------------------------------------------------------------

@dataclass
class OverdueRow:
    user_id: int
    employee_number: str | None
    full_name_ar: str
    full_name_latin: str
    center_code: str | None
    center_name_ar: str | None
    center_name_en: str | None
    course_slug: str
    course_title_ar: str
    course_title_en: str
    due_at: datetime
    days: int


def _overdue_select(filters: Filters, scope: Scope, at: datetime, columns):
    return (sa.select(*columns).select_from(Enrollment).join(User, User.id == Enrollment.user_id)
            .where(*staff_conditions(filters, scope), *enrollment_conditions(filters, at, with_status=False),
                   status_condition(TrainingStatus.OVERDUE, at)))


def overdue(filters: Filters, scope: Scope, locale: str, at: datetime,
            per_page: int = PER_PAGE) -> tuple[int, list[OverdueRow]]:
    """Who is late with which course (the status filter does not apply: everyone here is overdue)."""
    total = db.session.scalar(_overdue_select(filters, scope, at, [sa.func.count()]))
    rows = db.session.execute(
        _overdue_select(filters, scope, at, [
            User.id.label("user_id"), User.employee_number, User.full_name_ar, User.full_name_latin,
            Center.code.label("center_code"), Center.name_ar.label("center_name_ar"),
            Center.name_en.label("center_name_en"), Course.slug.label("course_slug"),
            Course.title_ar.label("course_title_ar"), Course.title_en.label("course_title_en"), Enrollment.due_at])
        .join(Course, Course.id == Enrollment.course_id).outerjoin(Center, User.center_id == Center.id)
        .order_by(*sort_order(filters, overdue_sorts(locale), "due"), Enrollment.id)
        .offset((filters.page - 1) * per_page).limit(per_page)).all()
    return total, [OverdueRow(**row._mapping, days=days_late(row.due_at, at)) for row in rows]


def days_late(due_at: datetime, at: datetime) -> int:
    """Calendar days in the governorate from the due date to `at`: what one counts on a calendar, or subtracts in
    Excel from the export's date column (a due date is the end of its day: full 24-hour spans said one less)."""
    return max((local_date(at) - local_date(due_at)).days, 0)


# --- one row per person and course: exports and the API -----------------------------------------------------------

@dataclass
class CompletionRow:
    employee_number: str | None
    full_name_ar: str
    full_name_latin: str
    center_code: str | None
    center_name_ar: str | None
    center_name_en: str | None
    job_title_code: str | None
    job_title_ar: str | None
    job_title_en: str | None
    course_slug: str
    course_title_ar: str
    course_title_en: str
    status: str
    due_at: datetime | None
    completed_at: datetime | None
    best_score: float | None


def _completion_select(filters: Filters, scope: Scope, at: datetime, columns):
    return (sa.select(*columns).select_from(Enrollment).join(User, User.id == Enrollment.user_id)
            .where(*staff_conditions(filters, scope), *enrollment_conditions(filters, at)))


def count_completions(filters: Filters, scope: Scope, at: datetime) -> int:
    return db.session.scalar(_completion_select(filters, scope, at, [sa.func.count()]))


def completions(filters: Filters, scope: Scope, locale: str, at: datetime, offset: int,
                limit: int) -> list[CompletionRow]:
    """Enrolments in the matrix's order (people, then courses), with each person's best score: two statements."""
    rows = db.session.execute(
        _completion_select(filters, scope, at, [
            Enrollment.user_id, Enrollment.course_id, User.employee_number, User.full_name_ar,
            User.full_name_latin, Center.code.label("center_code"), Center.name_ar.label("center_name_ar"),
            Center.name_en.label("center_name_en"), JobTitle.code.label("job_title_code"),
            JobTitle.name_ar.label("job_title_ar"), JobTitle.name_en.label("job_title_en"),
            Course.slug.label("course_slug"), Course.title_ar.label("course_title_ar"),
            Course.title_en.label("course_title_en"), Enrollment.due_at, Enrollment.completed_at,
            Enrollment.last_activity_at])
        .join(Course, Course.id == Enrollment.course_id).outerjoin(Center, User.center_id == Center.id)
        .outerjoin(JobTitle, User.job_title_id == JobTitle.id)
        .order_by(*sort_order(filters, matrix_sorts(locale), "center"), User.id, Course.slug, Enrollment.id)
        .offset(offset).limit(limit)).all()
    best = best_scores({r.user_id for r in rows}, {r.course_id for r in rows})
    keep = set(CompletionRow.__dataclass_fields__) - {"status", "best_score"}
    return [CompletionRow(**{k: v for k, v in r._mapping.items() if k in keep}, status=status_of(r, at).value,
                          best_score=best.get((r.user_id, r.course_id))) for r in rows]


def _counted_attempts():
    return sa.and_(QuizAttempt.archived_at.is_(None), QuizAttempt.status == AttemptStatus.FINISHED,
                   QuizAttempt.score.is_not(None))


def best_scores(user_ids: set[int], course_ids: set[int]) -> dict[tuple[int, int], float]:
    """Each person's best finished, non-archived score per course (recertification archives older attempts)."""
    if not user_ids or not course_ids:
        return {}
    rows = db.session.execute(
        sa.select(QuizAttempt.user_id, QuizAttempt.course_id, sa.func.max(QuizAttempt.score))
        .where(QuizAttempt.user_id.in_(user_ids), QuizAttempt.course_id.in_(course_ids), _counted_attempts())
        .group_by(QuizAttempt.user_id, QuizAttempt.course_id))
    return {(u, c): s for u, c, s in rows}


# --- quiz score distribution --------------------------------------------------------------------------------------

@dataclass
class Distribution:
    course_id: int
    slug: str
    title_ar: str
    title_en: str
    bins: list[int]

    @property
    def people(self) -> int:
        return sum(self.bins)


def score_distributions(filters: Filters, scope: Scope) -> list[Distribution]:
    """Per course, how many people's best score falls in each 10-point bin (100 goes with 90-99)."""
    staff = sa.select(User.id).where(*staff_conditions(filters, scope))
    best = (sa.select(QuizAttempt.course_id, sa.func.max(QuizAttempt.score).label("best"))
            .where(_counted_attempts(), QuizAttempt.user_id.in_(staff))
            .group_by(QuizAttempt.user_id, QuizAttempt.course_id))
    if filters.course:
        best = best.where(QuizAttempt.course_id == sa.select(Course.id).where(Course.slug == filters.course)
                          .scalar_subquery())
    best = best.subquery()
    # The bin is labelled in a subquery and grouped outside it: PostgreSQL would not match two copies of a CASE
    # whose numbers are bound parameters.
    binned = sa.select(best.c.course_id, sa.case(
        *[(best.c.best >= 10 * n, n) for n in range(SCORE_BINS - 1, 0, -1)], else_=0).label("bin")).subquery()
    counts = db.session.execute(sa.select(binned.c.course_id, binned.c.bin, sa.func.count())
                                .group_by(binned.c.course_id, binned.c.bin)).all()
    if not counts:
        return []
    courses = {c.id: c for c in db.session.execute(
        sa.select(Course.id, Course.slug, Course.title_ar, Course.title_en)
        .where(Course.id.in_({course_id for course_id, _b, _n in counts})))}
    result: dict[int, Distribution] = {}
    for course_id, bin_, number in counts:
        c = courses[course_id]
        entry = result.setdefault(course_id, Distribution(c.id, c.slug, c.title_ar, c.title_en, [0] * SCORE_BINS))
        entry.bins[int(bin_)] += number
    return sorted(result.values(), key=lambda d: d.slug)


# --- a person's transcript ----------------------------------------------------------------------------------------

@dataclass
class TranscriptLine:
    course: Course
    status: str
    enrolled_at: datetime
    due_at: datetime | None
    completed_at: datetime | None
    is_required: bool
    best_score: float | None


@dataclass
class Transcript:
    person: User
    lines: list[TranscriptLine]
    certificates: list[Certificate]


def transcript(user_id: int, scope: Scope | None, at: datetime) -> Transcript | None:
    """A person's courses, statuses, dates, best scores and certificates; None when out of `scope` (None: the
    person themself, whom the caller has checked)."""
    query = sa.select(User).where(User.id == user_id).options(sa.orm.joinedload(User.center),
                                                              sa.orm.joinedload(User.job_title))
    if scope is not None:
        query = query.where(scope.users(User))
    person = db.session.scalar(query)
    if person is None:
        return None
    enrollments = db.session.scalars(
        sa.select(Enrollment).where(Enrollment.user_id == user_id)
        .options(sa.orm.joinedload(Enrollment.course)).order_by(Enrollment.enrolled_at, Enrollment.id)).all()
    best = best_scores({user_id}, {e.course_id for e in enrollments})
    lines = [TranscriptLine(e.course, status_of(e, at).value, e.enrolled_at, e.due_at, e.completed_at,
                            e.is_required, best.get((user_id, e.course_id))) for e in enrollments]
    certificates = db.session.scalars(sa.select(Certificate).where(Certificate.user_id == user_id)
                                      .order_by(Certificate.issued_at, Certificate.id)).all()
    return Transcript(person, lines, list(certificates))


# --- the filter form's choices ------------------------------------------------------------------------------------

@dataclass
class Choices:
    governorates: list
    districts: list
    centers: list
    job_titles: list
    courses: list


def filter_choices(scope: Scope, locale: str) -> Choices:
    """What the viewer may filter by: only the places in their scope. Five statements."""
    name = "name_ar" if locale == "ar" else "name_en"
    governorates = db.session.execute(
        sa.select(Governorate.code, getattr(Governorate, name).label("name"))
        .where(scope.governorates(Governorate.id)).order_by(Governorate.code)).all()
    districts = sa.select(District.id, getattr(District, name).label("name")).where(
        scope.governorates(District.governorate_id))
    if scope.center_id is not None:
        districts = districts.where(District.id == sa.select(Center.district_id).where(
            Center.id == scope.center_id).scalar_subquery())
    districts = db.session.execute(districts.order_by(getattr(District, name))).all()
    centers = db.session.execute(
        sa.select(Center.code, getattr(Center, name).label("name")).where(scope.centers(Center))
        .order_by(Center.code)).all()
    job_titles = db.session.execute(
        sa.select(JobTitle.code, getattr(JobTitle, name).label("name")).order_by(getattr(JobTitle, name))).all()
    title = "title_ar" if locale == "ar" else "title_en"
    courses = db.session.execute(
        sa.select(Course.slug, getattr(Course, title).label("name")).order_by(getattr(Course, title))).all()
    return Choices(governorates, districts, centers, job_titles, courses)
