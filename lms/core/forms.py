"""Helpers shared by every package's forms, and the form classes they derive from.

WTForms' own messages ("This field is required.", "Not a valid integer value.", ...) come from our catalogue,
not from WTForms' English defaults or its partial Arabic one: every form class derives from `FlaskForm` or
`Form` here (a test walks them), so that a new form speaks the reader's language without being told."""
import re
from decimal import Decimal

import flask_wtf
import wtforms
from flask import flash
from wtforms.widgets import TextInput

from lms.core.i18n import _, _request_translations, localize_digits, ngettext
from lms.core.inputs import DB_INT_MAX
from lms.core.models import ValidationError


class _Message(str):
    """A translated WTForms message: WTForms fills its figures in with `%`, and they follow the reader's digits."""

    def __mod__(self, values) -> str:
        if not isinstance(values, dict):
            return str.__mod__(self, values)
        numbers = {k: localize_digits(v) for k, v in values.items() if isinstance(v, int | float | Decimal)}
        return str.__mod__(_WHOLE_NUMBER.sub(r"%(\1)s", self), values | numbers)


_WHOLE_NUMBER = re.compile(r"%\((\w+)\)d")


class _Catalogue:
    """What WTForms asks its forms' `meta.get_translations` for: gettext and ngettext."""

    def gettext(self, string: str) -> str:
        return _Message(_request_translations().ugettext(string))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return _Message(_request_translations().ungettext(singular, plural, n))


_CATALOGUE = _Catalogue()


class FlaskForm(flask_wtf.FlaskForm):
    class Meta:
        def get_translations(self, form):
            return _CATALOGUE


class Form(wtforms.Form):
    """For a form nested in another (FormField, FieldList): not a page's form, so no CSRF token of its own."""

    class Meta:
        def get_translations(self, form):
            return _CATALOGUE


class IntegerField(wtforms.IntegerField):
    """WTForms' own, refusing a number larger than any database integer: NumberRange fails (OverflowError) on one
    of more than 308 digits. A text box with a phone's number pad, not <input type=number>: that one silently
    empties "٤٥" typed in Arabic-Indic digits, which the server reads as 45."""

    widget = TextInput()

    def __init__(self, *args, **kwargs):
        kwargs["render_kw"] = {"inputmode": "numeric", "dir": "ltr", **(kwargs.get("render_kw") or {})}
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and abs(self.data) > DB_INT_MAX:
            self.data = None
            raise ValueError(self.gettext("Number must be at most %(max)s.") % {"max": DB_INT_MAX})


def show_service_errors(form, error: ValidationError) -> None:
    """Put a use case's refusals beside the fields they concern; the form keeps what the user typed."""
    carry_newer_fingerprint(form, error)
    for field, message in error.errors.items():
        if field and field in form:
            form[field].errors = [*form[field].errors, message]
        else:
            flash(message, "error")


def carry_newer_fingerprint(form, error: ValidationError) -> None:
    """After an edit conflict (lms.core.edits), the form carries the fingerprint of the values stored now: the
    person has been told, and saving again replaces them knowingly."""
    if getattr(error, "seen", None) and "seen" in form:
        form.seen.data = error.seen


def _wtforms_messages() -> None:  # pragma: no cover
    """Never called: marks the messages of WTForms (3.x) and Flask-WTF for extraction into our catalogue.
    tests/core/test_i18n_words.py checks this list against WTForms' own."""
    _("Invalid field name '%s'.")
    _("Field must be equal to %(other_name)s.")
    ngettext("Field must be at least %(min)d character long.", "Field must be at least %(min)d characters long.", 0)
    ngettext("Field cannot be longer than %(max)d character.", "Field cannot be longer than %(max)d characters.", 0)
    ngettext("Field must be exactly %(max)d character long.", "Field must be exactly %(max)d characters long.", 0)
    _("Field must be between %(min)d and %(max)d characters long.")
    _("Number must be at least %(min)s.")
    _("Number must be at most %(max)s.")
    _("Number must be between %(min)s and %(max)s.")
    _("Date must be at least %(min)s.")
    _("Date must be at most %(max)s.")
    _("Date must be between %(min)s and %(max)s.")
    _("This field is required.")
    _("Invalid input.")
    _("Invalid email address.")
    _("Invalid IP address.")
    _("Invalid Mac address.")
    _("Invalid URL.")
    _("Invalid UUID.")
    _("Invalid value, must be one of: %(values)s.")
    _("Invalid value, can't be any of: %(values)s.")
    _("This field cannot be edited.")
    _("This field is disabled and cannot have a value.")
    _("Invalid CSRF Token.")
    _("CSRF token missing.")
    _("CSRF failed.")
    _("CSRF token expired.")
    _("Invalid Choice: could not coerce.")
    _("Choices cannot be None.")
    _("Not a valid choice.")
    _("Invalid choice(s): one or more data inputs could not be coerced.")
    ngettext("'%(value)s' is not a valid choice for this field.",
             "'%(value)s' are not valid choices for this field.", 0)
    _("Not a valid datetime value.")
    _("Not a valid date value.")
    _("Not a valid time value.")
    _("Not a valid week value.")
    _("Not a valid integer value.")
    _("Not a valid decimal value.")
    _("Not a valid float value.")
    _("File does not have an approved extension: {extensions}")
    _("File does not have an approved extension.")
