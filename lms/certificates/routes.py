"""The learner's certificates and their PDFs; the public verification register (no sign-in)."""
from flask import Blueprint, abort, current_app, jsonify, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from lms.certificates import services
from lms.certificates.authority import logo_of
from lms.certificates.codes import EXAMPLE, grouped, parse_code
from lms.certificates.forms import status_label
from lms.certificates.look import LANGUAGES
from lms.certificates.texts import log_details, revocation_reason
from lms.core.i18n import _, current_locale, text_direction
from lms.core.models import utcnow
from lms.core.security import login_required, public
from lms.core.throttle import throttled
from lms.core.web import asset_url

bp = Blueprint("certificates", __name__)
for helper in (status_label, revocation_reason, log_details):
    bp.add_app_template_global(helper)


def verify_client() -> str:
    return request.remote_addr or ""


# Codes cannot be enumerated: every look-up, whatever it finds, counts against the client's address.
verify_throttled = throttled("verify", "LMS_VERIFY_LIMITS", verify_client, methods=("GET",))


@bp.app_template_global()
def my_certificate(course_id: int) -> str | None:
    """The signed-in learner's current certificate of a course, as its printed code (course pages link to it
    without the progress package knowing about certificates)."""
    code = services.current_code(current_user.id, course_id) if current_user.is_authenticated else None
    return grouped(code) if code else None


@bp.app_template_global()
def my_certificate_codes() -> dict[int, str]:
    """The signed-in learner's valid course certificates, {course id: printed code}, in one query: the home's
    course cards lead to them."""
    if not current_user.is_authenticated:
        return {}
    return {course_id: grouped(code) for course_id, code in services.valid_codes(current_user.id, utcnow())}


@bp.app_template_global()
def my_certificate_revoked(course_id: int) -> bool:
    """Whether the signed-in learner's certificate of a course was revoked: the course page says why it is open
    again."""
    return current_user.is_authenticated and services.current_is_revoked(current_user.id, course_id)


@bp.get("/certificates")
@login_required
def mine():
    return render_template("certificates/mine.html", certificates=services.certificates_of(current_user.id),
                           grouped=grouped)


@bp.get("/certificates/<code>.pdf")
@login_required
def download(code: str):
    certificate = services.certificate_by_code(code)
    if certificate is None or not services.may_download(certificate, current_user):
        abort(404)
    language = request.args.get("lang", certificate.language)
    if language not in LANGUAGES:
        abort(404)
    return pdf_response(services.certificate_pdf(certificate, language), f"{certificate.serial}-{language}.pdf")


def pdf_response(content: bytes, filename: str):
    response = make_response(content)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"  # shared counters: nothing stays behind
    return response


@bp.get("/verify")
@public
def verify_form():
    """Type a code by hand (the QR code leads straight to the page below)."""
    typed = request.args.get("code")
    if typed:
        code = parse_code(typed)
        return redirect(url_for(".verify", code=grouped(code) if code else typed.strip()[:64]))
    return render_template("certificates/verify.html", result=None, typed="", example=EXAMPLE)


# The offline verifier's files, fetched once and kept by its service worker (templates/certificates/scan.sw.js).
SCAN_ASSETS = ("css/app.css", "favicon.svg", "js/menu.js", "js/verifier.js", "vendor/jsQR.js",
               "vendor/noble-ed25519.js")


@bp.get("/verify/scan")
@public
def scan():
    """Checks the signed QR code of a printed certificate in the browser, with or without a network: the keys and
    the status list it checks against are kept by the service worker scoped to /verify/."""
    page = make_response(render_template("certificates/scan.html", visitor_view=True,  # kept offline on shared tablets
                                         timezone=current_app.config["BABEL_DEFAULT_TIMEZONE"]))
    page.headers["Cache-Control"] = "no-cache"  # public; the service worker keeps its own copy for offline use
    return page


@bp.get("/verify/scan.js")
@public
def scan_worker():
    """The service worker: served from /verify/ so that its scope is the register (no Service-Worker-Allowed)."""
    assets = [asset_url(name) for name in SCAN_ASSETS]
    response = make_response(render_template("certificates/scan.sw.js", assets=assets))
    response.mimetype = "text/javascript"
    response.headers["Cache-Control"] = "no-cache"  # a new worker is picked up at the next visit
    return response


@bp.get("/verify/manifest.webmanifest")
@public
def scan_manifest():
    """Installs the verifier as an app that opens on the scanning page."""
    response = jsonify({
        "name": _("Certificate checker"), "short_name": _("Check"), "lang": current_locale(),
        "dir": text_direction(), "start_url": url_for(".scan"), "scope": url_for(".verify_form") + "/",
        "display": "standalone", "background_color": "#ffffff", "theme_color": "#0b5d4b",
        "icons": [{"src": asset_url("favicon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    })
    response.mimetype = "application/manifest+json"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/verify/<code>")
@public
@verify_throttled
def verify(code: str):
    result = services.verify(code)
    page = render_template("certificates/verify.html", result=result, typed=code, grouped=grouped, example=EXAMPLE)
    return page, (200 if result.found else 404)


@bp.get("/verify/logo/<design>")
@public
def authority_logo(design: str):
    """The issuing authority's logo on the register: from here, not another site, so a phone that checks a
    certificate talks to no one else. Its address carries a digest of the picture, so it may be kept a day."""
    logo = logo_of(design)
    if logo is None:
        abort(404)
    response = make_response(logo.content)
    response.mimetype = logo.mimetype
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
