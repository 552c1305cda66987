"""The device API under /offline/api/: JSON only, authenticated by a grant's bearer token alone."""
from flask import Blueprint, g, jsonify

from lms.extensions import csrf
from lms.offline.auth import grant_required

bp = Blueprint("offline_api", __name__, url_prefix="/offline/api")
csrf.exempt(bp)  # no cookie is honoured here: every call carries its grant


@bp.get("/grant")
@grant_required
def whoami():
    """Whom the grant stands for and until when: a device checks its grant with this."""
    user, grant = g.api_user, g.grant
    return jsonify(user={"id": user.id, "employee_number": user.employee_number},
                   device=grant.device.client_id, expires_at=grant.expires_at.isoformat())
