from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from lms.accounts.models import CenterKind, Role
from lms.core.edits import EditForm
from lms.core.forms import FlaskForm
from lms.core.i18n import _l
from lms.core.inputs import db_int
from lms.core.names import clean_name
from lms.core.passwords import MAX_LENGTH, MIN_LENGTH


def role_choices():
    return [(Role.LEARNER.value, _l("Learner")), (Role.CENTER_MANAGER.value, _l("Center manager")),
            (Role.TRAINER.value, _l("Trainer")), (Role.HR.value, _l("HR")), (Role.ADMIN.value, _l("Administrator"))]


def _optional_int(value):
    return db_int(value) if value not in (None, "", "None") else None


class UserForm(EditForm):
    username = StringField(_l("Username"), validators=[
        DataRequired(), Length(max=64),
        Regexp(r"^[A-Za-z0-9._-]+$", message=_l("Use Latin letters, digits, dot, dash or underscore."))],
        render_kw={"autocapitalize": "none", "spellcheck": "false", "dir": "ltr"})
    full_name_ar = StringField(_l("Full name in Arabic"), validators=[DataRequired(), Length(max=200)],
                               filters=[clean_name], render_kw={"dir": "rtl", "lang": "ar"})
    full_name_latin = StringField(_l("Full name in Latin letters"), validators=[DataRequired(), Length(max=200)],
                                  filters=[clean_name], render_kw={"dir": "ltr", "lang": "en"})
    employee_number = StringField(_l("Employee number"), validators=[Optional(), Length(max=32)],
                                  render_kw={"inputmode": "numeric", "dir": "ltr"})
    email = EmailField(_l("Email (optional)"), validators=[Optional(), Email(_l("This is not an email address.")),
                                                           Length(max=254)],
                       render_kw={"dir": "ltr"})
    center_id = SelectField(_l("Technology center"), coerce=_optional_int, validators=[Optional()])
    job_title_id = SelectField(_l("Job title"), coerce=_optional_int, validators=[Optional()])
    role = SelectField(_l("Role"), choices=role_choices, default=Role.LEARNER.value)
    scope_governorate_id = SelectField(_l("Governorate managed (HR)"), coerce=_optional_int, validators=[Optional()],
                                       description=_l("HR accounts only: empty means every governorate."))
    is_active = BooleanField(_l("Active account"), default=True)
    # The rules are lms.core.passwords', checked by the services with the account's own names.
    password = PasswordField(_l("Password"), validators=[Optional()],
                             render_kw={"autocomplete": "new-password", "minlength": MIN_LENGTH,
                                        "maxlength": MAX_LENGTH},
                             description=_l("At least 12 characters: a few uncommon words, not a common password, "
                                            "nor the person's name, username or employee number."))
    KEEP_PASSWORD = _l("At least 12 characters: a few uncommon words, not a common password, nor the person's name, "
                       "username or employee number. Leave empty to keep the current password.")  # an account's edit


class CenterForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32), Regexp(r"^[A-Za-z0-9-]+$")],
                       render_kw={"dir": "ltr"})
    governorate_id = SelectField(_l("Governorate"), coerce=db_int, validators=[DataRequired()])
    name_ar = StringField(_l("Name in Arabic"), validators=[DataRequired(), Length(max=200)],
                          render_kw={"dir": "rtl", "lang": "ar"})
    name_en = StringField(_l("Name in English"), validators=[DataRequired(), Length(max=200)],
                          render_kw={"dir": "ltr", "lang": "en"})
    kind = SelectField(_l("Kind"), choices=lambda: [(CenterKind.FIXED.value, _l("Fixed technology center")),
                                                    (CenterKind.MOBILE.value, _l("Mobile technology center"))])
    is_active = BooleanField(_l("Active"), default=True)
    district_id = SelectField(_l("District"), coerce=_optional_int, validators=[Optional()])
    location = StringField(_l("Current location (mobile technology center)"), validators=[Optional(), Length(max=300)])


class GovernorateForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=8), Regexp(r"^[A-Za-z]+$")],
                       render_kw={"dir": "ltr"})
    name_ar = StringField(_l("Name in Arabic"), validators=[DataRequired(), Length(max=120)],
                          render_kw={"dir": "rtl", "lang": "ar"})
    name_en = StringField(_l("Name in English"), validators=[DataRequired(), Length(max=120)],
                          render_kw={"dir": "ltr", "lang": "en"})


class RosterUploadForm(FlaskForm):
    file = FileField(_l("Roster file (XLSX or CSV, at most 5 MB)"), render_kw={"accept": ".xlsx,.csv,.txt"})
    complete = BooleanField(_l("This file lists every employee of its technology centers: deactivate the learners "
                               "of these centers who are missing from it."))


class RosterApplyForm(FlaskForm):
    # The checked rows, signed: sent back with the confirmation, in a URL-encoded form (Werkzeug caps each text
    # field of a multipart form at 500 kB).
    payload = HiddenField()
    # The identity changes ticked, by their `Entry.token`: checked again against the plan at apply, never trusted.
    confirm = SelectMultipleField(choices=[], validate_choice=False)


class PlacementForm(EditForm):
    center_id = SelectField(_l("Technology center"), coerce=_optional_int, validators=[DataRequired()])
    job_title_id = SelectField(_l("Job title"), coerce=_optional_int, validators=[Optional()])


class DistrictForm(FlaskForm):
    governorate_id = SelectField(_l("Governorate"), coerce=db_int, validators=[DataRequired()])
    name_ar = StringField(_l("Name in Arabic"), validators=[DataRequired(), Length(max=120)],
                          render_kw={"dir": "rtl", "lang": "ar"})
    name_en = StringField(_l("Name in English"), validators=[DataRequired(), Length(max=120)],
                          render_kw={"dir": "ltr", "lang": "en"})


class JobTitleForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32), Regexp(r"^[A-Za-z0-9_-]+$")],
                       render_kw={"dir": "ltr"})
    name_ar = StringField(_l("Name in Arabic"), validators=[DataRequired(), Length(max=120)],
                          render_kw={"dir": "rtl", "lang": "ar"})
    name_en = StringField(_l("Name in English"), validators=[DataRequired(), Length(max=120)],
                          render_kw={"dir": "ltr", "lang": "en"})


class LocationForm(FlaskForm):
    location = TextAreaField(_l("Where the mobile technology center stands now"),
                             validators=[DataRequired(), Length(max=300)], render_kw={"rows": 2})
