"""The learner's side: dashboard, catalogue, course and module pages, learning paths."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from lms.core.home import home_sections
from lms.core.i18n import _, localize_digits, pick_language
from lms.core.models import ValidationError, utcnow
from lms.core.security import login_required
from lms.progress import paths, services
from lms.progress.paths import CourseLocked
from lms.progress.status import status_of

bp = Blueprint("progress", __name__)
paths_bp = Blueprint("paths", __name__)  # the learning paths, as learners see them


@bp.app_template_global()
def training_status(enrollment) -> str:
    """A learner's status in a course now (the dashboard's "overdue" badge)."""
    return status_of(enrollment, utcnow()).value


def _course_or_404(slug: str):
    course = services.visible_course(slug, current_user)
    if course is None:
        abort(404)
    return course


@bp.get("/")
@login_required
def dashboard():
    """The home page: every role's sections, each from the package that owns it (lms.core.home)."""
    return render_template("home.html", sections=home_sections(current_user, utcnow()))


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
    # Said, not only shown by a tick in the outline: the page that follows is another module's.
    flash(_("Module %(num)s is marked as done.", num=localize_digits(position)), "success")
    if position < course.module_count:
        return redirect(url_for(".module", slug=slug, position=position + 1))
    return redirect(url_for(".course", slug=slug))


# -- learning paths -------------------------------------------------------------------------------------------

@paths_bp.app_template_global()
def path_lock(course_id: int):
    """The course an ordered learning path asks the signed-in learner to complete before this one, or None."""
    if not current_user.is_authenticated:
        return None
    return paths.course_to_finish_first(current_user.id, course_id)


@paths_bp.app_template_global()
def is_enrolled(course_id: int) -> bool:
    """Whether the signed-in learner is enrolled in this course (the quiz page offers to enrol otherwise)."""
    return current_user.is_authenticated and services.enrollment_for(current_user.id, course_id) is not None


@paths_bp.app_template_global()
def my_learning_paths() -> list:
    """The signed-in learner's path enrolments with their paths (one query), for the dashboard."""
    return paths.enrolments_of(current_user.id) if current_user.is_authenticated else []


@paths_bp.get("/paths", endpoint="catalogue")
@login_required
def path_catalogue():
    return render_template("progress/paths.html", paths=paths.list_paths(published_only=True))


@paths_bp.get("/paths/<slug>")
@login_required
def path_page(slug: str):
    try:
        view = paths.path_view(slug, current_user)
    except LookupError:
        abort(404)
    return render_template("progress/path.html", view=view)


@paths_bp.post("/paths/<slug>/enrollment", endpoint="enroll")
@login_required
def enroll_in_path(slug: str):
    path = paths.path_by_slug(slug)
    if path is None:
        abort(404)
    try:
        paths.enrol_in_path(current_user.id, path)
    except ValidationError as error:
        flash(error.errors[""], "error")
    else:
        flash(_("You are now enrolled in this learning path."), "success")
    return redirect(url_for(".path_page", slug=slug))
