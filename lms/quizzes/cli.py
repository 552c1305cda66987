"""`flask --app lms questions import COURSE FILE` and `flask --app lms quizzes close-overdue`."""
from pathlib import Path

import click
from flask.cli import with_appcontext

from lms.core.i18n import _, localize_digits, ngettext
from lms.courses.services import course_by_slug
from lms.quizzes import attempts, bank
from lms.quizzes.formats import BankFileError

questions_cli = click.Group("questions", help="Question banks: import and export.")
quizzes_cli = click.Group("quizzes", help="Quiz attempts.")


def _course(slug: str):
    course = course_by_slug(slug)
    if course is None:
        raise click.ClickException(_("No course has the slug %(slug)s.", slug=slug))
    return course


@questions_cli.command("import")
@click.argument("course")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--lang", type=click.Choice(["ar", "en"]), default="ar", show_default=True,
              help="The language the file is written in.")
@click.option("--format", "file_format", type=click.Choice(sorted(bank.BANK_FORMATS)),
              help="GIFT, Moodle XML or Aiken (guessed from the file when absent).")
@click.option("--dry-run", is_flag=True, help="Say what would change, change nothing.")
@with_appcontext
def import_command(course: str, file: Path, lang: str, file_format: str | None, dry_run: bool) -> None:
    """Add the questions of FILE to the bank of COURSE (a question with a known title is updated). All or nothing."""
    target = _course(course)
    try:
        plan = bank.import_questions(target, file.name, file.read_bytes(), lang, None, confirm=not dry_run,
                                     file_format=file_format)
    except BankFileError as error:
        for problem in error.problems:
            click.echo(f"error: {file}: {problem}", err=True)
        count = len(error.problems)
        raise click.ClickException(ngettext("%(num)s problem; nothing was imported.",
                                            "%(num)s problems; nothing was imported.", count)) from None
    click.echo(ngettext("%(num)s new question, %(updated)s updated", "%(num)s new questions, %(updated)s updated",
                        len(plan.new), updated=localize_digits(len(plan.updated)))
               + (" " + _("(dry run: nothing was changed)") if dry_run else ""))


@questions_cli.command("export")
@click.argument("course")
@click.option("--lang", type=click.Choice(["ar", "en"]), default="ar", show_default=True)
@click.option("--format", "file_format", type=click.Choice(["gift", "xml"]), default="gift", show_default=True,
              help="GIFT, or Moodle XML (which holds every question type).")
@with_appcontext
def export_command(course: str, lang: str, file_format: str) -> None:
    """Write the bank of COURSE in GIFT or Moodle XML on standard output."""
    click.echo(bank.export_bank(_course(course).id, lang, file_format), nl=False)


@quizzes_cli.command("close-overdue")
@with_appcontext
def close_overdue_command() -> None:
    """Finish and grade every attempt whose time is up (run it every few minutes)."""
    closed = attempts.close_overdue()
    click.echo(ngettext("%(num)s attempt closed", "%(num)s attempts closed", closed))
