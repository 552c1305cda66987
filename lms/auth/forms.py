from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from lms.core.forms import FlaskForm
from lms.core.i18n import _l
from lms.core.passwords import MAX_LENGTH, MIN_LENGTH, PASSWORD_RULES


class LoginForm(FlaskForm):
    identifier = StringField(
        _l("Username or employee number"),
        validators=[DataRequired(), Length(max=64)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(max=256)], render_kw={"autocomplete": "current-password"}
    )
    next = HiddenField()


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=256)],
                            render_kw={"autocomplete": "current-password"})
    # The rules are lms.core.passwords', checked by the service with the account's own names.
    new = PasswordField(_l("New password"), validators=[DataRequired()],
                        render_kw={"autocomplete": "new-password", "minlength": MIN_LENGTH, "maxlength": MAX_LENGTH},
                        description=PASSWORD_RULES)
    confirm = PasswordField(_l("New password again"), validators=[
        DataRequired(), EqualTo("new", message=_l("The two new passwords are not the same."))],
        render_kw={"autocomplete": "new-password"})
