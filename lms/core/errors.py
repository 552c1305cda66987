"""Translated error pages for people, JSON errors under /api: never an HTML 500 to an API client."""
from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError

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


class ClearBadRequest(BadRequest):
    """A 400 whose translated description tells the person what to change: shown as it is, on a page or in JSON."""

    def __init__(self, code: str, description: str):
        super().__init__(description)
        self.error_code = code


def json_error(status: int, code: str, message: str | None = None):
    message = message or _messages().get(status, _messages()[500])
    return jsonify(error={"code": code, "message": message}), status


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
            return json_error(status, code, _messages().get(status, error.description))
        return render_template("errors/error.html", status=status, message=_messages().get(status)), status

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        app.logger.exception("unhandled error")
        db.session.rollback()
        return handle_http(InternalServerError())
