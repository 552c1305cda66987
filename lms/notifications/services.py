"""Storing notifications (inside the caller's transaction), reading a person's bell, and the e-mail queue."""
import smtplib
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from lms.accounts.models import User
from lms.core.db import begin_write, upsert_insert
from lms.core.models import utcnow
from lms.extensions import db
from lms.notifications import mail
from lms.notifications.models import Notification

_CHUNK = 500
PER_PAGE = 20


def link_to(endpoint: str, **values) -> str | None:
    """The site path of a page, for a notification's `url`, from any context (cron has no request); None when
    the app has no such page."""
    if endpoint not in current_app.view_functions:
        return None
    return current_app.url_map.bind("localhost").build(endpoint, values)


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


_UNREAD = (sa.select(sa.func.count(Notification.id))
           .where(Notification.user_id == sa.bindparam("user_id"), Notification.read_at.is_(None)))


def unread_count(user_id: int) -> int:
    """One indexed count (user_id, read_at): the bell on every page."""
    return db.session.scalar(_UNREAD, {"user_id": user_id}) or 0


def notifications_page(user_id: int, page: int, per_page: int = PER_PAGE) -> tuple[int, list[Notification]]:
    """The total and one page of a person's notifications, newest first (two queries)."""
    mine = Notification.user_id == user_id
    total = db.session.scalar(sa.select(sa.func.count(Notification.id)).where(mine)) or 0
    rows = db.session.scalars(sa.select(Notification).where(mine)
                              .order_by(Notification.created_at.desc(), Notification.id.desc())
                              .limit(per_page).offset((page - 1) * per_page)).all()
    return total, list(rows)


def open_notification(user_id: int, notification_id: int) -> str | None:
    """Mark one of the person's notifications read; its link. LookupError when it is not theirs (or gone)."""
    begin_write()
    notification = db.session.scalar(sa.select(Notification).where(
        Notification.id == notification_id, Notification.user_id == user_id))
    if notification is None:
        db.session.rollback()
        raise LookupError(f"Notification {notification_id}")
    if notification.read_at is None:
        notification.read_at = utcnow()
    url = (notification.params or {}).get("url")
    db.session.commit()
    return url


def mark_all_read(user_id: int) -> int:
    """Mark every unread notification of the person read; how many were."""
    begin_write()
    changed = db.session.execute(sa.update(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)).values(read_at=utcnow())).rowcount
    db.session.commit()
    return changed or 0


# The e-mail queue: notifications neither e-mailed nor skipped.

@dataclass(frozen=True)
class Outgoing:
    id: int
    kind: str
    params: dict
    email: str | None
    locale: str | None
    is_active: bool


_PENDING = (Notification.emailed_at.is_(None), Notification.email_skipped.is_(False))


def pending_emails(after_id: int, limit: int = 200) -> list[Outgoing]:
    """The next notifications waiting for their e-mail, with their recipient's address and language."""
    rows = db.session.execute(
        sa.select(Notification.id, Notification.kind, Notification.params, User.email, User.locale,
                  sa.and_(User.is_active, User.deactivated_at.is_(None)))
        .join(User, User.id == Notification.user_id)
        .where(*_PENDING, Notification.id > after_id).order_by(Notification.id).limit(limit))
    return [Outgoing(*row) for row in rows]


def skip_all_emails() -> int:
    """SMTP is not configured: nothing waiting will ever be e-mailed (no flood of old news when it is later)."""
    begin_write()
    skipped = db.session.execute(sa.update(Notification).where(*_PENDING).values(email_skipped=True)).rowcount
    db.session.commit()
    return skipped or 0


def record_email(notification_id: int, *, sent: bool) -> None:
    """After one e-mail: sent (emailed_at) or skipped for good (no address, refused); committed at once, so a
    crash resends at most the message in flight."""
    begin_write()
    values = {"emailed_at": utcnow()} if sent else {"email_skipped": True}
    db.session.execute(sa.update(Notification).where(Notification.id == notification_id, *_PENDING)
                       .values(**values))
    db.session.commit()


def send_waiting_emails() -> tuple[int, int, str | None]:
    """E-mail each waiting notification once; (sent, skipped, error that stopped the run)."""
    if not mail.smtp_configured():
        return 0, skip_all_emails(), None
    sent = skipped = 0
    last_id = 0
    try:
        with mail.Mailer() as mailer:
            while batch := pending_emails(last_id):
                for item in batch:
                    last_id = item.id
                    if not item.email or not item.is_active:
                        record_email(item.id, sent=False)
                        skipped += 1
                        continue
                    try:
                        mailer.send(mail.build_message(item.email, item.kind, item.params or {}, item.locale))
                    except smtplib.SMTPRecipientsRefused:
                        record_email(item.id, sent=False)  # a bad address: retrying will not help
                        skipped += 1
                        continue
                    record_email(item.id, sent=True)
                    sent += 1
    except (smtplib.SMTPException, OSError) as error:
        # Never the password: SMTP errors carry the server's reply, not our credentials.
        current_app.logger.warning("send-due: e-mail stopped after %s sent: %s", sent, type(error).__name__)
        return sent, skipped, f"{type(error).__name__}: {error}"
    return sent, skipped, None
