"""Staff screens under /manage: assigning courses and learning paths (HR, center managers, admins), authoring
learning paths, and following the progress of learners."""
import sqlalchemy as sa
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from lms.accounts import roles
from lms.accounts.models import Center, District, Governorate, JobTitle
from lms.accounts.roles import Role
from lms.accounts.scope import EVERYTHING, scope_of
from lms.core.forms import show_service_errors
from lms.core.i18n import _, list_text, ngettext, pick_language
from lms.core.inputs import parse_int
from lms.core.models import ValidationError, utcnow
from lms.core.reorder import moved_item, moved_text, order_error, ordered_ids
from lms.core.security import roles_required
from lms.core.web import page_arg
from lms.courses.models import Course, CourseStatus
from lms.courses.services import course_by_slug, managed_courses, may_manage
from lms.extensions import db
from lms.progress import assignments as service
from lms.progress import paths, services
from lms.progress.forms import AssignmentForm, PathForm
from lms.progress.models import LearningPath, PathStatus
from lms.progress.status import TrainingStatus

bp = Blueprint("progress_manage", __name__, url_prefix="/manage")

PER_PAGE = 50


def _page() -> int:
    return page_arg(request.args)


@bp.app_template_global()
def training_status_label(status: str) -> str:
    return {TrainingStatus.NOT_STARTED.value: _("Not started"), TrainingStatus.IN_PROGRESS.value: _("In progress"),
            TrainingStatus.COMPLETED.value: _("Completed"), TrainingStatus.OVERDUE.value: _("Overdue")}.get(
        status, status)


# -- assignments ----------------------------------------------------------------------------------------------

@bp.get("/assignments")
@roles_required(roles.ASSIGN_TRAINING)
def index():
    page = _page()
    total, items = service.list_assignments(current_user, page=page, per_page=PER_PAGE)
    counts = service.status_counts([a.id for a in items], current_user)
    return render_template("progress/assignments/index.html", items=items, counts=counts, total=total, page=page,
                           per_page=PER_PAGE, statuses=list(TrainingStatus))


def _fill_choices(form: AssignmentForm) -> None:
    scope = scope_of(current_user)
    courses = db.session.scalars(sa.select(Course).where(Course.status == CourseStatus.PUBLISHED)
                                 .order_by(Course.title_ar))
    learning_paths = db.session.scalars(sa.select(LearningPath).where(LearningPath.status == PathStatus.PUBLISHED)
                                        .order_by(LearningPath.title_ar))
    form.target.choices = [("", _("Choose…"))] + [
        (f"course-{c.id}", _("Course: %(title)s", title=pick_language(c, "title"))) for c in courses] + [
        (f"path-{p.id}", _("Learning path: %(title)s", title=pick_language(p, "title"))) for p in learning_paths]
    form.governorates.choices = [(g.id, pick_language(g, "name")) for g in db.session.scalars(
        sa.select(Governorate).where(scope.governorates(Governorate.id)).order_by(Governorate.code))]
    districts = sa.select(District).where(scope.governorates(District.governorate_id))
    if scope.center_id is not None:  # a center manager: their center's district only, as in the reports' filters
        districts = districts.where(District.id == sa.select(Center.district_id).where(
            Center.id == scope.center_id).scalar_subquery())
    form.districts.choices = [(d.id, pick_language(d, "name")) for d in db.session.scalars(
        districts.order_by(District.name_ar))]
    form.centers.choices = [(c.id, f"{c.code} — {pick_language(c, 'name')}") for c in db.session.scalars(
        sa.select(Center).where(scope.centers()).order_by(Center.code))]
    form.job_titles.choices = [(t.id, pick_language(t, "name")) for t in db.session.scalars(
        sa.select(JobTitle).order_by(JobTitle.name_ar))]


def _audience(form: AssignmentForm) -> dict:
    if form.audience_type.data == "people":
        ids, unknown = service.people_by_employee_numbers(form.employee_number_list(), current_user)
        if unknown:
            raise ValidationError({"employee_numbers": _(
                "These employee numbers are not staff you manage: %(numbers)s", numbers=", ".join(unknown[:20]))})
        if not ids:
            raise ValidationError({"employee_numbers": _("Name at least one person.")})
        return {"users": ids}
    return {"governorates": form.governorates.data or [], "districts": form.districts.data or [],
            "centers": form.centers.data or [], "center_kind": form.center_kind.data or None,
            "job_titles": form.job_titles.data or []}


@bp.route("/assignments/new", methods=["GET", "POST"])
@roles_required(roles.ASSIGN_TRAINING)
def new():
    form = AssignmentForm()
    _fill_choices(form)
    if form.validate_on_submit():
        kind, _sep, ident = (form.target.data or "").partition("-")
        target = {"course_id": int(ident)} if kind == "course" else {"path_id": int(ident)}
        try:
            assignment = service.create_assignment(current_user, audience=_audience(form), **target, **form.due())
        except ValidationError as error:
            error.errors = {("target" if k in ("course", "path") else k): v for k, v in error.errors.items()}
            show_service_errors(form, error)
        else:
            flash(_("The assignment has been saved and its people enrolled."), "success")
            return redirect(url_for(".show", assignment_id=assignment.id))
    return render_template("progress/assignments/new.html", form=form)


def _assignment_or_404(assignment_id: int):
    try:
        return service.assignment_for(assignment_id, current_user)
    except LookupError:
        abort(404)


@bp.get("/assignments/<int:assignment_id>")
@roles_required(roles.ASSIGN_TRAINING)
def show(assignment_id: int):
    assignment = _assignment_or_404(assignment_id)
    sort = request.args.get("sort", "name")
    sort = sort if sort in service.MEMBER_SORTS else "name"
    descending = request.args.get("dir") == "desc"
    status = request.args.get("status") or None
    status = status if status in {s.value for s in TrainingStatus} else None
    page = _page()
    now = utcnow()
    total, members = service.members_page(assignment, current_user, page=page, per_page=PER_PAGE, sort=sort,
                                          descending=descending, status=status, now=now)
    counts = service.status_counts([assignment.id], current_user, now)[assignment.id]
    return render_template("progress/assignments/show.html", assignment=assignment, members=members, total=total,
                           page=page, per_page=PER_PAGE, sort=sort, descending=descending, status=status,
                           counts=counts, statuses=list(TrainingStatus), audience=describe(assignment.audience),
                           may_withdraw=service.may_manage(assignment, current_user))


@bp.post("/assignments/<int:assignment_id>/withdrawal")
@roles_required(roles.ASSIGN_TRAINING)
def withdraw(assignment_id: int):
    try:
        service.withdraw(assignment_id, current_user)
    except LookupError:
        abort(404)
    flash(_("The assignment has been withdrawn: nobody new will join it."), "success")
    return redirect(url_for(".show", assignment_id=assignment_id))


def describe(audience: dict) -> list[tuple[str, str]]:
    """The audience in words, part by part (a few small look-ups)."""
    audience = audience or {}
    if "users" in audience:
        count = len(audience["users"])
        return [(_("People"), ngettext("%(num)s named person", "%(num)s named people", count))]
    parts = []
    for key, label, model in (("governorates", _("Governorates"), Governorate), ("districts", _("Districts"), District),
                              ("centers", _("Technology centers"), Center), ("job_titles", _("Job titles"), JobTitle)):
        if audience.get(key):
            names = db.session.scalars(sa.select(model).where(model.id.in_(audience[key])))
            parts.append((label, list_text(pick_language(n, "name") for n in names)))
    if audience.get("center_kind"):
        parts.append((_("Kind of technology center"), _("Fixed technology center") if audience["center_kind"] == "fixed"
                      else _("Mobile technology center")))
    if not parts:
        parts.append((_("Rule"), _("Everyone")))
    return parts


# -- learning paths (authoring) -------------------------------------------------------------------------------

@bp.get("/paths")
@roles_required(roles.MANAGE_PATHS)
def path_list():
    listed = paths.list_paths()
    editable = {path.id for path in listed if paths.may_edit(path, current_user)}
    return render_template("progress/assignments/paths.html", paths=listed, editable=editable)


def _positions(courses) -> tuple[dict[int, str], list[int], str | None]:
    """What was typed in each course's position box, and the chosen course ids in order."""
    typed, chosen, error = {}, [], None
    for course in courses:
        text = (request.form.get(f"position-{course.id}") or "").strip()
        typed[course.id] = text
        if text:
            number = parse_int(text)
            if number is None:
                error = _("Positions are whole numbers.")
                continue
            chosen.append((number, course.id))
    return typed, [course_id for _n, course_id in sorted(chosen)], error


@bp.route("/paths/new", methods=["GET", "POST"], defaults={"path_id": None})
@bp.route("/paths/<int:path_id>", methods=["GET", "POST"])
@roles_required(roles.MANAGE_PATHS)
def edit_path(path_id: int | None):
    path = db.get_or_404(LearningPath, path_id) if path_id is not None else None
    if not paths.may_edit(path, current_user):
        abort(404)
    form = PathForm(obj=path)
    form.showing(paths.stored_path(path) if path is not None else None)
    if path is not None and request.method == "GET":
        form.validity_months.data = str(path.validity_months)
        form.status.data = path.status.value
    courses = list(db.session.scalars(sa.select(Course).order_by(Course.title_ar)))
    typed = {s.course_id: str(s.position) for s in path.steps} if path is not None else {}
    if request.method == "POST":
        typed, course_ids, position_error = _positions(courses)
        if form.validate_on_submit():
            if position_error:
                flash(position_error, "error")
            else:
                try:
                    saved = paths.save_path(form.values(), course_ids, current_user, path_id)
                except ValidationError as error:
                    show_service_errors(form, error)
                except LookupError:
                    abort(404)
                else:
                    flash(_("The learning path has been saved."), "success")
                    return redirect(url_for(".edit_path", path_id=saved.id))
    return render_template("progress/assignments/path_form.html", form=form, path=path, courses=courses, typed=typed,
                           moved=moved_item(request.args))


def _editable_path_or_404(path_id: int) -> LearningPath:
    path = db.get_or_404(LearningPath, path_id)
    if not paths.may_edit(path, current_user):
        abort(404)
    return path


@bp.post("/paths/<int:path_id>/courses/<int:course_id>/move")
@roles_required(roles.MANAGE_PATHS)
def move_path_course(path_id: int, course_id: int):
    """The keyboard (and no-script) way to reorder a path's courses: one step, then back on the moved course."""
    _editable_path_or_404(path_id)
    course = db.get_or_404(Course, course_id)
    direction = "up" if request.form.get("direction") == "up" else "down"
    try:
        position = paths.move_path_course(path_id, course_id, -1 if direction == "up" else 1, current_user)
    except LookupError:
        abort(404)
    flash(moved_text(pick_language(course, "title"), position), "success")
    # No #fragment: a page opened at a fragment ignores `autofocus`, which brings the focus back to the button.
    return redirect(url_for(".edit_path", path_id=path_id, moved=course_id, direction=direction))


@bp.post("/paths/<int:path_id>/courses/order")
@roles_required(roles.MANAGE_PATHS)
def reorder_path_courses(path_id: int):
    """Drag and drop: the whole new order of the path's courses in one request, answered in JSON."""
    _editable_path_or_404(path_id)
    ids = ordered_ids(request.get_json(silent=True))
    if ids is None:
        return order_error(_("The new order could not be read."))
    try:
        paths.reorder_path_courses(path_id, ids, current_user)
    except ValidationError as error:
        return order_error(" ".join(str(m) for m in error.errors.values()), 409)
    except LookupError:
        abort(404)
    return jsonify(ids=ids)


# -- following progress -------------------------------------------------------------------------------------

def _viewer_scope():
    """Trainers follow every learner of the courses they manage; HR and center managers the staff in their scope."""
    return EVERYTHING if current_user.role == Role.TRAINER else scope_of(current_user)


@bp.get("/progress")
@roles_required(roles.FOLLOW_PROGRESS)
def staff_courses():
    courses = managed_courses(current_user) if current_user.role == Role.TRAINER else None
    return render_template("progress/staff_courses.html",
                           rows=services.enrolment_counts(_viewer_scope(), courses))


@bp.get("/courses/<slug>/progress")
@roles_required(roles.FOLLOW_PROGRESS)
def course_table(slug: str):
    course = course_by_slug(slug)
    if course is None or (current_user.role == Role.TRAINER and not may_manage(course, current_user)):
        abort(404)
    page = page_arg(request.args)
    total, rows = services.progress_table(course, page, scope=_viewer_scope())
    return render_template("progress/course_table.html", course=course, rows=rows, total=total, page=page,
                           per_page=50)
