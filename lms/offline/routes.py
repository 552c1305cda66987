"""The field kit's pages and the session-side JSON call that gives a device its grant."""
from flask import Blueprint, jsonify, request
from flask_login import current_user

from lms.core.errors import json_error
from lms.core.i18n import _, current_locale
from lms.core.security import login_required
from lms.offline import devices

bp = Blueprint("offline", __name__, url_prefix="/offline")


def _iso(value) -> str | None:
    return value.isoformat() if value else None


@bp.post("/devices")
@login_required
def register_device():
    """A signed-in person's device asks for its grant (JSON, CSRF token in the X-CSRFToken header)."""
    body = request.get_json(silent=True)
    client_id = devices.valid_client_id(body.get("client_id")) if isinstance(body, dict) else None
    if client_id is None:
        return json_error(400, "bad_client_id", _("Send {\"client_id\": the device's UUID}."))
    label = devices.clean_label(body.get("label"))
    if label is None:
        return json_error(400, "bad_label", _("The device's label must be text."))
    granted = devices.register(current_user, client_id, label)
    user = current_user
    return jsonify(device=granted.device.client_id, token=granted.token, expires_at=_iso(granted.grant.expires_at),
                   user={"id": user.id, "employee_number": user.employee_number,
                         "name": user.display_name(current_locale())}), 201
