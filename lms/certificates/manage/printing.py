"""Printing the certificates a search found as one stack (a background job), and the print log."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from lms.accounts import roles
from lms.accounts.scope import scope_of
from lms.certificates import batches
from lms.certificates.forms import BatchForm, HandOverForm, SearchForm
from lms.certificates.manage.records import search_form_from_query
from lms.certificates.models import BatchStatus, PrintBatch
from lms.certificates.routes import pdf_response
from lms.core.forms import show_service_errors
from lms.core.i18n import _, isolated, ngettext
from lms.core.localtime import local_date
from lms.core.models import ValidationError, utcnow
from lms.core.security import roles_required
from lms.core.web import page_arg

bp = Blueprint("certificates_manage_printing", __name__, url_prefix="/manage/certificates")
ITEMS_PER_PAGE = 50


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
@roles_required(roles.MANAGE_CERTIFICATES)
def create_batch():
    search_form, form = search_form_from_query(), BatchForm()
    if form.validate_on_submit():
        try:
            batch = batches.create_batch(search_form.criteria(scope_of(current_user)), form.language.data,
                                         current_user.id, _describe(search_form))
        except ValidationError as error:
            for message in error.errors.values():
                flash(message, "error")
        else:
            return redirect(url_for(".batch", batch_id=batch.id))
    return redirect(url_for("certificates_manage.search", **request.args))


@bp.get("/batches")
@roles_required(roles.MANAGE_CERTIFICATES)
def batch_list():
    recent = batches.recent_batches(current_user)
    return render_template("certificates/manage/batches.html", batches=recent,
                           hand_overs=batches.hand_over_summaries([b.id for b in recent], scope_of(current_user)))


def _batch_or_404(batch_id: int) -> PrintBatch:
    batch = batches.visible_batch(batch_id, current_user)
    if batch is None:
        abort(404)
    return batch


def _hand_over_form(key: int, formdata=None) -> HandOverForm:
    """A center's hand-over form, its fields named after the center so that the page can hold one per center."""
    form = HandOverForm(formdata=formdata, prefix=f"center-{key}")
    if formdata is None:
        form.handed_over_on.data = local_date(utcnow())
    return form


def _batch_page(batch: PrintBatch, posted: tuple[int, HandOverForm] | None = None, status: int = 200):
    page = page_arg(request.args)
    scope = scope_of(current_user)
    total, items = batches.batch_contents(batch.id, scope, page, ITEMS_PER_PAGE)
    centers = batches.batch_centers(batch.id, scope) if batch.printed_at else []
    forms = {share.key: _hand_over_form(share.key) for share in centers if share.waiting}
    if posted:
        forms[posted[0]] = posted[1]
    return render_template("certificates/manage/batch.html", batch=batch, centers=centers, hand_over_forms=forms,
                           running=batch.status in (BatchStatus.QUEUED, BatchStatus.RUNNING),
                           stalled=batches.lease_ran_out(batch), last_run=batch.runs >= batches.MAX_RUNS,
                           items=items, items_total=total, page=page, per_page=ITEMS_PER_PAGE), status


@bp.get("/batches/<int:batch_id>")
@roles_required(roles.MANAGE_CERTIFICATES)
def batch(batch_id: int):
    return _batch_page(_batch_or_404(batch_id))


@bp.get("/batches/<int:batch_id>.pdf")
@roles_required(roles.MANAGE_CERTIFICATES)
def batch_download(batch_id: int):
    batch = _batch_or_404(batch_id)
    content = batches.batch_pdf(batch.id)
    if content is None:
        abort(404)
    return pdf_response(content, f"certificates-batch-{batch.id}.pdf")


@bp.post("/batches/<int:batch_id>/printed")
@roles_required(roles.MANAGE_CERTIFICATES)
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


@bp.post("/batches/<int:batch_id>/centers/<int:center_id>/handover")
@roles_required(roles.MANAGE_CERTIFICATES)
def batch_handover(batch_id: int, center_id: int):
    """Hand over a batch's certificates of one center (`center_id` 0: of holders without a center)."""
    batch = _batch_or_404(batch_id)
    form = _hand_over_form(center_id, request.form)
    if form.validate_on_submit():
        try:
            count = batches.hand_over(batch_id, center_id or None, form.recipient.data, form.handed_over_on.data,
                                      current_user.id, scope_of(current_user))
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            # The count in the reader's digits (ngettext), the name as HR typed it, isolated: not the whole
            # sentence through the digits filter, which turned the full stop after a name into "٫".
            flash(ngettext("%(num)s certificate is recorded as handed over to %(name)s.",
                           "%(num)s certificates are recorded as handed over to %(name)s.", count,
                           name=isolated(form.recipient.data.strip())), "success")
            return redirect(url_for(".batch", batch_id=batch_id, _anchor="hand-over"))
    return _batch_page(batch, posted=(center_id, form), status=400)
