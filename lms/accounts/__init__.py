"""People and places: accounts, governorates, districts, technology centers, job titles, who sees whom (scope),
rosters."""
from flask import Flask


def init_app(app: Flask) -> None:
    from lms.accounts import roles, routes
    from lms.accounts.manage import admin, staff
    from lms.core.i18n import _l
    from lms.core.menu import MenuEntry, menu

    app.register_blueprint(routes.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(staff.bp)
    menu.add(app, MenuEntry("staff.staff_list", _l("Staff"), roles.MANAGE_STAFF, 70, section="staff."))
    menu.add(app, MenuEntry("admin.users", _l("Users"), roles.ADMINISTER, 110))
    menu.add(app, MenuEntry("admin.centers", _l("Technology centers"), roles.ADMINISTER, 120))
