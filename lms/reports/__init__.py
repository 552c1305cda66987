"""Read-only reports across the domains: completion, overdue, scores, the matrix, transcripts, exports."""
from flask import Flask


def init_app(app: Flask) -> None:
    from lms.reports import manage, routes

    app.register_blueprint(manage.bp)
    app.register_blueprint(routes.bp)
