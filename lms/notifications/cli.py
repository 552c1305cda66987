"""`flask --app lms notifications send-due [--now ISO-8601]`: run daily from cron; safe to run twice."""
import smtplib
from collections import Counter
from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.core.db import begin_write
from lms.core.i18n import _
from lms.core.models import utcnow
from lms.core.signals import notifications_due
from lms.extensions import db
from lms.notifications import mail, services
from lms.notifications.messages import kind_label

notifications_cli = click.Group("notifications", help="Notifications: store what is due and e-mail it.")


@notifications_cli.command("send-due")
@click.option("--now", "now_text", help="The moment to act as if it were (ISO-8601; UTC unless it names a zone). "
                                        "For tests and catching up; the default is the clock.")
@with_appcontext
def send_due_command(now_text: str | None) -> None:
    """Store the reminders, overdue and expiry notices that are due, then e-mail every notification not yet
    e-mailed. Each notice is stored once (its key) and each e-mail sent once, however often this runs."""
    now = _parse_now(now_text)
    stored = store_due(now)
    for kind, number in sorted(stored.items()):
        click.echo(_("%(kind)s stored: %(num)s", kind=kind_label(kind), num=number))
    sent, skipped, error = send_emails()
    click.echo(_("E-mails sent: %(sent)s; skipped: %(skipped)s.", sent=sent, skipped=skipped))
    if error:
        raise click.ClickException(_("Sending e-mail stopped: %(error)s. What is left is sent on the next run.",
                                     error=error))


def store_due(now: datetime) -> Counter:
    """Step 1: the receivers of `notifications_due` store what is due, in one write transaction."""
    begin_write()
    stored: Counter = Counter()
    try:
        for _receiver, result in notifications_due.send(now):
            if isinstance(result, dict):
                stored.update(result)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return stored


def send_emails() -> tuple[int, int, str | None]:
    """Step 2: e-mail each waiting notification once; (sent, skipped, error that stopped the run)."""
    if not mail.smtp_configured():
        return 0, services.skip_all_emails(), None
    sent = skipped = 0
    last_id = 0
    try:
        with mail.Mailer() as mailer:
            while batch := services.pending_emails(last_id):
                for item in batch:
                    last_id = item.id
                    if not item.email or not item.is_active:
                        services.record_email(item.id, sent=False)
                        skipped += 1
                        continue
                    try:
                        mailer.send(mail.build_message(item.email, item.kind, item.params or {}, item.locale))
                    except smtplib.SMTPRecipientsRefused:
                        services.record_email(item.id, sent=False)  # a bad address: retrying will not help
                        skipped += 1
                        continue
                    services.record_email(item.id, sent=True)
                    sent += 1
    except (smtplib.SMTPException, OSError) as error:
        # Never the password: SMTP errors carry the server's reply, not our credentials.
        current_app.logger.warning("send-due: e-mail stopped after %s sent: %s", sent, type(error).__name__)
        return sent, skipped, f"{type(error).__name__}: {error}"
    return sent, skipped, None


def _parse_now(text: str | None) -> datetime:
    if not text:
        return utcnow()
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise click.BadParameter(_("Give a date and time in ISO-8601, e.g. 2026-12-01T08:00:00+02:00."),
                                 param_hint="--now") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
