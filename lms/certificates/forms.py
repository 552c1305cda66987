"""The print room's forms: the search (a GET form, no CSRF: it changes nothing), revoking and reissuing."""
from datetime import date

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    ColorField,
    DateField,
    FieldList,
    FormField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from lms.accounts.scope import EVERYTHING, Scope
from lms.certificates.look import MAX_SIGNATORIES
from lms.certificates.printroom import CertificateFilter
from lms.certificates.services import REASON_MAX
from lms.core.forms import FlaskForm, Form
from lms.core.i18n import _, _l, current_locale, pick_language
from lms.core.inputs import parse_int
from lms.core.web import date_text

STATUS_LABELS = {"": _l("Any status"), "valid": _l("Valid"), "expired": _l("Expired"), "revoked": _l("Revoked"),
                 "superseded": _l("Superseded by a newer certificate")}
NOT_FOUND = _l("Not found")


def status_label(status: str) -> str:
    """A status as people read it (register, print room, command line); "not_found" for an unknown code."""
    return str(STATUS_LABELS.get(status or "not_found", NOT_FOUND))


PRINTED_LABELS = {"": _l("Printed or not"), "no": _l("Not printed yet"), "yes": _l("Printed")}


def choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Name, employee number or serial"), validators=[Optional(), Length(max=200)])
    center = SelectField(_l("Technology center"), choices=[], validate_choice=False)
    course = SelectField(_l("Course"), choices=[], validate_choice=False)
    since = DateField(_l("Issued from"), validators=[Optional()])
    until = DateField(_l("Issued until"), validators=[Optional()])
    status = SelectField(_l("Status"), choices=choices(STATUS_LABELS), validate_choice=False)
    printed = SelectField(_l("Printing"), choices=choices(PRINTED_LABELS), validate_choice=False)

    def criteria(self, scope: Scope = EVERYTHING) -> CertificateFilter:
        course = self.course.data or ""
        return CertificateFilter(
            scope=scope,
            text=self.q.data or "", center_code=self.center.data or None,
            course_id=parse_int(course, low=1),
            since=self.since.data if not self.since.errors else None,
            until=self.until.data if not self.until.errors else None,
            status=self.status.data or None, printed={"yes": True, "no": False}.get(self.printed.data or ""))


def batch_description(batch) -> str:
    """What a print batch printed, in the reader's language (the search's labels and values, names in the reader's
    language, dates in their digits). A batch made before its search was kept shows its stored description."""
    parts = batch.search
    if parts is None:
        return batch.description

    def day(value: str) -> str:
        return date_text(date.fromisoformat(value))

    shown = {"center": pick_language, "course": pick_language, "since": day, "until": day, "status": status_label,
             "printed": lambda value: str(PRINTED_LABELS.get(value, value))}
    words = [f"{getattr(SearchForm, name).args[0]}: {shown.get(name, str)(parts[name])}"  # the field's label
             for name in ("q", "center", "course", "since", "until", "status", "printed") if name in parts]
    text = ("؛ " if current_locale() == "ar" else "; ").join(words) or _("Every certificate")
    return f"{_('Command line')} — {text}" if parts.get("via") == "command_line" else text


BATCH_LANGUAGE_LABELS = {"course": _l("As each course chose"), "ar": _l("Arabic"), "en": _l("English"),
                         "both": _l("Both languages")}


class BatchForm(FlaskForm):
    """Print every certificate the search found; the search's own fields travel as hidden query arguments."""

    language = SelectField(_l("Language of the certificates"), choices=choices(BATCH_LANGUAGE_LABELS))


class HandOverForm(FlaskForm):
    """One center's certificates of a batch, handed to one person on one day (prefixed by the center)."""

    recipient = StringField(_l("Handed over to"), validators=[DataRequired(), Length(max=200)],
                            description=_l("The name and job of the person who received them."))
    handed_over_on = DateField(_l("Hand-over date"), validators=[DataRequired()])


class ReasonForm(FlaskForm):
    # The check page is public: HR typed accusations there ("did not sit the quiz herself") without being told.
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=REASON_MAX)],
                           description=_l("Shown as typed to anyone who checks the certificate: write it in general "
                                          "words (for example \"issued in error\"), without personal details."),
                           render_kw={"rows": 2, "maxlength": REASON_MAX})


class ReissueForm(FlaskForm):
    reason = TextAreaField(_l("What was corrected"), validators=[Optional(), Length(max=REASON_MAX)],
                           render_kw={"rows": 2, "maxlength": REASON_MAX})


AR = {"dir": "rtl", "lang": "ar"}
PICTURE_HINT = _l("PNG or JPEG, at most 512 KB and 4096 × 4096 pixels.")
EN = {"dir": "ltr", "lang": "en"}


class SignatoryForm(Form):
    name_ar = StringField(_l("Name in Arabic"), validators=[Length(max=120)], render_kw=AR)
    name_en = StringField(_l("Name in English"), validators=[Length(max=120)], render_kw=EN)
    title_ar = StringField(_l("Job title in Arabic"), validators=[Length(max=120)], render_kw=AR)
    title_en = StringField(_l("Job title in English"), validators=[Length(max=120)], render_kw=EN)
    signature = FileField(_l("Signature picture"), description=PICTURE_HINT,
                          render_kw={"accept": "image/png,image/jpeg"})
    remove_signature = BooleanField(_l("Remove the signature picture"))


class LookForm(FlaskForm):
    """How certificates look: applies to certificates rendered from now on."""

    authority_ar = StringField(_l("Issuing authority in Arabic"), validators=[Length(max=200)], render_kw=AR)
    authority_en = StringField(_l("Issuing authority in English"), validators=[Length(max=200)], render_kw=EN)
    primary_colour = ColorField(_l("Main colour"))
    accent_colour = ColorField(_l("Accent colour"))
    logo = FileField(_l("Logo"), description=PICTURE_HINT,
                     render_kw={"accept": "image/png,image/jpeg"})
    remove_logo = BooleanField(_l("Use the design's emblem instead of the logo"))
    hijri = BooleanField(_l("Print the Hijri date beside the Gregorian one"))
    signatories = FieldList(FormField(SignatoryForm), min_entries=MAX_SIGNATORIES, max_entries=MAX_SIGNATORIES)


LANGUAGE_LABELS = {"ar": _l("Arabic"), "en": _l("English"), "both": _l("Both languages")}


def course_languages_form(courses, chosen: dict[str, str]) -> FlaskForm:
    """One select per course: the language of its certificates."""

    class CourseLanguagesForm(FlaskForm):
        pass

    for course in courses:
        setattr(CourseLanguagesForm, f"course_{course.id}", SelectField(
            pick_language(course, "title"), choices=choices(LANGUAGE_LABELS), default=chosen[course.slug]))
    return CourseLanguagesForm()
