"""The bell: a person's notifications, newest first, and marking them read."""
from flask import Blueprint

from lms.notifications import models  # noqa: F401  (the table)

bp = Blueprint("notifications", __name__)
