"""The reports' section of the home page: who is overdue and the completion rate, in the viewer's scope, each a
link to the report that lists them."""
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from lms.accounts.models import User
from lms.accounts.scope import Scope, scope_of
from lms.extensions import db
from lms.progress.models import Enrollment
from lms.progress.status import TrainingStatus, status_condition
from lms.reports.filters import Filters
from lms.reports.services import Counts, count_columns, staff_conditions


@dataclass(frozen=True)
class Standing:
    overdue_people: int  # staff late with at least one course
    counts: Counts  # the enrolments of the staff in scope, by status (as the reports' overview counts them)


def standing(scope: Scope, at: datetime) -> Standing:
    """The figures of the reports' overview with no filter, for the staff in `scope` (two queries)."""
    conditions = staff_conditions(Filters(), scope)
    row = db.session.execute(sa.select(*count_columns(at)).select_from(Enrollment)
                             .join(User, User.id == Enrollment.user_id).where(*conditions)).one()
    late = db.session.scalar(sa.select(sa.func.count(sa.distinct(Enrollment.user_id)))
                             .join(User, User.id == Enrollment.user_id)
                             .where(*conditions, status_condition(TrainingStatus.OVERDUE, at)))
    return Standing(int(late or 0), Counts.of(row))


def load_standing(viewer, now: datetime) -> Standing:
    return standing(scope_of(viewer), now)
