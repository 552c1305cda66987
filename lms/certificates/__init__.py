"""Certificates: issued when a course is completed, rendered to PDF (the only package that imports WeasyPrint),
checked by anyone through their verification code, revoked or reissued by HR."""
from flask import Flask


def init_app(app: Flask) -> None:
    from lms.certificates import cli, expiry_notices, issuing, manage, routes
    from lms.core.signals import certificate_issued, course_completed, path_completed

    app.register_blueprint(routes.bp)
    app.register_blueprint(manage.bp)
    app.cli.add_command(cli.certificates_cli)
    course_completed.connect(issuing.issue_on_completion)
    path_completed.connect(issuing.issue_on_path_completion)
    certificate_issued.connect(expiry_notices.tell_the_holder)
