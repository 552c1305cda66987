"""The device API's part for courses on the road (on the same /offline/api/ blueprint, the same grants)."""
from flask import g, jsonify, request

from lms.core.errors import json_error
from lms.core.models import ValidationError
from lms.offline import road
from lms.offline.api import bp
from lms.offline.auth import grant_required


@bp.get("/courses/<slug>/manifest")
@grant_required
def course_manifest(slug: str):
    """What a device fetches to keep a course: its pages in every language, its files, the learner's progress."""
    try:
        return jsonify(road.manifest(g.api_user, slug))
    except LookupError:
        return json_error(404, "not_found")


@bp.post("/progress")
@grant_required
def progress():
    """Modules marked as done on the device while it had no network (idempotent: sending again changes nothing)."""
    try:
        items = road.parse_items(request.get_json(silent=True))
    except ValidationError as error:
        return json_error(400, "bad_request", error.errors["items"])
    marked = road.mark_done(g.api_user, items)
    return jsonify(items=[{"id": m.id, "status": m.status, "message": m.message or None, "course": m.course,
                           "module_position": m.position} for m in marked])
