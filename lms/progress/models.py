"""Who is enrolled in which course and which modules they have finished; what HR assigned, and learning paths."""
import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.core.models import UTCDateTime, enum_column, utcnow
from lms.courses.models import Course, Module
from lms.extensions import db


class Enrollment(db.Model):
    """A person's record in one course. HR's reports read their statuses from here: completed, overdue (due_at
    passed), in progress (activity), not started."""

    __tablename__ = "enrollments"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "course_id"),
        sa.Index("ix_enrollments_due_at", "due_at"),
        # Reports read a person's statuses from this index alone (no table lookups).
        sa.Index("ix_enrollments_user_id_status", "user_id", "course_id", "completed_at", "due_at", "last_activity_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_position: Mapped[int | None]  # the module opened last: where "resume" leads
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when an assignment (or a renewal) requires the course: the earliest due date among them.
    is_required: Mapped[bool] = mapped_column(default=False)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Recertification: when the course was last reset for renewal (None: never). Earlier work stays on record.
    renewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
    course: Mapped[Course] = relationship()


class ModuleCompletion(db.Model):
    __tablename__ = "module_completions"
    __table_args__ = (sa.UniqueConstraint("user_id", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    module_id: Mapped[int] = mapped_column(sa.ForeignKey("modules.id", ondelete="CASCADE"), index=True)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    module: Mapped[Module] = relationship()


class PathStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class LearningPath(db.Model):
    """مسار تدريبي: courses taken in order; completing them all gives a path certificate."""

    __tablename__ = "learning_paths"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    title_ar: Mapped[str] = mapped_column(sa.String(200))
    title_en: Mapped[str] = mapped_column(sa.String(200))
    summary_ar: Mapped[str] = mapped_column(sa.Text, default="")
    summary_en: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[PathStatus] = mapped_column(enum_column(PathStatus), default=PathStatus.DRAFT)
    is_ordered: Mapped[bool] = mapped_column(default=True)  # a course opens once the one before it is completed
    validity_months: Mapped[int] = mapped_column(default=0)  # of the path certificate; 0: never expires
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    steps: Mapped[list["PathCourse"]] = relationship(order_by="PathCourse.position", cascade="all, delete-orphan")


class PathCourse(db.Model):
    __tablename__ = "learning_path_courses"
    __table_args__ = (sa.UniqueConstraint("path_id", "course_id"),)

    path_id: Mapped[int] = mapped_column(sa.ForeignKey("learning_paths.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="RESTRICT"), index=True)

    course: Mapped[Course] = relationship()


class PathEnrollment(db.Model):
    __tablename__ = "path_enrollments"
    __table_args__ = (sa.UniqueConstraint("user_id", "path_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    path_id: Mapped[int] = mapped_column(sa.ForeignKey("learning_paths.id", ondelete="CASCADE"), index=True)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    path: Mapped[LearningPath] = relationship()


class Assignment(db.Model):
    """تكليف: HR requires a course or a learning path of an audience, by a due date.

    The audience is a list of people, or a rule: governorates, districts, centers, center kind and job titles,
    each optional; a person matches when they match every part given (any value of a list). People who come to
    match a rule later (new staff, a move) are enrolled when they do.
    """

    __tablename__ = "assignments"
    __table_args__ = (
        sa.CheckConstraint("(course_id IS NULL) <> (path_id IS NULL)", name="course_or_path"),
        sa.CheckConstraint("(due_on IS NULL) <> (due_days IS NULL)", name="one_due_rule"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int | None] = mapped_column(sa.ForeignKey("courses.id", ondelete="RESTRICT"), index=True)
    path_id: Mapped[int | None] = mapped_column(sa.ForeignKey("learning_paths.id", ondelete="RESTRICT"), index=True)
    # {"users": [ids]} or {"governorates": [ids], "districts": [ids], "centers": [ids], "center_kind": "fixed",
    # "job_titles": [ids]}
    audience: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    due_on: Mapped[date | None] = mapped_column(sa.Date)  # a fixed day (end of that day, the governorate's time)
    due_days: Mapped[int | None]  # or this many days after the person joins the audience
    is_active: Mapped[bool] = mapped_column(default=True)  # withdrawn: nobody new joins; the records stay
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course: Mapped[Course | None] = relationship()
    path: Mapped[LearningPath | None] = relationship()


class AssignmentMember(db.Model):
    """A person an assignment reached, when, and by when they must complete it."""

    __tablename__ = "assignment_members"

    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("assignments.id", ondelete="CASCADE"),
                                               primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True,
                                         index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
