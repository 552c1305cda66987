"""A person's status in a course, the same in every report, export, API answer and e-mail.

completed: the course is completed (in its current cycle, after a renewal); overdue: not completed and the due date
has passed; in progress: some activity; not started: none.
"""
import enum
from datetime import datetime

import sqlalchemy as sa

from lms.progress.models import Enrollment


class TrainingStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    OVERDUE = "overdue"


def status_of(enrollment: Enrollment | None, now: datetime) -> TrainingStatus:
    if enrollment is None:
        return TrainingStatus.NOT_STARTED
    if enrollment.completed_at is not None:
        return TrainingStatus.COMPLETED
    if enrollment.due_at is not None and enrollment.due_at < now:
        return TrainingStatus.OVERDUE
    if enrollment.last_activity_at is not None:
        return TrainingStatus.IN_PROGRESS
    return TrainingStatus.NOT_STARTED


def status_expression(now: datetime, enrollment=Enrollment):
    """The same rule in SQL, over Enrollment (or an alias of it): for filters, counts and sorting."""
    return sa.case(
        (enrollment.completed_at.is_not(None), TrainingStatus.COMPLETED.value),
        (sa.and_(enrollment.due_at.is_not(None), enrollment.due_at < now), TrainingStatus.OVERDUE.value),
        (enrollment.last_activity_at.is_not(None), TrainingStatus.IN_PROGRESS.value),
        else_=TrainingStatus.NOT_STARTED.value,
    )


def status_condition(status: str, now: datetime, enrollment=Enrollment):
    """A WHERE condition for one status (lets the database use its indexes, where a CASE would not)."""
    if status == TrainingStatus.COMPLETED:
        return enrollment.completed_at.is_not(None)
    open_ = enrollment.completed_at.is_(None)
    late = sa.and_(enrollment.due_at.is_not(None), enrollment.due_at < now)
    if status == TrainingStatus.OVERDUE:
        return sa.and_(open_, late)
    if status == TrainingStatus.IN_PROGRESS:
        return sa.and_(open_, sa.not_(late), enrollment.last_activity_at.is_not(None))
    return sa.and_(open_, sa.not_(late), enrollment.last_activity_at.is_(None))
