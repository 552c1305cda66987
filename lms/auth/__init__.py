"""Signing in and out, sessions, passwords, API tokens, sign-in limits."""
from flask import Flask


def init_app(app: Flask) -> None:
    from lms.accounts.services import end_sessions
    from lms.auth import routes, services, sessions

    sessions.init_app(app)
    end_sessions.provide(app, services.end_sessions_of)
    app.register_blueprint(routes.bp)
