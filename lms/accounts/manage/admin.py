"""Administration of people and places (/admin): user accounts and technology centers."""
from flask import Blueprint, flash, redirect, render_template, request, url_for

from lms.accounts import roles, services
from lms.accounts.forms import CenterForm, GovernorateForm, UserForm
from lms.accounts.models import Center, User
from lms.core.forms import show_service_errors
from lms.core.i18n import _, pick_language
from lms.core.models import ValidationError
from lms.core.security import roles_required
from lms.core.web import page_arg
from lms.extensions import db

bp = Blueprint("admin", __name__)


def _fill_choices(form: UserForm) -> None:
    form.center_id.choices = [("", _("No technology center"))] + [
        (c.id, f"{c.code} — {pick_language(c, 'name')}") for c in services.list_centers()]
    form.job_title_id.choices = [("", _("No job title"))] + [
        (t.id, pick_language(t, "name")) for t in services.list_job_titles()]
    form.scope_governorate_id.choices = [("", _("Every governorate"))] + [
        (g.id, pick_language(g, "name")) for g in services.list_governorates()]


@bp.get("/admin/users")
@roles_required(roles.ADMINISTER)
def users():
    page = services.list_users(request.args.get("q", ""), page_arg(request.args))
    return render_template("accounts/users.html", page=page, q=request.args.get("q", ""))


@bp.route("/admin/users/new", methods=["GET", "POST"])
@roles_required(roles.ADMINISTER)
def new_user():
    form = UserForm()
    _fill_choices(form)
    valid = form.validate_on_submit()
    if request.method == "POST" and not form.password.data:  # said with the other fields' errors, not after them
        form.password.errors = [*form.password.errors, _("A new account needs a password.")]
        valid = False
    if valid:
        try:
            user = services.create_user(form.data, form.password.data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            flash(_("The account has been created."), "success")
            return redirect(url_for(".edit_user", user_id=user.id))
    return render_template("accounts/user_form.html", form=form, user=None)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(roles.ADMINISTER)
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user)
    form.showing(services.stored_user(user))
    form.password.description = UserForm.KEEP_PASSWORD
    _fill_choices(form)
    if form.validate_on_submit():
        try:
            services.update_user(user_id, form.data, form.password.data or None)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            flash(_("The changes have been saved."), "success")
            return redirect(url_for(".edit_user", user_id=user_id))
    return render_template("accounts/user_form.html", form=form, user=user)


@bp.route("/admin/centers", methods=["GET", "POST"])
@roles_required(roles.ADMINISTER)
def centers():
    governorate_form = GovernorateForm(prefix="gov")
    if governorate_form.validate_on_submit():
        d = governorate_form.data
        services.save_governorate(d["code"], d["name_ar"], d["name_en"])
        flash(_("The governorate has been saved."), "success")
        return redirect(url_for(".centers"))
    return render_template("accounts/centers.html", centers=services.list_centers(),
                           governorates=services.list_governorates(), governorate_form=governorate_form)


@bp.route("/admin/centers/new", methods=["GET", "POST"], defaults={"center_id": None})
@bp.route("/admin/centers/<int:center_id>", methods=["GET", "POST"])
@roles_required(roles.ADMINISTER)
def edit_center(center_id: int | None):
    center = db.get_or_404(Center, center_id) if center_id is not None else None
    form = CenterForm(obj=center)
    form.governorate_id.choices = [(g.id, pick_language(g, "name")) for g in services.list_governorates()]
    form.district_id.choices = [("", _("No district"))] + [
        (d.id, f"{pick_language(d.governorate, 'name')} — {pick_language(d, 'name')}")
        for d in services.list_districts()]
    if form.validate_on_submit():
        try:
            services.save_center(form.data, center_id)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            flash(_("The technology center has been saved."), "success")
            return redirect(url_for(".centers"))
    return render_template("accounts/center_form.html", form=form, center=center)
