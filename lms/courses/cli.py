"""`flask --app lms courses import|export`: course folders in and out."""
from pathlib import Path

import click
from flask.cli import with_appcontext

from lms.core.i18n import _, ngettext
from lms.core.models import ValidationError
from lms.courses import services
from lms.courses.files import CourseFileError

courses_cli = click.Group("courses", help="Import and export course folders.")


@courses_cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@with_appcontext
def import_command(paths: tuple[Path, ...]) -> None:
    """Import course folders (or folders of them). All or nothing; re-import updates by slug."""
    try:
        courses = services.import_course_folders(list(paths))
    except CourseFileError as error:
        for problem in error.problems:
            click.echo(f"error: {problem}", err=True)
        count = len(error.problems)
        raise click.ClickException(ngettext(
            "%(num)s problem; nothing was imported.", "%(num)s problems; nothing was imported.", count)) from None
    for course in courses:
        click.echo(ngettext("imported %(slug)s (%(num)s module)", "imported %(slug)s (%(num)s modules)",
                            course.module_count, slug=course.slug))


@courses_cli.command("export")
@click.argument("slug")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def export_command(slug: str, directory: Path) -> None:
    """Write course SLUG as a course folder DIRECTORY/SLUG."""
    try:
        target = services.export_course(slug, directory)
    except ValidationError as error:
        raise click.ClickException(next(iter(error.errors.values()))) from None
    click.echo(_("exported %(slug)s to %(path)s", slug=slug, path=target))
