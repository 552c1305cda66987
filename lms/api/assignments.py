"""The assignments API for HR systems: what was assigned to whom, with per-status counts within the caller's scope."""
import sqlalchemy as sa
from flask import Blueprint, g, jsonify, request

from lms.accounts import roles
from lms.accounts.models import Center, District, Governorate, JobTitle
from lms.api.auth import token_roles_required
from lms.api.routes import iso
from lms.core.errors import json_error
from lms.core.i18n import _
from lms.core.inputs import parse_int
from lms.core.web import MAX_PAGE
from lms.courses.models import Course
from lms.extensions import csrf, db
from lms.progress import assignments as service
from lms.progress.models import Assignment

bp = Blueprint("api_assignments", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

MAX_PER_PAGE = 200
_LOOKUPS = (("governorates", Governorate), ("districts", District), ("centers", Center), ("job_titles", JobTitle))


def _names(items: list[Assignment]) -> dict:
    """kind -> id -> {"code"?, "name": {ar, en}} for every place and job title the page's audiences name (at most
    one query per kind, whatever the page size)."""
    wanted = {key: set() for key, _model in _LOOKUPS}
    for a in items:
        for key, _model in _LOOKUPS:
            wanted[key].update((a.audience or {}).get(key) or [])
        if (a.audience or {}).get("within_governorate") is not None:
            wanted["governorates"].add(a.audience["within_governorate"])
        if (a.audience or {}).get("within_center") is not None:
            wanted["centers"].add(a.audience["within_center"])
    names = {}
    for key, model in _LOOKUPS:
        names[key] = {row.id: {**({"code": row.code} if hasattr(row, "code") else {"id": row.id}),
                               "name": {"ar": row.name_ar, "en": row.name_en}}
                      for row in (db.session.scalars(sa.select(model).where(model.id.in_(wanted[key])))
                                  if wanted[key] else [])}
    return names


def _audience(audience: dict, names: dict) -> dict:
    audience = audience or {}
    if "users" in audience:
        answer = {"type": "people", "people": len(audience["users"])}
    else:
        answer = {"type": "rule", **{key: [names[key][i] for i in audience.get(key) or [] if i in names[key]]
                                     for key, _model in _LOOKUPS},
                  "center_kind": audience.get("center_kind")}
    if audience.get("within_governorate") is not None:
        answer["within"] = {"governorate": names["governorates"].get(audience["within_governorate"])}
    elif audience.get("within_center") is not None:
        answer["within"] = {"center": names["centers"].get(audience["within_center"])}
    return answer


def _summary(a: Assignment, counts: dict, names: dict) -> dict:
    subject = a.course or a.path
    return {
        "id": a.id,
        "course": {"slug": a.course.slug, "title": {"ar": a.course.title_ar, "en": a.course.title_en}}
        if a.course else None,
        "path": {"slug": a.path.slug, "title": {"ar": a.path.title_ar, "en": a.path.title_en}} if a.path else None,
        "title": {"ar": subject.title_ar, "en": subject.title_en},
        "audience": _audience(a.audience, names),
        "due": {"on": a.due_on.isoformat()} if a.due_on else {"days_after_joining": a.due_days},
        "active": a.is_active,
        "created_at": iso(a.created_at),
        "counts": counts,
    }


@bp.get("/assignments")
@token_roles_required(roles.ASSIGN_TRAINING)
def list_assignments():
    """One page of the assignments the caller sees; counts are of the people in the caller's scope."""
    user = g.api_user
    page = parse_int(request.args.get("page", "1"), low=1, high=MAX_PAGE)
    per_page = parse_int(request.args.get("per_page", "50"), low=1, high=MAX_PER_PAGE)
    if page is None or per_page is None:
        return json_error(400, "bad_request", _("page must be 1 or more and per_page between 1 and %(max)s.",
                                                max=MAX_PER_PAGE))
    active = request.args.get("active")
    if active not in (None, "true", "false"):
        return json_error(400, "bad_request", _("active must be true or false."))
    course_id = None
    if slug := request.args.get("course"):
        course_id = db.session.scalar(sa.select(Course.id).where(Course.slug == slug))
        if course_id is None:
            return jsonify(assignments=[], page=page, per_page=per_page, total=0)
    total, items = service.list_assignments(user, page=page, per_page=per_page, course_id=course_id,
                                            active=None if active is None else active == "true")
    counts = service.status_counts([a.id for a in items], user)
    names = _names(items)
    return jsonify(assignments=[_summary(a, counts[a.id], names) for a in items], page=page, per_page=per_page,
                   total=total)
