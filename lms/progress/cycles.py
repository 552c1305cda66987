"""A completed course taken again: its enrolment starts a new cycle, when its certificate is about to expire
(renewal) or was revoked. The modules done and the quiz attempts of the last cycle no longer count; the attempts
stay on record, archived."""
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from lms.core.models import UTCDateTime
from lms.courses.models import Module
from lms.extensions import db
from lms.progress.models import Enrollment, ModuleCompletion
from lms.quizzes.models import AttemptStatus, QuizAttempt

_CHUNK = 500


@dataclass(frozen=True)
class NewCycle:
    enrollment_id: int
    user_id: int
    course_id: int
    due_at: datetime | None = None  # the new cycle's due date; None keeps the enrolment's own (or none)


def start_new_cycles(cycles: list[NewCycle], now: datetime, *, required: bool, why: str) -> None:
    """Reopen these enrolments: not completed, started `now`, nothing done yet; `required` makes them required
    (renewal), else they stay as required as they were. `why` is written on the attempts it closes ("renewal",
    "revoked"). Inside the caller's write transaction, a fixed number of statements per course whatever the number
    of people."""
    if not cycles:
        return
    table = Enrollment.__table__
    db.session.connection().execute(
        table.update().where(table.c.id == sa.bindparam("row_id")).values(
            completed_at=None, renewed_at=now, last_activity_at=None, last_position=None,
            is_required=sa.true() if required else table.c.is_required,
            due_at=sa.func.coalesce(sa.bindparam("new_due", type_=UTCDateTime()), table.c.due_at)),
        [{"row_id": cycle.enrollment_id, "new_due": cycle.due_at} for cycle in cycles])
    by_course: dict[int, list[int]] = defaultdict(list)
    for cycle in cycles:
        by_course[cycle.course_id].append(cycle.user_id)
    for course_id, user_ids in by_course.items():
        for start in range(0, len(user_ids), _CHUNK):
            chunk = user_ids[start:start + _CHUNK]
            db.session.execute(sa.delete(ModuleCompletion).where(
                ModuleCompletion.user_id.in_(chunk),
                ModuleCompletion.module_id.in_(sa.select(Module.id).where(Module.course_id == course_id))))
            # An open attempt is closed as it stands (ungraded), so that the new cycle can open its own.
            db.session.execute(sa.update(QuizAttempt).where(
                QuizAttempt.course_id == course_id, QuizAttempt.user_id.in_(chunk), QuizAttempt.archived_at.is_(None))
                .values(archived_at=now, status=AttemptStatus.FINISHED.value,
                        finished_at=sa.func.coalesce(QuizAttempt.finished_at, now),
                        finished_by=sa.func.coalesce(QuizAttempt.finished_by, why))
                .execution_options(synchronize_session=False))
    session = db.session()
    for instance in list(session.identity_map.values()):  # copies of rows changed in bulk are stale
        if isinstance(instance, (Enrollment, QuizAttempt)):
            session.expire(instance)
