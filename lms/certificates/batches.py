"""Bulk printing: a batch fixes which certificates, in print order; a background job renders them into one PDF;
HR then marks the batch printed (a reprint is logged as such) and hands its certificates over, center by center."""
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as time_of_day

import sqlalchemy as sa
from flask import current_app

from lms.accounts.models import Center, User
from lms.accounts.scope import EVERYTHING, Scope, scope_of
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
from lms.core.localtime import governorate_zone, local_date
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
        queue_renders([batch.id])
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
    if queue:
        queue_renders(again)
    return again


def render_again_holding(certificate_ids: list[int]) -> list[int]:
    """Finished batches holding one of these certificates, whose status just changed (revoked, replaced), are
    rendered again so that their stored PDF marks it across its page as a single download does: a stack made
    before a revocation must never print the certificate as valid. Inside the caller's write transaction; returns
    the batches' ids, whose jobs the caller queues after its commit (`queue_renders`)."""
    if not certificate_ids:
        return []
    batches = db.session.scalars(sa.select(PrintBatch).where(
        PrintBatch.status == BatchStatus.DONE.value,
        PrintBatch.id.in_(sa.select(PrintBatchItem.batch_id).where(
            PrintBatchItem.certificate_id.in_(certificate_ids)))).order_by(PrintBatch.id).with_for_update()).all()
    for batch in batches:  # finished_at is kept: the page says it is being prepared again, and why
        batch.status, batch.done, batch.runs, batch.pdf = BatchStatus.QUEUED.value, 0, 0, None
    return [batch.id for batch in batches]


def queue_renders(batch_ids: list[int]) -> None:
    from lms.certificates.tasks import render_batch  # the job module imports this one

    for batch_id in batch_ids:
        render_batch(batch_id)


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


def hand_over(batch_id: int, center_id: int | None, recipient: str, on: date, actor_id: int | None,
              scope: Scope = EVERYTHING, now: datetime | None = None) -> int:
    """The printed certificates of one center (`center_id` None: of holders without a center) still waiting in the
    batch were handed to `recipient` (the center's manager, say) on the day `on`: each item and certificate records
    it, and each certificate's log says so. Only holders in `scope` count; revoked and superseded certificates are
    not handed over. Returns how many were handed over."""
    now = now or utcnow()
    recipient = (recipient or "").strip()
    if not recipient:
        raise ValidationError({"recipient": _("Say to whom the certificates were handed over.")})
    begin_write()
    batch = locked(PrintBatch, batch_id)
    if batch.printed_at is None:
        raise ValidationError({"": _("Mark the batch printed first.")})
    today = local_date(now)
    if on > today:
        raise ValidationError({"handed_over_on": _("The hand-over date cannot be in the future.")})
    if on < local_date(batch.printed_at):
        raise ValidationError({"handed_over_on": _("The hand-over date cannot be before the batch was printed.")})
    at = now if on == today else datetime.combine(on, time_of_day(12), tzinfo=governorate_zone())
    rows = db.session.execute(_waiting(batch_id, scope).where(
        User.center_id.is_(None) if center_id is None else User.center_id == center_id)
        .order_by(PrintBatchItem.position).with_for_update(of=PrintBatchItem)).all()
    if not rows:
        raise ValidationError({"": _("No certificate of this center is waiting to be handed over.")})
    recipient = recipient[:200]
    for item, certificate in rows:
        item.handed_over_at, item.handed_over_to, item.handed_over_by_id = at, recipient, actor_id
        if certificate.handed_over_at is None or certificate.handed_over_at <= at:
            certificate.handed_over_at, certificate.handed_over_to = at, recipient
        db.session.add(CertificateEvent(certificate_id=certificate.id, action=CertificateAction.HANDOVER.value,
                                        actor_id=actor_id, at=now,
                                        details={"batch": batch_id, "to": recipient, "on": on.isoformat()}))
    db.session.commit()
    return len(rows)


def _waiting(batch_id: int, scope: Scope) -> sa.Select:
    """The batch's items (with their certificates) not handed over yet that may still be: of live certificates
    whose holders are in `scope`."""
    return (sa.select(PrintBatchItem, Certificate)
            .join(Certificate, Certificate.id == PrintBatchItem.certificate_id)
            .join(User, User.id == Certificate.user_id)
            .where(PrintBatchItem.batch_id == batch_id, PrintBatchItem.handed_over_at.is_(None),
                   Certificate.revoked_at.is_(None), Certificate.superseded_at.is_(None), scope.users()))


@dataclass
class HandOver:
    """Certificates handed to one person: when (the latest, if on several days) and how many."""

    recipient: str
    at: datetime
    count: int


@dataclass
class BatchHandOvers:
    """A batch's hand-over at a glance, of the certificates one viewer may see: to whom and what still waits."""

    total: int = 0
    withheld: int = 0  # revoked or superseded since printing, and not handed over: they stay in the print room
    hand_overs: list[HandOver] = field(default_factory=list)

    @property
    def handed(self) -> int:
        return sum(h.count for h in self.hand_overs)

    @property
    def waiting(self) -> int:
        return self.total - self.handed - self.withheld

    def add(self, recipient: str | None, at: datetime | None, count: int, withheld: int | None) -> None:
        self.total += count
        if recipient is None:
            self.withheld += withheld or 0
        else:
            self.hand_overs.append(HandOver(recipient, at, count))
            self.hand_overs.sort(key=lambda h: h.at)


@dataclass
class CenterShare(BatchHandOvers):
    """A center's part of a batch (`center` None: holders without a center)."""

    center: Center | None = None

    @property
    def key(self) -> int:
        """The center in addresses and form prefixes: 0 for holders without a center."""
        return self.center.id if self.center else 0


def batch_centers(batch_id: int, scope: Scope) -> list[CenterShare]:
    """The batch's certificates of holders in `scope`, grouped by where each holder works now (the hand-over goes
    there), by center code; holders without a center last."""
    rows = _hand_over_rows(User.center_id, PrintBatchItem.batch_id == batch_id, scope)
    ids = {row[0] for row in rows if row[0] is not None}
    centers = {c.id: c for c in db.session.scalars(sa.select(Center).where(Center.id.in_(ids)))} if ids else {}
    shares: dict[int | None, CenterShare] = {}
    for center_id, *counts in rows:
        shares.setdefault(center_id, CenterShare(center=centers.get(center_id))).add(*counts)
    return sorted(shares.values(), key=lambda s: (s.center is None, s.center.code if s.center else ""))


def _hand_over_rows(by, condition, scope: Scope) -> list[sa.Row]:
    """Batch items of holders in `scope`, counted by `by` and recipient: (by, recipient, latest hand-over, how many,
    how many are revoked or superseded)."""
    gone = sa.or_(Certificate.revoked_at.is_not(None), Certificate.superseded_at.is_not(None))
    return db.session.execute(
        sa.select(by, PrintBatchItem.handed_over_to, sa.func.max(PrintBatchItem.handed_over_at), sa.func.count(),
                  sa.func.sum(sa.case((gone, 1), else_=0)))
        .select_from(PrintBatchItem).join(Certificate, Certificate.id == PrintBatchItem.certificate_id)
        .join(User, User.id == Certificate.user_id)
        .where(condition, scope.users()).group_by(by, PrintBatchItem.handed_over_to)).all()


def hand_over_summaries(batch_ids: list[int], scope: Scope) -> dict[int, BatchHandOvers]:
    """For each batch: its certificates of holders in `scope`, to whom they were handed over and what waits."""
    if not batch_ids:
        return {}
    rows = _hand_over_rows(PrintBatchItem.batch_id, PrintBatchItem.batch_id.in_(batch_ids), scope)
    summaries = {batch_id: BatchHandOvers() for batch_id in batch_ids}
    for batch_id, *counts in rows:
        summaries[batch_id].add(*counts)
    return summaries


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
                   ) -> tuple[int, list[tuple[PrintBatchItem, Certificate]]]:
    """What a batch holds, in print order, one page: each item (its position, whether it was printed as a
    duplicate copy, its hand-over) with its certificate, of the holders the viewer may see; and how many of them
    there are."""
    query = (sa.select(PrintBatchItem, Certificate)
             .join(Certificate, Certificate.id == PrintBatchItem.certificate_id)
             .where(PrintBatchItem.batch_id == batch_id, in_scope(scope)))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.execute(query.order_by(PrintBatchItem.position).limit(per_page)
                              .offset((max(page, 1) - 1) * per_page))
    return total, [(item, certificate) for item, certificate in rows]


def _certificates(batch_id: int) -> list[tuple[Certificate, bool]]:
    return [(c, d) for c, d in db.session.execute(
        sa.select(Certificate, PrintBatchItem.duplicate).join(PrintBatchItem)
        .where(PrintBatchItem.batch_id == batch_id).order_by(PrintBatchItem.position).with_for_update())]
