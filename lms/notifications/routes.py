"""The bell: a person's notifications, newest first, and marking them read."""
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from lms.core.i18n import _
from lms.core.security import login_required, safe_next_url
from lms.core.web import page_arg
from lms.extensions import db
from lms.notifications import services
from lms.notifications.messages import compose

bp = Blueprint("notifications", __name__)


@bp.app_template_global()
def unread_notifications() -> int:
    """The signed-in person's unread count for the bell: one indexed query, made only when a page shows the bell
    (base.html asks for signed-in people only)."""
    if not current_user.is_authenticated:
        return 0
    if "_lms_unread" not in g:
        try:
            g._lms_unread = services.unread_count(current_user.id)
        except SQLAlchemyError:  # an error page rendered while the database fails must still render
            db.session.rollback()
            g._lms_unread = 0
    return g._lms_unread


@bp.get("/notifications")
@login_required
def index():
    page = page_arg(request.args)
    total, rows = services.notifications_page(current_user.id, page)
    entries = [(n, compose(n.kind, n.params, html=True)) for n in rows]
    return render_template("notifications/index.html", entries=entries, total=total, page=page,
                           per_page=services.PER_PAGE)


@bp.route("/notifications/<int:notification_id>", methods=["GET", "POST"])
@login_required
def open_one(notification_id: int):
    """Opening a notification marks it read and leads to what it is about (same-site paths only)."""
    try:
        url = services.open_notification(current_user.id, notification_id)
    except LookupError:
        abort(404)
    return redirect(safe_next_url(url, url_for("notifications.index")))


@bp.post("/notifications/read")
@login_required
def mark_all_read():
    services.mark_all_read(current_user.id)
    flash(_("All notifications are marked as read."), "success")
    return redirect(url_for("notifications.index"))
