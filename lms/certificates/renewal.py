"""تجديد الشهادة: a course whose certificate expires is taken again before it does.

`renewal_days` (course.yaml `certificate.renewal_days`, default 30) before a current certificate expires, its
holder's enrolment starts a new cycle: not completed, required, due when the certificate expires; the modules
done and the quiz attempts of the last cycle no longer count (the attempts stay on record, archived). The holder
is told. Completing the course again issues a new certificate, which supersedes the old one.
"""
from collections import defaultdict
from datetime import datetime, timedelta

import sqlalchemy as sa

from lms.accounts.models import User
from lms.certificates.models import Certificate
from lms.core.models import utcnow
from lms.courses.models import Course, Module
from lms.extensions import db
from lms.notifications.services import notify_many
from lms.progress.models import Enrollment, ModuleCompletion
from lms.quizzes.models import AttemptStatus, QuizAttempt

DEFAULT_RENEWAL_DAYS = 30
_CHUNK = 500


def renewal_days(settings: dict | None) -> int:
    days = (settings or {}).get("renewal_days", DEFAULT_RENEWAL_DAYS)
    return days if isinstance(days, int) and not isinstance(days, bool) and days >= 0 else DEFAULT_RENEWAL_DAYS


def _renewable_courses() -> dict[int, list[int]]:
    """renewal_days -> ids of the courses whose certificates expire (a handful of courses: read in Python)."""
    by_days: dict[int, list[int]] = defaultdict(list)
    for course_id, settings in db.session.execute(sa.select(Course.id, Course.certificate_settings)):
        if int((settings or {}).get("validity_months") or 0) > 0:
            by_days[renewal_days(settings)].append(course_id)
    return by_days


def renew_due(now: datetime | None = None) -> int:
    """Start the new cycle of every enrolment whose current certificate expires within its course's renewal
    period and was not renewed since that certificate was issued; how many. Idempotent. Runs inside the caller's
    write transaction (a fixed number of statements per course renewed, whatever the number of people)."""
    now = now or utcnow()
    due = []
    for days, course_ids in _renewable_courses().items():
        due += db.session.execute(
            sa.select(Certificate.id, Certificate.expires_at, Enrollment.id, Enrollment.user_id, Enrollment.course_id)
            .join(Enrollment, sa.and_(Enrollment.user_id == Certificate.user_id,
                                      Enrollment.course_id == Certificate.course_id))
            .join(User, User.id == Certificate.user_id)
            .where(Certificate.course_id.in_(course_ids), Certificate.revoked_at.is_(None),
                   Certificate.superseded_at.is_(None), Certificate.expires_at.is_not(None),
                   Certificate.expires_at <= now + timedelta(days=days), User.is_active.is_(True),
                   Enrollment.completed_at.is_not(None),
                   sa.or_(Enrollment.renewed_at.is_(None), Enrollment.renewed_at < Certificate.issued_at))
        ).all()
    if not due:
        return 0
    table = Enrollment.__table__
    db.session.connection().execute(
        table.update().where(table.c.id == sa.bindparam("row_id")).values(
            completed_at=None, renewed_at=now, last_activity_at=None, last_position=None, is_required=True,
            due_at=sa.bindparam("new_due")),
        [{"row_id": enrollment_id, "new_due": expires_at} for _c, expires_at, enrollment_id, _u, _k in due])
    by_course: dict[int, list[int]] = defaultdict(list)
    for _c, _e, _i, user_id, course_id in due:
        by_course[course_id].append(user_id)
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
                        finished_by=sa.func.coalesce(QuizAttempt.finished_by, "renewal"))
                .execution_options(synchronize_session=False))
    titles = dict((row[0], row[1:]) for row in db.session.execute(
        sa.select(Course.id, Course.title_ar, Course.title_en, Course.slug).where(Course.id.in_(by_course))))
    notify_many([{"user_id": user_id, "kind": "renewal", "key": f"renewal:{certificate_id}",
                  "params": {"title": {"ar": titles[course_id][0], "en": titles[course_id][1]},
                             "url": f"/courses/{titles[course_id][2]}", "due_at": expires_at.isoformat(),
                             "expires_at": expires_at.isoformat()}}
                 for certificate_id, expires_at, _e, user_id, course_id in due])
    session = db.session()
    for instance in list(session.identity_map.values()):  # copies of rows changed in bulk are stale
        if isinstance(instance, (Enrollment, QuizAttempt)):
            session.expire(instance)
    return len(due)

