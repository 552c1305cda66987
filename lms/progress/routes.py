"""The learner's side: dashboard, catalogue, course and module pages; and the progress table for staff."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from lms.accounts import roles
from lms.accounts.roles import Role
from lms.accounts.scope import EVERYTHING, scope_of
from lms.core.i18n import _, pick_language
from lms.core.models import ValidationError
from lms.core.security import login_required, roles_required
from lms.core.web import page_arg
from lms.courses.services import course_by_slug, managed_courses, may_manage
from lms.progress import services
from lms.progress.paths import CourseLocked

bp = Blueprint("progress", __name__)


def _course_or_404(slug: str):
    course = services.visible_course(slug, current_user)
    if course is None:
        abort(404)
    return course


@bp.get("/")
@login_required
def dashboard():
    mine, available = services.dashboard(current_user.id)
    return render_template("progress/dashboard.html", mine=mine, available=available)


@bp.get("/courses")
@login_required
def catalogue():
    return render_template("progress/catalogue.html", entries=services.catalogue(current_user.id))


@bp.get("/courses/<slug>")
@login_required
def course(slug: str):
    try:
        progress, outline = services.course_overview(current_user, slug)
    except LookupError:
        abort(404)
    return render_template("progress/course.html", course=progress.course, progress=progress, outline=outline)


@bp.post("/courses/<slug>/enrollment")
@login_required
def enroll(slug: str):
    course = _course_or_404(slug)
    try:
        services.enroll(current_user.id, course)
    except ValidationError as error:
        flash(error.errors[""], "error")
        return redirect(url_for(".course", slug=slug))
    flash(_("You are now enrolled in this course."), "success")
    return redirect(url_for(".module", slug=slug, position=1))


@bp.get("/courses/<slug>/modules/<int:position>")
@login_required
def module(slug: str, position: int):
    try:
        view = services.open_module(current_user, slug, position)
    except LookupError:
        abort(404)
    except services.NotEnrolled:
        flash(_("Enrol in the course to start learning."), "info")
        return redirect(url_for(".course", slug=slug))
    except CourseLocked as locked:
        flash(_("Complete the course %(course)s first: this learning path goes in order.",
                course=pick_language(locked.course, "title")), "info")
        return redirect(url_for(".course", slug=slug))
    return render_template("progress/module.html", view=view, course=view.course, module=view.module)


@bp.post("/courses/<slug>/modules/<int:position>/completion")
@login_required
def complete(slug: str, position: int):
    course = _course_or_404(slug)
    try:
        progress = services.complete_module(current_user.id, course, position)
    except ValidationError as error:
        flash(error.errors[""], "error")
        return redirect(url_for(".course", slug=slug))
    except LookupError:
        abort(404)
    if progress.enrollment and progress.enrollment.completed_at and progress.completed >= course.module_count:
        flash(_("Well done! You have completed this course."), "success")
        return redirect(url_for(".course", slug=slug))
    if progress.completed >= course.module_count and progress.has_quiz:
        flash(_("You have finished every module: the quiz is next."), "success")
        return redirect(url_for("quizzes.overview", slug=slug))
    if position < course.module_count:
        return redirect(url_for(".module", slug=slug, position=position + 1))
    return redirect(url_for(".course", slug=slug))


def _viewer_scope():
    """Trainers follow every learner of the courses they manage; HR and center managers the staff in their scope."""
    return EVERYTHING if current_user.role == Role.TRAINER else scope_of(current_user)


@bp.get("/manage/progress")
@roles_required(roles.FOLLOW_PROGRESS)
def staff_courses():
    courses = managed_courses(current_user) if current_user.role == Role.TRAINER else None
    return render_template("progress/staff_courses.html",
                           rows=services.enrolment_counts(_viewer_scope(), courses))


@bp.get("/manage/courses/<slug>/progress")
@roles_required(roles.FOLLOW_PROGRESS)
def course_table(slug: str):
    course = course_by_slug(slug)
    if course is None or (current_user.role == Role.TRAINER and not may_manage(course, current_user)):
        abort(404)
    page = page_arg(request.args)
    total, rows = services.progress_table(course, page, scope=_viewer_scope())
    return render_template("progress/course_table.html", course=course, rows=rows, total=total, page=page,
                           per_page=50)
