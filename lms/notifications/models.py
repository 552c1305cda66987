"""One notification per person and event: `key` names the event, so that sending twice stores it once."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.models import UTCDateTime, utcnow
from lms.extensions import db


class Notification(db.Model):
    """What happened, stored as a kind and its parameters and worded in the reader's language when shown."""

    __tablename__ = "notifications"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "key"),
        sa.Index("ix_notifications_user_id_read_at", "user_id", "read_at"),
        sa.Index("ix_notifications_emailed", "emailed_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(32))  # assigned, reminder, overdue, team_overdue, issued, expiring
    key: Mapped[str] = mapped_column(sa.String(120))  # e.g. "reminder:enrollment 12:2026-12-01": the event's identity
    params: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # titles in both languages, dates, a link
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # E-mail: sent when; or `email_skipped` (no address, or SMTP not configured when it was due).
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_skipped: Mapped[bool] = mapped_column(default=False)
