"""How certificates look: the design's defaults (its design.yaml) under what HR or an administrator set in the
web UI (the certificate_looks row). Applies to certificates rendered from then on; stored PDFs stay as they are."""
import re
from dataclasses import dataclass

from lms.certificates.designs import Design
from lms.certificates.models import CertificateLook
from lms.core.db import begin_write
from lms.core.i18n import _, localize_digits, ngettext
from lms.core.models import ValidationError
from lms.courses.models import Course
from lms.extensions import db

LANGUAGES = ("ar", "en", "both")
MAX_SIGNATORIES = 2  # the classic design has two places for them
COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


@dataclass(frozen=True)
class Look:
    authority: dict  # {"ar": ..., "en": ...}
    colours: dict  # {"primary": "#rrggbb", "accent": "#rrggbb"}
    logo: str  # a data: URL (see pictures.py), or a file of the design's folder
    signatories: list[dict]  # {"name": {"ar", "en"}, "title": {"ar", "en"}, "signature": data URL or None}
    hijri: bool  # print the Hijri date beside the Gregorian one


def saved_look() -> CertificateLook | None:
    return db.session.get(CertificateLook, 1)


def look_for(design: Design) -> Look:
    return look_from(design, saved_look())


def look_from(design: Design, row: CertificateLook | None) -> Look:
    """The look of `design` under the saved settings `row` (None: none saved yet)."""
    meta = design.meta
    colours = dict(meta.get("colours", {}))
    if row is None:
        return Look(meta.get("authority", {}), colours, "emblem.svg", list(meta.get("signatories", [])), True)
    authority = {lang: getattr(row, f"authority_{lang}") or meta.get("authority", {}).get(lang, "")
                 for lang in ("ar", "en")}
    colours.update({k: v for k, v in (("primary", row.primary_colour), ("accent", row.accent_colour)) if v})
    signatories = row.signatories or list(meta.get("signatories", []))
    return Look(authority, colours, row.logo or "emblem.svg", signatories, row.hijri)


def course_language(course: Course) -> str:
    """The language of a course's certificates: HR's choice, else course.yaml's, else both side by side."""
    row = saved_look()
    chosen = (row.course_languages or {}).get(course.slug) if row else None
    if chosen in LANGUAGES:
        return chosen
    from_file = (course.certificate_settings or {}).get("language")
    return from_file if from_file in LANGUAGES else "both"


def save_look(values: dict, actor_id: int | None) -> CertificateLook:
    """`values`: authority_ar, authority_en, primary_colour, accent_colour, hijri, logo (a data: URL, "" to
    remove, None to keep), signatories (as in Look; a signature of None keeps the one saved)."""
    for field in ("primary_colour", "accent_colour"):
        if values.get(field) and not COLOUR.fullmatch(values[field]):
            raise ValidationError({field: _("Give the colour as #RRGGBB.")})
    if len(values.get("signatories", [])) > MAX_SIGNATORIES:
        raise ValidationError({"": ngettext("At most %(num)s signatory.", "At most %(num)s signatories.",
                                            MAX_SIGNATORIES, num=localize_digits(MAX_SIGNATORIES))})
    begin_write()
    row = saved_look() or CertificateLook(id=1, signatories=[], course_languages={})
    db.session.add(row)
    for field in ("authority_ar", "authority_en", "primary_colour", "accent_colour"):
        setattr(row, field, (values.get(field) or "").strip()[:200])
    row.hijri = bool(values.get("hijri"))
    if values.get("logo") is not None:
        row.logo = values["logo"] or None
    kept, signatories = list(row.signatories or []), []
    for n, signatory in enumerate(values.get("signatories", [])):
        signature = signatory.get("signature")
        if signature is None:  # no new picture: keep the saved one ("" removes it)
            signature = kept[n].get("signature") if n < len(kept) else None
        signatories.append({**signatory, "signature": signature or None})
    row.signatories = signatories
    row.updated_by_id = actor_id
    db.session.commit()
    return row


def save_course_languages(languages: dict[str, str], actor_id: int | None) -> None:
    if any(lang not in LANGUAGES for lang in languages.values()):
        raise ValidationError({"": _("Choose the language of the certificates.")})
    begin_write()
    row = saved_look() or CertificateLook(id=1, signatories=[], course_languages={}, hijri=True)
    db.session.add(row)
    row.course_languages = dict(languages)
    row.updated_by_id = actor_id
    db.session.commit()
