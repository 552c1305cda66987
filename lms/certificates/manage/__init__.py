"""HR's print room (HR and administrators): finding certificates, revoking and reissuing them, the expiry list
(records), printing stacks and the print log (printing), and how certificates look (appearance)."""
from flask import Blueprint

bp = Blueprint("certificates_manage", __name__, url_prefix="/manage/certificates")

from lms.certificates.manage import appearance, printing, records  # noqa: E402, F401  (their routes)
