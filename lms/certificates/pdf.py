"""A certificate's PDF: its design filled in, in Arabic, English or both, with the QR code of its check page.

WeasyPrint, pikepdf and segno are imported by the functions that use them: a web worker that never makes a PDF
does not carry them (about 40 MB together)."""
import atexit
import io
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from functools import cache
from multiprocessing import get_context

from babel.dates import format_date
from flask import current_app, has_request_context, request
from flask_babel import force_locale
from hijridate import Gregorian

from lms.certificates.codes import grouped
from lms.certificates.designs import Design, load_design
from lms.certificates.look import Look, look_for
from lms.certificates.models import Certificate
from lms.core.i18n import _, localize_digits
from lms.core.localtime import local_date

DIRECTIONS = {"ar": "rtl", "en": "ltr"}
_ISOLATE = "\u2068{}\u2069"  # FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE: a name or code keeps its own order


def verify_url(code: str) -> str:
    """The absolute address printed in the QR code: LMS_PUBLIC_URL, else the address this request came to."""
    base = current_app.config["LMS_PUBLIC_URL"] or (request.url_root if has_request_context()
                                                       else "http://127.0.0.1:5000/")
    return f"{base.rstrip('/')}/verify/{grouped(code)}"


# Which parts of the design each layer draws: (static, shared, own); see the design's certificate.html.
LAYERS = {"all": (True, True, True), "static": (True, False, False), "shared": (False, True, False),
          "own": (False, False, True)}
CHUNK = 100  # certificates laid out per document in a stack (a progress step)
# A certificate that no longer stands carries its status across the whole page, in its language(s): a corner
# stamp alone is cut off with scissors.
WATERMARKED = ("revoked", "superseded")


def render_pdf(certificate: Certificate, language: str, stamp: str | None = None) -> bytes:
    """`language` is "ar", "en" or "both"; `stamp` ("revoked", "superseded", "duplicate", "sample") is printed
    at the top of the page. A revoked or superseded certificate is also watermarked across the page, whatever
    the stamp asked for."""
    design = load_design(certificate.design)
    look = look_for(design)
    page = _page(certificate, look, language, stamp or _status(certificate))
    return _write(design, _document(look, [page], page["title"]), layer="all")


def render_many(entries: list[tuple[Certificate, str, bool]], progress=None, processes: int = 1) -> bytes:
    """One PDF of many certificates, in order: (certificate, language, duplicate).

    Each part of a page is drawn as rarely as it can be (see the design's layers): the static layer once per
    design, language and set of labels; the shared layer once per distinct course, dates and center; only the
    own layer (name, serial, QR code...) for every certificate, CHUNK pages to a document, by `processes`
    worker processes when there is more than one chunk (they start while this process prepares the pages).
    The parts are joined in order (qpdf) and the static and shared pages placed under each page as form
    XObjects. `progress(n)` is told how many certificates are done after every step, even one that finished
    none (a worker's chunk handed out, a background drawn): the print job's heartbeat.
    """
    if not entries:
        raise ValueError("a stack needs at least one certificate")
    progress = progress or (lambda _done: None)
    title = f"{len(entries)} × {_('Certificate of completion')}"
    pool = None
    if processes > 1 and len(entries) > CHUNK:
        # forkserver, not fork: the job consumer runs threads, and a forked child could inherit a held lock.
        # The server imports this module once, so later stacks start their workers at once.
        context = get_context("forkserver")
        context.set_forkserver_preload([__name__])
        pool = ProcessPoolExecutor(processes, mp_context=context)
    try:
        keys, under, pending, looks = [], {"static": {}, "shared": {}}, [], {}
        for design_name, pages, chunk_keys in _chunks(entries, under, looks):
            keys += chunk_keys
            document = {**_document(looks[design_name], pages, title), **_layer("own"), "link_stylesheet": False}
            pending.append((len(pages), pool.submit(_layer_pdf, design_name, document) if pool
                            else _layer_pdf(design_name, document)))
            progress(0 if pool else len(keys))
        backgrounds = {layer: {} for layer in under}
        for layer, pages in under.items():
            for key, (design, page) in pages.items():
                backgrounds[layer][key] = _layer_pdf(design.name, {
                    **_document(looks[design.name], [page], title), **_layer(layer),
                    "link_stylesheet": layer == "static"})
                progress(0 if pool else len(keys))
        parts, done = [], 0
        for count, part in pending:
            parts.append(part.result() if pool else part)
            done += count
            if pool is not None:  # without a pool the parts were made above, and counted there
                progress(done)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return _assemble(parts, keys, backgrounds, title)


def _chunks(entries, under: dict, looks: dict):
    """(design, up to CHUNK pages, each page's (static key, shared key)), in print order. The first page of each
    static and shared key is kept in `under`, to draw that layer once; each design's look, in `looks`."""
    name, pages, keys = None, [], []
    for certificate, language, duplicate in entries:
        design = load_design(certificate.design)
        if design.name not in looks:
            looks[design.name] = look_for(design)
        # A certificate revoked or replaced after the batch was made says so rather than "duplicate".
        stamp = _status(certificate) or ("duplicate" if duplicate else None)
        page = _page(certificate, looks[design.name], language, stamp)
        static = (design.name, language, tuple(fact["label"] for side in page["sides"] for fact in side["facts"]),
                  tuple(side["completed"] for side in page["sides"]))  # a course's or a learning path's wording
        shared = (*static, tuple((side["course"], *(fact["value"] for fact in side["facts"] if not fact["own"]))
                                 for side in page["sides"]))
        under["static"].setdefault(static, (design, page))
        under["shared"].setdefault(shared, (design, page))
        if pages and (design.name != name or len(pages) == CHUNK):
            yield name, pages, keys
            pages, keys = [], []
        name = design.name
        pages.append(page)
        keys.append((static, shared))
    if pages:
        yield name, pages, keys


def _layer_pdf(design_name: str, document: dict) -> bytes:
    """A layer of a chunk of certificates (may run in a worker process: no app, no database)."""
    from weasyprint import HTML

    design = load_design(design_name)
    html = design.render_html(_with_qr_codes(document))
    options = {}
    if not document["link_stylesheet"]:  # a stack's layers share the stylesheet and fonts parsed once
        stylesheet, fonts = _stylesheet(design_name)
        options = {"stylesheets": [stylesheet], "font_config": fonts}
    return HTML(string=html, base_url=design.folder.as_uri() + "/", url_fetcher=design.fetcher()).write_pdf(
        pdf_variant="pdf/a-3b", **options)


def _layer(name: str) -> dict:
    static, shared, own = LAYERS[name]
    return {"layer": name, "show_static": static, "show_shared": shared, "show_own": own}


def _write(design: Design, document: dict, layer: str) -> bytes:
    return _layer_pdf(design.name, {**document, **_layer(layer), "link_stylesheet": True})


@cache
def _stylesheet(design_name: str) -> tuple:
    """A design's stylesheet parsed once per process (weasyprint.CSS), with the fonts it declares."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    design = load_design(design_name)
    fonts = FontConfiguration()
    return CSS(filename=str(design.folder / "certificate.css"), url_fetcher=design.fetcher(), font_config=fonts), fonts


# Dropped before the interpreter unloads modules: the fonts' temporary folder is then removed by WeasyPrint, which
# cannot once its own module is gone.
atexit.register(_stylesheet.cache_clear)


def _assemble(parts: list[bytes], keys: list[tuple], backgrounds: dict[str, dict], title: str) -> bytes:
    """Join the parts in order, put each page's shared and static layers under it (qpdf, through pikepdf) and
    name the stack. The first part's PDF/A metadata and output intent stand for the whole."""
    import pikepdf

    opened = []

    def open_pdf(content: bytes) -> pikepdf.Pdf:
        opened.append(pikepdf.open(io.BytesIO(content)))
        return opened[-1]

    try:
        with pikepdf.open(io.BytesIO(parts[0])) as pdf:
            for part in parts[1:]:
                pdf.pages.extend(open_pdf(part).pages)
            forms = {layer: {key: pdf.copy_foreign(open_pdf(content).pages[0].as_form_xobject())
                             for key, content in contents.items()} for layer, contents in backgrounds.items()}
            for page, (static, shared) in zip(pdf.pages, keys, strict=True):
                page.add_underlay(forms["shared"][shared])
                page.add_underlay(forms["static"][static])  # underneath the shared layer
            with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
                meta["dc:title"] = title
            out = io.BytesIO()
            pdf.save(out)
            return out.getvalue()
    finally:
        for other in opened:
            other.close()


def _document(look: Look, pages: list[dict], title: str) -> dict:
    """What the design's page needs besides its pages: the PDF's metadata, colours, logo."""
    first = pages[0]
    return {"lang": first["lang"], "dir": first["dir"], "title": title, "author": first["author"],
            "colours": look.colours, "logo": look.logo, "pages": pages}


def _page(certificate: Certificate, look: Look, language: str, stamp: str | None) -> dict:
    languages = ("ar", "en") if language == "both" else (language,)
    with force_locale(languages[0]):
        title = f"{_('Certificate of completion')}: {_name(certificate, languages[0])}"
    return {
        "lang": languages[0], "dir": DIRECTIONS[languages[0]], "title": title,
        "author": " / ".join(_pick(look.authority, lang) for lang in languages),
        "sides": [_side(certificate, look, lang) for lang in languages], "code": grouped(certificate.code),
        "verify_url": _qr_text(certificate),  # drawn as a QR code where the page is laid out
        "check_labels": [{"lang": lang, "text": _check_label(lang)} for lang in languages],
        "signatories": [{"name": " / ".join(filter(None, (_pick(s.get("name"), lang) for lang in languages))),
                         "titles": [{"lang": lang, "text": _pick(s.get("title"), lang)} for lang in languages],
                         "signature": s.get("signature")} for s in look.signatories],
        "stamp": " · ".join(_stamp(stamp, lang) for lang in languages) if stamp else None,
        "watermark": _watermark(stamp if stamp in WATERMARKED else _status(certificate), languages),
    }


def _qr_text(certificate: Certificate) -> str:
    """The check page's address with the signed payload in its fragment (signing/payload.py); a sample, never
    issued, gets the bare address, and so does every certificate while production has no signing key."""
    from lms.certificates.signing.keys import NoIssuerKey
    from lms.certificates.signing.payload import qr_content

    if certificate.id is None:
        return verify_url(certificate.code)
    try:
        return qr_content(certificate)
    except NoIssuerKey:  # production before `certificates keys create`: the register still answers
        current_app.logger.warning("no issuer signing key: certificate %s printed without a signed QR code",
                                   certificate.serial)
        return verify_url(certificate.code)


def _status(certificate: Certificate) -> str | None:
    """"revoked" or "superseded" when the certificate no longer stands (a revoked one says revoked)."""
    return "revoked" if certificate.revoked_at else "superseded" if certificate.superseded_at else None


def _watermark(kind: str | None, languages: tuple[str, ...]) -> dict | None:
    """The word drawn across the page of a certificate that no longer stands: one line per language. Part of the
    certificate's own layer, so that in a stack only its own page carries it."""
    if kind is None:
        return None
    return {"kind": kind, "lines": [{"lang": lang, "dir": DIRECTIONS[lang], "text": _stamp(kind, lang)}
                                    for lang in languages]}


def _with_qr_codes(document: dict) -> dict:
    """Each page's QR code: SVG (vector) on a single certificate; in a stack, a four-pixels-per-module PNG drawn
    without smoothing (CSS image-rendering: pixelated), the same squares for a fraction of the cost of WeasyPrint
    parsing and drawing an SVG path per page (one pixel per module no longer read back at 150 dpi once the code
    carried the signed payload). Error level L: the payload (up to 400 bytes) keeps the modules large enough."""
    if not document["show_own"]:
        return document
    draw = _qr_svg if document["layer"] == "all" else _qr_png
    return {**document, "pages": [{**page, "qr": draw(page["verify_url"])} for page in document["pages"]]}


# Mask 0, always: choosing the best mask costs more than the rest of a stack page's layout, any mask reads
# back alike (zbarimg decodes them in the tests), and a certificate's code looks the same alone or in a stack.
def _qr_svg(url: str) -> str:
    import segno
    return segno.make(url, error="l", mask=0).svg_data_uri(scale=4, border=0)


def _qr_png(url: str) -> str:
    import segno
    return segno.make(url, error="l", mask=0).png_data_uri(scale=4, border=0)


def _side(certificate: Certificate, look: Look, lang: str) -> dict:
    """One language's side of the page. A fact is `own` when it differs from one certificate to the next;
    the others (dates, center) are often the same across a stack."""
    with force_locale(lang):
        facts = [_fact(_("Serial number"), _ISOLATE.format(certificate.serial), own=True),
                 _fact(_("Issue date"), _date(certificate.issued_at, lang, look.hijri))]
        if certificate.expires_at is not None:
            facts.append(_fact(_("Expiry date"), _date(certificate.expires_at, lang, look.hijri)))
        if certificate.score is not None:
            score = localize_digits(round(certificate.score), lang)
            facts.append(_fact(_("Quiz score"), f"{score}٪" if lang == "ar" else f"{score}%", own=True))
        center = certificate.center_name_ar if lang == "ar" else certificate.center_name_en
        if center:
            facts.append(_fact(_("Technology center"), _ISOLATE.format(center)))
        if certificate.employee_number:
            facts.append(_fact(_("Employee number"),
                               _ISOLATE.format(localize_digits(certificate.employee_number, lang)), own=True))
        return {
            "lang": lang, "dir": DIRECTIONS[lang], "authority": _pick(look.authority, lang),
            "heading": _("Certificate of completion"), "certifies": _("This certifies that"),
            "name": _ISOLATE.format(_name(certificate, lang)),
            "completed": _("has completed the learning path") if certificate.path_id is not None
            else _("has completed the training course"),
            "course": _ISOLATE.format(certificate.course_title_ar if lang == "ar" else certificate.course_title_en),
            "facts": facts,
        }


def _fact(label: str, value: str, own: bool = False) -> dict:
    return {"label": label, "value": value, "own": own}


def _name(certificate: Certificate, lang: str) -> str:
    return (certificate.name_ar if lang == "ar" else certificate.name_latin) or certificate.name_ar


def _date(moment: datetime, lang: str, with_hijri: bool) -> str:
    """Gregorian, then (if chosen) Hijri (Umm al-Qura), in the governorate's time zone; Arabic-Indic digits and
    Arabic month names on the Arabic side."""
    day = local_date(moment)
    gregorian = format_date(day, "d MMMM y", locale=lang)
    if not with_hijri:
        return localize_digits(gregorian, lang)
    hijri = Gregorian(day.year, day.month, day.day).to_hijri()
    if lang == "ar":
        return localize_digits(f"{gregorian} م، {hijri.day} {hijri.month_name('ar')} {hijri.year} هـ", "ar")
    return f"{gregorian} · {hijri.day} {hijri.month_name('en')} {hijri.year} AH"


def _pick(texts: dict | None, lang: str) -> str:
    texts = texts or {}
    return texts.get(lang) or texts.get("ar") or ""


def _check_label(lang: str) -> str:
    with force_locale(lang):
        return _("Scan the code to check this certificate")


def _stamp(kind: str, lang: str) -> str:
    with force_locale(lang):
        return {"revoked": _("Revoked"), "superseded": _("Superseded"), "sample": _("Sample")}.get(kind) or _(
            "Duplicate copy")

