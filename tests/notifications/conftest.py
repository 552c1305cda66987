"""A recording SMTP server, a runner for `send-due` at a chosen moment, and required enrolments."""
import smtplib
from datetime import datetime

import pytest
import sqlalchemy as sa

from lms.extensions import db as _db
from lms.notifications.models import Notification
from lms.progress.models import Enrollment


class FakeSMTP:
    """Stands in for smtplib.SMTP: records what would have been sent; `fail_after` sends that many, then the
    connection drops."""

    sent: list = []
    logins: list = []
    fail_after: int | None = None

    def __init__(self, host, port, timeout=None):
        self.host, self.port = host, port

    def starttls(self, context=None):
        pass

    def login(self, user, password):
        FakeSMTP.logins.append((user, password))

    def send_message(self, message):
        if FakeSMTP.fail_after is not None and len(FakeSMTP.sent) >= FakeSMTP.fail_after:
            raise smtplib.SMTPServerDisconnected("connection lost")
        FakeSMTP.sent.append(message)

    def quit(self):
        pass

    def close(self):
        pass


@pytest.fixture
def smtp(app, monkeypatch):
    """SMTP configured, and every message recorded in the returned list instead of sent."""
    FakeSMTP.sent, FakeSMTP.logins, FakeSMTP.fail_after = [], [], None
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    for name, value in (("LMS_SMTP_HOST", "smtp.example.test"), ("LMS_SMTP_USER", "lms"),
                        ("LMS_SMTP_PASSWORD", "s3cret"), ("LMS_MAIL_FROM", "lms@example.test"),
                        ("LMS_PUBLIC_URL", "https://lms.example.test")):
        monkeypatch.setitem(app.config, name, value)
    return FakeSMTP


@pytest.fixture
def send_due(runner):
    """Run `flask notifications send-due` (optionally `--now ISO`); the result, asserted to have succeeded."""

    def run(now: str | None = None, expect_ok: bool = True):
        result = runner.invoke(args=["notifications", "send-due", *(["--now", now] if now else [])])
        if expect_ok:
            assert result.exit_code == 0, result.output
        return result

    return run


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def required(user, course, due_at: str, **kwargs) -> Enrollment:
    enrollment = Enrollment(user_id=user.id, course_id=course.id, is_required=True, due_at=at(due_at), **kwargs)
    _db.session.add(enrollment)
    _db.session.commit()
    return enrollment


def notifications(db, **filters) -> list[Notification]:
    query = sa.select(Notification).order_by(Notification.id)
    for name, value in filters.items():
        query = query.where(getattr(Notification, name) == value)
    db.session.expire_all()
    return list(db.session.scalars(query))
