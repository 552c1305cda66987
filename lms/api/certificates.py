"""The certificates API: the holder's list, a PDF (holder, HR, admin), and the public check of a code."""
from flask import Blueprint, g, jsonify, make_response, request, url_for

from lms.api.auth import token_required
from lms.api.routes import iso
from lms.certificates import services
from lms.certificates.authority import Authority
from lms.certificates.codes import grouped
from lms.certificates.look import LANGUAGES
from lms.certificates.models import Certificate
from lms.certificates.routes import pdf_response, verify_throttled
from lms.certificates.signing import credential
from lms.core.errors import json_error
from lms.core.i18n import _
from lms.core.security import public
from lms.extensions import csrf

bp = Blueprint("api_certificates", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


def _summary(c: Certificate) -> dict:
    return {"code": grouped(c.code), "serial": c.serial, "status": c.status().value,
            "course": {"ar": c.course_title_ar, "en": c.course_title_en},
            "issued_at": iso(c.issued_at), "expires_at": iso(c.expires_at), "score": c.score,
            "pdf_url": url_for(".certificate_pdf", code=grouped(c.code), _external=True),
            "credential_url": url_for(".certificate_credential", code=grouped(c.code), _external=True)}


@bp.get("/me/certificates")
@token_required
def my_certificates():
    return jsonify(certificates=[_summary(c) for c in services.certificates_of(g.api_user.id)])


@bp.get("/certificates/<code>/pdf")
@token_required
def certificate_pdf(code: str):
    certificate = services.certificate_by_code(code)
    if certificate is None or not services.may_download(certificate, g.api_user):
        return json_error(404, "not_found")
    language = request.args.get("lang", certificate.language)
    if language not in LANGUAGES:
        return json_error(400, "bad_language", "lang must be ar, en or both")
    return pdf_response(services.certificate_pdf(certificate, language), f"{certificate.serial}-{language}.pdf")


@bp.get("/certificates/<code>/credential")
@token_required
def certificate_credential(code: str):
    """The certificate as an Open Badges 3.0 credential: the same bytes as inside its stored PDF."""
    certificate = services.certificate_by_code(code)
    if certificate is None or not services.may_download(certificate, g.api_user):
        return json_error(404, "not_found")
    content = services.certificate_credential(certificate)
    if content is None:
        return json_error(404, "no_credential", _("This certificate has no digital credential yet."))
    response = make_response(content)
    response.headers["Content-Type"] = credential.MEDIA_TYPE
    response.headers["Content-Disposition"] = f'inline; filename="{certificate.serial}.json"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _authority(authority: Authority) -> dict:
    logo = authority.logo_version and url_for("certificates.authority_logo", design=authority.design,
                                              v=authority.logo_version, _external=True)
    return {"name": {"ar": authority.name.get("ar", ""), "en": authority.name.get("en", "")},
            "logo_url": logo or None}


@bp.get("/verify/<code>")
@public
@verify_throttled
def verify(code: str):
    """Only what the public page shows: never the employee number or anything else about the person; the serial
    and issuer are those printed on the paper, so the one checking can hold them side by side."""
    result = services.verify(code)
    if not result.found:
        return json_error(404, "not_found")
    c = result.certificate
    body = {"status": result.status, "code": grouped(c.code),
            "name": {"ar": c.name_ar, "latin": c.name_latin},
            "course": {"ar": c.course_title_ar, "en": c.course_title_en},
            "issued_at": iso(c.issued_at), "expires_at": iso(c.expires_at), "serial": c.serial,
            "issuing_authority": _authority(result.authority), "checked_at": iso(result.checked_at)}
    if result.status == "revoked":
        body.update(revoked_at=iso(c.revoked_at), reason=c.revoke_reason)
        if c.revoked_with is not None:
            body["revoked_with"] = c.revoked_with.serial
    if result.newer_code:
        body["superseded_by"] = grouped(result.newer_code)
    return jsonify(body)
