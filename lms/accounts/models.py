"""People and places: governorates -> technology centers -> staff."""
import enum
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.roles import Role  # the roles live beside their table; imported from here too
from lms.core.arabic import normalize_for_matching
from lms.core.models import UTCDateTime, enum_column, utcnow
from lms.core.password_hashes import hash_password, verify_password
from lms.extensions import db


class CenterKind(enum.StrEnum):
    FIXED = "fixed"
    MOBILE = "mobile"


class Governorate(db.Model):
    __tablename__ = "governorates"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(8), unique=True)
    name_ar: Mapped[str] = mapped_column(sa.String(120))
    name_en: Mapped[str] = mapped_column(sa.String(120))

    centers: Mapped[list["Center"]] = relationship(back_populates="governorate")
    districts: Mapped[list["District"]] = relationship(back_populates="governorate", order_by="District.name_ar")


class District(db.Model):
    """المركز والمدينة / الحي: the administrative level between the governorate and the technology center."""

    __tablename__ = "districts"
    __table_args__ = (sa.UniqueConstraint("governorate_id", "name_ar"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    governorate_id: Mapped[int] = mapped_column(sa.ForeignKey("governorates.id", ondelete="RESTRICT"))
    name_ar: Mapped[str] = mapped_column(sa.String(120))
    name_en: Mapped[str] = mapped_column(sa.String(120))

    governorate: Mapped[Governorate] = relationship(back_populates="districts")


class JobTitle(db.Model):
    """المسمى الوظيفي: a fixed list, so that "every window clerk" means the same people in every report."""

    __tablename__ = "job_titles"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name_ar: Mapped[str] = mapped_column(sa.String(120), unique=True)
    name_en: Mapped[str] = mapped_column(sa.String(120))


class Center(db.Model):
    __tablename__ = "centers"

    id: Mapped[int] = mapped_column(primary_key=True)
    governorate_id: Mapped[int] = mapped_column(sa.ForeignKey("governorates.id", ondelete="RESTRICT"), index=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name_ar: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[CenterKind] = mapped_column(
        enum_column(CenterKind),
        default=CenterKind.FIXED,
    )
    is_active: Mapped[bool] = mapped_column(default=True)
    district_id: Mapped[int | None] = mapped_column(sa.ForeignKey("districts.id", ondelete="SET NULL"), index=True)
    # Where a mobile center (a vehicle) stands now, as its manager reports it; empty for a fixed one.
    location: Mapped[str] = mapped_column(sa.String(300), default="")
    location_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    governorate: Mapped[Governorate] = relationship(back_populates="centers")
    district: Mapped[District | None] = relationship()


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    employee_number: Mapped[str | None] = mapped_column(sa.String(32), unique=True)
    full_name_ar: Mapped[str] = mapped_column(sa.String(200))
    full_name_latin: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    center_id: Mapped[int | None] = mapped_column(sa.ForeignKey("centers.id", ondelete="SET NULL"), index=True)
    job_title_id: Mapped[int | None] = mapped_column(sa.ForeignKey("job_titles.id", ondelete="SET NULL"), index=True)
    role: Mapped[Role] = mapped_column(
        enum_column(Role),
        default=Role.LEARNER,
    )
    is_active: Mapped[bool] = mapped_column(default=True)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # left: kept, with their records
    # HR only: the governorate whose staff they manage; empty: every governorate.
    scope_governorate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("governorates.id", ondelete="SET NULL"))
    # Set for accounts given a one-time password (roster import), and at sign-in for a password that no longer
    # passes the policy (lms.core.passwords): no page opens until they choose their own.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    # While the account holds a one-time password: when it stops opening the account. Empty once they chose theirs.
    one_time_password_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locale: Mapped[str | None] = mapped_column(sa.String(8))
    # Deferred like search_key: the user is loaded on every request, these are read only at sign-in and search.
    password_hash: Mapped[str] = mapped_column(sa.String(255), default="", deferred=True)
    # Names, username and employee number folded by normalize_for_matching(), so that a search finds
    # "أحمد" when "احمد" is typed. Kept up to date by the mapper events below.
    search_key: Mapped[str] = mapped_column(sa.String(600), default="", deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    center: Mapped[Center | None] = relationship()
    job_title: Mapped[JobTitle | None] = relationship()

    def set_password(self, password: str) -> None:
        """A password chosen by its holder or an administrator (checked by the services), which does not expire."""
        self.password_hash = hash_password(password)
        self.one_time_password_expires_at = None

    def check_password(self, password: str) -> bool:
        return verify_password(self.password_hash, password)

    def display_name(self, locale: str) -> str:
        return self.full_name_ar if locale == "ar" else self.full_name_latin

    def __repr__(self) -> str:
        return f"<User {self.username}>"


def search_key_of(full_name_ar: str, full_name_latin: str, username: str, employee_number: str | None) -> str:
    """User.search_key, for writes that bypass the ORM's events (a roster's bulk INSERT and UPDATE)."""
    parts = (full_name_ar, full_name_latin, username, employee_number or "")
    return normalize_for_matching(" ".join(p or "" for p in parts))


@sa.event.listens_for(User, "before_insert")
@sa.event.listens_for(User, "before_update")
def _refresh_search_key(_mapper, _connection, user: User) -> None:
    user.search_key = search_key_of(user.full_name_ar, user.full_name_latin, user.username, user.employee_number)


class RosterImportStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    REFUSED = "refused"  # nothing written: rows have errors, or the staff changed while it ran
    FAILED = "failed"  # nothing written: an unexpected error (logged)


class RosterImport(db.Model):
    """A large roster applied by a background job: its rows until then, its progress, what it changed, and the
    slips of its new accounts' one-time passwords, encrypted, until the uploader has printed them (or a day)."""

    __tablename__ = "roster_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    complete: Mapped[bool] = mapped_column(default=False)
    # The previewed file ({"rows", "headers", "unknown_columns"}); emptied once the job has run.
    roster: Mapped[dict | None] = mapped_column(sa.JSON, deferred=True)
    row_count: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(sa.String(16), default=RosterImportStatus.QUEUED.value)
    total: Mapped[int] = mapped_column(default=0)  # one-time passwords to prepare: the progress bar
    done: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    deactivated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    # Why nothing was written: [[row, column, message]] in the uploader's language (empty: the staff changed).
    problems: Mapped[list] = mapped_column(sa.JSON, default=list)
    # The identity changes left out because nobody ticked them: [[row, employee number, [reason, ...]]].
    skipped: Mapped[list] = mapped_column(sa.JSON, default=list)
    error: Mapped[str | None] = mapped_column(sa.Text)  # an unexpected failure, for the log; not shown
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    slips: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)  # encrypted: roster_jobs.seal
    slips_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def percent(self) -> int:
        if self.status == RosterImportStatus.DONE:
            return 100
        return 100 * self.done // self.total if self.total else 0

    @property
    def running(self) -> bool:
        return self.status in (RosterImportStatus.QUEUED, RosterImportStatus.RUNNING)
