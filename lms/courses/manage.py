"""Trainers' authoring screens: courses and their modules."""
from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from lms.accounts import roles
from lms.accounts.roles import Role
from lms.core.forms import show_service_errors
from lms.core.i18n import _, isolated, pick_language
from lms.core.models import ValidationError
from lms.core.reorder import moved_item, moved_text, order_error, ordered_ids
from lms.core.security import roles_required
from lms.courses import log, services, sync, uploads
from lms.courses.forms import CourseFileForm, CourseForm, DeleteModuleForm, ModuleForm, RemoveFileForm
from lms.courses.models import Module
from lms.extensions import db

bp = Blueprint("courses", __name__)


@bp.get("/manage/courses")
@roles_required(roles.AUTHOR_COURSES)
def manage():
    return render_template("courses/manage.html", courses=services.managed_courses(current_user))


def _managed_or_404(course):
    """A course this trainer may not edit is, for them, a course that does not exist."""
    if course is None or not services.may_manage(course, current_user):
        abort(404)
    return course


@bp.route("/manage/courses/new", methods=["GET", "POST"], defaults={"slug": None})
@bp.route("/manage/courses/<slug>", methods=["GET", "POST"])
@roles_required(roles.AUTHOR_COURSES)
def edit_course(slug: str | None):
    course = _managed_or_404(services.course_by_slug(slug, with_modules=True)) if slug else None
    form = CourseForm(obj=course)
    covers = services.cover_choices(course.id) if course else []
    form.offer_covers(covers)
    form.showing(services.course_values(course) if course else None)
    if request.method == "GET" and course:
        form.status.data = course.status.value
        if covers:
            form.cover_path.data = course.cover_path or ""
    if form.validate_on_submit():
        try:
            saved = services.save_course(form.data, course.id if course else None,
                                         author_id=current_user.id if current_user.role == Role.TRAINER else None,
                                         actor_id=current_user.id)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            flash(_("The course has been saved."), "success")
            return redirect(url_for(".edit_course", slug=saved.slug))
    return render_template("courses/course_form.html", form=form, course=course,
                           editor=sync.edited_by(course) if course else None,
                           waiting=sync.files_waiting(course) if course else None, moved=moved_item(request.args))


@bp.route("/manage/courses/<slug>/modules/new", methods=["GET", "POST"], defaults={"module_id": None})
@bp.route("/manage/courses/<slug>/modules/<int:module_id>", methods=["GET", "POST"])
@roles_required(roles.AUTHOR_COURSES)
def edit_module(slug: str, module_id: int | None):
    course = _managed_or_404(services.course_by_slug(slug))
    module = db.get_or_404(Module, module_id) if module_id else None
    if module and module.course_id != course.id:
        abort(404)
    form = ModuleForm(obj=module)
    form.showing(services.module_values(module) if module else None)
    preview = None
    if form.validate_on_submit():
        if form.preview.data:
            preview = {"ar": services.preview_markdown(form.body_ar.data, slug),
                       "en": services.preview_markdown(form.body_en.data or "", slug)}
        else:
            try:
                saved = services.save_module(course.id, form.data, module_id, actor_id=current_user.id)
            except ValidationError as error:
                show_service_errors(form, error)
            else:
                flash(_("The module has been saved."), "success")
                return redirect(url_for(".edit_module", slug=slug, module_id=saved.id))
    return render_template("courses/module_form.html", form=form, course=course, module=module, preview=preview,
                           delete_form=DeleteModuleForm() if module else None,
                           warnings=_what_the_text_misses(course.id, form.body_ar.data, form.body_en.data))


def _what_the_text_misses(course_id: int, *texts: str | None) -> list[str]:
    """Said, not refused (the files may be added next), each time the page shows the text, opened or sent: a file
    removed from the Files page leaves a module pointing at nothing."""
    warnings = []
    if missing := services.missing_files(course_id, *texts):
        warnings.append(_("This module points at files the course does not have: %(files)s. Learners will find them "
                          "missing until they are added on the course's Files page.", files=log.list_text(missing)))
    if images := uploads.undescribed_images(*texts):
        warnings.append(_("No description between the square brackets of %(files)s: a screen reader says nothing of "
                          "the picture. Write there what it shows.",
                          files=log.list_text([isolated(image) for image in images])))
    if words := uploads.placeholders_in(*texts):
        warnings.append(_("Write what the picture shows, or the document's title, in place of %(words)s: learners "
                          "read it, and a screen reader says it for the picture.", words=log.list_text(words)))
    return warnings


def _module_of(slug: str, module_id: int):
    course = _managed_or_404(services.course_by_slug(slug, with_modules=True))
    module = next((m for m in course.modules if m.id == module_id), None)
    if module is None:
        abort(404)
    return course, module


@bp.post("/manage/courses/<slug>/modules/<int:module_id>/move")
@roles_required(roles.AUTHOR_COURSES)
def move_module(slug: str, module_id: int):
    """The keyboard (and no-script) way to reorder: one step up or down, then back on the moved module."""
    course, module = _module_of(slug, module_id)
    direction = "up" if request.form.get("direction") == "up" else "down"
    position = services.move_module(course.id, module_id, -1 if direction == "up" else 1, actor_id=current_user.id)
    flash(moved_text(pick_language(module, "title"), position), "success")
    # No #fragment: a page opened at a fragment ignores `autofocus`, which brings the focus back to the button.
    return redirect(url_for(".edit_course", slug=slug, moved=module_id, direction=direction))


@bp.post("/manage/courses/<slug>/modules/order")
@roles_required(roles.AUTHOR_COURSES)
def reorder_modules(slug: str):
    """Drag and drop: the whole new order in one request, answered in JSON."""
    course = _managed_or_404(services.course_by_slug(slug))
    ids = ordered_ids(request.get_json(silent=True))
    if ids is None:
        return order_error(_("The new order could not be read."))
    try:
        services.reorder_modules(course.id, ids, actor_id=current_user.id)
    except ValidationError as error:
        return order_error(" ".join(str(m) for m in error.errors.values()), 409)
    return jsonify(ids=ids)


@bp.post("/manage/courses/<slug>/modules/<int:module_id>/delete")
@roles_required(roles.AUTHOR_COURSES)
def delete_module(slug: str, module_id: int):
    course, _module = _module_of(slug, module_id)
    form = DeleteModuleForm()
    if not form.validate_on_submit():
        flash(_("Tick the box to confirm that the module and learners' progress on it will be removed."), "error")
        return redirect(url_for(".edit_module", slug=slug, module_id=module_id))
    services.delete_module(course.id, module_id, actor_id=current_user.id)
    flash(_("The module has been deleted."), "success")
    return redirect(url_for(".edit_course", slug=slug, _anchor="modules"))


@bp.route("/manage/courses/<slug>/files", methods=["GET", "POST"])
@roles_required(roles.AUTHOR_COURSES)
def files(slug: str):
    """The images and documents the course's modules show: add, replace, see where each is used, remove."""
    course = _managed_or_404(services.course_by_slug(slug))
    form = CourseFileForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            path = uploads.add_file(course.id, upload.filename or "", upload.read(), replace=form.replace.data,
                                    actor_id=current_user.id)
        except LookupError:  # the course went meanwhile
            abort(404)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            flash(_("The file has been saved as %(path)s.", path=isolated(path)), "success")
            return redirect(url_for(".files", slug=slug))
    return render_template("courses/files.html", course=course, form=form, files=uploads.course_files(course),
                           remove_form=RemoveFileForm(), editor=sync.edited_by(course),
                           waiting=sync.files_waiting(course))


@bp.post("/manage/courses/<slug>/files/remove")
@roles_required(roles.AUTHOR_COURSES)
def remove_file(slug: str):
    course = _managed_or_404(services.course_by_slug(slug))
    form, path = RemoveFileForm(), request.form.get("path", "")
    form.validate_on_submit()  # CSRF is checked before the view; the box is optional
    try:
        uploads.remove_file(course.id, path, confirmed=form.confirm.data, actor_id=current_user.id)
    except LookupError:
        abort(404)
    except ValidationError as error:
        show_service_errors(form, error)
    else:
        flash(_("The file %(path)s has been removed.", path=isolated(path)), "success")
    return redirect(url_for(".files", slug=slug))


@bp.get("/manage/courses/<slug>/log", endpoint="log")
@roles_required(roles.AUTHOR_COURSES)
def log_page(slug: str):
    course = _managed_or_404(services.course_by_slug(slug))
    return render_template("courses/log.html", course=course, lines=log.course_log(course.id))


@bp.get("/manage/courses/<slug>/export.zip")
@roles_required(roles.AUTHOR_COURSES)
def export_folder(slug: str):
    """The course as its folder of files, zipped: unpack it into courses/ and commit it to keep web edits."""
    course = _managed_or_404(services.course_by_slug(slug, with_bodies=True, with_settings=True))
    response = current_app.response_class(sync.export_zip(course), mimetype="application/zip")
    response.headers["Content-Disposition"] = f"attachment; filename={course.slug}.zip"
    response.headers["Cache-Control"] = "no-store"  # the question bank holds the key
    return response
