"""The course files (images, PDFs) that modules show, for learners and trainers alike."""
from flask import Blueprint, abort, current_app
from flask_login import current_user

from lms.core.security import login_required
from lms.courses import services

bp = Blueprint("course_files", __name__)


@bp.get("/courses/<slug>/files/<path:path>")
@login_required
def course_file(slug: str, path: str):
    course = services.course_by_slug(slug)
    asset = services.course_file(slug, path) if course else None
    if asset is None or not (course.is_published or services.may_manage(course, current_user)):
        abort(404)
    response = current_app.response_class(asset.content, mimetype=asset.media_type)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.cache_control.private = True
    response.cache_control.max_age = 3600
    return response
