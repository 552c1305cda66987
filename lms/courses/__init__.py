"""Courses and their modules, authored on the web or loaded from the top-level courses/ folder."""
from flask import Flask


def init_app(app: Flask) -> None:
    from lms.accounts import roles
    from lms.core.home import HomeSection, home
    from lms.core.i18n import _l
    from lms.core.menu import MenuEntry, menu
    from lms.courses import cli, log, manage, routes
    from lms.courses import home as sections

    app.register_blueprint(routes.bp)
    app.register_blueprint(manage.bp)
    app.cli.add_command(cli.courses_cli)
    app.add_template_global(log.part_list)
    app.add_template_filter(_scrollable_tables, "scrollable_tables")
    menu.add(app, MenuEntry("courses.manage", _l("Manage courses"), roles.AUTHOR_COURSES, 50, section="courses."))
    home.add(app, HomeSection("managed-courses", "courses/home/managed.html", {roles.Role.TRAINER}, 60,
                              sections.load_managed))  # administrators' home is HR's and the system's


def _scrollable_tables(html: str):
    """A module's stored HTML with each table scrolling in its own box, named in the reader's language."""
    from lms.core.i18n import _
    from lms.courses.markdown import scrollable_tables

    return scrollable_tables(html, _("Table, scrolls sideways"))
