"""Flask-Login wiring: a browser is signed in only while its server-side LoginSession exists."""
from flask import Flask, session

from lms.auth.services import end_all_sessions, user_for_login_session
from lms.core.i18n import _l
from lms.core.signals import user_credentials_changed
from lms.extensions import login_manager


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to open this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(_load_user)
    user_credentials_changed.connect(_end_sessions, weak=False)


def _load_user(user_id: str):
    return user_for_login_session(user_id, session.get("sid"))


def _end_sessions(user, **_):
    end_all_sessions(user.id)
