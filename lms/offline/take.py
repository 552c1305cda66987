"""The learner's offline exam page: a shell with no questions in it (they come encrypted in the seat's package,
downloaded to the device and opened with the invigilator code: lms/static/js/offline/exam.js)."""
from flask import abort, render_template, url_for
from flask_login import current_user

from lms.core.security import login_required
from lms.extensions import db
from lms.offline import exams
from lms.offline.models import OfflineExam, OfflineSeat
from lms.offline.routes import bp
from lms.quizzes.types import NAMES


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
