"""The offline exam form (its choices are filled by the view)."""
from datetime import date

from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from lms.core.forms import FlaskForm
from lms.core.i18n import _l, to_ascii_digits


def day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(to_ascii_digits((text or "").strip()))
    except ValueError:
        return None


def _a_day(_form, field) -> None:
    if day(field.data) is None:
        raise ValidationError(_l("Give a date such as 2026-12-31."))


class OfflineExamForm(FlaskForm):
    course = SelectField(_l("Course"), validators=[DataRequired()])
    employee_numbers = TextAreaField(_l("Employee numbers"), validators=[DataRequired(), Length(max=20_000)],
                                     description=_l("One per line, or separated by commas or spaces."),
                                     render_kw={"dir": "ltr", "rows": 5})
    opens_on = StringField(_l("Opens on"), validators=[_a_day], render_kw={"type": "date", "dir": "ltr"})
    closes_on = StringField(_l("Closes on"), validators=[_a_day], render_kw={"type": "date", "dir": "ltr"})

    def employee_number_list(self) -> list[str]:
        text = to_ascii_digits(self.employee_numbers.data or "")
        return [part for part in text.replace(",", " ").replace("،", " ").split() if part]
