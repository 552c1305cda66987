"""Cross-cutting endpoints with no domain knowledge."""
from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from lms.core.security import public
from lms.extensions import csrf, db

bp = Blueprint("core", __name__)


@bp.get("/healthz")
@csrf.exempt
@public
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means "not ready"
        current_app.logger.exception("health check failed")
        db.session.rollback()
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")
