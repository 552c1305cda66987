"""Assigning courses and learning paths to staff, and authoring learning paths (HR, center managers, admins)."""
from flask import Blueprint

bp = Blueprint("assignments", __name__, url_prefix="/manage")
