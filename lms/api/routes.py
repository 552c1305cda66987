from datetime import timedelta
from functools import cache
from pathlib import Path

import yaml
from flask import Blueprint, current_app, g, jsonify, request

from lms.api.auth import token_required
from lms.auth import throttling
from lms.auth.services import OneTimePasswordExpired, authenticate, issue_api_token
from lms.core.errors import json_error
from lms.core.i18n import _, pick_language
from lms.core.models import ValidationError
from lms.core.security import public
from lms.core.throttle import throttled
from lms.extensions import csrf
from lms.progress import services as progress
from lms.progress.paths import CourseLocked
from lms.quizzes.types import NAMES

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # no cookie is honoured here: every call carries its bearer token

OPENAPI_PATH = Path(__file__).with_name("openapi.yaml")


def _bilingual(obj, field: str) -> dict[str, str]:
    return {"ar": getattr(obj, f"{field}_ar"), "en": getattr(obj, f"{field}_en")}


def iso(value) -> str | None:
    return value.isoformat() if value else None


def _course_summary(entry: progress.CourseProgress) -> dict:
    course = entry.course
    return {
        "slug": course.slug,
        "title": _bilingual(course, "title"),
        "summary": _bilingual(course, "summary"),
        "status": course.status.value,
        "estimated_minutes": course.estimated_minutes,
        "module_count": course.module_count,
        "enrolled": entry.enrollment is not None,
        "percent": entry.percent,
    }


def _visible_course(slug: str):
    return progress.visible_course(slug, g.api_user)


@bp.get("/openapi.json")
@public
def openapi():
    return jsonify(_openapi_document())


@cache
def _openapi_document() -> dict:
    document = yaml.safe_load(OPENAPI_PATH.read_text(encoding="utf-8"))
    # The question types are the registry's: the document names them from it.
    document["components"]["schemas"]["Question"]["properties"]["type"]["enum"] = list(NAMES)
    return document


@bp.post("/tokens")
@public
@throttled(throttling.SIGN_IN_SCOPE, "LMS_SIGN_IN_LIMITS", key=throttling.sign_in_attempt_key)
def create_token():
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("username"), str) \
            or not isinstance(body.get("password"), str):
        return json_error(400, "bad_request", _("Send a JSON object with username and password."))
    throttling.refuse_while_failing(body["username"])
    try:
        user = authenticate(body["username"], body["password"])
    except OneTimePasswordExpired as expired:
        return json_error(403, "one_time_password_expired", expired.message())
    if user is None:
        throttling.count_failure(body["username"])
        return json_error(401, "invalid_credentials", _("The username or password is not correct."))
    if user.must_change_password:
        return json_error(403, "password_change_required",
                          _("Sign in on the website and choose your own password first."))
    token, record = issue_api_token(user, timedelta(days=current_app.config["LMS_API_TOKEN_DAYS"]))
    return jsonify(token=token, expires_at=iso(record.expires_at)), 201


@bp.get("/courses")
@token_required
def list_courses():
    return jsonify(courses=[_course_summary(e) for e in progress.catalogue(g.api_user.id)])


@bp.get("/courses/<slug>")
@token_required
def get_course(slug: str):
    try:
        entry, outline = progress.course_overview(g.api_user, slug)
    except LookupError:
        return json_error(404, "not_found")
    modules = [{"position": e.position, "title": e.title, "completed": e.is_done} for e in outline]
    return jsonify({**_course_summary(entry), "modules": modules,
                    "resume_position": entry.resume_position if entry.enrollment else None})


@bp.post("/courses/<slug>/enrollment")
@token_required
def enroll(slug: str):
    course = _visible_course(slug)
    if course is None:
        return json_error(404, "not_found")
    existing = progress.enrollment_for(g.api_user.id, course.id)
    try:
        enrollment = existing or progress.enroll(g.api_user.id, course)
    except ValidationError as error:
        return json_error(409, "not_open", error.errors[""])
    return jsonify(slug=course.slug, enrolled_at=iso(enrollment.enrolled_at)), 200 if existing else 201


@bp.get("/courses/<slug>/modules/<int:position>")
@token_required
def get_module(slug: str, position: int):
    try:
        view = progress.open_module(g.api_user, slug, position)
    except LookupError:
        return json_error(404, "not_found")
    except progress.NotEnrolled:
        return json_error(403, "not_enrolled", _("Enrol in the course first."))
    except CourseLocked as locked:
        return json_error(403, "locked", _("Complete the course %(course)s first: this learning path goes in order.",
                                           course=pick_language(locked.course, "title")))
    module = view.module
    return jsonify(position=module.position, title=_bilingual(module, "title"),
                   html={"ar": module.html_ar, "en": module.html_en or module.html_ar},
                   completed=view.is_done, module_count=view.course.module_count)


@bp.post("/courses/<slug>/modules/<int:position>/completion")
@token_required
def complete_module(slug: str, position: int):
    course = _visible_course(slug)
    if course is None:
        return json_error(404, "not_found")
    try:
        entry = progress.complete_module(g.api_user.id, course, position)
    except ValidationError as error:
        return json_error(403, "not_enrolled", error.errors[""])
    except LookupError:
        return json_error(404, "not_found")
    return jsonify(slug=course.slug, position=position, percent=entry.percent,
                   completed_at=iso(entry.enrollment.completed_at if entry.enrollment else None))


@bp.get("/me/progress")
@token_required
def my_progress():
    entries = progress.my_courses(g.api_user.id)
    positions = progress.completed_positions_by_course(g.api_user.id)
    return jsonify(progress=[{
        "slug": e.course.slug,
        "title": _bilingual(e.course, "title"),
        "percent": e.percent,
        "module_count": e.course.module_count,
        "completed_modules": sorted(positions.get(e.course.id, ())),
        "enrolled_at": iso(e.enrollment.enrolled_at),
        "completed_at": iso(e.enrollment.completed_at),
    } for e in entries])
