"""The field kit's pages and the session-side JSON call that gives a device its grant."""
from flask import Blueprint, abort, jsonify, render_template, request, url_for
from flask_login import current_user

from lms.accounts import roles
from lms.accounts.scope import scope_of
from lms.core.errors import json_error
from lms.core.forms import show_service_errors
from lms.core.i18n import _, current_locale, pick_language
from lms.core.inputs import parse_int
from lms.core.models import ValidationError
from lms.core.security import login_required, roles_required
from lms.core.web import page_arg
from lms.extensions import db
from lms.offline import codes, devices, exams, follow
from lms.offline.forms import OfflineExamForm, day
from lms.offline.models import OfflineExam, OfflineSeat
from lms.offline.uploads import REASONS, SUSPICIONS
from lms.quizzes.types import NAMES

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


# -- offline exams ---------------------------------------------------------------------------------------------

@bp.route("/exams/new", methods=["GET", "POST"])
@roles_required(roles.FOLLOW_PROGRESS)  # HR and center managers (ASSIGN_TRAINING) and trainers (AUTHOR_COURSES)
def new_exam():
    """Prepare an offline exam; on success the invigilator code is shown on this one answer, never again."""
    form = OfflineExamForm()
    courses = {str(c.id): c for c in exams.quiz_courses()}
    form.course.choices = [("", _("Choose…"))] + [(key, pick_language(c, "title")) for key, c in courses.items()]
    problems = []
    if form.validate_on_submit():
        course = courses.get(form.course.data)
        try:
            if course is None:
                raise ValidationError({"course": _("Choose from the list.")})
            prepared = exams.prepare(current_user, course, form.employee_number_list(), day(form.opens_on.data),
                                     day(form.closes_on.data), current_locale())
        except exams.NotEveryone as refusal:
            show_service_errors(form, refusal)
            problems = refusal.problems
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            exam = prepared.exam
            seats = [(seat, seat.user) for seat in exam.seats]
            return render_template("offline/exam_code.html", exam=exam, course=course, seats=seats,
                                   code=codes.grouped(prepared.code))
    return render_template("offline/exam_new.html", form=form, problems=problems), 422 if form.errors else 200


# -- following the field work -----------------------------------------------------------------------------------

PER_PAGE = 50


@bp.get("/uploads")
@roles_required(roles.VIEW_REPORTS)
def uploads():
    """The refused and suspicious uploads of the staff in the viewer's scope, with their reasons in words."""
    scope = scope_of(current_user)
    centers = follow.centers_in(scope)
    center_id = parse_int(request.args.get("center", ""))
    center_id = center_id if center_id in {c.id for c in centers} else None
    page = page_arg(request.args)
    total, rows = follow.flagged_uploads(scope, page, PER_PAGE, center_id)
    return render_template("offline/uploads.html", rows=rows, total=total, page=page, per_page=PER_PAGE,
                           centers=centers, center_id=center_id, reasons=REASONS, suspicions=SUSPICIONS,
                           name_of=pick_language)


@bp.get("/devices")
@roles_required(roles.VIEW_REPORTS)
def device_list():
    """Each device of the viewer's technology centers and when it last synced, and per center the latest sync."""
    rows = follow.devices_in(scope_of(current_user))
    return render_template("offline/devices.html", rows=rows, centers=follow.center_syncs(rows),
                           name_of=pick_language)


# -- the learner's offline exam: a shell with no questions in it (they come encrypted in the seat's package,
# downloaded to the device and opened with the invigilator code: lms/static/js/offline/exam.js) ---------------

@bp.get("/exams/<int:seat_id>/take")
@login_required
def take_exam(seat_id: int):
    seat = db.session.get(OfflineSeat, seat_id)
    if seat is None or seat.user_id != current_user.id:
        abort(404)
    exam = db.session.get(OfflineExam, seat.exam_id)
    return render_template("offline/take.html", seat=seat, exam=exam, course=exam.course,
                           time_limit_seconds=exams.time_limit_seconds(exam), question_types=NAMES,
                           package_url=url_for("offline_api.package", seat_id=seat.id))


@bp.get("/exams/mine")
@login_required
def my_exams():
    """The learner's offline exams, to download to this device (the list is filled from the device's grant)."""
    return render_template("offline/my_exams.html")
