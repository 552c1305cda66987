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
from lms.courses.models import Course
from lms.extensions import db
from lms.notifications.services import notify_many
from lms.progress.cycles import NewCycle, start_new_cycles
from lms.progress.models import Enrollment

DEFAULT_RENEWAL_DAYS = 30


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
    start_new_cycles([NewCycle(enrollment_id, user_id, course_id, due_at=expires_at)
                      for _c, expires_at, enrollment_id, user_id, course_id in due], now, required=True, why="renewal")
    course_ids = {row[4] for row in due}
    titles = dict((row[0], row[1:]) for row in db.session.execute(
        sa.select(Course.id, Course.title_ar, Course.title_en, Course.slug).where(Course.id.in_(course_ids))))
    notify_many([{"user_id": user_id, "kind": "renewal", "key": f"renewal:{certificate_id}",
                  "params": {"title": {"ar": titles[course_id][0], "en": titles[course_id][1]},
                             "url": f"/courses/{titles[course_id][2]}", "due_at": expires_at.isoformat(),
                             "expires_at": expires_at.isoformat()}}
                 for certificate_id, expires_at, _e, user_id, course_id in due])
    return len(due)
