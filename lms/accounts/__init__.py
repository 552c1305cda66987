"""People and places: accounts, governorates, districts, technology centers, job titles, who sees whom (scope),
rosters."""
from flask import Flask


def init_app(app: Flask) -> None:
    from lms.accounts.manage import admin, staff

    app.register_blueprint(admin.bp)
    app.register_blueprint(staff.bp)
