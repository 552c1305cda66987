"""Bulk printing: a batch fixes which certificates, in print order; a background job renders them into one PDF;
HR then marks the batch printed (a reprint is logged as such) and handed over."""
import os
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from lms.accounts.models import Center, User
from lms.accounts.scope import Scope, scope_of
from lms.certificates.models import (
    WORKER_STOPPED,
    BatchStatus,
    Certificate,
    CertificateAction,
    CertificateEvent,
    PrintBatch,
    PrintBatchItem,
)
from lms.certificates.pdf import render_many
from lms.certificates.printroom import CertificateFilter, in_scope, matching
from lms.core.db import begin_write, locked
from lms.core.i18n import _, localize_digits, ngettext
from lms.core.models import ValidationError, utcnow
from lms.courses.models import Course
from lms.extensions import db

BATCH_LANGUAGES = ("course", "ar", "en", "both")  # "course": each certificate in its course's choice
MAX_BATCH = 5000


def search_parts(criteria: CertificateFilter, command_line: bool = False) -> dict:
    """What a batch's search asked for, as values that read in any language: the center's and course's names in
    both languages (as they were then), dates in ISO form, the status and printing choices as their codes."""
    parts: dict = {"via": "command_line" if command_line else "search"}
    if criteria.text:
        parts["q"] = criteria.text[:200]
    if criteria.center_code:
        center = db.session.scalar(sa.select(Center).where(Center.code == criteria.center_code))
        parts["center"] = ({"ar": center.name_ar, "en": center.name_en} if center
                           else {"ar": criteria.center_code[:50], "en": criteria.center_code[:50]})
    if criteria.course_id:
        course = db.session.get(Course, criteria.course_id)
        parts["course"] = {"ar": course.title_ar, "en": course.title_en} if course else {"ar": "?", "en": "?"}
    for name in ("since", "until"):
        if day := getattr(criteria, name):
            parts[name] = day.isoformat()
    if criteria.status:
        parts["status"] = criteria.status[:20]
    if criteria.printed is not None:
        parts["printed"] = "yes" if criteria.printed else "no"
    return parts


def create_batch(criteria: CertificateFilter, language: str, actor_id: int | None, description: str,
                 queue: bool = True, command_line: bool = False) -> PrintBatch:
    """Fix the batch's certificates (revoked and superseded ones are never printed) and queue its job (the
    command line runs it itself: `queue=False`). `description` is the search in its creator's words, kept for
    the record; screens describe the batch from its search parts, in their reader's language."""
    if language not in BATCH_LANGUAGES:
        raise ValidationError({"language": _("Choose the language of the certificates.")})
    begin_write()
    query = matching(criteria).where(Certificate.revoked_at.is_(None), Certificate.superseded_at.is_(None))
    rows = db.session.execute(query.with_only_columns(Certificate.id, Certificate.printed_at)
                              .limit(MAX_BATCH + 1)).all()
    if not rows:
        raise ValidationError({"": _("No certificate to print matches this search.")})
    if len(rows) > MAX_BATCH:
        raise ValidationError({"": ngettext("At most %(num)s certificate can be printed at once: narrow the search.",
                                            "At most %(num)s certificates can be printed at once: narrow the search.",
                                            MAX_BATCH, num=localize_digits(MAX_BATCH))})
    batch = PrintBatch(created_by_id=actor_id, description=description[:500], language=language, total=len(rows),
                       status=BatchStatus.QUEUED.value, search=search_parts(criteria, command_line))
    db.session.add(batch)
    db.session.flush()
    db.session.execute(sa.insert(PrintBatchItem), [
        {"batch_id": batch.id, "position": n, "certificate_id": row.id, "duplicate": row.printed_at is not None}
        for n, row in enumerate(rows, 1)])
    db.session.commit()
    if queue:
        from lms.certificates.tasks import render_batch  # the job module imports this one

        render_batch(batch.id)
    return batch


class LeaseLost(Exception):
    """The batch is no longer this run's: its lease ran out and it was queued again (or failed)."""


MAX_RUNS = 2  # a batch whose worker stopped is started again once


class _Lease:
    """A run's claim on its batch: each progress step renews it and records how far the run got. A run whose
    lease ran out lost the batch (it was queued again), so it writes nothing more."""

    def __init__(self, batch_id: int, run: int, on_progress: Callable[[int], None] | None):
        self.batch_id, self.run, self.on_progress = batch_id, run, on_progress
        self.every = current_app.config["LMS_PRINT_LEASE_SECONDS"] / 6
        self.done, self.renewed = 0, time.monotonic()

    def renew(self, done: int) -> None:
        if self.on_progress is not None and done != self.done:
            self.on_progress(done)
        if done == self.done and time.monotonic() - self.renewed < self.every:
            return  # still at the same step: the lease is fresh enough
        self.done, self.renewed = done, time.monotonic()
        begin_write()
        kept = db.session.execute(sa.update(PrintBatch).where(
            PrintBatch.id == self.batch_id, PrintBatch.runs == self.run,
            PrintBatch.status == BatchStatus.RUNNING.value,
        ).values(done=done, heartbeat_at=utcnow())).rowcount
        db.session.commit()
        if not kept:
            raise LeaseLost(self.batch_id)


def run_batch(batch_id: int, on_progress: Callable[[int], None] | None = None) -> None:
    """The job: render the batch into one PDF, saying how far it got as it goes (its lease)."""
    begin_write()
    batch = locked(PrintBatch, batch_id)
    if batch.status != BatchStatus.QUEUED:
        db.session.rollback()
        return  # run already (a job delivered twice)
    batch.status, batch.heartbeat_at, batch.done = BatchStatus.RUNNING.value, utcnow(), 0
    batch.runs += 1
    run = batch.runs
    db.session.commit()
    lease = _Lease(batch_id, run, on_progress)
    try:
        items = db.session.execute(
            sa.select(Certificate, PrintBatchItem.duplicate).join(PrintBatchItem)
            .where(PrintBatchItem.batch_id == batch_id).order_by(PrintBatchItem.position)).all()
        entries = [(c, c.language if batch.language == "course" else batch.language, duplicate)
                   for c, duplicate in items]
        for certificate, _duplicate in items:  # read as loaded: the progress commits must not expire them
            db.session.expunge(certificate)
        pdf = render_many(entries, progress=lease.renew,
                          processes=current_app.config["LMS_PRINT_PROCESSES"] or os.cpu_count() or 1)
    except LeaseLost:
        db.session.rollback()
        current_app.logger.warning("print batch %s: run %s lost its lease, another run has it", batch_id, run)
        return
    except Exception as error:
        current_app.logger.exception("print batch %s failed", batch_id)
        db.session.rollback()
        _finish_run(batch_id, run, status=BatchStatus.FAILED.value, error=repr(error)[:2000])
        return
    _finish_run(batch_id, run, pdf=pdf, status=BatchStatus.DONE.value)


def _finish_run(batch_id: int, run: int, **values) -> None:
    begin_write()
    batch = locked(PrintBatch, batch_id)
    if batch.runs != run or batch.status != BatchStatus.RUNNING:
        db.session.rollback()  # the batch was given to another run meanwhile: that one finishes it
        return
    for name, value in values.items():
        setattr(batch, name, value)
    batch.finished_at = utcnow()
    if batch.status == BatchStatus.DONE:
        batch.done = batch.total
    db.session.commit()


def reclaim_stalled_batches(now: datetime | None = None, queue: bool = True) -> list[int]:
    """Running batches whose lease ran out lost their worker (the job consumer was killed or stopped): each is
    queued again, once, then failed. Returns the ids queued again, whose jobs are queued after the commit unless
    `queue` is False. The job consumer runs this every minute, and a lease after it starts."""
    now = now or utcnow()
    lease = timedelta(seconds=current_app.config["LMS_PRINT_LEASE_SECONDS"])
    begin_write()
    stalled = db.session.scalars(sa.select(PrintBatch).where(
        PrintBatch.status == BatchStatus.RUNNING.value,
        sa.func.coalesce(PrintBatch.heartbeat_at, PrintBatch.created_at) < now - lease,
    ).order_by(PrintBatch.id).with_for_update()).all()
    again = []
    for batch in stalled:
        if batch.runs < MAX_RUNS:
            batch.status, batch.done = BatchStatus.QUEUED.value, 0
            again.append(batch.id)
        else:
            batch.status, batch.error, batch.finished_at = BatchStatus.FAILED.value, WORKER_STOPPED, now
        current_app.logger.warning("print batch %s: its worker stopped during run %s (last sign of life %s): %s",
                                   batch.id, batch.runs, batch.heartbeat_at, batch.status)
    db.session.commit()
    if queue and again:
        from lms.certificates.tasks import render_batch  # the job module imports this one

        for batch_id in again:
            render_batch(batch_id)
    return again


def first_lease_end() -> datetime | None:
    """When the lease of the running batch renewed longest ago runs out; None when no batch is running."""
    last = db.session.scalar(sa.select(sa.func.min(sa.func.coalesce(PrintBatch.heartbeat_at, PrintBatch.created_at)))
                             .where(PrintBatch.status == BatchStatus.RUNNING.value))
    return last + timedelta(seconds=current_app.config["LMS_PRINT_LEASE_SECONDS"]) if last else None


def lease_ran_out(batch: PrintBatch, now: datetime | None = None) -> bool:
    """Whether a running batch has shown no sign of life for longer than its lease (its page says so)."""
    last = batch.heartbeat_at or batch.created_at
    lease = timedelta(seconds=current_app.config["LMS_PRINT_LEASE_SECONDS"])
    return batch.status == BatchStatus.RUNNING and last < (now or utcnow()) - lease


STALE_AFTER = timedelta(hours=2)  # a batch of 5,000 renders in under two minutes: one this old has stopped


def fail_stale_batches(now: datetime) -> None:
    """Mark failed the batches still queued or running with no sign of life long after they were made: their
    job was lost (the queue was emptied, no consumer ever ran it), so that their page says so instead of
    "preparing" for ever. A step of the daily run (lms/daily.py)."""
    db.session.execute(sa.update(PrintBatch).where(
        PrintBatch.status.in_([BatchStatus.QUEUED.value, BatchStatus.RUNNING.value]),
        sa.func.coalesce(PrintBatch.heartbeat_at, PrintBatch.created_at) < now - STALE_AFTER,
    ).values(status=BatchStatus.FAILED.value, error=WORKER_STOPPED, finished_at=now))


def batch_pdf(batch_id: int) -> bytes | None:
    return db.session.scalar(sa.select(PrintBatch.pdf).where(PrintBatch.id == batch_id))


def mark_printed(batch_id: int, actor_id: int | None) -> PrintBatch:
    """The stack came out of the printer: each certificate is logged as printed, or reprinted if it was before."""
    begin_write()
    batch = locked(PrintBatch, batch_id)
    if batch.status != BatchStatus.DONE:
        raise ValidationError({"": _("The batch is not ready yet.")})
    if batch.printed_at is not None:
        raise ValidationError({"": _("This batch is marked printed already.")})
    now = utcnow()
    for certificate, duplicate in _certificates(batch_id):
        again = duplicate or certificate.printed_at is not None
        certificate.printed_at = certificate.printed_at or now
        db.session.add(CertificateEvent(
            certificate_id=certificate.id, actor_id=actor_id, at=now, details={"batch": batch_id},
            action=(CertificateAction.REPRINT if again else CertificateAction.PRINT).value))
    batch.printed_at, batch.printed_by_id = now, actor_id
    db.session.commit()
    return batch


def hand_over(batch_id: int, recipient: str, actor_id: int | None) -> PrintBatch:
    """The printed stack was handed to `recipient` (a center manager, say): logged for each certificate."""
    recipient = (recipient or "").strip()
    if not recipient:
        raise ValidationError({"recipient": _("Say to whom the certificates were handed over.")})
    begin_write()
    batch = locked(PrintBatch, batch_id)
    if batch.printed_at is None:
        raise ValidationError({"": _("Mark the batch printed first.")})
    now = utcnow()
    for certificate, _duplicate in _certificates(batch_id):
        certificate.handed_over_at, certificate.handed_over_to = now, recipient[:200]
        db.session.add(CertificateEvent(certificate_id=certificate.id, action=CertificateAction.HANDOVER.value,
                                        actor_id=actor_id, at=now, details={"batch": batch_id, "to": recipient}))
    batch.handed_over_at, batch.handed_over_to = now, recipient[:200]
    db.session.commit()
    return batch


def _visible_to(viewer: User):
    """Batches a viewer may open: all for those who see every governorate; else their own and those of people with
    the same scope (HR colleagues of one governorate share a print room)."""
    scope = scope_of(viewer)
    if scope.is_everything:
        return sa.true()
    colleagues = sa.select(User.id).where(User.role == viewer.role,
                                          User.scope_governorate_id == viewer.scope_governorate_id)
    return sa.or_(PrintBatch.created_by_id == viewer.id, PrintBatch.created_by_id.in_(colleagues))


def recent_batches(viewer: User, limit: int = 20) -> list[PrintBatch]:
    return list(db.session.scalars(sa.select(PrintBatch).where(_visible_to(viewer))
                                   .order_by(PrintBatch.id.desc()).limit(limit)))


def visible_batch(batch_id: int, viewer: User) -> PrintBatch | None:
    return db.session.scalar(sa.select(PrintBatch).where(PrintBatch.id == batch_id, _visible_to(viewer)))


def batch_contents(batch_id: int, scope: Scope, page: int, per_page: int = 50
                   ) -> tuple[int, list[tuple[int, Certificate, bool]]]:
    """What a batch holds, in print order, one page: (position, certificate, printed as a duplicate copy), of the
    holders the viewer may see; and how many of them there are."""
    query = (sa.select(PrintBatchItem.position, Certificate, PrintBatchItem.duplicate)
             .join(Certificate, Certificate.id == PrintBatchItem.certificate_id)
             .where(PrintBatchItem.batch_id == batch_id, in_scope(scope)))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.execute(query.order_by(PrintBatchItem.position).limit(per_page)
                              .offset((max(page, 1) - 1) * per_page))
    return total, [(position, certificate, duplicate) for position, certificate, duplicate in rows]


def _certificates(batch_id: int) -> list[tuple[Certificate, bool]]:
    return [(c, d) for c, d in db.session.execute(
        sa.select(Certificate, PrintBatchItem.duplicate).join(PrintBatchItem)
        .where(PrintBatchItem.batch_id == batch_id).order_by(PrintBatchItem.position).with_for_update())]
