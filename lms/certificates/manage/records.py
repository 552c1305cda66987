"""Finding certificates, one certificate's page and log, revoking, reissuing, and the expiry list."""
import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from lms.accounts import roles
from lms.accounts.models import Center
from lms.accounts.scope import scope_of
from lms.certificates import printroom, revocation, services
from lms.certificates.codes import grouped
from lms.certificates.forms import BatchForm, ReasonForm, ReissueForm, SearchForm, choices
from lms.certificates.models import Certificate
from lms.certificates.texts import consequence_text
from lms.core.forms import show_service_errors
from lms.core.i18n import _, pick_language
from lms.core.models import ValidationError
from lms.core.security import roles_required
from lms.core.web import page_arg
from lms.courses.models import Course
from lms.extensions import db

bp = Blueprint("certificates_manage", __name__, url_prefix="/manage/certificates")

EXPIRY_DAYS = (30, 60, 90, 180)


def search_form_from_query() -> SearchForm:
    form = SearchForm(request.args)
    form.center.choices = choices({"": _("Every center")} | {
        center.code: pick_language(center, "name") for center in db.session.scalars(
            sa.select(Center).where(scope_of(current_user).centers()).order_by(Center.code))})
    form.course.choices = choices({"": _("Every course")} | {
        str(course.id): pick_language(course, "title") for course in db.session.scalars(
            sa.select(Course).order_by(Course.slug))})
    form.validate()  # only to read the dates; a bad one is shown beside its field and ignored
    return form


@bp.get("")
@roles_required(roles.MANAGE_CERTIFICATES)
def search():
    form = search_form_from_query()
    page = page_arg(request.args)
    total, rows = printroom.search(form.criteria(scope_of(current_user)), page)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("certificates/manage/search.html", form=form, rows=rows, total=total, page=page,
                           per_page=printroom.PER_PAGE, args=args, grouped=grouped, batch_form=BatchForm(),
                           may_change_look=scope_of(current_user).is_everything)  # appearance's own rule



def _certificate_or_404(certificate_id: int) -> Certificate:
    """A certificate whose holder is outside the viewer's scope does not exist for them."""
    certificate = db.get_or_404(Certificate, certificate_id)
    if not services.may_download(certificate, current_user):
        abort(404)
    return certificate


def _show(certificate: Certificate, revoke_form=None, reissue_form=None, status: int = 200):
    return render_template("certificates/manage/show.html", certificate=certificate, grouped=grouped,
                           events=printroom.history(certificate.id), prints=printroom.print_record(certificate.id),
                           consequences=consequence_text(revocation.consequences(certificate)),
                           revoke_form=revoke_form or ReasonForm(prefix="revoke"),
                           reissue_form=reissue_form or ReissueForm(prefix="reissue")), status


@bp.get("/<int:certificate_id>")
@roles_required(roles.MANAGE_CERTIFICATES)
def show(certificate_id: int):
    return _show(_certificate_or_404(certificate_id))


@bp.post("/<int:certificate_id>/revocation")
@roles_required(roles.MANAGE_CERTIFICATES)
def revoke(certificate_id: int):
    certificate = _certificate_or_404(certificate_id)
    form = ReasonForm(prefix="revoke")
    if form.validate_on_submit():
        try:
            services.revoke(certificate.id, form.reason.data, current_user.id)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            flash(_("The certificate is revoked. Its code now says so."), "success")
            for path_certificate in services.revoked_with(certificate.id):
                flash(_("The learning path certificate %(serial)s was revoked with it.",
                        serial=path_certificate.serial), "success")
            return redirect(url_for(".show", certificate_id=certificate.id))
    return _show(certificate, revoke_form=form, status=400)


@bp.post("/<int:certificate_id>/reissue")
@roles_required(roles.MANAGE_CERTIFICATES)
def reissue(certificate_id: int):
    certificate = _certificate_or_404(certificate_id)
    form = ReissueForm(prefix="reissue")
    if form.validate_on_submit():
        try:
            new = services.reissue(certificate.id, form.reason.data, current_user.id)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            flash(_("A new certificate was issued; the old one now points to it."), "success")
            return redirect(url_for(".show", certificate_id=new.id))
    return _show(certificate, reissue_form=form, status=400)


@bp.get("/expiry")
@roles_required(roles.MANAGE_CERTIFICATES)
def expiry():
    days = request.args.get("days", 60, type=int)
    days = days if days in EXPIRY_DAYS else 60
    soon, past = printroom.expiring(days, scope=scope_of(current_user))
    return render_template("certificates/manage/expiry.html", soon=soon, past=past, days=days,
                           choices=EXPIRY_DAYS)
