"""`flask --app lms courses import|export`: course folders in and out."""
from pathlib import Path

import click
from flask.cli import with_appcontext

from lms.core.i18n import _, ngettext
from lms.core.models import ValidationError
from lms.core.web import date_text, time_text
from lms.courses import services
from lms.courses.files import CourseFileError
from lms.courses.log import part_list
from lms.courses.sync import CourseImport, ImportConflict, import_folders

courses_cli = click.Group("courses", help="Import and export course folders.")


def _edited(done: CourseImport) -> str:
    when = f"{date_text(done.edited_at)} {time_text(done.edited_at)}" if done.edited_at else "—"
    return _("changed on the web by %(name)s, last on %(when)s", name=done.edited_by or "—", when=when)


def _conflict_report(done: CourseImport) -> list[str]:
    return [
        _("conflict: %(slug)s (%(path)s)", slug=done.slug, path=done.path),
        "  " + _edited(done),
        "  " + _("changed in the files since the last import: %(parts)s", parts=part_list(done.in_files)),
        "  " + _("the files and the course as it is now differ in: %(parts)s", parts=part_list(done.on_web)),
    ]


def _line(done: CourseImport) -> str:
    if done.outcome == "unchanged":
        return _("unchanged %(slug)s", slug=done.slug)
    if done.outcome == "matched":
        return _("%(slug)s: the files hold the course as it is now; recorded as imported", slug=done.slug)
    if done.outcome == "kept":
        return _("kept %(slug)s as edited on the web (%(edited)s); not imported: %(parts)s", slug=done.slug,
                 edited=_edited(done), parts=part_list(done.on_web))
    if done.outcome == "forced":
        return _("imported %(slug)s over the web edits (%(edited)s): %(parts)s", slug=done.slug,
                 edited=_edited(done), parts=part_list(done.on_web))
    return ngettext("imported %(slug)s (%(num)s module)", "imported %(slug)s (%(num)s modules)",
                    done.course.module_count, slug=done.slug)


@courses_cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite courses changed on the web since their last import.")
@click.option("--keep-web-edits", is_flag=True,
              help="Leave courses changed on the web since their last import as they are; import the others.")
@with_appcontext
def import_command(paths: tuple[Path, ...], force: bool, keep_web_edits: bool) -> None:
    """Import course folders (or folders of them). All or nothing; re-import updates by slug.

    Files changed over a course changed on the web since its last import stop the import (exit status 1, nothing
    imported) unless --force or --keep-web-edits is given.
    """
    if force and keep_web_edits:
        raise click.UsageError(_("Choose --force or --keep-web-edits, not both."))
    try:
        done = import_folders(list(paths), force=force, keep_web_edits=keep_web_edits)
    except CourseFileError as error:
        for problem in error.problems:
            click.echo(f"error: {problem}", err=True)
        count = len(error.problems)
        raise click.ClickException(ngettext(
            "%(num)s problem; nothing was imported.", "%(num)s problems; nothing was imported.", count)) from None
    except ImportConflict as error:
        for conflict in error.conflicts:
            for line in _conflict_report(conflict):
                click.echo(line, err=True)
        raise click.ClickException(_(
            "Nothing was imported: the files changed over web edits. Export those courses and commit them to keep "
            "the web edits, or import again with --force to overwrite them, or with --keep-web-edits to import "
            "only the others.")) from None
    for course in done:
        click.echo(_line(course))


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
