"""Certificates, their rendered PDFs, the serial counters and the append-only log of what happened to them."""
import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.arabic import normalize_for_matching
from lms.core.models import UTCDateTime, utcnow
from lms.extensions import db


class CertificateStatus(enum.StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"


class Certificate(db.Model):
    """One certificate, with a snapshot of what it certifies: later changes to the learner or the course do not
    alter a certificate already handed out (a name correction is a reissue)."""

    __tablename__ = "certificates"
    __table_args__ = (
        # One current certificate per learner and course, whatever races: a second issue for the same completion
        # is refused by the database. A reissue marks the old one superseded before it inserts the new one.
        sa.Index("uq_certificates_current", "user_id", "course_id", unique=True,
                 sqlite_where=sa.text("superseded_at IS NULL"), postgresql_where=sa.text("superseded_at IS NULL")),
        sa.Index("uq_certificates_current_path", "user_id", "path_id", unique=True,
                 sqlite_where=sa.text("superseded_at IS NULL AND path_id IS NOT NULL"),
                 postgresql_where=sa.text("superseded_at IS NULL AND path_id IS NOT NULL")),
        sa.CheckConstraint("(course_id IS NULL) <> (path_id IS NULL)", name="course_or_path"),
        sa.Index("ix_certificates_issued_at", "issued_at"),
        sa.Index("ix_certificates_expires_at", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(24), unique=True)  # the public verification code, ungrouped
    serial: Mapped[str] = mapped_column(sa.String(32), unique=True)  # for filing, e.g. QLY-2026-000123
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    # What it certifies: a course, or a learning path (whose title then fills course_title_*).
    course_id: Mapped[int | None] = mapped_column(sa.ForeignKey("courses.id", ondelete="RESTRICT"), index=True)
    path_id: Mapped[int | None] = mapped_column(sa.ForeignKey("learning_paths.id", ondelete="RESTRICT"), index=True)
    # The snapshot.
    name_ar: Mapped[str] = mapped_column(sa.String(200))
    name_latin: Mapped[str] = mapped_column(sa.String(200))
    employee_number: Mapped[str | None] = mapped_column(sa.String(32))
    center_code: Mapped[str | None] = mapped_column(sa.String(32))
    center_name_ar: Mapped[str] = mapped_column(sa.String(200), default="")
    center_name_en: Mapped[str] = mapped_column(sa.String(200), default="")
    course_title_ar: Mapped[str] = mapped_column(sa.String(200))
    course_title_en: Mapped[str] = mapped_column(sa.String(200))
    score: Mapped[float | None] = mapped_column(sa.Float)  # the quiz's score by its grading policy; None: no quiz
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: never expires
    design: Mapped[str] = mapped_column(sa.String(64))  # the template folder it is rendered with
    language: Mapped[str] = mapped_column(sa.String(8))  # "ar", "en" or "both": the course's choice
    # What happened to it since.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    revoke_reason: Mapped[str | None] = mapped_column(sa.Text)
    # A learning path's certificate revoked with one of its course certificates: that one (whose reason it keeps).
    revoked_with_id: Mapped[int | None] = mapped_column(sa.ForeignKey("certificates.id", ondelete="RESTRICT"))
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    superseded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("certificates.id", ondelete="RESTRICT"))

    # The print room: first printed, last handed over to whom (each batch item keeps its own hand-over); and
    # what its search box matches (names, employee number, serial, folded as normalize_for_matching does: hamza,
    # alef, ya, ta marbuta, digits).
    printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handed_over_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handed_over_to: Mapped[str | None] = mapped_column(sa.String(200))
    search_key: Mapped[str] = mapped_column(sa.String(600), default="", deferred=True)

    superseded_by: Mapped["Certificate | None"] = relationship(remote_side=[id], foreign_keys=[superseded_by_id])
    revoked_with: Mapped["Certificate | None"] = relationship(remote_side=[id], foreign_keys=[revoked_with_id])

    def status(self, now: datetime | None = None) -> CertificateStatus:
        if self.revoked_at is not None:
            return CertificateStatus.REVOKED
        if self.superseded_at is not None:
            return CertificateStatus.SUPERSEDED
        if self.expires_at is not None and self.expires_at <= (now or utcnow()):
            return CertificateStatus.EXPIRED
        return CertificateStatus.VALID


@sa.event.listens_for(Certificate, "before_insert")
def _fill_search_key(_mapper, _connection, certificate: Certificate) -> None:
    parts = (certificate.name_ar, certificate.name_latin, certificate.employee_number, certificate.serial)
    certificate.search_key = normalize_for_matching(" ".join(p or "" for p in parts))


class CertificateFile(db.Model):
    """A certificate's PDF in one language variant, rendered once and served from here afterwards."""

    __tablename__ = "certificate_files"

    certificate_id: Mapped[int] = mapped_column(sa.ForeignKey("certificates.id", ondelete="CASCADE"),
                                                primary_key=True)
    language: Mapped[str] = mapped_column(sa.String(8), primary_key=True)  # "ar", "en" or "both"
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)
    rendered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SerialCounter(db.Model):
    """The last serial number given, per governorate code and year."""

    __tablename__ = "certificate_serials"

    prefix: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


class CertificateAction(enum.StrEnum):
    ISSUE = "issue"
    PRINT = "print"
    REPRINT = "reprint"
    HANDOVER = "handover"
    REVOKE = "revoke"
    REISSUE = "reissue"


class CertificateEvent(db.Model):
    """The audit log: rows are added, never changed or deleted."""

    __tablename__ = "certificate_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(sa.ForeignKey("certificates.id", ondelete="RESTRICT"), index=True)
    action: Mapped[str] = mapped_column(sa.String(16))  # a CertificateAction
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)


class BatchStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


WORKER_STOPPED = "stopped before it finished"  # a failed batch's `error` when its worker stopped


class PrintBatch(db.Model):
    """A stack of certificates printed together: one merged PDF made by a background job, then the print log
    (printed when). A batch may go to several centers: each of its items records its own hand-over."""

    __tablename__ = "print_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    description: Mapped[str] = mapped_column(sa.String(500), default="")  # the filter, in its creator's language
    # What the batch printed, shown in each reader's language (lms.certificates.batches.search_parts); None for
    # batches made before it was kept: their description shows.
    search: Mapped[dict | None] = mapped_column(sa.JSON)
    language: Mapped[str] = mapped_column(sa.String(8))  # "ar", "en", "both", or "course": each course's choice
    status: Mapped[str] = mapped_column(sa.String(16), default=BatchStatus.QUEUED.value)
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)  # certificates rendered so far: the progress bar
    error: Mapped[str | None] = mapped_column(sa.Text)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The running job's lease: renewed at each step of the render. One that ran out means its worker stopped.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    runs: Mapped[int] = mapped_column(default=0)  # how many times a job started it: once more after a worker stopped
    pdf: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    printed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    @property
    def percent(self) -> int:
        return 100 if self.status == BatchStatus.DONE else (100 * self.done // self.total if self.total else 0)

    @property
    def is_restarted(self) -> bool:
        """Queued or running again after the worker of an earlier run stopped."""
        return (self.status == BatchStatus.QUEUED and self.runs >= 1) or (
            self.status == BatchStatus.RUNNING and self.runs >= 2)

    @property
    def is_rendering_again(self) -> bool:
        """Finished once, then queued again because a certificate in it was revoked or replaced since."""
        return self.status in (BatchStatus.QUEUED, BatchStatus.RUNNING) and self.finished_at is not None

    @property
    def is_worker_stopped(self) -> bool:
        """Failed because its worker stopped (and, if it was started again, stopped again)."""
        return self.status == BatchStatus.FAILED and self.error == WORKER_STOPPED


class PrintBatchItem(db.Model):
    """A certificate of a batch, in print order; `duplicate`: it had been printed before, so it is stamped. Its
    hand-over: when this printed copy was handed to whom (a center's certificates are handed over together)."""

    __tablename__ = "print_batch_items"

    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("print_batches.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(sa.ForeignKey("certificates.id", ondelete="RESTRICT"), index=True)
    duplicate: Mapped[bool] = mapped_column(default=False)
    handed_over_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handed_over_to: Mapped[str | None] = mapped_column(sa.String(200))
    handed_over_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))


class CertificateLook(db.Model):
    """How certificates look, as HR or an administrator set it (one row; the design's design.yaml gives the
    defaults): the authority's name, colours, logo, signatories, the Hijri date, each course's language."""

    __tablename__ = "certificate_looks"

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_ar: Mapped[str] = mapped_column(sa.String(200), default="")
    authority_en: Mapped[str] = mapped_column(sa.String(200), default="")
    primary_colour: Mapped[str] = mapped_column(sa.String(7), default="")
    accent_colour: Mapped[str] = mapped_column(sa.String(7), default="")
    logo: Mapped[str | None] = mapped_column(sa.Text)  # a data: URL (PNG or JPEG, checked on upload)
    # [{"name": {"ar", "en"}, "title": {"ar", "en"}, "signature": data URL or None}], at most MAX_SIGNATORIES
    signatories: Mapped[list] = mapped_column(sa.JSON, default=list)
    hijri: Mapped[bool] = mapped_column(default=True)
    course_languages: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # course slug: "ar" | "en" | "both"
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
