"""How certificates look (authority, colours, logo, signatories, Hijri date), each course's language, a sample."""
import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from lms.accounts import roles
from lms.accounts.scope import scope_of
from lms.certificates import look, pictures, services
from lms.certificates.designs import load_design
from lms.certificates.forms import LookForm, course_languages_form
from lms.certificates.issuing import DEFAULT_DESIGN
from lms.certificates.routes import pdf_response
from lms.core.forms import show_service_errors
from lms.core.i18n import _
from lms.core.models import ValidationError
from lms.core.security import roles_required
from lms.courses.models import Course
from lms.extensions import db

bp = Blueprint("certificates_manage_look", __name__, url_prefix="/manage/certificates")


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


def _check_whole_installation() -> None:
    """How certificates look is one setting for every governorate: HR of one governorate may not change it."""
    if not scope_of(current_user).is_everything:
        abort(403)


@bp.get("/settings")
@roles_required(roles.MANAGE_CERTIFICATES)
def settings():
    _check_whole_installation()
    return _settings_page(_look_form())


def _picture(field, remove: bool, kind: str) -> str | None:
    """"" to remove, a data: URL for a new upload (cut down to what the design prints), None to keep what is
    saved. A refusal is a ValidationError under the field's name."""
    if remove:
        return ""
    upload = field.data
    if upload and getattr(upload, "filename", ""):
        box = pictures.print_box(load_design(DEFAULT_DESIGN), kind)
        return pictures.picture_data_url(upload.read(pictures.MAX_IMAGE_BYTES + 1), field.name, box)
    return None


def _show_errors(form: LookForm, error: ValidationError) -> None:
    """Beside each field, the signatures' too (they sit in a list of sub-forms)."""
    signatures = {entry.signature.name: entry.signature for entry in form.signatories}
    for name, message in error.errors.items():
        if name in signatures:
            signatures[name].errors = [*signatures[name].errors, message]
    show_service_errors(form, ValidationError({k: v for k, v in error.errors.items() if k not in signatures}))


@bp.post("/settings")
@roles_required(roles.MANAGE_CERTIFICATES)
def save_settings():
    _check_whole_installation()
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
             "signature": _picture(entry.signature, entry.remove_signature.data, "signature")}
            for entry in form.signatories]
        look.save_look(values, current_user.id)
    except ValidationError as error:
        _show_errors(form, error)
        return _settings_page(form, status=400)
    flash(_("Saved. Certificates rendered from now on look like this."), "success")
    return redirect(url_for(".settings"))


@bp.post("/settings/languages")
@roles_required(roles.MANAGE_CERTIFICATES)
def save_languages():
    _check_whole_installation()
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
@roles_required(roles.MANAGE_CERTIFICATES)
def preview():
    """A sample certificate with the current look (not stored, not a real certificate)."""
    _check_whole_installation()
    language = request.args.get("lang", "both")
    if language not in look.LANGUAGES:
        abort(404)
    return pdf_response(services.sample_pdf(language), f"sample-{language}.pdf")
