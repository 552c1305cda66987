"""Translated error pages for people, JSON errors under /api: never an HTML 500 to an API client."""
from flask import Flask, jsonify, make_response, render_template
from werkzeug.exceptions import HTTPException, InternalServerError

from lms.core.i18n import _
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


def json_error(status: int, code: str, message: str | None = None):
    message = message or _messages().get(status, _messages()[500])
    return jsonify(error={"code": code, "message": message}), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def handle_http(error: HTTPException):
        status = error.code or 500
        if wants_json():
            code = (error.name or "error").lower().replace(" ", "_")
            body, status = json_error(status, code, _messages().get(status, error.description))
        else:
            body = make_response(render_template("errors/error.html", status=status, message=_messages().get(status)))
        # What the error says besides its page: Allow on a 405, Retry-After on a 429 (RFC 9110).
        body.headers.extend((name, value) for name, value in error.get_headers() if name.lower() != "content-type")
        return body, status

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        app.logger.exception("unhandled error")
        db.session.rollback()
        return handle_http(InternalServerError())
