"""Offline exams: prepared online for named staff, all or nothing, each seat's questions drawn as an online
attempt draws them and encrypted at once under the invigilator code, which is shown once and never stored."""
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask import render_template_string
from flask_babel import force_locale

from lms.accounts.models import User
from lms.accounts.roles import Role
from lms.accounts.scope import scope_of
from lms.core.db import begin_write
from lms.core.encoding import b64url
from lms.core.i18n import _
from lms.core.localtime import local_date
from lms.core.models import ValidationError, utcnow
from lms.courses.models import Course, CourseStatus
from lms.extensions import db
from lms.offline import codes
from lms.offline.models import OfflineExam, OfflineSeat
from lms.progress.services import enrollment_for
from lms.quizzes import attempts
from lms.quizzes.chain import chain_key
from lms.quizzes.models import Question
from lms.quizzes.review import ShownQuestion
from lms.quizzes.settings import QuizSettings
from lms.quizzes.types import type_of

MAX_SEATS = 200

_QUESTIONS_HTML = """{% from "quizzes/_question.html" import question %}
{%- for shown in questions %}{{ question(shown, questions|length) }}
{% endfor %}"""


class NotEveryone(ValidationError):
    """Some of the people named cannot take the exam: `problems` is [(who, why)]; nothing was made."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__({"employee_numbers": _("These people cannot take this exam, so nothing was prepared:")})
        self.problems = problems


@dataclass(frozen=True)
class Prepared:
    exam: OfflineExam
    code: str  # shown once, never stored


def quiz_courses() -> list[Course]:
    """Published courses whose quiz has questions: what an offline exam can be made of."""
    has_questions = sa.select(Question.id).where(Question.course_id == Course.id, Question.is_active).exists()
    return list(db.session.scalars(sa.select(Course).where(Course.status == CourseStatus.PUBLISHED, has_questions)
                                   .order_by(Course.title_ar)))


def _people(actor: User, numbers: list[str]) -> tuple[list[User], list[str]]:
    """The active staff with these employee numbers whom the actor may examine (trainers: any learner enrolled in
    the course, checked after), and the numbers not found."""
    query = sa.select(User).where(User.employee_number.in_(numbers), User.is_active.is_(True))
    if actor.role != Role.TRAINER:
        query = query.where(scope_of(actor).users())
    found = {u.employee_number: u for u in db.session.scalars(query)}
    return [found[n] for n in numbers if n in found], [n for n in numbers if n not in found]


def _who(user: User, locale: str) -> str:
    return f"{user.display_name(locale)} ({user.employee_number})"


def prepare(actor: User, course: Course, numbers: list[str], opens_on: date, closes_on: date, locale: str,
            now: datetime | None = None) -> Prepared:
    """An offline exam of `course`'s quiz for the staff with these employee numbers; ValidationError (by field)
    naming everyone who cannot take it and why, and then nothing is made."""
    now = now or utcnow()
    numbers = list(dict.fromkeys(n.strip() for n in numbers if n.strip()))
    if not numbers:
        raise ValidationError({"employee_numbers": _("Give at least one employee number.")})
    if len(numbers) > MAX_SEATS:
        raise ValidationError({"employee_numbers": _("At most %(count)s people per offline exam.", count=MAX_SEATS)})
    if closes_on < opens_on:
        raise ValidationError({"closes_on": _("The exam must close on or after the day it opens.")})
    if closes_on < local_date(now):
        raise ValidationError({"closes_on": _("The closing day has passed.")})
    begin_write()
    people, unknown = _people(actor, numbers)
    problems = [(n, _("No such person among the staff you manage.")) for n in unknown]
    for person in people:
        savepoint = db.session.begin_nested()
        try:
            if enrollment_for(person.id, course.id) is None:
                problems.append((_who(person, locale), _("Not enrolled in this course.")))
            else:
                attempts.check_may_start(person.id, course, now)
        except attempts.NoAttemptsLeft:
            problems.append((_who(person, locale), _("No attempt left at this quiz.")))
        except attempts.NotAllowed as refusal:
            problems.append((_who(person, locale), refusal.message))
        finally:
            savepoint.rollback()
    if problems:
        db.session.rollback()
        raise NotEveryone(problems)
    settings = QuizSettings.from_dict(course.quiz_settings)
    code, salt = codes.new_code(), codes.new_salt()
    key = codes.derive_key(code, salt)
    exam = OfflineExam(course_id=course.id, created_by_id=actor.id, created_at=now, opens_on=opens_on,
                       closes_on=closes_on, time_limit_minutes=settings.time_limit_minutes or None,
                       pass_mark=settings.pass_mark, review=settings.review, salt=salt)
    db.session.add(exam)
    try:
        for person in people:
            seat = OfflineSeat(exam=exam, user_id=person.id, questions=attempts.draw_questions(course, settings))
            db.session.add(seat)
            db.session.flush()
            seat.package = package_of(seat, exam, course, key)
    except attempts.NotAllowed as refusal:
        db.session.rollback()
        raise ValidationError({"course": refusal.message}) from None
    db.session.commit()
    return Prepared(exam, code)


def course_summary(course: Course) -> dict:
    return {"slug": course.slug, "title": {"ar": course.title_ar, "en": course.title_en}}


def time_limit_seconds(exam: OfflineExam) -> int | None:
    return exam.time_limit_minutes * 60 if exam.time_limit_minutes else None


def questions_html(items: list[dict], lang: str) -> str:
    """The seat's questions as the quiz page renders them (templates/quizzes/_question.html), in `lang`."""
    bank = {q.id: q for q in db.session.scalars(sa.select(Question).where(
        Question.id.in_([item["question"] for item in items])))}
    shown = [ShownQuestion(n, type_of(bank[item["question"]].type).present(bank[item["question"]], item["layout"],
                                                                             lang), None, False)
             for n, item in enumerate(items, 1)]
    with force_locale(lang):
        return render_template_string(_QUESTIONS_HTML, questions=shown)


def package_of(seat: OfflineSeat, exam: OfflineExam, course: Course, key: bytes) -> dict:
    plaintext = {"seat": seat.id, "chain_key": b64url(chain_key("seat", seat.id)),
                 "questions": [item["question"] for item in seat.questions],
                 "html": {lang: questions_html(seat.questions, lang) for lang in ("ar", "en")}}
    return {"seat": seat.id, "course": course_summary(course), "time_limit_seconds": time_limit_seconds(exam),
            "questions": len(seat.questions), "opens_on": exam.opens_on.isoformat(),
            "closes_on": exam.closes_on.isoformat(), **codes.seal(key, seat.id, plaintext, exam.salt)}


def seats_of(user_id: int) -> list[tuple[OfflineSeat, OfflineExam, Course]]:
    return list(db.session.execute(
        sa.select(OfflineSeat, OfflineExam, Course).join(OfflineExam, OfflineExam.id == OfflineSeat.exam_id)
        .join(Course, Course.id == OfflineExam.course_id).where(OfflineSeat.user_id == user_id)
        .order_by(OfflineExam.opens_on, OfflineSeat.id)).all())


def mark_downloaded(seat_id: int, now: datetime | None = None) -> None:
    begin_write()
    db.session.execute(sa.update(OfflineSeat).where(OfflineSeat.id == seat_id, OfflineSeat.downloaded_at.is_(None))
                       .values(downloaded_at=now or utcnow()))
    db.session.commit()
