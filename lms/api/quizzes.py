"""The quiz API: settings and attempts, start, answers, submission. Never a key, a weight or feedback before review."""
from flask import Blueprint, g, jsonify, request
from markupsafe import Markup

from lms.api.auth import token_required
from lms.api.routes import iso
from lms.core.errors import json_error
from lms.core.models import utcnow
from lms.courses.models import Course
from lms.courses.services import may_see
from lms.extensions import csrf
from lms.quizzes import attempts as service
from lms.quizzes.bank import quiz_course
from lms.quizzes.models import QuizAttempt
from lms.quizzes.review import review, shown_questions
from lms.quizzes.routes import save_posted_answers

bp = Blueprint("api_quizzes", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


def _plain(html: Markup | str) -> str:
    """API texts are plain: the HTML the page would show, tags removed (it was sanitised already)."""
    return html.striptags() if isinstance(html, Markup) else str(html or "")


def _lang() -> str:
    lang = request.args.get("lang") or g.api_user.locale or "ar"
    return lang if lang in ("ar", "en") else "ar"


def _course(slug: str) -> Course | None:
    course = quiz_course(slug)
    if course is None or not may_see(course, g.api_user):
        return None
    return course


def _attempt_summary(attempt: QuizAttempt) -> dict:
    return {"id": attempt.id, "number": attempt.number, "state": attempt.status.value,
            "started_at": iso(attempt.started_at), "deadline": iso(attempt.deadline),
            "finished_at": iso(attempt.finished_at), "score": attempt.score, "passed": attempt.is_passed}


def _attempt_body(attempt: QuizAttempt) -> dict:
    """The attempt with its questions and saved answers while open, with its review once finished."""
    body = _attempt_summary(attempt)
    body["remaining_seconds"] = service.remaining_seconds(attempt)
    if attempt.is_open:
        sheet = service.attempt_sheet(attempt.id)
        shown = shown_questions(sheet, _lang())
        body["questions"] = [s.presented.as_json(_plain) for s in shown]
        body["answers"] = {str(s.presented.id): s.response for s in shown if s.is_answered}
        body["seq"] = service.latest_seq(sheet)  # the next save's "seq" must be greater
    else:
        body["review"] = [{"prompt": _plain(r.prompt), "answer": r.answer, "fraction": r.fraction,
                           "right_answers": r.right_answers, "feedback": r.feedback}
                          for r in review(attempt, service.attempt_questions(attempt.id), _lang())]
    return body


@bp.get("/courses/<slug>/quiz")
@token_required
def get_quiz(slug: str):
    course = _course(slug)
    if course is None:
        return json_error(404, "not_found")
    view = service.quiz_overview(g.api_user.id, course, utcnow())
    public = view.settings.as_dict()
    public.pop("file", None)
    return jsonify(slug=course.slug, settings=public, attempts=[_attempt_summary(a) for a in view.attempts],
                   grade=view.outcome.score, passed=view.outcome.is_passed, may_start=view.may_start,
                   next_start_at=iso(view.ready_at))


@bp.post("/courses/<slug>/quiz/attempts")
@token_required
def start_attempt(slug: str):
    course = _course(slug)
    if course is None:
        return json_error(404, "not_found")
    try:
        attempt, is_new = service.open_or_start(g.api_user.id, course)
    except service.NotAllowed as error:
        return json_error(403, "not_allowed", error.message)
    return jsonify(_attempt_body(attempt)), 201 if is_new else 200


def _load(attempt_id: int):
    try:
        return service.load_attempt(attempt_id, g.api_user.id)
    except LookupError:
        return None


@bp.get("/attempts/<int:attempt_id>")
@token_required
def get_attempt(attempt_id: int):
    attempt = _load(attempt_id)
    if attempt is None:
        return json_error(404, "not_found")
    return jsonify(_attempt_body(attempt))


@bp.put("/attempts/<int:attempt_id>/answers")
@token_required
def put_answers(attempt_id: int):
    answers, saved = save_posted_answers(attempt_id, g.api_user.id)
    return jsonify(saved_at=iso(saved.at), saved=sorted(answers, key=str), seq=saved.seq)


@bp.post("/attempts/<int:attempt_id>/submission")
@token_required
def submit(attempt_id: int):
    try:
        attempt = service.submit_attempt(attempt_id, g.api_user.id)
    except LookupError:
        return json_error(404, "not_found")
    # The score and verdict; the review is one GET /attempts/{id} away (it reads every question again).
    return jsonify(_attempt_summary(attempt))
