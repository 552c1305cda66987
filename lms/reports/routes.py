"""HR's reports: the completion matrix, rates by center and course, overdue staff, scores, transcripts."""
from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/manage/reports")
