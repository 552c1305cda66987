"""Certificates: issued when a course is completed, rendered to PDF (the only package that imports WeasyPrint),
checked by anyone through their verification code, revoked or reissued by HR."""
from flask import Flask


def init_app(app: Flask) -> None:
    from lms.accounts import roles
    from lms.certificates import cli, expiry_notices, forms, issuing, revocation, routes, signing
    from lms.certificates import home as sections
    from lms.certificates.manage import appearance, printing, records
    from lms.core.home import HomeSection, home
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
    home.add(app, HomeSection("new-certificates", "certificates/home/new.html", None, 30, sections.load_new))
    home.add(app, HomeSection("certificate-desk", "certificates/home/desk.html", roles.VIEW_REPORTS, 130,
                              sections.load_desk))  # HR, administrators and center managers: the staff they follow
    app.cli.add_command(cli.certificates_cli)
    signing.init_app(app)  # the issuer's keys, the signed QR payload and status list, and their routes
    uncertified_courses.provide(app, revocation.uncertified_courses)
    app.add_template_filter(forms.batch_description)
    course_completed.connect(issuing.issue_on_completion)
    path_completed.connect(issuing.issue_on_path_completion)
    certificate_issued.connect(expiry_notices.tell_the_holder)
