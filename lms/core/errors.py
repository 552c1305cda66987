"""Translated error pages for people, JSON errors under /api: never an HTML 500 to an API client."""
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask, jsonify, make_response, render_template, request
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError

from lms.core.db import is_busy
from lms.core.i18n import _
from lms.core.models import utcnow
from lms.core.security import wants_json
from lms.extensions import db


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood. Please check what you entered."),
        401: _("Please sign in first."),
        403: _("You do not have permission to open this page."),
        404: _("The page you asked for does not exist."),
        405: _("This action is not allowed here."),
        413: _("The file is too large."),
        429: _("Too many requests. Please wait a moment and try again."),
        500: _("Something went wrong on our side. Please try again."),
        503: _("The service is temporarily unavailable. Please try again shortly."),
    }


class ClearBadRequest(BadRequest):
    """A 400 whose translated description tells the person what to change: shown as it is, on a page or in JSON."""

    def __init__(self, code: str, description: str):
        super().__init__(description)
        self.error_code = code


def json_error(status: int, code: str, message: str | None = None):
    message = message or _messages().get(status, _messages()[500])
    return jsonify(error={"code": code, "message": message}), status


RETRY_AFTER_SECONDS = 5  # a write holds the lock for milliseconds: the busy moment has passed by then


def busy_response():
    """503 with Retry-After: a writer waited the whole busy timeout for another's lock; nothing was saved."""
    message = _("The system is busy saving other changes. Please try again in a few seconds.")
    script = wants_json() or request.is_json  # the API, or a page's script (the quiz's autosave)
    body, status = json_error(503, "busy", message) if script else (
        render_template("errors/error.html", status=503, message=message), 503)
    return body, status, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def _retry_at(error: HTTPException) -> datetime | None:
    """When a throttled person may try again: the page says the time of day rather than "a moment", which a
    per-account limit can stretch to an hour."""
    seconds = getattr(error, "retry_after", None)
    return utcnow() + timedelta(seconds=seconds) if isinstance(seconds, int) and seconds > 0 else None


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def handle_http(error: HTTPException):
        status = error.code or 500
        if isinstance(error, ClearBadRequest):
            if wants_json() or request.is_json:  # a page's script (quiz autosave) reads JSON errors too
                return json_error(status, error.error_code, error.description)
            return render_template("errors/error.html", status=status, message=error.description), status
        if wants_json():
            code = (error.name or "error").lower().replace(" ", "_")
            body, status = json_error(status, code, _messages().get(status, error.description))
        else:
            body = make_response(render_template("errors/error.html", status=status, message=_messages().get(status),
                                                 retry_at=_retry_at(error)))
        # What the error says besides its page: Allow on a 405, Retry-After on a 429 (RFC 9110).
        body.headers.extend((name, value) for name, value in error.get_headers() if name.lower() != "content-type")
        return body, status

    @app.errorhandler(sa.exc.OperationalError)
    def handle_database_error(error: sa.exc.OperationalError):
        if not is_busy(error):
            return handle_unexpected(error)
        app.logger.warning("database busy, answered 503: %s", error.orig)
        db.session.rollback()
        return busy_response()

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        app.logger.exception("unhandled error")
        db.session.rollback()
        return handle_http(InternalServerError())
