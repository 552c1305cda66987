"""Cross-cutting endpoints with no domain knowledge."""
from flask import Blueprint, current_app, jsonify, redirect
from sqlalchemy import text

from lms.core.security import public
from lms.core.web import asset_url
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


@bp.get("/favicon.ico")
@public
def favicon():
    """Browsers and bookmarks ask for /favicon.ico whatever the page says: the app's icon, not a 404 in the log."""
    response = redirect(asset_url("favicon.svg"), code=301)
    response.cache_control.max_age = 86400
    return response
