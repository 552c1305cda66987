"""Reminders before due dates, overdue notices to the person and a daily digest to their center manager.

A step of the daily run (lms/daily.py, `flask notifications send-due`). Every notice has a key naming its
event, so a second run stores nothing new; the queries are a fixed few, whatever the number of staff.
"""
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased

from lms.accounts.models import Center, Role, User
from lms.core.localtime import local_date
from lms.courses.models import Course
from lms.extensions import db
from lms.notifications.services import link_to, notify_many
from lms.progress.models import Enrollment
from lms.progress.status import TrainingStatus, status_condition

_ACTIVE = sa.and_(User.is_active, User.deactivated_at.is_(None))


def store_due_notices(now: datetime) -> dict[str, int]:
    return {"reminder": store_reminders(now), "overdue": store_overdue_notices(now),
            "team_overdue": store_team_overdue_digests(now)}


def _required_open():
    """Required enrolments, not completed, with a due date, of people still active, with their course."""
    return (sa.select(Enrollment.id, Enrollment.user_id, Enrollment.due_at, Course.slug, Course.title_ar,
                      Course.title_en)
            .join(User, User.id == Enrollment.user_id).join(Course, Course.id == Enrollment.course_id)
            .where(Enrollment.is_required, Enrollment.completed_at.is_(None), Enrollment.due_at.is_not(None),
                   _ACTIVE))


def _params(row) -> dict:
    return {"title": {"ar": row.title_ar, "en": row.title_en}, "url": link_to("progress.course", slug=row.slug),
            "due_at": row.due_at.isoformat()}


def store_reminders(now: datetime) -> int:
    """One reminder per window of LMS_REMINDER_DAYS (7 and 1 by default): a due date within 7 days but more
    than 1 day away gets the 7-day reminder, one within 1 day the 1-day reminder. A run that starts late sends
    only the reminder of the window the due date is now in, not every one it missed."""
    days = sorted({int(d) for d in current_app.config["LMS_REMINDER_DAYS"] if int(d) > 0})
    rows, lower = [], now
    for window in days:
        upper = now + timedelta(days=window)
        due = db.session.execute(_required_open().where(Enrollment.due_at > lower, Enrollment.due_at <= upper))
        rows += [{"user_id": r.user_id, "kind": "reminder",
                  "key": f"reminder:{r.id}:{local_date(r.due_at).isoformat()}:{window}", "params": _params(r)}
                 for r in due]
        lower = upper
    return notify_many(rows)


def store_overdue_notices(now: datetime) -> int:
    """One notice per enrolment and due date once the due date has passed (a new due date: a new notice)."""
    late = db.session.execute(_required_open().where(Enrollment.due_at < now))
    return notify_many([{"user_id": r.user_id, "kind": "overdue",
                         "key": f"overdue:{r.id}:{local_date(r.due_at).isoformat()}", "params": _params(r)}
                        for r in late])


def store_team_overdue_digests(now: datetime) -> int:
    """One digest a day to each manager of a technology center with overdue staff: how many people are late."""
    late_people = (
        sa.select(User.center_id, sa.func.count(sa.distinct(Enrollment.user_id)).label("people"))
        .join(User, User.id == Enrollment.user_id)
        .where(Enrollment.is_required, status_condition(TrainingStatus.OVERDUE, now), _ACTIVE,
               User.center_id.is_not(None))
        .group_by(User.center_id).subquery())
    manager = aliased(User)
    rows = db.session.execute(
        sa.select(manager.id, late_people.c.center_id, late_people.c.people, Center.name_ar, Center.name_en)
        .join(late_people, late_people.c.center_id == manager.center_id)
        .join(Center, Center.id == manager.center_id)
        .where(manager.role == Role.CENTER_MANAGER, manager.is_active, manager.deactivated_at.is_(None)))
    today = local_date(now).isoformat()
    url = link_to("reports.overdue")
    return notify_many([{"user_id": r.id, "kind": "team_overdue", "key": f"team_overdue:{r.center_id}:{today}",
                         "params": {"count": r.people, "name": {"ar": r.name_ar, "en": r.name_en},
                                    **({"url": url} if url else {})}}
                        for r in rows])
