"""The learner's side of a quiz: overview, the attempt's pages (with or without JavaScript), submission, result."""
from datetime import timedelta
from typing import NoReturn

from flask import Blueprint, abort, flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import undefer

from lms.core.encoding import b64url
from lms.core.errors import json_error
from lms.core.i18n import _, current_locale
from lms.core.inputs import parse_int
from lms.core.models import utcnow
from lms.core.security import login_required
from lms.courses.models import Course
from lms.courses.services import may_see
from lms.extensions import db
from lms.quizzes import attempts as service
from lms.quizzes.bank import quiz_course
from lms.quizzes.chain import chain_key
from lms.quizzes.review import review, shown_questions
from lms.quizzes.settings import QuizSettings
from lms.quizzes.types import REGISTRY

bp = Blueprint("quizzes", __name__)


def _course_or_404(slug: str):
    course = quiz_course(slug)
    if course is None or not may_see(course, current_user):
        abort(404)
    return course


def _attempt_or_404(attempt_id: int):
    try:
        return service.load_attempt(attempt_id, current_user.id)
    except LookupError:
        abort(404)


@bp.get("/courses/<slug>/quiz")
@login_required
def overview(slug: str):
    course = _course_or_404(slug)
    view = service.quiz_overview(current_user.id, course, utcnow())
    return render_template("quizzes/overview.html", course=course, settings=view.settings, attempts=view.attempts,
                           outcome=view.outcome, may_start=view.may_start, ready_at=view.ready_at,
                           current=view.current, questions=view.questions)


@bp.post("/courses/<slug>/quiz/attempts")
@login_required
def start(slug: str):
    course = _course_or_404(slug)
    try:
        attempt = service.start_attempt(current_user.id, course)
    except service.NotAllowed as error:
        flash(error.message, "error")
        return redirect(url_for(".overview", slug=slug))
    return redirect(url_for(".attempt", attempt_id=attempt.id))


def _page_numbers(count: int, layout: str, page: int) -> tuple[int, int]:
    pages = count if layout == "one" else 1
    return min(max(page, 1), pages), pages


@bp.get("/quiz/attempts/<int:attempt_id>")
@login_required
def attempt(attempt_id: int, typed: dict | None = None, errors: dict | None = None, stale: bool = False):
    attempt = _attempt_or_404(attempt_id)
    if not attempt.is_open:
        return redirect(url_for(".result", attempt_id=attempt.id))
    course = db.session.get(Course, attempt.course_id, options=[undefer(Course.quiz_settings)])
    settings = QuizSettings.from_dict(course.quiz_settings)
    sheet = service.attempt_sheet(attempt.id)
    questions = shown_questions(sheet, current_locale())
    page, pages = _page_numbers(len(questions), settings.layout, request.args.get("page", 1, type=int))
    on_page = questions if pages == 1 else [questions[page - 1]]
    # The form carries the number of its save (the page's script counts on from it): see save_answers.
    return render_template("quizzes/attempt.html", course=course, attempt=attempt, questions=questions,
                           on_page=on_page, page=page, pages=pages, typed=typed or {}, errors=errors or {},
                           stale=stale, next_seq=service.latest_seq(sheet) + 1,
                           last_saved_at=service.last_saved_at(sheet),
                           remaining=service.remaining_seconds(attempt),
                           chain_key=b64url(chain_key("attempt", attempt.id)),
                           elapsed_ms=max(0, int((utcnow() - attempt.started_at) / timedelta(milliseconds=1)))), \
        409 if stale else 422 if errors else 200


def _answers_from_form(question_ids: list[int]) -> tuple[dict, dict]:
    """The answers of the questions shown on the page, each read by its type; what was typed, to show again if
    refused. The page names each question's type; one it does not know is read as a plain field, for the
    service to refuse."""
    answers, typed = {}, {}
    for qid in question_ids:
        name = f"q-{qid}"
        if name + "-kind" not in request.form:
            continue
        kind = REGISTRY.get(request.form[name + "-kind"])
        answers[str(qid)] = kind.from_form(request.form, name) if kind else request.form.get(name, "")
        typed[qid] = answers[str(qid)]
    return answers, typed


def _seq(value: object) -> int | None:
    """A save's sequence number as sent; None when it was not sent. ValueError when it is not one."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= service.MAX_SEQ:
        raise ValueError(value)
    return value


def _form_seq() -> int | None:
    raw = request.form.get("seq", "")
    return _seq(int(raw) if raw.isascii() and raw.isdigit() else raw or None)


@bp.post("/quiz/attempts/<int:attempt_id>")
@login_required
def save(attempt_id: int):
    """Without JavaScript: the page's answers are saved, then the learner goes where the button said."""
    question_ids = [n for n in map(parse_int, request.form.getlist("question")) if n is not None]
    answers, typed = _answers_from_form(question_ids)
    go = request.form.get("go", "")
    try:
        seq = _form_seq()
    except ValueError:
        abort(400)
    # "submit": the page's clock ran out, or a client without a script finishes: save and submit at once.
    store = service.save_and_submit if go == "submit" else service.save_answers
    try:
        store(attempt_id, current_user.id, answers, seq=seq)
    except LookupError:
        abort(404)
    except service.AttemptFinished as finished:
        flash(_finished_text(finished.attempt), "info")
        return redirect(url_for(".result", attempt_id=attempt_id))
    except service.InvalidAnswers as error:
        return attempt(attempt_id, typed=typed, errors=error.errors)
    except service.StaleAnswers:  # this page is older than answers saved since (another window): show those
        return attempt(attempt_id, stale=True)
    if go == "submit":
        return redirect(url_for(".result", attempt_id=attempt_id))
    if go == "finish":
        return redirect(url_for(".confirm", attempt_id=attempt_id))
    page = parse_int(go) or parse_int(request.form.get("page")) or 1
    flash(_("Your answers are saved."), "success")
    return redirect(url_for(".attempt", attempt_id=attempt_id, page=page))


def _finished_text(attempt) -> str:
    """Why a page's answers were not saved: its clock ran out, or the attempt was submitted before (twice the
    button, another window, an upload)."""
    if attempt.finished_by == "timeout":
        return _("Your time was up: the attempt was submitted with the answers saved before.")
    return _("This attempt is finished: answers are no longer saved.")


@bp.post("/quiz/attempts/<int:attempt_id>/answers")
@login_required
def autosave(attempt_id: int):
    """The page's script saves each answer as it is given (JSON in, JSON out)."""
    _answers, saved = save_posted_answers(attempt_id, current_user.id)
    return jsonify({"saved_at": saved.at.isoformat(), "seq": saved.seq})


def save_posted_answers(attempt_id: int, user_id: int) -> tuple[dict, service.Saved]:
    """Save the request's {"answers": {...}, "seq": n} (the page's script and the API); a refusal ends the request
    with its JSON error. Returns the answers and when and with which sequence number they were saved."""
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or not isinstance(payload.get("answers"), dict):
        _abort_json(400, "bad_request", _("Send {\"answers\": {question id: answer}}."))
    try:
        seq = _seq(payload["seq"]) if "seq" in payload else None  # left out: an older client; null: a mistake
        if "seq" in payload and seq is None:
            raise ValueError(None)
    except ValueError:
        _abort_json(400, "bad_request", _("\"seq\" must be a whole number from 1 to %(max)s.", max=service.MAX_SEQ))
    try:
        return payload["answers"], service.save_answers(attempt_id, user_id, payload["answers"], seq=seq)
    except LookupError:
        _abort_json(404, "not_found")
    except service.AttemptFinished:
        _abort_json(409, "attempt_finished", _("This attempt is finished: answers are no longer saved."))
    except service.InvalidAnswers as error:
        abort(make_response(jsonify(error={"code": "invalid_answers", "message": _("Some answers were not saved."),
                                           "fields": error.errors}), 422))
    except service.StaleAnswers as error:
        abort(make_response(jsonify(error={
            "code": "stale_answers", "fields": error.errors, "latest_seq": error.latest,
            "message": _("Some answers were already saved by a newer save: nothing was saved.")}), 409))


def _abort_json(status: int, code: str, message: str | None = None) -> NoReturn:
    abort(make_response(*json_error(status, code, message)))


@bp.get("/quiz/attempts/<int:attempt_id>/submit")
@login_required
def confirm(attempt_id: int):
    attempt = _attempt_or_404(attempt_id)
    if not attempt.is_open:
        return redirect(url_for(".result", attempt_id=attempt.id))
    questions = shown_questions(service.attempt_sheet(attempt.id), current_locale())
    return render_template("quizzes/confirm.html", attempt=attempt, questions=questions,
                           course=db.session.get(Course, attempt.course_id),
                           remaining=service.remaining_seconds(attempt))


@bp.post("/quiz/attempts/<int:attempt_id>/submit")
@login_required
def submit(attempt_id: int):
    try:
        service.submit_attempt(attempt_id, current_user.id)
    except LookupError:
        abort(404)
    return redirect(url_for(".result", attempt_id=attempt_id))


@bp.get("/quiz/attempts/<int:attempt_id>/result")
@login_required
def result(attempt_id: int):
    attempt = _attempt_or_404(attempt_id)
    if attempt.is_open:
        return redirect(url_for(".attempt", attempt_id=attempt.id))
    course = db.session.get(Course, attempt.course_id)
    reviewed = review(attempt, service.attempt_questions(attempt.id), current_locale())
    return render_template("quizzes/result.html", course=course, attempt=attempt, reviewed=reviewed)
