"""HR's print room: finding certificates, the expiry list, and each certificate's log."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from lms.accounts.models import User
from lms.accounts.scope import EVERYTHING, Scope
from lms.certificates.models import Certificate, CertificateEvent, CertificateStatus, PrintBatch, PrintBatchItem
from lms.core.arabic import normalize_for_matching
from lms.core.localtime import start_of_day
from lms.core.models import utcnow
from lms.extensions import db

PER_PAGE = 50
STATUSES = tuple(s.value for s in CertificateStatus)


@dataclass(frozen=True)
class CertificateFilter:
    """What the search form asks for; every field is optional."""

    text: str = ""  # a name (Arabic-aware), employee number or serial
    center_code: str | None = None
    course_id: int | None = None
    since: date | None = None  # issued on or after (the governorate's day)
    until: date | None = None  # issued on or before
    status: str | None = None  # a CertificateStatus value
    printed: bool | None = None
    scope: Scope = EVERYTHING  # whose certificates the viewer may see: their holders must be in it


def in_scope(scope: Scope):
    """A condition on Certificate: its holder is in `scope` (where they work now)."""
    return sa.true() if scope.is_everything else Certificate.user_id.in_(sa.select(User.id).where(scope.users()))


def status_condition(status: str, now: datetime):
    """SQL for a computed status, the same precedence as Certificate.status()."""
    live = sa.and_(Certificate.revoked_at.is_(None), Certificate.superseded_at.is_(None))
    if status == CertificateStatus.REVOKED:
        return Certificate.revoked_at.is_not(None)
    if status == CertificateStatus.SUPERSEDED:
        return sa.and_(Certificate.revoked_at.is_(None), Certificate.superseded_at.is_not(None))
    if status == CertificateStatus.EXPIRED:
        return sa.and_(live, Certificate.expires_at <= now)
    return sa.and_(live, sa.or_(Certificate.expires_at.is_(None), Certificate.expires_at > now))


def matching(criteria: CertificateFilter, now: datetime | None = None) -> sa.Select:
    """The certificates the filter names, in print order: center, then name."""
    now = now or utcnow()
    query = sa.select(Certificate).where(in_scope(criteria.scope))
    if needle := normalize_for_matching(criteria.text or ""):
        query = query.where(Certificate.search_key.contains(needle, autoescape=True))
    if criteria.center_code:
        query = query.where(Certificate.center_code == criteria.center_code)
    if criteria.course_id:
        query = query.where(Certificate.course_id == criteria.course_id)
    if criteria.since:
        query = query.where(Certificate.issued_at >= start_of_day(criteria.since))
    if criteria.until:
        query = query.where(Certificate.issued_at < start_of_day(criteria.until + timedelta(days=1)))
    if criteria.status in STATUSES:
        query = query.where(status_condition(criteria.status, now))
    if criteria.printed is not None:
        query = query.where(Certificate.printed_at.is_not(None) if criteria.printed
                            else Certificate.printed_at.is_(None))
    return query.order_by(Certificate.center_code, Certificate.name_ar, Certificate.id)


def search(criteria: CertificateFilter, page: int = 1) -> tuple[int, list[Certificate]]:
    query = matching(criteria)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    rows = list(db.session.scalars(query.limit(PER_PAGE).offset((max(page, 1) - 1) * PER_PAGE)))
    return total, rows


def expiring(days: int, now: datetime | None = None,
             scope: Scope = EVERYTHING) -> tuple[list[Certificate], list[Certificate]]:
    """Current certificates (of holders in `scope`) that expire within `days`, and those already expired, by center
    then date."""
    now = now or utcnow()
    live = sa.select(Certificate).where(Certificate.revoked_at.is_(None), Certificate.superseded_at.is_(None),
                                        Certificate.expires_at.is_not(None), in_scope(scope))
    order = (Certificate.center_code, Certificate.expires_at, Certificate.name_ar)
    soon = db.session.scalars(live.where(Certificate.expires_at > now,
                                         Certificate.expires_at <= now + timedelta(days=days)).order_by(*order))
    past = db.session.scalars(live.where(Certificate.expires_at <= now).order_by(*order))
    return list(soon), list(past)


def history(certificate_id: int) -> list[tuple[CertificateEvent, User | None]]:
    """The certificate's log, oldest first, with who did each thing (None: the system, on completion)."""
    return [(event, actor) for event, actor in db.session.execute(
        sa.select(CertificateEvent, User).outerjoin(User, User.id == CertificateEvent.actor_id)
        .where(CertificateEvent.certificate_id == certificate_id).order_by(CertificateEvent.at, CertificateEvent.id))]


def print_record(certificate_id: int) -> list[tuple[PrintBatchItem, PrintBatch]]:
    """Each batch the certificate was in, oldest first: printed when, handed over to whom and when, or waiting."""
    return [(item, batch) for item, batch in db.session.execute(
        sa.select(PrintBatchItem, PrintBatch).join(PrintBatch, PrintBatch.id == PrintBatchItem.batch_id)
        .where(PrintBatchItem.certificate_id == certificate_id).order_by(PrintBatch.id))]
