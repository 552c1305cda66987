"""The mobile-center field kit (issue 16): devices that sync for several staff, their grants, offline exams
unlocked by an invigilator code, and the uploads of attempts made without a network, judged here alone."""
from flask import Flask


def init_app(app: Flask) -> None:
    from lms.accounts import roles
    from lms.core.i18n import _l
    from lms.core.menu import MenuEntry, menu
    from lms.offline import api, routes, shell

    app.register_blueprint(routes.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(shell.bp)
    menu.add(app, MenuEntry("offline.new_exam", _l("Offline exams"), roles.FOLLOW_PROGRESS, 85))
    menu.add(app, MenuEntry("offline.uploads", _l("Offline uploads"), roles.VIEW_REPORTS, 95,
                            section="offline.uploads"))
