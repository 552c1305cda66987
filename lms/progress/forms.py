"""Forms of the assignment and learning path screens (choices are filled by the views, within the viewer's scope)."""
from datetime import date

from wtforms import BooleanField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from lms.accounts.models import CenterKind
from lms.core.edits import EditForm
from lms.core.forms import FlaskForm
from lms.core.i18n import _l, to_ascii_digits
from lms.core.inputs import db_int, parse_int
from lms.core.names import clean_name
from lms.progress.models import PathStatus


def _whole_number(text: str | None) -> int | None:
    return parse_int(text)


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(to_ascii_digits((text or "").strip()))
    except ValueError:
        return None


# Who an assignment is for: the page shows one part, and only the chosen part's fields are read and checked.
AUDIENCE_FIELDS = {"people": ("employee_numbers",),
                   "rule": ("governorates", "districts", "centers", "center_kind", "job_titles")}
DUE_FIELDS = {"date": ("due_on",), "days": ("due_days",)}


class AssignmentForm(FlaskForm):
    target = SelectField(_l("Course or learning path"), validators=[DataRequired()])
    audience_type = RadioField(_l("Who is assigned"), default="rule", choices=lambda: [
        ("people", _l("People, by employee number")), ("rule", _l("Everyone who matches a rule"))])
    employee_numbers = TextAreaField(_l("Employee numbers"), validators=[Optional(), Length(max=200_000)],
                                     description=_l("One per line, or separated by commas or spaces."),
                                     render_kw={"dir": "ltr", "rows": 5})
    governorates = SelectMultipleField(_l("Governorates"), coerce=db_int, validate_choice=False)
    districts = SelectMultipleField(_l("Districts"), coerce=db_int, validate_choice=False)
    centers = SelectMultipleField(_l("Technology centers"), coerce=db_int, validate_choice=False)
    center_kind = SelectField(_l("Kind of technology center"), choices=lambda: [
        ("", _l("Fixed and mobile")), (CenterKind.FIXED.value, _l("Fixed technology center")),
        (CenterKind.MOBILE.value, _l("Mobile technology center"))], validators=[Optional()])
    job_titles = SelectMultipleField(_l("Job titles"), coerce=db_int, validate_choice=False)
    due_type = RadioField(_l("How the due date is set"), default="date", choices=lambda: [
        ("date", _l("On a fixed day")), ("days", _l("A number of days after each person joins"))])
    due_on = StringField(_l("Due date"), render_kw={"type": "date", "dir": "ltr"})
    due_days = StringField(_l("Number of days"), validators=[Length(max=6)],
                           render_kw={"inputmode": "numeric", "dir": "ltr"})

    def validate(self, extra_validators=None) -> bool:
        """Check the chosen parts only: the hidden part keeps what was typed in it, unread and unchecked."""
        super().validate(extra_validators)
        for name in self.unchosen_fields():
            self[name].errors = []
        return not self.errors

    def unchosen_fields(self) -> list[str]:
        """The fields of the audience and due parts that were not chosen."""
        return [name for choice, parts in ((self.audience_type.data, AUDIENCE_FIELDS), (self.due_type.data, DUE_FIELDS))
                for kind, names in parts.items() if kind != choice for name in names]

    def validate_due_on(self, field) -> None:
        if _day(field.data) is None:  # checked only when due_type is "date" (see validate)
            raise ValidationError(_l("Give a date such as 2026-12-31."))

    def validate_due_days(self, field) -> None:
        if _whole_number(field.data) is None:  # checked only when due_type is "days"
            raise ValidationError(_l("Give a whole number of days."))

    def employee_number_list(self) -> list[str]:
        text = to_ascii_digits(self.employee_numbers.data or "")
        return [part for part in text.replace(",", " ").replace("،", " ").split() if part]

    def due(self) -> dict:
        if self.due_type.data == "days":
            return {"due_days": _whole_number(self.due_days.data)}
        return {"due_on": _day(self.due_on.data)}


class PathForm(EditForm):
    slug = StringField(_l("Address (slug)"), validators=[DataRequired(), Length(max=80)],
                       render_kw={"dir": "ltr", "autocapitalize": "none", "spellcheck": "false"},
                       description=_l("Lowercase Latin letters, digits and hyphens, e.g. window-basics."))
    title_ar = StringField(_l("Title in Arabic"), validators=[DataRequired(), Length(max=200)],
                           filters=[clean_name], render_kw={"dir": "rtl", "lang": "ar"})  # printed on certificates
    title_en = StringField(_l("Title in English"), validators=[DataRequired(), Length(max=200)],
                           filters=[clean_name], render_kw={"dir": "ltr", "lang": "en"})
    summary_ar = TextAreaField(_l("Summary in Arabic"), validators=[Optional(), Length(max=5000)],
                               render_kw={"dir": "rtl", "lang": "ar", "rows": 3})
    summary_en = TextAreaField(_l("Summary in English"), validators=[Optional(), Length(max=5000)],
                               render_kw={"dir": "ltr", "lang": "en", "rows": 3})
    is_ordered = BooleanField(_l("Courses must be completed in order"), default=True)
    validity_months = StringField(_l("Certificate validity in months"), default="0",
                                  validators=[Optional(), Length(max=4)], render_kw={"inputmode": "numeric"},
                                  description=_l("0: the path certificate does not expire."))
    status = SelectField(_l("Status"), choices=lambda: [(PathStatus.DRAFT.value, _l("Draft")),
                                                        (PathStatus.PUBLISHED.value, _l("Published"))])

    def validate_validity_months(self, field) -> None:
        if _whole_number(field.data or "0") is None:
            raise ValidationError(_l("Give a whole number of months."))

    def values(self) -> dict:
        return {"slug": self.slug.data, "title_ar": self.title_ar.data, "title_en": self.title_en.data,
                "summary_ar": self.summary_ar.data, "summary_en": self.summary_en.data,
                "is_ordered": self.is_ordered.data, "validity_months": _whole_number(self.validity_months.data or "0"),
                "status": self.status.data, "seen": self.seen.data}
