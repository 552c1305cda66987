"""Helpers shared by every package's forms."""
from flask import flash

from lms.core.models import ValidationError


def show_service_errors(form, error: ValidationError) -> None:
    """Put a use case's refusals beside the fields they concern; the form keeps what the user typed."""
    for field, message in error.errors.items():
        if field and field in form:
            form[field].errors = [*form[field].errors, message]
        else:
            flash(message, "error")
