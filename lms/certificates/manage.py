"""HR's print room: search, one certificate's page and log, revoke, reissue, and the expiry list."""
import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from lms.accounts.models import Center
from lms.certificates import batches, look, printroom, services
from lms.certificates.codes import grouped
from lms.certificates.designs import load_design
from lms.certificates.forms import (
    BatchForm,
    HandOverForm,
    LookForm,
    ReasonForm,
    ReissueForm,
    SearchForm,
    choices,
    course_languages_form,
)
from lms.certificates.issuing import DEFAULT_DESIGN
from lms.certificates.models import BatchStatus, Certificate, PrintBatch
from lms.certificates.routes import pdf_response
from lms.core.forms import show_service_errors
from lms.core.i18n import _, pick_language
from lms.core.models import ValidationError
from lms.core.security import roles_required
from lms.courses.models import Course
from lms.extensions import db

bp = Blueprint("certificates_manage", __name__, url_prefix="/manage/certificates")
EXPIRY_DAYS = (30, 60, 90, 180)


def _search_form() -> SearchForm:
    form = SearchForm(request.args)
    form.center.choices = choices({"": _("Every center")} | {
        center.code: pick_language(center, "name") for center in db.session.scalars(
            sa.select(Center).order_by(Center.code))})
    form.course.choices = choices({"": _("Every course")} | {
        str(course.id): pick_language(course, "title") for course in db.session.scalars(
            sa.select(Course).order_by(Course.slug))})
    form.validate()  # only to read the dates; a bad one is shown beside its field and ignored
    return form


@bp.get("")
@roles_required("hr")
def search():
    form = _search_form()
    page = request.args.get("page", 1, type=int)
    total, rows = printroom.search(form.criteria(), page)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("certificates/manage/search.html", form=form, rows=rows, total=total, page=page,
                           per_page=printroom.PER_PAGE, args=args, grouped=grouped, batch_form=BatchForm())


def _certificate_or_404(certificate_id: int) -> Certificate:
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None:
        abort(404)
    return certificate


@bp.get("/<int:certificate_id>")
@roles_required("hr")
def show(certificate_id: int):
    certificate = _certificate_or_404(certificate_id)
    return render_template("certificates/manage/show.html", certificate=certificate, grouped=grouped,
                           events=printroom.history(certificate.id), revoke_form=ReasonForm(prefix="revoke"),
                           reissue_form=ReissueForm(prefix="reissue"))


@bp.post("/<int:certificate_id>/revocation")
@roles_required("hr")
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
            return redirect(url_for(".show", certificate_id=certificate.id))
    return render_template("certificates/manage/show.html", certificate=certificate, grouped=grouped,
                           events=printroom.history(certificate.id), revoke_form=form,
                           reissue_form=ReissueForm(prefix="reissue")), 400


@bp.post("/<int:certificate_id>/reissue")
@roles_required("hr")
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
    return render_template("certificates/manage/show.html", certificate=certificate, grouped=grouped,
                           events=printroom.history(certificate.id), revoke_form=ReasonForm(prefix="revoke"),
                           reissue_form=form), 400


@bp.get("/expiry")
@roles_required("hr")
def expiry():
    days = request.args.get("days", 60, type=int)
    days = days if days in EXPIRY_DAYS else 60
    soon, past = printroom.expiring(days)
    return render_template("certificates/manage/expiry.html", soon=soon, past=past, days=days,
                           choices=EXPIRY_DAYS)


# -- bulk printing and the print log ----------------------------------------------------------------------------

def _describe(form: SearchForm) -> str:
    """The search, in words, for the print log."""
    parts = []
    for field in form:
        if field.data and not field.errors:
            shown = (next((str(c.label) for c in field.choices if c.value == field.data), field.data)
                     if field.type == "SelectField" else field.data)
            parts.append(f"{field.label.text}: {shown}")
    return "; ".join(parts) or _("Every certificate")


@bp.post("/batches")
@roles_required("hr")
def create_batch():
    search_form, form = _search_form(), BatchForm()
    if form.validate_on_submit():
        try:
            batch = batches.create_batch(search_form.criteria(), form.language.data, current_user.id,
                                         _describe(search_form))
        except ValidationError as error:
            for message in error.errors.values():
                flash(message, "error")
        else:
            return redirect(url_for(".batch", batch_id=batch.id))
    return redirect(url_for(".search", **request.args))


@bp.get("/batches")
@roles_required("hr")
def batch_list():
    return render_template("certificates/manage/batches.html", batches=batches.recent_batches())


def _batch_or_404(batch_id: int) -> PrintBatch:
    batch = db.session.get(PrintBatch, batch_id)
    if batch is None:
        abort(404)
    return batch


@bp.get("/batches/<int:batch_id>")
@roles_required("hr")
def batch(batch_id: int):
    batch = _batch_or_404(batch_id)
    return render_template("certificates/manage/batch.html", batch=batch, hand_over_form=HandOverForm(),
                           running=batch.status in (BatchStatus.QUEUED, BatchStatus.RUNNING))


@bp.get("/batches/<int:batch_id>.pdf")
@roles_required("hr")
def batch_download(batch_id: int):
    batch = _batch_or_404(batch_id)
    content = batches.batch_pdf(batch.id)
    if content is None:
        abort(404)
    return pdf_response(content, f"certificates-batch-{batch.id}.pdf")


@bp.post("/batches/<int:batch_id>/printed")
@roles_required("hr")
def batch_printed(batch_id: int):
    _batch_or_404(batch_id)
    try:
        batches.mark_printed(batch_id, current_user.id)
    except ValidationError as error:
        for message in error.errors.values():
            flash(message, "error")
    else:
        flash(_("The batch is marked printed; each certificate's log says so."), "success")
    return redirect(url_for(".batch", batch_id=batch_id))


@bp.post("/batches/<int:batch_id>/handover")
@roles_required("hr")
def batch_handover(batch_id: int):
    batch = _batch_or_404(batch_id)
    form = HandOverForm()
    if form.validate_on_submit():
        try:
            batches.hand_over(batch_id, form.recipient.data, current_user.id)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            flash(_("The hand-over is recorded."), "success")
            return redirect(url_for(".batch", batch_id=batch_id))
    return render_template("certificates/manage/batch.html", batch=batch, hand_over_form=form, running=False), 400


# -- how certificates look --------------------------------------------------------------------------------------

def _look_form() -> LookForm:
    current = look.look_for(load_design(DEFAULT_DESIGN))
    form = LookForm()
    if not form.is_submitted():
        form.authority_ar.data, form.authority_en.data = current.authority.get("ar"), current.authority.get("en")
        form.primary_colour.data = current.colours.get("primary")
        form.accent_colour.data = current.colours.get("accent")
        form.hijri.data = current.hijri
        for entry, signatory in zip(form.signatories, current.signatories, strict=False):
            for lang in ("ar", "en"):
                entry[f"name_{lang}"].data = (signatory.get("name") or {}).get(lang, "")
                entry[f"title_{lang}"].data = (signatory.get("title") or {}).get(lang, "")
    return form


def _languages_form():
    courses = list(db.session.scalars(sa.select(Course).order_by(Course.slug)))
    return courses, course_languages_form(courses, {c.slug: look.course_language(c) for c in courses})


def _settings_page(form: LookForm, languages_form=None, status: int = 200):
    courses, default_languages = _languages_form()
    current = look.look_for(load_design(DEFAULT_DESIGN))
    return render_template("certificates/manage/settings.html", form=form, current=current,
                           languages_form=languages_form or default_languages, courses=courses), status


@bp.get("/settings")
@roles_required("hr")
def settings():
    return _settings_page(_look_form())


def _picture(field, remove: bool, name: str) -> str | None:
    """"" to remove, a data: URL for a new upload, None to keep what is saved."""
    if remove:
        return ""
    upload = field.data
    if upload and getattr(upload, "filename", ""):
        return look.image_data_url(upload.read(), name)
    return None


@bp.post("/settings")
@roles_required("hr")
def save_settings():
    form = _look_form()
    if not form.validate_on_submit():
        return _settings_page(form, status=400)
    try:
        values = {name: form[name].data for name in ("authority_ar", "authority_en", "primary_colour",
                                                     "accent_colour", "hijri")}
        values["logo"] = _picture(form.logo, form.remove_logo.data, "logo")
        values["signatories"] = [
            {"name": {lang: (entry[f"name_{lang}"].data or "").strip() for lang in ("ar", "en")},
             "title": {lang: (entry[f"title_{lang}"].data or "").strip() for lang in ("ar", "en")},
             "signature": _picture(entry.signature, entry.remove_signature.data, "")}
            for entry in form.signatories]
        look.save_look(values, current_user.id)
    except ValidationError as error:
        show_service_errors(form, error)
        return _settings_page(form, status=400)
    flash(_("Saved. Certificates rendered from now on look like this."), "success")
    return redirect(url_for(".settings"))


@bp.post("/settings/languages")
@roles_required("hr")
def save_languages():
    courses, form = _languages_form()
    if form.validate_on_submit():
        try:
            look.save_course_languages({c.slug: form[f"course_{c.id}"].data for c in courses}, current_user.id)
        except ValidationError as error:
            for message in error.errors.values():
                flash(message, "error")
        else:
            flash(_("Saved. New certificates of each course come out in its language."), "success")
            return redirect(url_for(".settings"))
    return _settings_page(_look_form(), form, 400)


@bp.get("/settings/preview.pdf")
@roles_required("hr")
def preview():
    """A sample certificate with the current look (not stored, not a real certificate)."""
    language = request.args.get("lang", "both")
    if language not in look.LANGUAGES:
        abort(404)
    return pdf_response(services.sample_pdf(language), f"sample-{language}.pdf")
