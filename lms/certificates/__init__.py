"""Certificates: issued when a course is completed, rendered to PDF (the only package that imports WeasyPrint),
checked by anyone through their verification code, revoked or reissued by HR."""
from flask import Flask


def init_app(app: Flask) -> None:
    from lms.accounts import roles
    from lms.certificates import cli, expiry_notices, forms, issuing, revocation, routes
    from lms.certificates.manage import appearance, printing, records
    from lms.core.i18n import _l
    from lms.core.menu import MenuEntry, menu
    from lms.core.signals import certificate_issued, course_completed, path_completed
    from lms.progress.paths import uncertified_courses

    app.register_blueprint(routes.bp)
    for screens in (records, printing, appearance):
        app.register_blueprint(screens.bp)
    menu.add(app, MenuEntry("certificates.mine", _l("My certificates"), None, 40))
    menu.add(app, MenuEntry("certificates_manage.search", _l("Certificates"), roles.MANAGE_CERTIFICATES, 100,
                            section="certificates_manage"))  # the three print-room blueprints
    app.cli.add_command(cli.certificates_cli)
    uncertified_courses.provide(app, revocation.uncertified_courses)
    app.add_template_filter(forms.batch_description)
    course_completed.connect(issuing.issue_on_completion)
    path_completed.connect(issuing.issue_on_path_completion)
    certificate_issued.connect(expiry_notices.tell_the_holder)
