"""A course's question bank, the learners' attempts at its quiz, and the audit trail of changes to grades."""
import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.models import UTCDateTime, enum_column, utcnow
from lms.courses.models import CourseLogEntry
from lms.extensions import db


class Question(db.Model):
    """One question of a course's bank. `data` holds its answers, key included, in the shape its type defines.

    Texts are bilingual ({"ar": ..., "en": ...}). A question that attempts point at is retired, never deleted.
    """

    __tablename__ = "questions"
    __table_args__ = (sa.Index("ix_questions_course_id_position", "course_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"))
    position: Mapped[int]  # order in the bank (and in the GIFT export)
    title: Mapped[str] = mapped_column(sa.String(255), default="")  # GIFT ::title::, identity across re-imports
    category: Mapped[str] = mapped_column(sa.String(255), default="")
    type: Mapped[str] = mapped_column(sa.String(16))  # a key of lms.quizzes.types.REGISTRY
    format: Mapped[str] = mapped_column(sa.String(10), default="moodle")  # how prompt and answers are written
    prompt: Mapped[dict] = mapped_column(sa.JSON)
    general_feedback: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    data: Mapped[dict] = mapped_column(sa.JSON)
    is_active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class QuestionVersion(db.Model):
    """A question as attempts showed it, kept when it is changed after them (lms.quizzes.versions): a learner's
    review, and the trainer's view of the attempt, keep saying what was asked and what was answered."""

    __tablename__ = "question_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(sa.String(16))
    format: Mapped[str] = mapped_column(sa.String(10))
    prompt: Mapped[dict] = mapped_column(sa.JSON)
    general_feedback: Mapped[dict] = mapped_column(sa.JSON)
    data: Mapped[dict] = mapped_column(sa.JSON)
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AttemptStatus(enum.StrEnum):
    OPEN = "open"
    FINISHED = "finished"


class QuizAttempt(db.Model):
    __tablename__ = "quiz_attempts"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "course_id", "number"),
        # One open attempt per learner and quiz, whatever races: the database says no to a second one.
        sa.Index("uq_quiz_attempts_open", "user_id", "course_id", unique=True,
                 sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'")),
        sa.Index("ix_quiz_attempts_course_id_status", "course_id", "status"),
        sa.CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"))
    number: Mapped[int]  # 1 for the learner's first attempt at this quiz, 2 for the next...
    status: Mapped[AttemptStatus] = mapped_column(enum_column(AttemptStatus), default=AttemptStatus.OPEN)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: no time limit
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_by: Mapped[str | None] = mapped_column(sa.String(16))  # "learner", "timeout", "offline" (an upload)
    score: Mapped[float | None] = mapped_column(sa.Float)  # percent, 0..100, computed on the server only
    is_passed: Mapped[bool | None]
    # The quiz settings the attempt was started with: changing them later does not move a running clock.
    pass_mark: Mapped[int] = mapped_column(default=0)
    review: Mapped[str] = mapped_column(sa.String(10), default="full")
    # Set when the learner's course was reset for recertification: the attempt stays on record but no longer
    # counts towards passing, the attempts limit or the grade.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    questions: Mapped[list["AttemptQuestion"]] = relationship(
        back_populates="attempt", order_by="AttemptQuestion.position", cascade="all, delete-orphan")

    @property
    def is_open(self) -> bool:
        return self.status == AttemptStatus.OPEN


class AttemptQuestion(db.Model):
    """A question drawn for an attempt: its place, its options' order for this learner, the answer saved."""

    __tablename__ = "attempt_questions"
    __table_args__ = (sa.UniqueConstraint("attempt_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("quiz_attempts.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("questions.id"), index=True)
    # The question as this attempt showed it, when it has changed since; None: the question as it is.
    version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("question_versions.id"))
    position: Mapped[int]
    layout: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # option (and choice) ids in display order
    response: Mapped[object | None] = mapped_column(sa.JSON)  # the learner's answer as its type cleaned it
    saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The sequence number of the save that stored `response` (0: none yet). A save must carry a greater one, so
    # an older save that arrives late (a replay, a retry overtaken by a newer answer) cannot overwrite it.
    seq: Mapped[int] = mapped_column(default=0)
    fraction: Mapped[float | None] = mapped_column(sa.Float)  # 0..1 once graded

    attempt: Mapped[QuizAttempt] = relationship(back_populates="questions")
    question: Mapped[Question] = relationship()


# The quiz's log became the course's log (lms.courses.models.CourseLogEntry): its entries moved there.
QuizAuditEntry = CourseLogEntry
