"""JSON API v1: bearer-token authentication, JSON errors, an OpenAPI document that matches the routes."""
from flask import Flask


def init_app(app: Flask) -> None:
    from lms.api import assignments, certificates, hr, quizzes, reports, routes

    for module in (routes, quizzes, certificates, hr, assignments, reports):
        app.register_blueprint(module.bp)
