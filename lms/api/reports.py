"""The reports API for HR systems: completions (one row per person and course), scoped like the screens."""
from flask import Blueprint, g, jsonify, request

from lms.accounts import roles
from lms.accounts.scope import scope_of
from lms.api.auth import token_roles_required
from lms.api.routes import iso
from lms.core.i18n import _
from lms.core.inputs import parse_int
from lms.extensions import csrf
from lms.reports import services
from lms.reports.filters import parse_filters

bp = Blueprint("api_reports", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 500
TYPED_PARAMETERS = ("district", "status", "dates", "since", "until", "page", "per_page")


def _per_page(raw: str | None) -> int | None:
    if not (raw or "").strip():
        return DEFAULT_PER_PAGE
    return parse_int(raw, low=1, high=MAX_PER_PAGE)


@bp.get("/reports/completions")
@token_roles_required(roles.VIEW_REPORTS)
def completions():
    user = g.api_user
    filters, errors = parse_filters(request.args, dict.fromkeys(services.MATRIX_SORT_KEYS))
    per_page = _per_page(request.args.get("per_page"))
    if per_page is None:
        errors["per_page"] = f"per_page must be a whole number from 1 to {MAX_PER_PAGE}"
    # The screens' forms send empty fields for "any"; here a number, date or choice that is sent must be one.
    for name in TYPED_PARAMETERS:
        if name in request.args and not request.args[name].strip():
            errors[name] = _("Give a value, or leave the parameter out.")
    if errors:  # the usual error body, with each bad parameter's reason
        message = "; ".join(f"{name}: {reason}" for name, reason in errors.items())
        fields = [{"field": name, "code": "format", "message": reason} for name, reason in errors.items()]
        return jsonify(error={"code": "bad_parameters", "message": message, "fields": fields}), 400
    scope, at = scope_of(user), services.now()
    total = services.count_completions(filters, scope, at)
    rows = services.completions(filters, scope, "en", at, (filters.page - 1) * per_page, per_page)
    return jsonify(total=total, page=filters.page, per_page=per_page, completions=[{
        "employee_number": r.employee_number,
        "name": {"ar": r.full_name_ar, "latin": r.full_name_latin},
        "center": r.center_code,
        "job_title": r.job_title_code,
        "course": r.course_slug,
        "status": r.status,
        "due_at": iso(r.due_at),
        "completed_at": iso(r.completed_at),
        "best_score": r.best_score,
    } for r in rows])
