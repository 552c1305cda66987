"""The daily run (`flask notifications send-due`, from cron): an ordered list of steps, owned here at the top
because they come from several packages and their order matters.

Each step runs in its own write transaction, is timed and logged; a step that fails is rolled back and reported,
and the steps after it still run. Every step is idempotent: a second run the same day stores nothing new.
"""
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Mapped, mapped_column

from lms.accounts.roster_jobs import tidy_roster_imports
from lms.certificates.batches import fail_stale_batches
from lms.certificates.expiry_notices import store_expiry_notices
from lms.certificates.renewal import renew_due
from lms.certificates.signing import status_list
from lms.core.db import begin_write
from lms.core.i18n import _
from lms.core.jobs import QueueCounts, queue_counts
from lms.core.models import UTCDateTime, utcnow
from lms.extensions import db
from lms.notifications.cli import notifications_cli
from lms.notifications.messages import kind_label
from lms.notifications.services import send_waiting_emails
from lms.progress.reminders import store_due_notices


class StepFailed(Exception):
    """A step that could not finish, with a message for the person who runs the command."""


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[[datetime], dict[str, int] | None]
    in_transaction: bool = True  # False: the step commits as it goes (e-mail, one message at a time)


@dataclass
class StepResult:
    name: str
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)
    error: str | None = None


def _renew_certificates(now: datetime) -> dict[str, int]:
    return {"renewal": renew_due(now)}


def _send_emails(_now: datetime) -> dict[str, int]:
    sent, skipped, error = send_waiting_emails()
    if error:
        raise StepFailed(_("Sending e-mail stopped: %(error)s. What is left is sent on the next run.", error=error))
    return {"emails_sent": sent, "emails_skipped": skipped}


STEPS: tuple[Step, ...] = (
    # First: a certificate about to expire opens its course's new cycle, which the reminders below are about.
    Step("renew-certificates", _renew_certificates),
    Step("reminders", store_due_notices),
    Step("expiry-notices", store_expiry_notices),
    Step("stale-print-batches", fail_stale_batches),
    Step("roster-imports", tidy_roster_imports),
    # The signed status list of certificates, re-signed so that verifiers' copies are never older than a day.
    Step("certificate-status-list", status_list.daily_step),
    # Last: e-mails what the steps above stored.
    Step("emails", _send_emails, in_transaction=False),
)


class DailyRun(db.Model):
    """One daily run: when it started and ended (the clock, not the `--now` it acted as) and how it went, so that
    the administrator's home can say whether cron still calls it."""

    __tablename__ = "daily_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: still running, or it was killed
    acted_as: Mapped[datetime] = mapped_column(UTCDateTime)  # the run's "now"
    failed_steps: Mapped[str | None] = mapped_column(sa.String(500))  # None: every step succeeded

    @property
    def succeeded(self) -> bool:
        return self.finished_at is not None and self.failed_steps is None


def run_daily(now: datetime, steps: tuple[Step, ...] | None = None,
              clock: Callable[[], datetime] = utcnow) -> list[StepResult]:
    """Run the steps in order, recording the run (its start, end and the steps that failed) in daily_runs."""
    run_id = _record(DailyRun(started_at=clock(), acted_as=now))
    results = [_run_step(step, now) for step in (STEPS if steps is None else steps)]
    failed = ", ".join(r.name for r in results if r.error is not None)
    begin_write()
    db.session.execute(sa.update(DailyRun).where(DailyRun.id == run_id)
                       .values(finished_at=clock(), failed_steps=failed[:500] or None))
    db.session.commit()
    return results


def _record(run: DailyRun) -> int:
    begin_write()
    db.session.add(run)
    db.session.commit()
    return run.id


# Cron calls the run once a day: a last start older than this means it stopped being called (or keeps dying).
LATE_AFTER = timedelta(hours=26)


@dataclass(frozen=True)
class Health:
    last_run: DailyRun | None
    is_late: bool  # no run started within LATE_AFTER
    jobs: QueueCounts | None  # None: the queue could not be read

    late_after_hours: int = LATE_AFTER // timedelta(hours=1)

    @property
    def is_healthy(self) -> bool:
        return (not self.is_late and self.last_run is not None and self.last_run.succeeded
                and self.jobs is not None and not self.jobs.failed)


def health(now: datetime) -> Health:
    """The system's health at `now`: the last daily run and the jobs queue (one query, one queue read)."""
    last = db.session.scalar(sa.select(DailyRun).order_by(DailyRun.started_at.desc(), DailyRun.id.desc()).limit(1))
    return Health(last, last is None or last.started_at < now - LATE_AFTER, queue_counts(now))


def _run_step(step: Step, now: datetime) -> StepResult:
    started = time.perf_counter()
    try:
        if step.in_transaction:
            begin_write()
        counts = step.run(now) or {}
        if step.in_transaction:
            db.session.commit()
    except Exception as error:  # one step's failure must not stop the others
        db.session.rollback()
        seconds = time.perf_counter() - started
        message = str(error) if isinstance(error, StepFailed) else f"{type(error).__name__}: {error}"
        current_app.logger.exception("daily run: step %s failed after %.2f s", step.name, seconds)
        return StepResult(step.name, seconds, error=message)
    seconds = time.perf_counter() - started
    current_app.logger.info("daily run: step %s done in %.2f s: %s", step.name, seconds, counts)
    return StepResult(step.name, seconds, counts)


def init_app(app: Flask) -> None:
    from lms.accounts.roles import ADMINISTER
    from lms.core.home import HomeSection, home

    notifications_cli.add_command(send_due_command)  # under `flask notifications`, where cron has always called it
    home.add(app, HomeSection("system-health", "home/system_health.html", ADMINISTER, 200,
                              lambda _viewer, now: health(now)))


@click.command("send-due")
@click.option("--now", "now_text", help="The moment to act as if it were (ISO-8601; UTC unless it names a zone). "
                                        "For tests and catching up; the default is the clock.")
@with_appcontext
def send_due_command(now_text: str | None) -> None:
    """Run the daily steps: renew expiring certificates' courses, store the reminders, overdue and expiry notices
    that are due, tidy stale jobs, then e-mail every notification not yet e-mailed. Each notice is stored once (its
    key) and each e-mail sent once, however often this runs."""
    results = run_daily(_parse_now(now_text))
    for result in results:  # cron mails this output: each step's time is there as well as in the log
        click.echo(_("Step %(step)s: %(seconds)s s", step=result.name, seconds=f"{result.seconds:.2f}"))
        for key, number in sorted(result.counts.items()):
            if not key.startswith("emails_"):
                click.echo(_("%(kind)s stored: %(num)s", kind=kind_label(key), num=number))
    emails = next((r for r in results if r.name == "emails" and r.error is None), None)
    if emails is not None:
        click.echo(_("E-mails sent: %(sent)s; skipped: %(skipped)s.", sent=emails.counts["emails_sent"],
                     skipped=emails.counts["emails_skipped"]))
    failed = [r for r in results if r.error is not None]
    if failed:
        raise click.ClickException("\n".join(
            _("The step %(step)s failed: %(error)s", step=r.name, error=r.error) for r in failed))


def _parse_now(text: str | None) -> datetime:
    if not text:
        return utcnow()
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise click.BadParameter(_("Give a date and time in ISO-8601, e.g. 2026-12-01T08:00:00+02:00."),
                                 param_hint="--now") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
