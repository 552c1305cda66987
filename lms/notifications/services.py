"""Storing notifications (inside the caller's transaction) and reading a person's bell."""
import sqlalchemy as sa

from lms.core.db import upsert_insert
from lms.core.models import utcnow
from lms.extensions import db
from lms.notifications.models import Notification

_CHUNK = 500


def notify(user_id: int, kind: str, key: str, params: dict | None = None) -> bool:
    """Store one notification unless this person already has one with this key; whether it was new."""
    return notify_many([{"user_id": user_id, "kind": kind, "key": key, "params": params or {}}]) == 1


def notify_many(rows: list[dict]) -> int:
    """Store many at once (dicts with user_id, kind, key, params); those whose (user, key) exists are skipped.
    The number stored. Runs inside the caller's write transaction."""
    if not rows:
        return 0
    now = utcnow()
    values = [{"created_at": now, "email_skipped": False, "params": {}, **row} for row in rows]
    stored = 0
    for start in range(0, len(values), _CHUNK):  # SQLite caps the number of parameters of one statement
        statement = (upsert_insert(Notification).values(values[start:start + _CHUNK])
                     .on_conflict_do_nothing(index_elements=["user_id", "key"]).returning(Notification.id))
        stored += len(db.session.execute(statement).all())
    return stored


def unread_count(user_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0
