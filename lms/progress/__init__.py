"""Enrolments, completion, assignments (mandatory training by center and job), learning paths, reminders."""
from flask import Flask


def init_app(app: Flask) -> None:
    from lms.core.signals import attempt_graded, course_completed, staff_changed
    from lms.progress import assignments, manage, paths, routes, services
    from lms.quizzes.attempts import may_start_attempt

    app.register_blueprint(routes.bp)
    app.register_blueprint(manage.bp)
    app.register_blueprint(manage.paths_bp)
    may_start_attempt.provide(app, services.check_quiz_start)
    attempt_graded.connect(services.complete_after_quiz)
    course_completed.connect(paths.complete_paths_on_completion)
    staff_changed.connect(assignments.enrol_changed_staff)

