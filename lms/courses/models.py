"""Courses, their ordered modules, and the files that come with them (images, question banks)."""
import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.models import UTCDateTime, enum_column, utcnow
from lms.extensions import db


class CourseStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class Course(db.Model):
    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    title_ar: Mapped[str] = mapped_column(sa.String(200))
    title_en: Mapped[str] = mapped_column(sa.String(200))
    summary_ar: Mapped[str] = mapped_column(sa.Text, default="")
    summary_en: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[CourseStatus] = mapped_column(
        enum_column(CourseStatus),
        default=CourseStatus.DRAFT,
    )
    estimated_minutes: Mapped[int] = mapped_column(default=0)
    # The course.yaml blocks that later packages own (quiz settings, certificate validity...), kept as given.
    # Deferred: course lists would decode this JSON on every page for nothing.
    quiz_settings: Mapped[dict] = mapped_column(sa.JSON, default=dict, deferred=True)
    certificate_settings: Mapped[dict] = mapped_column(sa.JSON, default=dict, deferred=True)
    # One of the course's image files (a CourseAsset path), shown on its card; None: a plain pattern instead.
    cover_path: Mapped[str | None] = mapped_column(sa.String(255))
    module_count: Mapped[int] = mapped_column(default=0)  # kept by the services; saves a count per page
    # Where the course was last changed. A course imported from a folder keeps the folder's path and content hash
    # (and each part's, to say what changed); a web edit since then sets `is_edited_on_web`, which the next import
    # from changed files refuses to overwrite unless forced (lms/courses/sync.py). Who made it: the course's log.
    source_path: Mapped[str | None] = mapped_column(sa.String(255))
    source_hash: Mapped[str | None] = mapped_column(sa.String(64))
    source_parts: Mapped[dict | None] = mapped_column(sa.JSON, deferred=True)
    imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_edited_on_web: Mapped[bool] = mapped_column(default=False)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    modules: Mapped[list["Module"]] = relationship(
        back_populates="course", order_by="Module.position", cascade="all, delete-orphan"
    )
    assets: Mapped[list["CourseAsset"]] = relationship(cascade="all, delete-orphan")
    trainers: Mapped[list["CourseTrainer"]] = relationship(cascade="all, delete-orphan")

    @property
    def is_published(self) -> bool:
        return self.status == CourseStatus.PUBLISHED

    @property
    def is_from_files(self) -> bool:
        return self.source_hash is not None


class Module(db.Model):
    __tablename__ = "modules"
    __table_args__ = (sa.UniqueConstraint("course_id", "position"), sa.UniqueConstraint("course_id", "file_name"))

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"))
    position: Mapped[int]  # 1, 2, 3... in the order of course.yaml's `modules:`
    file_name: Mapped[str] = mapped_column(sa.String(120))  # e.g. "01-welcome.md": identity across re-imports
    title_ar: Mapped[str] = mapped_column(sa.String(200))
    title_en: Mapped[str] = mapped_column(sa.String(200))
    # The Markdown sources are read only by authoring and export: not loaded with the module otherwise.
    body_ar: Mapped[str] = mapped_column(sa.Text, default="", deferred=True)
    body_en: Mapped[str] = mapped_column(sa.Text, default="", deferred=True)
    # Sanitised HTML rendered when the module is saved, so that reading a module renders nothing.
    html_ar: Mapped[str] = mapped_column(sa.Text, default="")
    html_en: Mapped[str] = mapped_column(sa.Text, default="")

    course: Mapped[Course] = relationship(back_populates="modules")


class CourseAsset(db.Model):
    """A file of the course folder other than course.yaml and modules: images, question banks.

    Kept in the database so that app servers stay stateless and export gives back every file.
    """

    __tablename__ = "course_assets"
    __table_args__ = (sa.UniqueConstraint("course_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"))
    path: Mapped[str] = mapped_column(sa.String(255))  # relative to the course folder, with "/" separators
    media_type: Mapped[str] = mapped_column(sa.String(100))
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)


class CourseTrainer(db.Model):
    """A trainer who may edit this course and its question bank: its author, and those course.yaml names."""

    __tablename__ = "course_trainers"

    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)


class CourseLogEntry(db.Model):
    """Append-only: who changed what in a course, and when: web edits with their old and new values, imports from
    files, and the quiz's changes that bear on grades (regrades, bank imports, settings)."""

    __tablename__ = "course_log_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))  # None: from files
    action: Mapped[str] = mapped_column(sa.String(32))  # "course", "module", "import", "settings", "question"...
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
