"""Arabic-first staff training and certification LMS for technology centers."""
from pathlib import Path

from flask import Flask

from lms.config import load_config

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: object | dict | None = None) -> Flask:
    """Build the app; `config` (a dict or settings object) overrides what the environment says."""
    app = Flask(__name__, template_folder=str(PROJECT_ROOT / "templates"), instance_relative_config=True)
    load_config(app, config)
    register_extensions(app)
    register_blueprints(app)
    register_cli(app)
    register_errors(app)
    return app


def register_extensions(app: Flask) -> None:
    from lms.core import db as core_db
    from lms.core import i18n, inputs, jobs, throttle, web
    from lms.extensions import csrf, db, login_manager, migrate

    db.init_app(app)
    core_db.configure_engine(app)
    inputs.init_app(app)  # before the blueprints: their <int:...> rules take its converter
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    throttle.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    web.init_app(app)
    jobs.init_app(app)

    from lms.auth import sessions

    sessions.init_app(app)


def register_blueprints(app: Flask) -> None:
    from lms.accounts.routes import bp as accounts_bp
    from lms.accounts.staff import bp as staff_bp
    from lms.api.assignments import bp as api_assignments_bp
    from lms.api.certificates import bp as api_certificates_bp
    from lms.api.hr import bp as api_hr_bp
    from lms.api.quizzes import bp as api_quizzes_bp
    from lms.api.reports import bp as api_reports_bp
    from lms.api.routes import bp as api_bp
    from lms.auth.routes import bp as auth_bp
    from lms.certificates import (
        expiry_notices,  # noqa: F401  (listens to certificate_issued, notifications_due)
        issuing,  # noqa: F401  (listens to course_completed)
        renewal,  # noqa: F401  (listens to notifications_due: before the reminders, which it feeds)
    )
    from lms.certificates.manage import bp as certificates_manage_bp
    from lms.certificates.routes import bp as certificates_bp
    from lms.core.routes import bp as core_bp
    from lms.courses.routes import bp as courses_bp
    from lms.notifications.routes import bp as notifications_bp
    from lms.progress import (
        assignments,  # noqa: F401  (listens to staff_changed)
        reminders,  # noqa: F401  (listens to notifications_due)
    )
    from lms.progress.manage import bp as assignments_bp
    from lms.progress.manage import paths_bp
    from lms.progress.routes import bp as progress_bp
    from lms.quizzes.manage import bp as quiz_manage_bp
    from lms.quizzes.routes import bp as quizzes_bp
    from lms.reports.routes import bp as reports_bp
    from lms.reports.routes import learner_bp as my_reports_bp

    for bp in (core_bp, auth_bp, accounts_bp, staff_bp, courses_bp, quizzes_bp, quiz_manage_bp, progress_bp,
               assignments_bp, paths_bp, certificates_bp, certificates_manage_bp, notifications_bp, reports_bp, api_bp,
               api_quizzes_bp, api_certificates_bp, api_hr_bp, api_assignments_bp, my_reports_bp, api_reports_bp):
        app.register_blueprint(bp)

    from lms.quizzes.types import register_question_types  # TEMP wiring: the quizzes package's init_app calls it

    register_question_types(app)


def register_cli(app: Flask) -> None:
    from lms.accounts.cli import demo_cli
    from lms.certificates.cli import certificates_cli
    from lms.courses.cli import courses_cli
    from lms.notifications.cli import notifications_cli
    from lms.quizzes.cli import questions_cli, quizzes_cli
    from lms.reports.cli import demo_data_command

    app.cli.add_command(courses_cli)
    app.cli.add_command(questions_cli)
    app.cli.add_command(quizzes_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(certificates_cli)
    app.cli.add_command(notifications_cli)
    app.cli.add_command(demo_data_command)


def register_errors(app: Flask) -> None:
    from lms.core.errors import register_error_handlers

    register_error_handlers(app)
