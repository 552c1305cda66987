"""The print room's forms: the search (a GET form, no CSRF: it changes nothing), revoking and reissuing."""
from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from lms.certificates.printroom import CertificateFilter
from lms.certificates.services import REASON_MAX
from lms.core.i18n import _l

STATUS_LABELS = {"": _l("Any status"), "valid": _l("Valid"), "expired": _l("Expired"), "revoked": _l("Revoked"),
                 "superseded": _l("Superseded by a newer certificate")}
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

    def criteria(self) -> CertificateFilter:
        course = self.course.data or ""
        return CertificateFilter(
            text=self.q.data or "", center_code=self.center.data or None,
            course_id=int(course) if course.isdigit() else None,
            since=self.since.data if not self.since.errors else None,
            until=self.until.data if not self.until.errors else None,
            status=self.status.data or None, printed={"yes": True, "no": False}.get(self.printed.data or ""))


BATCH_LANGUAGE_LABELS = {"course": _l("As each course chose"), "ar": _l("Arabic"), "en": _l("English"),
                         "both": _l("Both languages")}


class BatchForm(FlaskForm):
    """Print every certificate the search found; the search's own fields travel as hidden query arguments."""

    language = SelectField(_l("Language of the certificates"), choices=choices(BATCH_LANGUAGE_LABELS))


class HandOverForm(FlaskForm):
    recipient = StringField(_l("Handed over to"), validators=[DataRequired(), Length(max=200)],
                            description=_l("The name and job of the person who received them."))


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=REASON_MAX)],
                           render_kw={"rows": 2, "maxlength": REASON_MAX})


class ReissueForm(FlaskForm):
    reason = TextAreaField(_l("What was corrected"), validators=[Optional(), Length(max=REASON_MAX)],
                           render_kw={"rows": 2, "maxlength": REASON_MAX})
