"""The certificates' sections of the home page: a learner's new certificates, and the print room's desk (what waits
to be printed or handed over, what expires soon) for HR, administrators and center managers."""
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from lms.accounts import roles
from lms.accounts.scope import Scope, scope_of
from lms.certificates.codes import grouped
from lms.certificates.models import Certificate, CertificateStatus
from lms.certificates.printroom import in_scope, status_condition
from lms.extensions import db

NEW_FOR_DAYS = 30  # a certificate is "new" on its holder's home for this long
NEW_SHOWN = 3
EXPIRING_DAYS = 30  # the desk's "expiring soon" (the expiry screen offers this span)


@dataclass(frozen=True)
class NewCertificate:
    certificate: Certificate
    code: str  # grouped, as printed: what the download address takes


def new_certificates(user_id: int, now: datetime, limit: int = NEW_SHOWN) -> list[NewCertificate]:
    """The holder's valid certificates issued in the last NEW_FOR_DAYS days, newest first (one query)."""
    rows = db.session.scalars(
        sa.select(Certificate).where(Certificate.user_id == user_id, Certificate.issued_at <= now,
                                     Certificate.issued_at > now - timedelta(days=NEW_FOR_DAYS),
                                     status_condition(CertificateStatus.VALID, now))
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc()).limit(limit))
    return [NewCertificate(c, grouped(c.code)) for c in rows]


@dataclass(frozen=True)
class Desk:
    to_print: int  # valid and never printed
    to_hand_over: int  # printed, valid, not handed over yet
    expiring: int  # valid and expiring within EXPIRING_DAYS
    expiring_days: int = EXPIRING_DAYS
    may_open: bool = True  # whether the viewer may open the print room's screens (a center manager may not)


def desk(scope: Scope, now: datetime) -> Desk:
    """The print room's figures for the certificates whose holders are in `scope` (one query)."""
    valid = status_condition(CertificateStatus.VALID, now)

    def count(*conditions):
        return sa.func.coalesce(sa.func.sum(sa.case((sa.and_(*conditions), 1), else_=0)), 0)

    row = db.session.execute(sa.select(
        count(Certificate.printed_at.is_(None)),
        count(Certificate.printed_at.is_not(None), Certificate.handed_over_at.is_(None)),
        count(Certificate.expires_at.is_not(None), Certificate.expires_at <= now + timedelta(days=EXPIRING_DAYS)),
    ).where(valid, in_scope(scope))).one()
    return Desk(*(int(n) for n in row))


# --- the sections ----------------------------------------------------------------------------------------------

def load_new(viewer, now: datetime) -> list[NewCertificate] | None:
    return new_certificates(viewer.id, now) or None


def load_desk(viewer, now: datetime) -> Desk:
    figures = desk(scope_of(viewer), now)
    return Desk(figures.to_print, figures.to_hand_over, figures.expiring,
                may_open=viewer.role in roles.MANAGE_CERTIFICATES)
