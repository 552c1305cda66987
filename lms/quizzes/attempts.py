"""Attempts at a course's quiz, on the server's clock: start, save answers, finish, regrade.

Every write locks the attempt row (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers), so a
save racing a submission is either graded or refused, and two submissions give one grade.
"""
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from lms.core.db import begin_write
from lms.core.hooks import Hook
from lms.core.i18n import _
from lms.core.models import ValidationError, utcnow
from lms.core.signals import attempt_graded
from lms.core.web import date_text, time_text
from lms.courses.models import Course
from lms.extensions import db
from lms.quizzes.bank import audit
from lms.quizzes.models import AttemptQuestion, AttemptStatus, Question, QuestionVersion, QuizAttempt
from lms.quizzes.settings import QuizSettings
from lms.quizzes.types import InvalidResponse, type_of
from lms.quizzes.versions import as_shown, show_as_it_is


class NotAllowed(ValidationError):
    """The quiz's rules refuse this now (no attempts left, too early, not enrolled...)."""

    def __init__(self, message: str):
        super().__init__({"": message})
        self.message = message


class AttemptFinished(Exception):
    """The attempt was already finished (or has just been, its time being up): nothing more is saved."""

    def __init__(self, attempt: QuizAttempt):
        super().__init__(attempt.id)
        self.attempt = attempt


class InvalidAnswers(ValidationError):
    """Some answers are not answers to this attempt's questions: none was saved. `errors` is by question id."""


class StaleAnswers(ValidationError):
    """A save numbered no higher than the one that stored some of its answers: an older save arriving late.
    None was saved. `errors` is by question id; `latest` the attempt's highest sequence number so far."""

    def __init__(self, errors: dict, latest: int):
        super().__init__(errors)
        self.latest = latest


class Saved(NamedTuple):
    at: datetime
    seq: int  # the sequence number the answers were stored with


MAX_SEQ = 2**31 - 1  # an INTEGER column

may_start_attempt = Hook("quizzes.may_start_attempt", """(course, user_id): raises NotAllowed when the learner may
not start this course's quiz (not enrolled, or a learning path in order holds the course back), and locks their
enrolment so that one learner's attempts start one at a time. Called inside the write transaction that starts the
attempt; the progress package provides it.""")


def _grace() -> timedelta:
    return timedelta(seconds=current_app.config["LMS_QUIZ_GRACE_SECONDS"])


def is_overdue(attempt: QuizAttempt, now: datetime) -> bool:
    return attempt.is_open and attempt.deadline is not None and now > attempt.deadline + _grace()


def remaining_seconds(attempt: QuizAttempt, now: datetime | None = None) -> int | None:
    if attempt.deadline is None or not attempt.is_open:
        return None
    return max(0, int((attempt.deadline - (now or utcnow())).total_seconds()))


_OPEN = sa.select(QuizAttempt).where(
    QuizAttempt.user_id == sa.bindparam("user_id"), QuizAttempt.course_id == sa.bindparam("course_id"),
    QuizAttempt.status == AttemptStatus.OPEN, QuizAttempt.archived_at.is_(None))


def open_attempt(user_id: int, course_id: int) -> QuizAttempt | None:
    return db.session.scalar(_OPEN, {"user_id": user_id, "course_id": course_id})


def attempts_of(user_id: int, course_id: int) -> list[QuizAttempt]:
    return list(db.session.scalars(sa.select(QuizAttempt).where(
        QuizAttempt.user_id == user_id, QuizAttempt.course_id == course_id, QuizAttempt.archived_at.is_(None))
        .order_by(QuizAttempt.number)))


def next_start(settings: QuizSettings, attempts: list[QuizAttempt], now: datetime) -> tuple[bool, datetime | None]:
    """Whether another attempt may start now by the attempts limit, and, if it must wait, until when."""
    finished = [a.finished_at for a in attempts if not a.is_open]
    return _may_start(settings, len(finished), max(finished, default=None), now)


def _may_start(settings: QuizSettings, finished: int, last_finished_at: datetime | None,
               now: datetime) -> tuple[bool, datetime | None]:
    if settings.attempts and finished >= settings.attempts:
        return False, None
    if settings.wait_minutes and last_finished_at is not None:
        ready = last_finished_at + timedelta(minutes=settings.wait_minutes)
        if ready > now:
            return False, ready
    return True, None


# What starting needs of a learner's past attempts, in one row whatever their number. Attempts archived by a
# renewal count for neither the limit nor the wait, but their numbers stay taken.
_COUNTED_FINISH = sa.case((QuizAttempt.archived_at.is_(None), QuizAttempt.finished_at))
_HISTORY = sa.select(
    sa.func.count(_COUNTED_FINISH), sa.func.max(QuizAttempt.number), sa.func.max(_COUNTED_FINISH),
).where(QuizAttempt.user_id == sa.bindparam("user_id"), QuizAttempt.course_id == sa.bindparam("course_id"))
_BANK = (sa.select(Question.id, Question.position, Question.type, Question.data)
         .where(Question.course_id == sa.bindparam("course_id"), Question.is_active)
         .order_by(Question.position))


def start_attempt(user_id: int, course: Course, now: datetime | None = None, seed: int | None = None) -> QuizAttempt:
    """The learner's open attempt, or a new one when the rules allow it (NotAllowed says why not)."""
    return open_or_start(user_id, course, now, seed)[0]


def open_or_start(user_id: int, course: Course, now: datetime | None = None,
                  seed: int | None = None) -> tuple[QuizAttempt, bool]:
    """Like start_attempt, and whether the attempt is a new one."""
    now = now or utcnow()
    settings = QuizSettings.from_dict(course.quiz_settings)
    begin_write()
    may_start_attempt(course, user_id)
    current = open_attempt(user_id, course.id)
    if current is not None and not is_overdue(current, now):
        db.session.commit()
        return current, False
    if current is not None:
        _finish(current, "timeout", now)
    params = {"user_id": user_id, "course_id": course.id}
    finished, last_number, last_finished_at = db.session.execute(_HISTORY, params).one()
    allowed, ready = _may_start(settings, finished, last_finished_at, now)
    if not allowed:
        db.session.commit()  # keeps an overdue attempt's grade
        if ready is None:
            raise NoAttemptsLeft(_("You have used all your attempts at this quiz."))
        raise NoAttemptsLeft(_("You can start your next attempt on %(date)s at %(time)s.", date=date_text(ready),
                               time=time_text(ready)))
    attempt = QuizAttempt(
        user_id=user_id, course_id=course.id, number=(last_number or 0) + 1,
        status=AttemptStatus.OPEN, started_at=now, pass_mark=settings.pass_mark, review=settings.review,
        deadline=now + timedelta(minutes=settings.time_limit_minutes) if settings.time_limit_minutes else None)
    try:
        drawn = draw_questions(course, settings, seed)
    except NotAllowed:
        db.session.rollback()
        raise
    db.session.add(attempt)
    try:
        db.session.flush()
        # One multi-row INSERT: the attempt's questions need no ids back.
        db.session.execute(sa.insert(AttemptQuestion), [
            {"attempt_id": attempt.id, "question_id": q["question"], "position": n, "layout": q["layout"]}
            for n, q in enumerate(drawn, 1)])
        db.session.commit()
    except IntegrityError:  # a parallel request of the same learner opened one first: that one it is
        db.session.rollback()
        current = open_attempt(user_id, course.id)
        if current is None:
            raise
        return current, False
    return attempt, True


def draw_questions(course: Course, settings: QuizSettings | None = None, seed: int | None = None) -> list[dict]:
    """The questions of a new attempt at the course's quiz, drawn by its settings (how many, shuffled options):
    [{"question": id, "layout": {...}}] in the bank's order. NotAllowed when the course has no quiz. An online
    attempt and an offline exam's seat are drawn alike."""
    settings = settings or QuizSettings.from_dict(course.quiz_settings)
    rng = random.Random(seed) if seed is not None else random.SystemRandom()  # noqa: S311 (seeded in tests only)
    bank = db.session.execute(_BANK, {"course_id": course.id}).all()
    if not bank:
        raise NotAllowed(_("This course has no quiz."))
    drawn = sorted(rng.sample(bank, min(settings.questions or len(bank), len(bank))), key=lambda q: q.position)
    return [{"question": q.id, "layout": type_of(q.type).layout(q.data, rng, settings.shuffle)} for q in drawn]


class NoAttemptsLeft(NotAllowed):
    """The attempts limit is reached (or the wait after the last attempt is not over)."""


def check_may_start(user_id: int, course: Course, now: datetime) -> None:
    """NotAllowed (NoAttemptsLeft for the attempts limit) when the learner could not start an attempt now: the
    rules of starting, asked inside the caller's write transaction (the hook locks the enrolment)."""
    settings = QuizSettings.from_dict(course.quiz_settings)
    may_start_attempt(course, user_id)
    finished, _last_number, last_finished_at = db.session.execute(
        _HISTORY, {"user_id": user_id, "course_id": course.id}).one()
    allowed, ready = _may_start(settings, finished, last_finished_at, now)
    if not allowed:
        if ready is None:
            raise NoAttemptsLeft(_("You have used all your attempts at this quiz."))
        raise NoAttemptsLeft(_("You can start your next attempt on %(date)s at %(time)s.", date=date_text(ready),
                               time=time_text(ready)))


def record_finished_attempt(user_id: int, course: Course, questions: list[dict], answers: dict[int, object], *,
                            started_at: datetime, finished_at: datetime, finished_by: str, pass_mark: int,
                            review: str, time_limit_minutes: int | None) -> QuizAttempt:
    """An attempt made away from the server (an offline exam's seat), finished and graded now as any other, so
    that completion and certificates follow: `questions` as draw_questions gives them, `answers` {question id:
    raw answer} cleaned by each question's type (InvalidAnswers for any that is not an answer; nothing written).
    The attempts limit applies (NoAttemptsLeft). Runs inside the caller's write transaction; does not commit."""
    check_may_start(user_id, course, finished_at)
    _finished, last_number, _last = db.session.execute(
        _HISTORY, {"user_id": user_id, "course_id": course.id}).one()
    ids = [q["question"] for q in questions]
    bank = {row.id: row for row in db.session.execute(
        sa.select(Question.id, Question.type, Question.data).where(Question.id.in_(ids)))}
    errors, rows = {}, []
    for n, item in enumerate(questions, 1):
        question = bank.get(item["question"])
        if question is None:
            errors[str(item["question"])] = _("This question is not part of your attempt.")
            continue
        response = None
        if item["question"] in answers:
            try:
                response = type_of(question.type).clean(question.data, item["layout"], answers[item["question"]])
            except InvalidResponse as error:
                errors[str(question.id)] = error.message or _("This is not an answer to this question.")
        rows.append({"question_id": question.id, "position": n, "layout": item["layout"], "response": response,
                     "saved_at": finished_at if response is not None else None,
                     "seq": 1 if response is not None else 0})
    errors.update({str(q): _("This question is not part of your attempt.") for q in answers if q not in ids})
    if errors:
        raise InvalidAnswers(errors)
    attempt = QuizAttempt(
        user_id=user_id, course_id=course.id, number=(last_number or 0) + 1, status=AttemptStatus.FINISHED,
        started_at=started_at, pass_mark=pass_mark, review=review,
        deadline=started_at + timedelta(minutes=time_limit_minutes) if time_limit_minutes else None)
    db.session.add(attempt)
    db.session.flush()
    db.session.execute(sa.insert(AttemptQuestion), [{"attempt_id": attempt.id, **row} for row in rows])
    _finish(attempt, finished_by, finished_at)
    return attempt


_WITH_QUESTIONS = (
    sa.select(AttemptQuestion, Question, QuestionVersion)
    .join(Question, Question.id == AttemptQuestion.question_id)
    .outerjoin(QuestionVersion, QuestionVersion.id == AttemptQuestion.version_id)
    .where(AttemptQuestion.attempt_id == sa.bindparam("attempt_id"))
    .order_by(AttemptQuestion.position)
)


def attempt_questions(attempt_id: int) -> list[tuple[AttemptQuestion, Question]]:
    """The attempt's questions as it showed them (lms.quizzes.versions), with its rows."""
    return [(aq, as_shown(q, version)) for aq, q, version in db.session.execute(_WITH_QUESTIONS,
                                                                                {"attempt_id": attempt_id})]


def _shown(column: str):
    """The question's column, or the kept version's when the attempt showed an earlier one."""
    return sa.func.coalesce(getattr(QuestionVersion, column), getattr(Question, column),
                            type_=getattr(Question, column).type).label(column)


# Saving, grading and showing an attempt read plain rows, not entities: the hottest statements of a quiz.
_SHEET = (
    sa.select(AttemptQuestion.id.label("row_id"), AttemptQuestion.layout, AttemptQuestion.response,
              AttemptQuestion.seq, AttemptQuestion.saved_at, Question.id, _shown("type"), _shown("format"),
              _shown("prompt"), _shown("data"))
    .join(Question, Question.id == AttemptQuestion.question_id)
    .outerjoin(QuestionVersion, QuestionVersion.id == AttemptQuestion.version_id)
    .where(AttemptQuestion.attempt_id == sa.bindparam("attempt_id"))
    .order_by(AttemptQuestion.position)
)


# Saving and grading need no text: the prompts are left out (decoding them was the largest cost left).
_KEY_SHEET = _SHEET.with_only_columns(
    AttemptQuestion.id.label("row_id"), AttemptQuestion.layout, AttemptQuestion.response, AttemptQuestion.seq,
    Question.id, _shown("type"), _shown("data"))


def attempt_sheet(attempt_id: int, texts: bool = True) -> list[sa.Row]:
    """The attempt's questions in order: row_id, layout, response, seq and the question's id, type, data, and with
    `texts` its format and prompt."""
    with db.session.no_autoflush:  # the attempt's own changes are written once, at the end of the use case
        return db.session.execute(_SHEET if texts else _KEY_SHEET, {"attempt_id": attempt_id}).all()


def _update_rows(attempt_id: int, values: list[dict]) -> None:
    """UPDATE attempt questions by id in one executemany, and forget any stale copy the session holds."""
    if values:
        table = AttemptQuestion.__table__
        columns = {name: sa.bindparam(name) for name in values[0] if name != "id"}
        db.session.connection().execute(
            table.update().where(table.c.id == sa.bindparam("row_id")).values(columns),
            [{**{k: v for k, v in row.items() if k != "id"}, "row_id": row["id"]} for row in values])
    session = db.session()
    for instance in list(session.identity_map.values()):
        if isinstance(instance, AttemptQuestion) and instance.attempt_id == attempt_id:
            session.expire(instance)


def _locked(attempt_id: int, user_id: int | None) -> QuizAttempt:
    # populate_existing: a copy read before the lock (load_attempt's) must not hide another request's change.
    attempt = db.session.scalar(sa.select(QuizAttempt).where(QuizAttempt.id == attempt_id).with_for_update()
                                .execution_options(populate_existing=True))
    if attempt is None or (user_id is not None and attempt.user_id != user_id):
        raise LookupError(attempt_id)  # someone else's attempt is as good as none
    return attempt


def load_attempt(attempt_id: int, user_id: int, now: datetime | None = None) -> QuizAttempt:
    """The learner's attempt; one whose time is up is finished now, with what was saved."""
    now = now or utcnow()
    attempt = db.session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.user_id != user_id:
        raise LookupError(attempt_id)
    if is_overdue(attempt, now):
        begin_write()
        attempt = _locked(attempt_id, user_id)
        if attempt.is_open:
            _finish(attempt, "timeout", now)
        db.session.commit()
    return attempt


def last_saved_at(sheet: list[sa.Row]) -> datetime | None:
    """When an answer of the attempt was last saved (from an `attempt_sheet` with texts), None before any."""
    return max((row.saved_at for row in sheet if row.saved_at is not None), default=None)


def latest_seq(sheet: list[sa.Row]) -> int:
    """The highest sequence number an attempt's answers were saved with: the next save carries a greater one."""
    return max((row.seq for row in sheet), default=0)


def save_answers(attempt_id: int, user_id: int, answers: dict, now: datetime | None = None,
                 seq: int | None = None) -> Saved:
    """Store answers ({question id: answer}) as given; all or none.

    `seq` numbers the save (the page and API clients count up): it must be greater than the number each of its
    answers was last saved with, else StaleAnswers, so that an older save arriving late overwrites nothing.
    Without it (older API clients) the save counts as the newest one. AttemptFinished once the attempt is over
    (a late answer finishes an overdue attempt without it).
    """
    now = now or utcnow()
    begin_write()
    attempt = _locked_open(attempt_id, user_id, now)
    try:
        _sheet, rows, seq = _checked(attempt, answers, now, seq)
    except (InvalidAnswers, StaleAnswers):
        db.session.rollback()
        raise
    _update_rows(attempt.id, rows)
    db.session.commit()
    return Saved(now, seq)


def save_and_submit(attempt_id: int, user_id: int, answers: dict, now: datetime | None = None,
                    seq: int | None = None) -> QuizAttempt:
    """The page's answers stored and the attempt finished and graded, in one write transaction (the form sent
    when the page's clock runs out, and the three-request flow without a script).

    As save_answers, except that a stale save is no refusal here: the newer answers already stored stand, and the
    attempt is submitted with them. InvalidAnswers: nothing stored, nothing submitted. AttemptFinished when the
    attempt was over already (or its time is up: it is finished without these answers)."""
    now = now or utcnow()
    begin_write()
    attempt = _locked_open(attempt_id, user_id, now)
    try:
        sheet, rows, _seq = _checked(attempt, answers, now, seq)
    except InvalidAnswers:
        db.session.rollback()
        raise
    except StaleAnswers:
        sheet, rows = attempt_sheet(attempt.id, texts=False), []
    _update_rows(attempt.id, rows)
    _finish(attempt, "learner", now, sheet, {row["id"]: row["response"] for row in rows})
    db.session.commit()
    return attempt


def _locked_open(attempt_id: int, user_id: int, now: datetime) -> QuizAttempt:
    """The learner's attempt locked for a save; one whose time is up is finished (and committed) first, and an
    attempt no longer open raises AttemptFinished."""
    attempt = _locked(attempt_id, user_id)
    if attempt.is_open and is_overdue(attempt, now):
        _finish(attempt, "timeout", now)
        db.session.commit()
    if not attempt.is_open:
        raise AttemptFinished(attempt)
    return attempt


def _checked(attempt: QuizAttempt, answers: dict, now: datetime,
             seq: int | None) -> tuple[list[sa.Row], list[dict], int]:
    """The attempt's sheet, the rows to update for `answers` (id, response, saved_at, seq) and the save's number;
    InvalidAnswers or StaleAnswers when any of them may not be stored."""
    sheet = attempt_sheet(attempt.id, texts=False)
    rows = {str(row.id): row for row in sheet}
    errors, stale, cleaned = {}, {}, []
    for key, raw in answers.items():
        row = rows.get(str(key))
        if row is None:
            errors[str(key)] = _("This question is not part of your attempt.")
            continue
        if seq is not None and row.seq >= seq:
            stale[str(key)] = _("This answer was already saved by a newer save.")
        try:
            cleaned.append({"id": row.row_id, "response": type_of(row.type).clean(row.data, row.layout, raw),
                            "saved_at": now})
        except InvalidResponse as error:
            errors[str(key)] = error.message or _("This is not an answer to this question.")
    if errors or stale:
        raise InvalidAnswers(errors) if errors else StaleAnswers(stale, latest_seq(sheet))
    seq = seq if seq is not None else min(latest_seq(sheet) + 1, MAX_SEQ)
    return sheet, [{**row, "seq": seq} for row in cleaned], seq


def lock_attempt(attempt_id: int, user_id: int) -> QuizAttempt:
    """The learner's attempt, locked for the caller's write transaction (LookupError for none or another's)."""
    return _locked(attempt_id, user_id)


def apply_answers(attempt: QuizAttempt, answers: dict[int, tuple[object, int]], now: datetime) -> int:
    """Answers a device kept while the network was away ({question id: (raw answer, sequence number)}), each
    stored only where its number is greater than the stored one's (a newer save made online wins). All or none:
    InvalidAnswers for any that is not an answer to the attempt's question. Inside the caller's write transaction
    (the attempt locked), open or finished alike; returns how many were stored. Does not grade nor commit."""
    rows = {row.id: row for row in attempt_sheet(attempt.id, texts=False)}
    errors, cleaned = {}, []
    for question_id, (raw, seq) in answers.items():
        row = rows.get(question_id)
        if row is None:
            errors[str(question_id)] = _("This question is not part of your attempt.")
            continue
        try:
            response = type_of(row.type).clean(row.data, row.layout, raw)
        except InvalidResponse as error:
            errors[str(question_id)] = error.message or _("This is not an answer to this question.")
            continue
        if seq > row.seq:
            cleaned.append({"id": row.row_id, "response": response, "saved_at": now, "seq": min(seq, MAX_SEQ)})
    if errors:
        raise InvalidAnswers(errors)
    _update_rows(attempt.id, cleaned)
    return len(cleaned)


def finish_locked(attempt: QuizAttempt, finished_by: str, now: datetime) -> None:
    """Finish and grade a locked open attempt inside the caller's write transaction (no commit)."""
    _finish(attempt, finished_by, now)


def regrade_locked(attempt: QuizAttempt) -> None:
    """Grade a locked finished attempt again (answers it took late); completion follows a pass as online."""
    was_passed = attempt.is_passed
    _grade(attempt)
    db.session.flush()
    if attempt.is_passed and not was_passed:
        attempt_graded.send(attempt)


def submit_attempt(attempt_id: int, user_id: int, now: datetime | None = None) -> QuizAttempt:
    """Finish and grade the attempt; submitting again, or at the same time, gives the same grade."""
    now = now or utcnow()
    begin_write()
    attempt = _locked(attempt_id, user_id)
    if attempt.is_open:
        _finish(attempt, "timeout" if is_overdue(attempt, now) else "learner", now)
    db.session.commit()
    return attempt


def _grade(attempt: QuizAttempt, sheet: list[sa.Row] | None = None, responses: dict | None = None) -> None:
    """Grade every question of the attempt: from `sheet` (read now if not given) with the `responses` just stored
    in this transaction ({row id: response}) in place of the sheet's."""
    responses = responses or {}
    fractions = []
    for row in sheet if sheet is not None else attempt_sheet(attempt.id, texts=False):
        response = responses.get(row.row_id, row.response)
        fractions.append({"id": row.row_id, "fraction": type_of(row.type).grade(row.data, response)
                          if response is not None else 0.0})
    _update_rows(attempt.id, fractions)
    total = sum(f["fraction"] for f in fractions)
    attempt.score = round(min(100.0, max(0.0, 100 * total / len(fractions))), 2) if fractions else 0.0
    attempt.is_passed = attempt.score >= attempt.pass_mark


def _finish(attempt: QuizAttempt, finished_by: str, now: datetime, sheet: list[sa.Row] | None = None,
            responses: dict | None = None) -> None:
    _grade(attempt, sheet, responses)  # first: its bulk UPDATE would otherwise flush the attempt's row twice
    attempt.status = AttemptStatus.FINISHED
    attempt.finished_by = finished_by
    attempt.finished_at = min(now, attempt.deadline) if finished_by == "timeout" and attempt.deadline else now
    db.session.flush()
    attempt_graded.send(attempt)


def close_overdue(now: datetime | None = None) -> int:
    """Finish every attempt whose time is up (the sweep command); returns how many."""
    now = now or utcnow()
    candidates = db.session.scalars(sa.select(QuizAttempt.id).where(
        QuizAttempt.status == AttemptStatus.OPEN, QuizAttempt.deadline.is_not(None),
        QuizAttempt.deadline < now - _grace())).all()
    closed = 0
    for attempt_id in candidates:
        begin_write()
        attempt = _locked(attempt_id, None)
        if is_overdue(attempt, now):
            _finish(attempt, "timeout", now)
            closed += 1
        db.session.commit()
    return closed


@dataclass(frozen=True)
class Outcome:
    """Where a learner stands with a course's quiz, by its grading policy."""

    score: float | None
    is_passed: bool
    finished: int


def outcome(attempts: list[QuizAttempt], settings: QuizSettings) -> Outcome:
    finished = [a for a in attempts if not a.is_open]
    if not finished:
        return Outcome(None, False, 0)
    counted = (max(finished, key=lambda a: (a.score, -a.number)) if settings.grading == "highest"
               else max(finished, key=lambda a: a.number))
    return Outcome(counted.score, bool(counted.is_passed), len(finished))


@dataclass(frozen=True)
class Overview:
    """A learner's quiz page, for the web and the API alike: the settings, their attempts, where they stand, and
    whether (or from when) another attempt may start."""

    settings: QuizSettings
    attempts: list[QuizAttempt]
    outcome: Outcome
    may_start: bool
    ready_at: datetime | None
    questions: int = 0  # in an attempt: the settings' number, or the whole bank when it holds fewer

    @property
    def current(self) -> QuizAttempt | None:
        return next((a for a in self.attempts if a.is_open), None)


def quiz_overview(user_id: int, course: Course, now: datetime) -> Overview:
    settings = QuizSettings.from_dict(course.quiz_settings)
    history = attempts_of(user_id, course.id)
    bank = db.session.scalar(sa.select(sa.func.count(Question.id)).where(Question.course_id == course.id,
                                                                        Question.is_active))
    return Overview(settings, history, outcome(history, settings), *next_start(settings, history, now),
                    questions=min(settings.questions or bank, bank))


def quiz_outcome(user_id: int, course: Course) -> Outcome:
    return outcome(attempts_of(user_id, course.id), QuizSettings.from_dict(course.quiz_settings))


def regrade(course: Course, question_ids: list[int] | None, actor_id: int | None) -> list[tuple[int, float, float]]:
    """Grade finished attempts again after a fix to questions (all of the course's when None), with an audit entry:
    against the questions as they are now, which the attempts then show (lms.quizzes.versions).

    Returns (attempt id, old score, new score) for every attempt whose score changed.
    """
    begin_write()
    query = (sa.select(QuizAttempt).where(QuizAttempt.course_id == course.id,
                                          QuizAttempt.status == AttemptStatus.FINISHED)
             .order_by(QuizAttempt.id).with_for_update())
    if question_ids:
        query = query.where(QuizAttempt.id.in_(sa.select(AttemptQuestion.attempt_id).where(
            AttemptQuestion.question_id.in_(question_ids))))
    changes, regraded = [], db.session.scalars(query).all()
    show_as_it_is([attempt.id for attempt in regraded], question_ids)
    for attempt in regraded:
        before, was_passed = attempt.score, attempt.is_passed
        _grade(attempt)
        if attempt.score != before:
            changes.append((attempt.id, before, attempt.score))
        if attempt.is_passed and not was_passed:
            db.session.flush()
            attempt_graded.send(attempt)
    audit(course.id, actor_id, "regrade", {
        "questions": question_ids or "all",
        "changed": [{"attempt": a, "from": old, "to": new} for a, old, new in changes]})
    db.session.commit()
    return changes
