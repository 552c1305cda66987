"""The API for HR systems: staff upsert by employee number, checked by the roster's own rules and scoped like
the screens."""
from flask import Blueprint, g, jsonify, request

from lms.accounts import roles, roster, roster_apply, roster_files
from lms.accounts.models import User
from lms.api.auth import token_roles_required
from lms.core.errors import json_error
from lms.core.i18n import _
from lms.extensions import csrf

bp = Blueprint("api_hr", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

_BODY_FIELDS = roster_files.FIELDS[1:]  # the employee number is the URL's
_OUT_OF_SCOPE = {"center_scope", "person_scope"}


def staff_summary(person: User) -> dict:
    return {"employee_number": person.employee_number, "username": person.username,
            "full_name_ar": person.full_name_ar, "full_name_latin": person.full_name_latin, "email": person.email,
            "center_code": person.center.code if person.center else None,
            "job_title": {"ar": person.job_title.name_ar, "en": person.job_title.name_en} if person.job_title else None,
            "status": "active" if person.is_active else "left"}


def _field_errors(status: int, code: str, message: str, errors: list[roster.RowError]):
    fields = [{"field": e.field, "code": e.code, "message": e.message} for e in errors]
    return jsonify(error={"code": code, "message": message, "fields": fields}), status


@bp.put("/staff/<employee_number>")
@token_roles_required(roles.MANAGE_ROSTER)
def put_staff(employee_number: str):
    """Create or update one person, as one roster row would; a new account's one-time password comes back once."""
    if not request.is_json:
        return json_error(415, "unsupported_media_type", _("Send a JSON object (Content-Type: application/json)."))
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return json_error(400, "bad_request", _("Send a JSON object."))
    wrong = [name for name in _BODY_FIELDS if body.get(name) is not None and not isinstance(body[name], str)]
    if wrong:
        return _field_errors(400, "invalid", _("Some fields are not valid."), [
            roster.RowError(1, name, name, _("Send this value as text."), "format") for name in wrong])
    if body.get("employee_number") not in (None, employee_number):
        return _field_errors(400, "invalid", _("Some fields are not valid."), [roster.RowError(
            1, "employee_number", "employee_number", _("It differs from the employee number in the address."),
            "format")])
    confirm = body.get("confirm_identity_change", False)
    if not isinstance(confirm, bool):
        return _field_errors(400, "invalid", _("Some fields are not valid."), [roster.RowError(
            1, "confirm_identity_change", "confirm_identity_change", _("Send true or false."), "format")])
    try:
        outcome, person, password = roster_apply.upsert_person(employee_number, body, g.api_user.id, confirm)
    except roster_apply.IdentityChangeRefused as refused:
        reasons = refused.skipped[0].reasons
        return jsonify(error={
            "code": "identity_change", "reasons": reasons,
            "message": _("This would rename the person or change an account that holds a role beyond learner: the "
                         "employee number may belong to someone else. Nothing was changed. Send it again with "
                         "\"confirm_identity_change\": true if this is intended.")}), 409
    except roster_apply.RosterChanged:
        return json_error(409, "conflict", _("This person changed while the request was applied. Send it again."))
    except roster.RosterRejected as rejected:
        errors = rejected.plan.errors
        if any(e.code in _OUT_OF_SCOPE for e in errors):
            return _field_errors(403, "out_of_scope", _("This person or technology center is outside your scope."),
                                 [e for e in errors if e.code in _OUT_OF_SCOPE])
        return _field_errors(400, "invalid", _("Some fields are not valid."), errors)
    answer = {"result": outcome, "staff": staff_summary(person) if person is not None else None}
    if password is not None:
        answer["one_time_password"] = password
        answer["one_time_password_expires_at"] = person.one_time_password_expires_at.isoformat()
    return jsonify(answer), 201 if outcome == "created" else 200
