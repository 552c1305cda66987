"""The staff screens of HR and center managers: the roster (scoped), its import, one person's record."""
from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/manage/staff")
