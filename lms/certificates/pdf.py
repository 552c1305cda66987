"""A certificate's PDF: its design filled in, in Arabic, English or both, with the QR code of its check page."""
from datetime import datetime
from zoneinfo import ZoneInfo

import segno
from babel.dates import format_date
from flask import current_app, has_request_context, request
from flask_babel import force_locale
from hijridate import Gregorian
from weasyprint import HTML

from lms.certificates.codes import grouped
from lms.certificates.designs import Design, load_design
from lms.certificates.models import Certificate
from lms.core.i18n import _, localize_digits

DIRECTIONS = {"ar": "rtl", "en": "ltr"}
_ISOLATE = "\u2068{}\u2069"  # FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE: a name or code keeps its own order


def verify_url(code: str) -> str:
    """The absolute address printed in the QR code: LMS_PUBLIC_URL, else the address this request came to."""
    base = current_app.config["LMS_PUBLIC_URL"] or (request.url_root if has_request_context()
                                                       else "http://127.0.0.1:5000/")
    return f"{base.rstrip('/')}/verify/{grouped(code)}"


def render_pdf(certificate: Certificate, language: str, stamp: str | None = None) -> bytes:
    """`language` is "ar", "en" or "both"; `stamp` ("revoked", "duplicate") is printed across the page."""
    design = load_design(certificate.design)
    html = design.render_html(_context(certificate, design, language, stamp))
    document = HTML(string=html, base_url=design.folder.as_uri() + "/", url_fetcher=design.fetcher())
    return document.write_pdf(pdf_variant="pdf/a-3b")


def _context(certificate: Certificate, design: Design, language: str, stamp: str | None) -> dict:
    languages = ("ar", "en") if language == "both" else (language,)
    sides = [_side(certificate, design, lang) for lang in languages]
    url = verify_url(certificate.code)
    with force_locale(languages[0]):
        title = f"{_('Certificate of completion')}: {_name(certificate, languages[0])}"
    return {
        "lang": languages[0], "dir": DIRECTIONS[languages[0]], "title": title,
        "author": " / ".join(_pick(design.meta.get("authority"), lang) for lang in languages),
        "serial": certificate.serial, "sides": sides, "colours": design.meta.get("colours", {}),
        "logo": "emblem.svg", "code": grouped(certificate.code),
        "qr": segno.make(url, error="m").svg_data_uri(scale=4, border=0),
        "check_labels": [{"lang": lang, "text": _check_label(lang)} for lang in languages],
        "signatories": [{"name": " / ".join(filter(None, (_pick(s.get("name"), lang) for lang in languages))),
                         "titles": [{"lang": lang, "text": _pick(s.get("title"), lang)} for lang in languages],
                         "signature": s.get("signature")} for s in design.meta.get("signatories", [])],
        "stamp": " · ".join(_stamp(stamp, lang) for lang in languages) if stamp else None,
    }


def _side(certificate: Certificate, design: Design, lang: str) -> dict:
    with force_locale(lang):
        facts = [(_("Serial number"), _ISOLATE.format(certificate.serial)),
                 (_("Issue date"), _date(certificate.issued_at, lang))]
        if certificate.expires_at is not None:
            facts.append((_("Expiry date"), _date(certificate.expires_at, lang)))
        if certificate.score is not None:
            score = localize_digits(round(certificate.score), lang)
            facts.append((_("Quiz score"), f"{score}٪" if lang == "ar" else f"{score}%"))
        center = certificate.center_name_ar if lang == "ar" else certificate.center_name_en
        if center:
            facts.append((_("Technology center"), _ISOLATE.format(center)))
        if certificate.employee_number:
            facts.append((_("Employee number"), _ISOLATE.format(localize_digits(certificate.employee_number, lang))))
        return {
            "lang": lang, "dir": DIRECTIONS[lang], "authority": _pick(design.meta.get("authority"), lang),
            "heading": _("Certificate of completion"), "certifies": _("This certifies that"),
            "name": _ISOLATE.format(_name(certificate, lang)),
            "completed": _("has completed the training course"),
            "course": _ISOLATE.format(certificate.course_title_ar if lang == "ar" else certificate.course_title_en),
            "facts": facts,
        }


def _name(certificate: Certificate, lang: str) -> str:
    return (certificate.name_ar if lang == "ar" else certificate.name_latin) or certificate.name_ar


def _date(moment: datetime, lang: str) -> str:
    """Gregorian, then Hijri (Umm al-Qura), in the governorate's time zone; Arabic-Indic digits on the Arabic side."""
    day = moment.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()
    hijri = Gregorian(day.year, day.month, day.day).to_hijri()
    if lang == "ar":
        text = f"{format_date(day, 'd MMMM y', locale='ar')} م، {hijri.day} {hijri.month_name('ar')} {hijri.year} هـ"
        return localize_digits(text, "ar")
    return f"{format_date(day, 'd MMMM y', locale='en')} · {hijri.day} {hijri.month_name('en')} {hijri.year} AH"


def _pick(texts: dict | None, lang: str) -> str:
    texts = texts or {}
    return texts.get(lang) or texts.get("ar") or ""


def _check_label(lang: str) -> str:
    with force_locale(lang):
        return _("Scan the code to check this certificate")


def _stamp(kind: str, lang: str) -> str:
    with force_locale(lang):
        return _("Revoked") if kind == "revoked" else _("Duplicate copy")


def render_many(entries: list[tuple[Certificate, str, bool]], progress=None) -> bytes:
    """One PDF of many certificates, in order: (certificate, language, duplicate). Each is laid out on its own;
    the pages are then written together, so that the fonts are embedded once for the whole stack."""
    documents = []
    for done, (certificate, language, duplicate) in enumerate(entries, 1):
        design = load_design(certificate.design)
        html = design.render_html(_context(certificate, design, language, "duplicate" if duplicate else None))
        documents.append(HTML(string=html, base_url=design.folder.as_uri() + "/",
                              url_fetcher=design.fetcher()).render())
        if progress is not None:
            progress(done)
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf(pdf_variant="pdf/a-3b")
