"""Read-only reports across the domains: completion, overdue, scores, the matrix, transcripts, exports."""
from flask import Flask


def init_app(app: Flask) -> None:
    from lms.accounts import roles
    from lms.core.home import HomeSection, home
    from lms.core.i18n import _l
    from lms.core.menu import MenuEntry, menu
    from lms.reports import home as sections
    from lms.reports import manage, routes

    app.register_blueprint(manage.bp)
    app.register_blueprint(routes.bp)
    menu.add(app, MenuEntry("reports.overview", _l("Reports"), roles.VIEW_REPORTS, 90, section="reports."))
    home.add(app, HomeSection("standing", "reports/home/standing.html", roles.VIEW_REPORTS, 110,
                              sections.load_standing))
