"""In-app notifications (the bell) and their e-mails; `flask notifications send-due` for cron."""
from flask import Flask


def init_app(app: Flask) -> None:
    from lms.notifications import cli, routes

    app.register_blueprint(routes.bp)
    app.cli.add_command(cli.notifications_cli)
