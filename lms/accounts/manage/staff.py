"""The staff screens of HR and center managers: the roster (scoped), its import, one person's record, and the
organisation (districts, job titles, a mobile center's location).

A center manager sees the staff of their technology center, and may deactivate, reactivate and give a new one-time
password to its learners; moving someone to another center or job title, and importing rosters, is HR's.
"""
import csv
import io
import re

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.routing import BuildError

from lms.accounts import roles, roster, roster_files, roster_jobs, services
from lms.accounts.forms import (
    DistrictForm,
    JobTitleForm,
    LocationForm,
    PlacementForm,
    RosterApplyForm,
    RosterUploadForm,
    role_choices,
)
from lms.accounts.models import Center, CenterKind, District, JobTitle, User
from lms.accounts.roster_apply import RosterChanged, apply_roster
from lms.accounts.scope import may_manage, scope_of
from lms.core.forms import show_service_errors
from lms.core.i18n import _, current_locale, pick_language
from lms.core.inputs import parse_int
from lms.core.models import ValidationError, utcnow
from lms.core.security import roles_required
from lms.core.web import page_arg
from lms.extensions import db

bp = Blueprint("staff", __name__, url_prefix="/manage/staff")

PREVIEW_ROWS = 200  # of each list in the preview; the counts are always whole


def _centers_in_scope() -> list[Center]:
    return list(db.session.scalars(sa.select(Center).where(scope_of(current_user).centers()).order_by(Center.code)))


def _person_or_404(user_id: int) -> User:
    person = db.session.get(User, user_id)
    if person is None or not scope_of(current_user).allows(person):
        abort(404)
    return person


@bp.get("/")
@roles_required(roles.MANAGE_STAFF)
def staff_list():
    args = request.args
    filters = {"q": args.get("q", "").strip()[:100], "center": parse_int(args.get("center")),
               "job": parse_int(args.get("job")), "active": args.get("active", "1"),
               "sort": args.get("sort") if args.get("sort") in services.STAFF_SORTS else "name",
               "dir": "desc" if args.get("dir") == "desc" else "asc"}
    active = {"1": True, "0": False}.get(filters["active"])
    page = services.list_staff(scope_of(current_user), filters["q"], filters["center"], filters["job"], active,
                               filters["sort"], filters["dir"] == "desc", page_arg(args))
    return render_template("accounts/staff/list.html", page=page, filters=filters, centers=_centers_in_scope(),
                           job_titles=services.list_job_titles(),
                           may_manage_roster=current_user.role in roles.MANAGE_ROSTER)


@bp.get("/<int:user_id>")
@roles_required(roles.MANAGE_STAFF)
def person(user_id: int):
    person = _person_or_404(user_id)
    try:  # the reports package draws the transcript; staff screens only link to it
        transcript_url = url_for("reports.transcript", user_id=person.id)
    except BuildError:
        transcript_url = None
    return render_template("accounts/staff/person.html", person=person, may_manage=may_manage(current_user, person),
                           may_place=current_user.role in roles.MANAGE_ROSTER and may_manage(current_user, person),
                           transcript_url=transcript_url)


def _manage(user_id: int, action) -> object:
    try:
        return action(current_user.id, user_id)
    except LookupError:
        abort(404)


@bp.post("/<int:user_id>/deactivate")
@roles_required(roles.MANAGE_STAFF)
def deactivate(user_id: int):
    _manage(user_id, lambda viewer, person: services.set_staff_active(viewer, person, False))
    flash(_("The account has been deactivated. Its records and certificates are kept."), "success")
    return redirect(url_for(".person", user_id=user_id))


@bp.post("/<int:user_id>/reactivate")
@roles_required(roles.MANAGE_STAFF)
def reactivate(user_id: int):
    _manage(user_id, lambda viewer, person: services.set_staff_active(viewer, person, True))
    flash(_("The account has been reactivated."), "success")
    return redirect(url_for(".person", user_id=user_id))


@bp.post("/<int:user_id>/password")
@roles_required(roles.MANAGE_STAFF)
def new_password(user_id: int):
    """Shown on this response only: it is not stored in clear, and no page shows it again."""
    password = _manage(user_id, services.new_one_time_password)
    return render_template("accounts/staff/password.html", person=db.session.get(User, user_id), password=password)


@bp.route("/<int:user_id>/placement", methods=["GET", "POST"])
@roles_required(roles.MANAGE_ROSTER)
def placement(user_id: int):
    person = _person_or_404(user_id)
    if not may_manage(current_user, person):
        abort(404)
    form = PlacementForm(obj=person)
    form.showing(services.stored_placement(person))
    form.center_id.choices = [(c.id, f"{c.code} — {pick_language(c, 'name')}") for c in _centers_in_scope()]
    form.job_title_id.choices = [("", _("No job title"))] + [
        (t.id, pick_language(t, "name")) for t in services.list_job_titles()]
    if form.validate_on_submit():
        try:
            services.place_staff(current_user.id, user_id, form.center_id.data, form.job_title_id.data,
                                 form.seen.data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            flash(_("The changes have been saved."), "success")
            return redirect(url_for(".person", user_id=user_id))
    return render_template("accounts/staff/placement.html", person=person, form=form)


# ---------------------------------------------------------------- roster import


def _preview(plan: roster.RosterPlan, apply_form: RosterApplyForm | None, upload: RosterUploadForm, status=200,
             confirmed: list[str] | None = None):
    return render_template("accounts/staff/import.html", upload=upload, plan=plan, apply_form=apply_form,
                           labels=roster_files.field_labels(), limit=PREVIEW_ROWS, confirmed=confirmed or [],
                           role_names=dict(role_choices())), status


@bp.get("/import")
@roles_required(roles.MANAGE_ROSTER)
def roster_import():
    return render_template("accounts/staff/import.html", upload=RosterUploadForm(), plan=None, apply_form=None,
                           labels=roster_files.field_labels(), limit=PREVIEW_ROWS)


@bp.post("/import")
@roles_required(roles.MANAGE_ROSTER)
def roster_preview():
    upload = RosterUploadForm()
    file = upload.file.data
    if not upload.validate_on_submit() or not file or not getattr(file, "filename", ""):
        upload.file.errors = [*upload.file.errors, _("Choose a roster file.")]
        return _preview(None, None, upload, 400)
    with file.stream:
        content = file.stream.read(roster_files.MAX_FILE_BYTES + 1)
    try:
        parsed = roster_files.read_roster(re.split(r"[\\/]", file.filename)[-1], content)
    except roster_files.RosterFileError as error:
        upload.file.errors = [*upload.file.errors, str(error)]
        return _preview(None, None, upload, 400)
    return _planned_preview(parsed, upload.complete.data, upload)


def _planned_preview(parsed: roster_files.Roster, complete: bool, upload: RosterUploadForm, status=200,
                     confirmed: list[str] | None = None):
    """The preview of a file, with the form that applies it when it has changes and no errors; the identity changes
    in `confirmed` stay ticked."""
    plan = roster.plan_roster(parsed, current_user, complete)
    apply_form = None
    if not plan.errors and plan.has_changes:
        apply_form = RosterApplyForm(formdata=None)
        apply_form.payload.data = roster_files.sign_roster(parsed, current_user.id, complete,
                                                           current_app.config["SECRET_KEY"])
    return _preview(plan, apply_form, upload, status, confirmed)


@bp.post("/import/apply")
@roles_required(roles.MANAGE_ROSTER)
def roster_apply():
    form = RosterApplyForm()
    try:
        if not form.validate_on_submit():
            raise ValueError("no payload")
        parsed, complete = roster_files.unsign_roster(form.payload.data, current_user.id,
                                                      current_app.config["SECRET_KEY"])
    except ValueError:
        flash(_("This preview could not be checked. Please upload the file again."), "error")
        return _preview(None, None, RosterUploadForm(formdata=None), 400)
    confirmed = [token for token in form.confirm.data or [] if len(token) <= 40][:100_000]
    if len(parsed.rows) > current_app.config["LMS_ROSTER_JOB_ROWS"]:
        job = roster_jobs.queue_import(parsed, complete, current_user.id, current_locale(), confirmed)
        return redirect(url_for(".roster_job", job_id=job.id))
    try:
        result = apply_roster(parsed, current_user.id, complete, set(confirmed))
    except roster.RosterRejected as rejected:
        flash(_("Nothing was changed: the data changed since the preview. Correct the rows below and upload the "
                "file again."), "error")
        return _preview(rejected.plan, None, RosterUploadForm(formdata=None), 409)
    except RosterChanged:
        flash(_("Nothing was changed: some of these staff were changed by someone else while the roster was being "
                "applied. Check the new preview below and apply it again."), "error")
        return _planned_preview(parsed, complete, RosterUploadForm(formdata=None), 409, confirmed)
    return render_template("accounts/staff/result.html", result=result, labels=roster_files.field_labels())


def _job_or_404(job_id: int):
    job = roster_jobs.visible_job(job_id, current_user)
    if job is None:
        abort(404)
    return job


@bp.get("/import/jobs/<int:job_id>")
@roles_required(roles.MANAGE_ROSTER)
def roster_job(job_id: int):
    """A large roster's progress, then what it changed and its slips (a background job)."""
    job = _job_or_404(job_id)
    return render_template("accounts/staff/import_job.html", job=job, is_uploader=job.created_by_id == current_user.id,
                           slips_kept=roster_jobs.slips_kept(job, utcnow()), labels=roster_files.field_labels())


@bp.get("/import/jobs/<int:job_id>/slips")
@roles_required(roles.MANAGE_ROSTER)
def roster_job_slips(job_id: int):
    """The one-time password slips of a large roster's new accounts: the uploader's only, until they are printed."""
    job = _job_or_404(job_id)
    slips = roster_jobs.job_slips(job.id, current_user.id, utcnow())
    if slips is None:
        abort(404)
    return render_template("accounts/staff/import_slips.html", job=job, slips=slips)


@bp.post("/import/jobs/<int:job_id>/slips/erase")
@roles_required(roles.MANAGE_ROSTER)
def roster_job_erase_slips(job_id: int):
    job = _job_or_404(job_id)
    roster_jobs.erase_slips(job.id, current_user.id, utcnow())
    flash(_("The slips have been erased. Only the passwords' hashes are kept."), "success")
    return redirect(url_for(".roster_job", job_id=job.id))


@bp.get("/import/template.csv")
@roles_required(roles.MANAGE_ROSTER)
def roster_template():
    """The columns HR fills in, headed in the reader's language (the import reads both); UTF-8 with BOM so that
    Excel shows the Arabic."""
    names = roster_files.TEMPLATE_HEADERS if current_locale() == "ar" else roster_files.field_labels()
    out = io.StringIO()
    csv.writer(out).writerow(names[f] for f in roster_files.FIELDS)
    response = current_app.response_class("\ufeff" + out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = "attachment; filename=staff-roster-template.csv"
    return response


# ---------------------------------------------------------------- organisation


@bp.route("/districts", methods=["GET", "POST"], defaults={"district_id": None})
@bp.route("/districts/<int:district_id>", methods=["GET", "POST"])
@roles_required(roles.MANAGE_ROSTER)
def districts(district_id: int | None):
    scope = scope_of(current_user)
    district = None
    if district_id is not None:
        district = db.session.get(District, district_id)
        if district is None or scope.governorate_id not in (None, district.governorate_id):
            abort(404)
    form = DistrictForm(obj=district)
    governorates = [g for g in services.list_governorates()
                    if scope.governorate_id is None or g.id == scope.governorate_id]
    form.governorate_id.choices = [(g.id, pick_language(g, "name")) for g in governorates]
    if form.validate_on_submit():
        try:
            services.save_district(form.data, district_id)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            flash(_("The district has been saved."), "success")
            return redirect(url_for(".districts"))
    return render_template("accounts/staff/districts.html", form=form, district=district,
                           districts=services.list_districts(scope))


@bp.route("/job-titles", methods=["GET", "POST"], defaults={"job_title_id": None})
@bp.route("/job-titles/<int:job_title_id>", methods=["GET", "POST"])
@roles_required(roles.MANAGE_ROSTER)
def job_titles(job_title_id: int | None):
    """One list for the whole country, so that "every window clerk" means the same people in every report: HR of
    one governorate may add a job title, but renaming one changes every governorate's reports (HR of all only)."""
    may_rename = scope_of(current_user).is_everything
    if job_title_id is not None and not may_rename:
        abort(403)
    title = db.get_or_404(JobTitle, job_title_id) if job_title_id is not None else None
    form = JobTitleForm(obj=title)
    if form.validate_on_submit():
        try:
            services.save_job_title(form.data, job_title_id)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            flash(_("The job title has been saved."), "success")
            return redirect(url_for(".job_titles"))
    return render_template("accounts/staff/job_titles.html", form=form, title=title, titles=services.list_job_titles(),
                           may_rename=may_rename)


@bp.route("/center-location", methods=["GET", "POST"])
@roles_required(roles.LOCATE_MOBILE_CENTER)
def center_location():
    """The manager of a mobile technology center says where it stands today."""
    center = current_user.center
    if center is None or center.kind != CenterKind.MOBILE:
        abort(404)
    form = LocationForm(obj=center)
    if form.validate_on_submit():
        services.update_center_location(center.id, form.location.data)
        flash(_("The location has been saved."), "success")
        return redirect(url_for(".center_location"))
    return render_template("accounts/staff/location.html", form=form, center=center)
