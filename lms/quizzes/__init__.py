"""Question banks, their import formats, quiz settings, attempts and grading (a registry of question types)."""
from flask import Flask


def init_app(app: Flask) -> None:
    from lms.accounts.roles import Role
    from lms.core.home import HomeSection, home
    from lms.courses.files import folder_checks
    from lms.courses.log import log_describers
    from lms.courses.services import folder_loaders
    from lms.quizzes import authoring, bank, cli, manage, routes
    from lms.quizzes import home as sections
    from lms.quizzes.rendering import plain_text
    from lms.quizzes.types import register_question_types

    register_question_types(app)  # each type's template and script, found in its folder
    app.add_template_filter(plain_text, "prompt_text")
    app.register_blueprint(routes.bp)
    app.register_blueprint(manage.bp)
    app.cli.add_command(cli.questions_cli)
    app.cli.add_command(cli.quizzes_cli)
    folder_checks.add(app, bank.check_course_folder)  # the `quiz:` block and the question bank files
    folder_loaders.add(app, bank.sync_course_bank)
    log_describers.add(app, authoring.describe)
    home.add(app, HomeSection("recent-attempts", "quizzes/home/attempts.html", {Role.TRAINER}, 70,
                              sections.load_attempts))
    home.add(app, HomeSection("flagged-questions", "quizzes/home/flagged.html", {Role.TRAINER}, 80,
                              sections.load_flagged))
