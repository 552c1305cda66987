"""Flask-Login wiring: a browser is signed in only while its server-side LoginSession exists."""
from flask import Flask, current_app, redirect, request, session, url_for
from flask_login import current_user

from lms.auth.services import user_for_login_session
from lms.core.i18n import _l
from lms.core.security import JSON_PREFIXES
from lms.extensions import login_manager


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to open this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(_load_user)
    app.before_request(_require_own_password)


# What someone signed in with a one-time password may still open: the form to choose their own, and the exits.
_OPEN_BEFORE_PASSWORD_CHANGE = {"auth.change_password", "auth.logout", "accounts.set_language", "static",
                                "core.healthz"}


def _require_own_password():
    """An account given a one-time password opens nothing until its holder has chosen their own."""
    if request.endpoint in _OPEN_BEFORE_PASSWORD_CHANGE or request.path.startswith(JSON_PREFIXES):
        return None
    # Public pages show no one's data, and the browser asks for some on its own: the service worker's script,
    # redirected to the password form, failed on every page ("behind a redirect").
    if getattr(current_app.view_functions.get(request.endpoint), "access", None) == "public":
        return None
    if current_user.is_authenticated and current_user.must_change_password:
        # The form's page says why (no flash: one queued by a request the browser made on its own, an icon or the
        # manifest, stood under "Your password has been changed" on the next page).
        return redirect(url_for("auth.change_password"))
    return None


def _load_user(user_id: str):
    return user_for_login_session(user_id, session.get("sid"))
