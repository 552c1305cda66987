"""The completion rate over time: month by month, for the governorate in view and for one technology center.

Each month's rate is the reports' one completion rate (Counts.rate: completed enrolments over enrolments) as it
stood at the end of that month in the governorate's time, or at `at` for the month still running: enrolments made
before that instant, and those of them completed before it. The records hold one cycle per enrolment, so a course
reset for renewal counts as not completed from its first enrolment on.
"""
from dataclasses import dataclass, replace
from datetime import date, datetime

import sqlalchemy as sa

from lms.accounts.models import Center, Governorate, User
from lms.accounts.scope import Scope
from lms.core.localtime import local_date, start_of_day
from lms.extensions import db
from lms.progress.models import Enrollment
from lms.reports.filters import Filters
from lms.reports.services import Counts, enrollment_conditions, staff_conditions

MONTHS = 12


@dataclass(frozen=True)
class MonthRate:
    month: date  # its first day
    counts: Counts

    @property
    def rate(self) -> float | None:
        """None for a month with no enrolment yet: nothing to measure, not 0%."""
        return self.counts.rate if self.counts.total else None


@dataclass(frozen=True)
class Place:
    code: str
    name_ar: str
    name_en: str


@dataclass
class Trend:
    months: list[date]
    overall: list[MonthRate]  # everyone the filters keep, whatever their center
    overall_place: Place | None  # the one governorate they are in, when it is one
    center: list[MonthRate] | None  # the chosen center's staff, when one is chosen and in scope
    center_place: Place | None


def month_starts(at: datetime, count: int = MONTHS) -> list[date]:
    """The first days of the `count` months ending with the governorate's current month, oldest first."""
    today = local_date(at)
    index = today.year * 12 + today.month - 1
    return [date(n // 12, n % 12 + 1, 1) for n in range(index - count + 1, index + 1)]


def month_ends(months: list[date], at: datetime) -> list[datetime]:
    """Each month's end: the local midnight that starts the next month, or `at` for the month still running."""
    ends = []
    for first in months:
        following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        ends.append(min(start_of_day(following), at))
    return ends


def completion_trend(filters: Filters, scope: Scope, at: datetime, count: int = MONTHS) -> Trend:
    """Month by month rates for the staff the filters keep (place, job title, course, who left) and, when
    `filters.center` names a center in scope, for its staff alone. One statement counts both, per center."""
    months = month_starts(at, count)
    ends = month_ends(months, at)
    overall_filters = replace(filters, center="", status="", since=None, until=None)
    columns = []
    for n, end in enumerate(ends):
        existed = Enrollment.enrolled_at < end
        columns.append(sa.func.coalesce(sa.func.sum(sa.case((existed, 1), else_=0)), 0).label(f"total_{n}"))
        columns.append(sa.func.coalesce(sa.func.sum(sa.case(
            (sa.and_(existed, Enrollment.completed_at < end), 1), else_=0)), 0).label(f"completed_{n}"))
    rows = db.session.execute(
        sa.select(User.center_id, *columns).select_from(Enrollment).join(User, User.id == Enrollment.user_id)
        .where(*staff_conditions(overall_filters, scope), *enrollment_conditions(overall_filters, at),
               Enrollment.enrolled_at < ends[-1])
        .group_by(User.center_id)).all()
    center_place, center_id = _center(filters.center, scope)

    def rates(selected) -> list[MonthRate]:
        return [MonthRate(month, Counts(total=sum(int(r._mapping[f"total_{n}"]) for r in selected),
                                        completed=sum(int(r._mapping[f"completed_{n}"]) for r in selected)))
                for n, month in enumerate(months)]

    if scope.center_id is not None:  # a center's manager: their center is everything they see
        own = db.session.execute(sa.select(Center.code, Center.name_ar, Center.name_en)
                                 .where(Center.id == scope.center_id)).first()
        return Trend(months, rates(rows), Place(*own) if own else None, None, None)
    center = rates([r for r in rows if r.center_id == center_id]) if center_place else None
    return Trend(months, rates(rows), _governorate(filters.governorate, scope), center, center_place)


def _center(code: str, scope: Scope) -> tuple[Place | None, int | None]:
    if not code:
        return None, None
    row = db.session.execute(sa.select(Center.id, Center.code, Center.name_ar, Center.name_en)
                             .where(Center.code == code, scope.centers(Center))).first()
    return (Place(row.code, row.name_ar, row.name_en), row.id) if row else (None, None)


def _governorate(code: str, scope: Scope) -> Place | None:
    """The governorate the overall line covers, when the filter or the viewer's scope holds it to one."""
    query = sa.select(Governorate.code, Governorate.name_ar, Governorate.name_en).where(
        scope.governorates(Governorate.id))
    if code:
        query = query.where(Governorate.code == code)
    elif scope.is_everything:
        return None
    row = db.session.execute(query).first()
    return Place(*row) if row else None
