"""`flask --app lms certificates print ... --out FILE.pdf`, `certificates verify CODE`, `certificates revoke CODE`."""
import sys

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from lms.accounts.models import User
from lms.certificates import batches, services
from lms.certificates.codes import grouped
from lms.certificates.forms import status_label
from lms.certificates.models import BatchStatus, PrintBatch
from lms.certificates.printroom import CertificateFilter
from lms.certificates.signing import seal
from lms.certificates.texts import revocation_reason
from lms.core.i18n import _, ngettext
from lms.core.models import ValidationError
from lms.courses.services import course_by_slug
from lms.extensions import db

certificates_cli = click.Group("certificates", help="Certificates: print, check and revoke.")
seal_cli = click.Group("seal", help="The seal (PAdES signature) on stored certificate PDFs.")
certificates_cli.add_command(seal_cli)


@seal_cli.command("demo")
@with_appcontext
def seal_demo_command() -> None:
    """Make this instance's demo seal authority if it has none (demo and test mode only; idempotent)."""
    if current_app.config["LMS_ENV"] not in ("demo", "test"):
        raise click.ClickException(_("The demo seal is only made in demo mode (LMS_ENV=demo)."))
    made = seal.demo_authority()
    click.echo((_("Demo seal authority created: %(path)s") if made.created
                else _("Demo seal authority already there: %(path)s")) % {"path": made.root_pem})

@certificates_cli.command("verify")
@click.argument("code")
@with_appcontext
def verify_command(code: str) -> None:
    """Say what the public register says of CODE (exit status 1 when no certificate has it)."""
    result = services.verify(code)
    if not result.found:
        raise click.ClickException(status_label("not_found"))
    c = result.certificate
    lines = [(_("Status"), status_label(result.status)), (_("Verification code"), grouped(c.code)),
             (_("Serial number"), c.serial), (_("Name"), f"{c.name_ar} / {c.name_latin}"),
             (_("Course"), f"{c.course_title_ar} / {c.course_title_en}"),
             (_("Issue date"), c.issued_at.date().isoformat()),
             (_("Expiry date"), c.expires_at.date().isoformat() if c.expires_at else _("Does not expire"))]
    if c.revoked_at:
        lines += [(_("Revoked on"), c.revoked_at.date().isoformat()), (_("Reason"), revocation_reason(c))]
    if result.newer_code:
        lines.append((_("Open the newer certificate"), grouped(result.newer_code)))
    for label, value in lines:
        click.echo(f"{label}: {value}")


@certificates_cli.command("revoke")
@click.argument("code")
@click.option("--reason", required=True, help="Why it is revoked (shown by the public register).")
@click.option("--by", "by_username", help="The HR or admin account this is done for (recorded in the log).")
@with_appcontext
def revoke_command(code: str, reason: str, by_username: str | None) -> None:
    """Revoke the certificate with CODE: it keeps its code, and the register says it is revoked."""
    certificate = services.certificate_by_code(code)
    if certificate is None:
        raise click.ClickException(_("Not found"))
    actor = None
    if by_username:
        actor = db.session.scalar(sa.select(User).where(User.username == by_username))
        if actor is None:
            raise click.ClickException(_("No account has the username %(name)s.", name=by_username))
    try:
        services.revoke(certificate.id, reason, actor.id if actor else None)
    except ValidationError as error:
        raise click.ClickException(" ".join(error.errors.values())) from None
    click.echo(_("Certificate %(serial)s is revoked.", serial=certificate.serial))
    for path_certificate in services.revoked_with(certificate.id):
        click.echo(_("The learning path certificate %(serial)s was revoked with it.", serial=path_certificate.serial))


@certificates_cli.command("print")
@click.option("--course", "slug", help="Only this course's certificates (its slug).")
@click.option("--center", "center_code", help="Only the certificates of this technology center (its code).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Issued on or after this day (YYYY-MM-DD).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Issued on or before this day (YYYY-MM-DD).")
@click.option("--language", type=click.Choice(batches.BATCH_LANGUAGES), default="course", show_default=True)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True),
              help="The PDF file to write.")
@with_appcontext
def print_command(slug, center_code, since, until, language, out) -> None:
    """Write one print-ordered PDF of the matching certificates (revoked and superseded ones left out). It is
    logged as a print batch; mark it printed in the print room once it is."""
    course_id = None
    if slug:
        course = course_by_slug(slug)
        if course is None:
            raise click.ClickException(_("No course has the slug %(slug)s.", slug=slug))
        course_id = course.id
    criteria = CertificateFilter(center_code=center_code, course_id=course_id,
                                 since=since.date() if since else None, until=until.date() if until else None)
    try:
        batch = batches.create_batch(criteria, language, None, _("Command line"), queue=False, command_line=True)
    except ValidationError as error:
        raise click.ClickException(" ".join(error.errors.values())) from None
    with click.progressbar(length=batch.total, label=_("Preparing the certificates"), file=sys.stderr) as bar:
        seen = [0]

        def advance(done: int) -> None:
            bar.update(done - seen[0])
            seen[0] = done

        batches.run_batch(batch.id, on_progress=advance)
    if db.session.get(PrintBatch, batch.id).status != BatchStatus.DONE:
        raise click.ClickException(_("Preparing the PDF failed. Try again, and tell the administrator if it "
                                     "fails again."))
    with open(out, "wb") as file:
        file.write(batches.batch_pdf(batch.id))
    click.echo(ngettext("%(num)s certificate written to %(file)s (print batch %(batch)s).",
                        "%(num)s certificates written to %(file)s (print batch %(batch)s).", batch.total, file=out,
                        batch=batch.id))
