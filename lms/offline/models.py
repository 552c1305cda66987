"""The field kit's records: the devices that sync, the grants that let them, the offline exams prepared for named
staff (one seat each, its questions drawn and encrypted at preparation) and every upload received, with its
verdict (accepted or refused, the reason, what looked suspicious) for HR to read."""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.models import UTCDateTime, utcnow
from lms.extensions import db


class Device(db.Model):
    """A tablet or laptop, known by the random id it made once and keeps (client_id)."""

    __tablename__ = "offline_devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(sa.String(36), unique=True)
    label: Mapped[str] = mapped_column(sa.String(80), default="")
    center_id: Mapped[int | None] = mapped_column(sa.ForeignKey("centers.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sync_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)

    center = relationship("Center")
    last_user = relationship("User")


class DeviceGrant(db.Model):
    """What lets one person's data sync from one device: a bearer token kept on the device (only its hash here).
    One live grant per device and person: registering again revokes the older one."""

    __tablename__ = "offline_device_grants"
    __table_args__ = (sa.Index("ix_offline_device_grants_device_id_user_id", "device_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(sa.ForeignKey("offline_devices.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    device: Mapped[Device] = relationship()
    user = relationship("User")


class OfflineExam(db.Model):
    """A course's quiz prepared for named staff at a center with no coverage: taken on a device, unlocked by the
    invigilator code (never stored), uploaded later."""

    __tablename__ = "offline_exams"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opens_on: Mapped[date] = mapped_column(sa.Date)
    closes_on: Mapped[date] = mapped_column(sa.Date)
    time_limit_minutes: Mapped[int | None]  # the quiz's limit at preparation; None: no limit
    pass_mark: Mapped[int] = mapped_column(default=0)
    review: Mapped[str] = mapped_column(sa.String(10), default="full")
    salt: Mapped[str] = mapped_column(sa.String(32))  # b64url of the PBKDF2 salt the packages use

    course = relationship("Course")
    created_by = relationship("User")
    seats: Mapped[list["OfflineSeat"]] = relationship(back_populates="exam", order_by="OfflineSeat.id",
                                                      cascade="all, delete-orphan")


class OfflineSeat(db.Model):
    """One person's place at an offline exam: the questions drawn for them and their encrypted package."""

    __tablename__ = "offline_seats"
    __table_args__ = (sa.UniqueConstraint("exam_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(sa.ForeignKey("offline_exams.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    questions: Mapped[list] = mapped_column(sa.JSON, default=list)  # [{"question": id, "layout": {...}}, ...]
    package: Mapped[dict | None] = mapped_column(sa.JSON)
    downloaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The accepted upload: the first one wins, any other is refused (a second device).
    # (an id, not a foreign key: uploads point at seats, and a cycle of keys is what SQLite cannot alter)
    received_upload_id: Mapped[int | None] = mapped_column(unique=True)

    exam: Mapped[OfflineExam] = relationship(back_populates="seats")
    user = relationship("User")


class OfflineUpload(db.Model):
    """An attempt's events as a device sent them, and the verdict. Kept whatever the verdict: HR sees every
    refused or suspicious one."""

    __tablename__ = "offline_uploads"
    __table_args__ = (
        sa.Index("ix_offline_uploads_received_at", "received_at"),
        # One accepted upload per seat, whatever races: a second device's upload cannot be accepted too.
        sa.Index("uq_offline_uploads_accepted_seat", "seat_id", unique=True,
                 sqlite_where=sa.text("status = 'accepted' AND seat_id IS NOT NULL"),
                 postgresql_where=sa.text("status = 'accepted' AND seat_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    upload_id: Mapped[str] = mapped_column(sa.String(36), unique=True)  # made by the device
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    device_id: Mapped[int | None] = mapped_column(sa.ForeignKey("offline_devices.id", ondelete="SET NULL"),
                                                  index=True)
    kind: Mapped[str] = mapped_column(sa.String(8))  # "attempt" or "seat"
    attempt_id: Mapped[int | None] = mapped_column(sa.ForeignKey("quiz_attempts.id", ondelete="SET NULL"),
                                                   index=True)
    seat_id: Mapped[int | None] = mapped_column(sa.ForeignKey("offline_seats.id", ondelete="SET NULL"), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    body_sha256: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[str] = mapped_column(sa.String(10))  # "accepted" or "refused"
    reason: Mapped[str | None] = mapped_column(sa.String(32))
    suspicious: Mapped[list] = mapped_column(sa.JSON, default=list)
    detail: Mapped[str] = mapped_column(sa.String(255), default="")
    size_bytes: Mapped[int] = mapped_column(default=0)
    events_count: Mapped[int] = mapped_column(default=0)
    elapsed_ms: Mapped[int | None] = mapped_column(sa.BigInteger)
    result_attempt_id: Mapped[int | None] = mapped_column(sa.ForeignKey("quiz_attempts.id", ondelete="SET NULL"))

    user = relationship("User")
    device: Mapped[Device | None] = relationship()
    seat: Mapped[OfflineSeat | None] = relationship(foreign_keys=[seat_id])
