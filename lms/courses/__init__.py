"""Courses and their modules, authored on the web or loaded from the top-level courses/ folder."""
from flask import Flask


def init_app(app: Flask) -> None:
    from lms.courses import cli, manage

    app.register_blueprint(manage.bp)
    app.cli.add_command(cli.courses_cli)
