"""What every visitor may use: the choice of language; and the name of a role, shown on many pages."""
from flask import Blueprint, current_app, redirect, request, session, url_for
from flask_login import current_user

from lms.accounts import services
from lms.accounts.forms import role_choices
from lms.core.security import public, safe_next_url

bp = Blueprint("accounts", __name__)


@bp.post("/language")
@public
def set_language():
    lang = request.form.get("lang", "")
    if lang in current_app.config["LMS_LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated and current_user.locale != lang:
            services.set_user_locale(current_user.id, lang)
    return redirect(safe_next_url(request.form.get("next"), url_for("progress.dashboard")))


@bp.app_template_global()
def role_label(role) -> str:
    return dict(role_choices())[str(role)]
