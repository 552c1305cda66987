"""Telling certificate holders: their certificate was issued; it expires soon (LMS_EXPIRY_NOTICE_DAYS)."""
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from lms.accounts.models import User
from lms.certificates.models import Certificate
from lms.extensions import db
from lms.notifications.services import link_to, notify, notify_many


def _params(title_ar: str, title_en: str, expires_at: datetime | None) -> dict:
    params = {"title": {"ar": title_ar, "en": title_en}, "url": link_to("certificates.mine")}
    if expires_at is not None:
        params["expires_at"] = expires_at.isoformat()
    return params


def tell_the_holder(certificate: Certificate, **_kwargs) -> None:
    """Inside the issuing transaction: a certificate issued (or reissued) is news to its holder."""
    notify(certificate.user_id, "issued", f"issued:{certificate.id}",
           _params(certificate.course_title_ar, certificate.course_title_en, certificate.expires_at))


def store_expiry_notices(now: datetime) -> dict[str, int]:
    """One notice per current certificate (not revoked, not superseded) expiring within the notice period."""
    horizon = now + timedelta(days=int(current_app.config["LMS_EXPIRY_NOTICE_DAYS"]))
    rows = db.session.execute(
        sa.select(Certificate.id, Certificate.user_id, Certificate.course_title_ar, Certificate.course_title_en,
                  Certificate.expires_at)
        .join(User, User.id == Certificate.user_id)
        .where(Certificate.revoked_at.is_(None), Certificate.superseded_at.is_(None),
               Certificate.expires_at > now, Certificate.expires_at <= horizon,
               User.is_active, User.deactivated_at.is_(None)))
    stored = notify_many([{"user_id": r.user_id, "kind": "expiring", "key": f"expiring:{r.id}",
                           "params": _params(r.course_title_ar, r.course_title_en, r.expires_at)} for r in rows])
    return {"expiring": stored}
