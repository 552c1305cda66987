"""The API for HR systems: staff upsert, completions, assignments; scoped like the screens."""
from flask import Blueprint

from lms.extensions import csrf

bp = Blueprint("api_hr", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
