"""Enrolments, completion, assignments (mandatory training by center and job), learning paths, reminders."""
from flask import Flask


def init_app(app: Flask) -> None:
    from lms.accounts import roles
    from lms.core.home import HomeSection, home
    from lms.core.i18n import _l
    from lms.core.menu import MenuEntry, menu
    from lms.core.signals import attempt_graded, course_completed, staff_changed
    from lms.progress import assignments, manage, paths, routes, services
    from lms.progress import home as sections
    from lms.quizzes.attempts import may_start_attempt

    app.register_blueprint(routes.bp)
    app.register_blueprint(manage.bp)
    app.register_blueprint(routes.paths_bp)
    menu.add(app, MenuEntry("progress.dashboard", _l("My learning"), None, 10))
    menu.add(app, MenuEntry("progress.catalogue", _l("Courses"), None, 20))
    menu.add(app, MenuEntry("paths.catalogue", _l("Learning paths"), None, 30, section="paths."))
    menu.add(app, MenuEntry("progress_manage.path_list", _l("Manage learning paths"), roles.MANAGE_PATHS, 60))
    menu.add(app, MenuEntry("progress_manage.index", _l("Assignments"), roles.ASSIGN_TRAINING, 80))
    home.add(app, HomeSection("due", "progress/home/due.html", None, 10, sections.load_due))
    home.add(app, HomeSection("resume", "progress/home/resume.html", None, 20, sections.load_resume))
    home.add(app, HomeSection("courses", "progress/home/courses.html", None, 40, sections.load_courses))
    may_start_attempt.provide(app, services.check_quiz_start)
    attempt_graded.connect(services.complete_after_quiz)
    course_completed.connect(paths.complete_paths_on_completion)
    staff_changed.connect(assignments.enrol_changed_staff)

