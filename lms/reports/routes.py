"""A learner's own transcript (HR reads everyone's in manage.py)."""
from flask import Blueprint, render_template
from flask_login import current_user

from lms.core.security import login_required
from lms.reports import services

bp = Blueprint("my_reports", __name__)


@bp.get("/me/transcript")
@login_required
def my_transcript():
    result = services.transcript(current_user.id, None, services.now())
    return render_template("reports/transcript.html", transcript=result, own=True)
