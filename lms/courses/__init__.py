"""Courses and their modules, authored on the web or loaded from the top-level courses/ folder."""
from flask import Flask


def init_app(app: Flask) -> None:
    from lms.courses import cli, routes

    app.register_blueprint(routes.bp)
    app.cli.add_command(cli.courses_cli)
