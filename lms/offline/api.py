"""The device API under /offline/api/: JSON only, authenticated by a grant's bearer token alone."""
from flask import Blueprint, g, jsonify, request, url_for

from lms.core.errors import json_error
from lms.core.i18n import _
from lms.core.models import ValidationError
from lms.extensions import csrf, db
from lms.offline import exams, road, uploads
from lms.offline.auth import grant_required
from lms.offline.models import OfflineSeat

bp = Blueprint("offline_api", __name__, url_prefix="/offline/api")
csrf.exempt(bp)  # no cookie is honoured here: every call carries its grant


@bp.get("/grant")
@grant_required
def whoami():
    """Whom the grant stands for and until when: a device checks its grant with this."""
    user, grant = g.api_user, g.grant
    return jsonify(user={"id": user.id, "employee_number": user.employee_number},
                   device=grant.device.client_id, expires_at=grant.expires_at.isoformat())


@bp.post("/uploads")
@grant_required
def upload():
    """A device sends one attempt's events and chain; the verdict is stored and answered (see lms.offline.uploads)."""
    if (request.content_length or 0) > uploads.MAX_BODY_BYTES:
        return _too_large()
    data = request.get_data(cache=True)
    if len(data) > uploads.MAX_BODY_BYTES:
        return _too_large()
    try:
        upload = uploads.parse(request.get_json(silent=True), len(data))
    except uploads.BadUpload as error:
        return json_error(400, "bad_request", str(error))
    try:
        verdict = uploads.receive(g.grant, upload)
    except LookupError:
        return json_error(404, "not_found")
    except uploads.UploadConflict:
        return json_error(409, "upload_id_reused", _("This upload id was already used for another upload."))
    return jsonify(verdict.as_json(g.api_user))


def _too_large():
    return json_error(413, "too_large", _("The upload is larger than %(size)s KB.",
                                          size=uploads.MAX_BODY_BYTES // 1024))


@bp.get("/exams")
@grant_required
def my_exams():
    """The grant's person's offline exam seats, with where to download each package."""
    return jsonify(exams=[{
        "seat": seat.id, "course": exams.course_summary(course), "opens_on": exam.opens_on.isoformat(),
        "closes_on": exam.closes_on.isoformat(), "time_limit_seconds": exams.time_limit_seconds(exam),
        "questions": len(seat.questions), "package_url": url_for(".package", seat_id=seat.id),
        "received": seat.received_upload_id is not None,
    } for seat, exam, course in exams.seats_of(g.api_user.id)])


@bp.get("/seats/<int:seat_id>/package")
@grant_required
def package(seat_id: int):
    """A seat's encrypted package, for its own person only (404 for anyone else)."""
    seat = db.session.get(OfflineSeat, seat_id)
    if seat is None or seat.user_id != g.api_user.id or seat.package is None:
        return json_error(404, "not_found")
    if seat.downloaded_at is None:
        exams.mark_downloaded(seat.id)
    return jsonify(seat.package)


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
