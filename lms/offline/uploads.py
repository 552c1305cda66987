"""Judging what a device sends: an attempt's events, their HMAC chain, and the verdict, stored whatever it is.

The server alone grades and counts attempts. An upload is refused (and listed for HR with its reason) when its
chain does not verify, its clock runs backwards, an answer or the submission comes after the time limit and the
grace, an offline exam was unlocked other than once, another upload of the same seat or attempt came first, the
exam closed before it arrived, no attempt is left, an answer is not one, or an exam was not submitted. It is
accepted (and listed when something looked odd: the clock moved, the page was closed and reopened) otherwise,
through the quizzes package's own functions, so grading, completion and certificates follow as online.
"""
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import force_locale
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import User
from lms.core.db import begin_write, locked
from lms.core.i18n import _, _l
from lms.core.localtime import end_of_day
from lms.core.models import utcnow
from lms.extensions import db
from lms.offline.models import DeviceGrant, OfflineExam, OfflineSeat, OfflineUpload
from lms.quizzes import attempts
from lms.quizzes.chain import chain_key, verifies
from lms.quizzes.models import QuizAttempt

MAX_BODY_BYTES = 64 * 1024
MAX_EVENTS = 2000
MAX_T = 10 * 24 * 3600 * 1000  # ten days of elapsed time: any longer is no attempt
MAX_SEQ = attempts.MAX_SEQ
UPLOAD_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
KINDS = ("start", "unlock", "resume", "answer", "submit")
# A resume whose wall-clock gap is negative or longer than this: the device's clock was moved.
PLAUSIBLE_GAP_MS = 12 * 3600 * 1000

REASONS = {
    "chain_invalid": _l("The record of the attempt was changed or does not belong to it."),
    "time_backwards": _l("The device's elapsed time ran backwards."),
    "after_limit": _l("Answers were given after the time limit."),
    "unlocked_twice": _l("The offline exam was unlocked more than once (or never)."),
    "already_received": _l("Another upload of this attempt was received first."),
    "exam_closed": _l("It arrived after the exam had closed."),
    "no_attempts_left": _l("No attempt was left at this quiz."),
    "not_allowed": _l("The learner may not take this quiz now."),
    "invalid_answer": _l("An answer is not an answer to its question."),
    "not_submitted": _l("The offline exam was not submitted."),
}
SUSPICIONS = {
    "clock_moved": _l("The device's clock was moved during the attempt."),
    "resumed": _l("The exam page was closed and reopened during the attempt."),
}


class BadUpload(ValueError):
    """The body is not an upload: 400, nothing stored."""


class UploadConflict(Exception):
    """The upload id was used before with another body: 409."""


class Refused(Exception):
    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason)
        self.reason, self.detail = reason, detail[:255]


@dataclass
class Upload:
    upload_id: str
    kind: str
    target: int
    texts: list[str]
    chain: str
    submitted: bool
    digest: str
    size: int
    events: list[dict] = field(default_factory=list)


def _int(value: object, low: int = 0, high: int = MAX_T) -> int | None:
    return value if type(value) is int and low <= value <= high else None


def parse(body: object, size: int) -> Upload:
    """The upload a JSON body stands for, or BadUpload saying what is wrong with it."""
    if not isinstance(body, dict):
        raise BadUpload(_("Send a JSON object."))
    upload_id = body.get("upload_id")
    if not isinstance(upload_id, str) or not UPLOAD_ID.fullmatch(upload_id.lower()):
        raise BadUpload(_("\"upload_id\" must be a UUID made by the device."))
    kind = body.get("kind")
    if kind not in ("attempt", "seat"):
        raise BadUpload(_("\"kind\" must be \"attempt\" or \"seat\"."))
    target = _int(body.get(kind), 1, attempts.MAX_SEQ)
    if target is None:
        raise BadUpload(_("\"%(kind)s\" must be the id of an attempt or a seat.", kind=kind))
    texts, chain, submitted = body.get("events"), body.get("chain"), body.get("submitted")
    if not isinstance(texts, list) or len(texts) > MAX_EVENTS or not all(isinstance(t, str) for t in texts):
        raise BadUpload(_("\"events\" must be a list of at most %(count)s texts.", count=MAX_EVENTS))
    if not isinstance(chain, str) or not 0 < len(chain) <= 100:
        raise BadUpload(_("\"chain\" must be the chain of the events."))
    if not isinstance(submitted, bool):
        raise BadUpload(_("\"submitted\" must be true or false."))
    canonical = json.dumps([upload_id.lower(), kind, target, texts, chain, submitted], ensure_ascii=False,
                           separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    upload = Upload(upload_id.lower(), kind, target, texts, chain, submitted, digest, size)
    upload.events = [_event(text, n) for n, text in enumerate(texts, 1)]
    return upload


def _event(text: str, n: int) -> dict:
    """One event text read: {"k": kind, "t": ms, ...} with the fields its kind needs, of the right types."""
    bad = BadUpload(_("Event %(n)s is not an event.", n=n))
    try:
        event = current_app.json.loads(text) if len(text) <= 8192 else None
    except (ValueError, RecursionError):
        raise bad from None
    if not isinstance(event, dict) or event.get("k") not in KINDS or _int(event.get("t")) is None:
        raise bad
    answer_fields = (_int(event.get("q"), 1, MAX_SEQ), _int(event.get("s"), 1, MAX_SEQ), "a" in event)
    if event["k"] == "answer" and (None in answer_fields or not answer_fields[2]):
        raise bad
    if event["k"] == "resume" and event.get("d") is not None and _int(event["d"], -MAX_T, MAX_T) is None:
        raise bad
    return event


@dataclass
class Verdict:
    upload: OfflineUpload
    attempt: QuizAttempt | None

    def as_json(self, user: User) -> dict:
        row, attempt = self.upload, self.attempt
        with force_locale(user.locale or "ar"):
            message = str(REASONS[row.reason]) if row.reason else (
                _("Received: the attempt is saved.") if attempt is None or attempt.is_open
                else _("Received: the attempt is graded."))
        finished = attempt is not None and not attempt.is_open
        return {"upload_id": row.upload_id, "status": row.status, "reason": row.reason, "message": message,
                "attempt": attempt.id if attempt else None,
                "result_url": url_for("quizzes.result", attempt_id=attempt.id) if finished else None,
                "score": attempt.score if finished else None, "passed": attempt.is_passed if finished else None,
                "suspicious": list(row.suspicious or [])}


def stored_verdict(row: OfflineUpload) -> Verdict:
    attempt_id = row.result_attempt_id or (row.attempt_id if row.status == "accepted" else None)
    return Verdict(row, db.session.get(QuizAttempt, attempt_id) if attempt_id else None)


def _existing(upload_id: str) -> OfflineUpload | None:
    return db.session.scalar(sa.select(OfflineUpload).where(OfflineUpload.upload_id == upload_id)
                             .execution_options(populate_existing=True))


def receive(grant: DeviceGrant, upload: Upload, now: datetime | None = None) -> Verdict:
    """Judge and store one upload in one write transaction. The same upload again gives the stored verdict;
    UploadConflict for the same id with another body; LookupError when the attempt or seat is not the user's."""
    now = now or utcnow()
    for _try in range(2):
        begin_write()
        try:
            verdict = _receive(grant, upload, now)
            db.session.commit()
            return verdict
        except IntegrityError:  # the same upload at the same moment, or a seat's other upload accepted first
            db.session.rollback()
    raise RuntimeError("an upload kept conflicting")


def _receive(grant: DeviceGrant, upload: Upload, now: datetime) -> Verdict:
    row = _existing(upload.upload_id)
    if row is not None:
        if row.body_sha256 != upload.digest or row.user_id != grant.user_id:
            db.session.rollback()
            raise UploadConflict(upload.upload_id)
        db.session.rollback()
        return stored_verdict(row)
    row = OfflineUpload(upload_id=upload.upload_id, user_id=grant.user_id, device_id=grant.device_id,
                        kind=upload.kind, received_at=now, body_sha256=upload.digest, size_bytes=upload.size,
                        events_count=len(upload.events), suspicious=[], detail="",
                        elapsed_ms=max((e["t"] for e in upload.events), default=None))
    if upload.kind == "seat":
        seat = db.session.get(OfflineSeat, upload.target)
        if seat is None or seat.user_id != grant.user_id:
            db.session.rollback()
            raise LookupError(upload.target)
        seat = locked(OfflineSeat, seat.id)  # two devices' uploads of one seat: one at a time
        row.seat_id = seat.id
        judge, key = _judge_seat, chain_key("seat", seat.id)
        subject = seat
    else:
        try:
            subject = attempts.lock_attempt(upload.target, grant.user_id)
        except LookupError:
            db.session.rollback()
            raise
        row.attempt_id = subject.id
        judge, key = _judge_attempt, chain_key("attempt", subject.id)
    row.suspicious = _suspicions(upload.events)
    attempt = None
    savepoint = db.session.begin_nested()
    try:
        if not verifies(key, upload.texts, upload.chain):
            raise Refused("chain_invalid")
        _check_clock(upload.events)
        attempt = judge(subject, upload, row, now)
        savepoint.commit()
        row.status = "accepted"
    except Refused as refusal:
        savepoint.rollback()
        attempt = None
        row.status, row.reason, row.detail = "refused", refusal.reason, refusal.detail
        row.result_attempt_id = None
    db.session.add(row)
    db.session.flush()
    if row.status == "accepted" and upload.kind == "seat":
        subject.received_upload_id = row.id
    return Verdict(row, attempt)


def _suspicions(events: list[dict]) -> list[str]:
    resumes = [e for e in events if e["k"] == "resume"]
    found = []
    if any(e.get("d") is not None and not 0 <= e["d"] <= PLAUSIBLE_GAP_MS for e in resumes):
        found.append("clock_moved")
    if resumes:
        found.append("resumed")
    return found


def _check_clock(events: list[dict]) -> None:
    for before, after in zip(events, events[1:], strict=False):
        if after["t"] < before["t"]:
            raise Refused("time_backwards", f"{before['t']} > {after['t']}")


def _check_limit(events: list[dict], limit: timedelta | None) -> None:
    if limit is None:
        return
    allowed = (limit + timedelta(seconds=current_app.config["LMS_QUIZ_GRACE_SECONDS"])) / timedelta(milliseconds=1)
    late = [e["t"] for e in events if e["k"] in ("answer", "submit") and e["t"] > allowed]
    if late:
        raise Refused("after_limit", f"{max(late)} ms > {int(allowed)} ms")


def latest_answers(events: list[dict]) -> dict[int, tuple[object, int]]:
    """The last answer (highest sequence number) given to each question: {question id: (answer, seq)}."""
    latest: dict[int, tuple[object, int]] = {}
    for event in events:
        if event["k"] == "answer" and (event["q"] not in latest or event["s"] > latest[event["q"]][1]):
            latest[event["q"]] = (event["a"], event["s"])
    return latest


def _judge_seat(seat: OfflineSeat, upload: Upload, row: OfflineUpload, now: datetime) -> QuizAttempt:
    exam: OfflineExam = seat.exam
    unlocks = sum(1 for e in upload.events if e["k"] == "unlock")
    if unlocks != 1:
        raise Refused("unlocked_twice", f"{unlocks} unlocks")
    if seat.received_upload_id is not None:
        raise Refused("already_received", f"upload {seat.received_upload_id}")
    closes = end_of_day(exam.closes_on) + timedelta(days=current_app.config["LMS_OFFLINE_UPLOAD_DAYS"])
    if now > closes:
        raise Refused("exam_closed", closes.isoformat())
    _check_limit(upload.events, timedelta(minutes=exam.time_limit_minutes) if exam.time_limit_minutes else None)
    if not any(e["k"] == "submit" for e in upload.events):
        raise Refused("not_submitted")
    elapsed = timedelta(milliseconds=row.elapsed_ms or 0)
    answers = {q: answer for q, (answer, _seq) in latest_answers(upload.events).items()}
    try:
        attempt = attempts.record_finished_attempt(
            seat.user_id, exam.course, seat.questions, answers, started_at=now - elapsed, finished_at=now,
            finished_by="offline", pass_mark=exam.pass_mark, review=exam.review,
            time_limit_minutes=exam.time_limit_minutes)
    except attempts.InvalidAnswers as error:
        raise Refused("invalid_answer", ", ".join(sorted(error.errors))) from None
    except attempts.NoAttemptsLeft as error:
        raise Refused("no_attempts_left", error.message) from None
    except attempts.NotAllowed as error:
        raise Refused("not_allowed", error.message) from None
    row.result_attempt_id = attempt.id
    return attempt


def _judge_attempt(attempt: QuizAttempt, upload: Upload, row: OfflineUpload, now: datetime) -> QuizAttempt:
    limit = attempt.deadline - attempt.started_at if attempt.deadline else None
    _check_limit(upload.events, limit)
    late_after_timeout = not attempt.is_open and attempt.finished_by == "timeout" and not _result_given(attempt)
    if not attempt.is_open and not late_after_timeout:
        raise Refused("already_received", attempt.finished_by or "")
    try:
        attempts.apply_answers(attempt, latest_answers(upload.events), now)
    except attempts.InvalidAnswers as error:
        raise Refused("invalid_answer", ", ".join(sorted(error.errors))) from None
    if late_after_timeout:
        attempts.regrade_locked(attempt)
        row.result_attempt_id = attempt.id
        row.detail = "answers taken after the timeout"
    elif attempts.is_overdue(attempt, now):
        attempts.finish_locked(attempt, "timeout", now)
        row.result_attempt_id = attempt.id
    elif upload.submitted or any(e["k"] == "submit" for e in upload.events):
        attempts.finish_locked(attempt, "offline", now)
        row.result_attempt_id = attempt.id
    return attempt


def _result_given(attempt: QuizAttempt) -> bool:
    """Whether an accepted upload already gave this finished attempt its result (the first upload wins)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(OfflineUpload).where(
        OfflineUpload.result_attempt_id == attempt.id, OfflineUpload.status == "accepted")) > 0
