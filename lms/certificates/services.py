"""Finding, downloading, checking, revoking and reissuing certificates: the rules; routes only translate HTTP."""
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from lms.accounts import roles
from lms.accounts.models import User
from lms.accounts.scope import scope_of
from lms.certificates import batches, printroom, revocation
from lms.certificates.authority import Authority, issuing_authority
from lms.certificates.codes import EXAMPLE, LENGTH, parse_code
from lms.certificates.issuing import DEFAULT_DESIGN, add_months, reissue_certificate
from lms.certificates.look import LANGUAGES, saved_look
from lms.certificates.models import (
    Certificate,
    CertificateAction,
    CertificateEvent,
    CertificateFile,
    CertificateStatus,
)
from lms.certificates.pdf import render_pdf
from lms.certificates.signing import status_list
from lms.core.db import begin_write, get_or_raise, locked, upsert_insert
from lms.core.i18n import _
from lms.core.models import ValidationError, utcnow
from lms.extensions import db

_NO_CODE = "-" * LENGTH  # looked up in place of a malformed code: never stored, same query, same time
_BY_CODE = sa.select(Certificate).where(Certificate.code == sa.bindparam("code"))
REASON_MAX = 500


def certificate_by_code(text: str | None) -> Certificate | None:
    """The certificate whose code `text` reads as; a malformed code costs the same look-up as a real one."""
    return db.session.scalar(_BY_CODE, {"code": parse_code(text) or _NO_CODE})


def certificates_of(user_id: int) -> list[Certificate]:
    return list(db.session.scalars(sa.select(Certificate).where(Certificate.user_id == user_id)
                                   .order_by(Certificate.issued_at.desc(), Certificate.id.desc())))


def current_code(user_id: int, course_id: int) -> str | None:
    return db.session.scalar(sa.select(Certificate.code).where(
        Certificate.user_id == user_id, Certificate.course_id == course_id, Certificate.superseded_at.is_(None)))


def valid_codes(user_id: int, now: datetime) -> list[tuple[int, str]]:
    """(course id, code) of the holder's valid course certificates at `now`."""
    return [tuple(row) for row in db.session.execute(
        sa.select(Certificate.course_id, Certificate.code).where(
            Certificate.user_id == user_id, Certificate.course_id.is_not(None),
            printroom.status_condition(CertificateStatus.VALID, now)))]


def current_is_revoked(user_id: int, course_id: int) -> bool:
    """Whether the learner's current certificate of the course was revoked (so the course must be passed again)."""
    return db.session.scalar(sa.select(Certificate.revoked_at.is_not(None)).where(
        Certificate.user_id == user_id, Certificate.course_id == course_id, Certificate.superseded_at.is_(None))
    ) is True


def may_download(certificate: Certificate, user: User) -> bool:
    """Its holder, HR and administrators: anyone else is told it does not exist."""
    if certificate.user_id == user.id:
        return True
    return user.role in roles.MANAGE_CERTIFICATES and scope_of(user).allows(db.session.get(User, certificate.user_id))


@dataclass(frozen=True)
class Verification:
    """What the public register says about a code: only the name, course, dates, serial, issuer and status; and
    when it was checked (a screenshot of the page then says when it was true)."""

    status: str  # a CertificateStatus value, or "not_found"
    checked_at: datetime
    certificate: Certificate | None = None
    newer_code: str | None = None  # a superseded certificate's replacement
    authority: Authority | None = None  # None for an unknown code: it learns nothing new

    @property
    def found(self) -> bool:
        return self.certificate is not None


def verify(text: str | None, now: datetime | None = None) -> Verification:
    now = now or utcnow()
    saved = saved_look()  # read for every code, found or not: an unknown code costs the same look-ups
    certificate = certificate_by_code(text)
    if certificate is None:
        return Verification("not_found", now)
    status = certificate.status(now)
    newer = certificate.superseded_by.code if status is CertificateStatus.SUPERSEDED else None
    return Verification(status.value, now, certificate, newer, issuing_authority(certificate, saved))


def certificate_pdf(certificate: Certificate, language: str) -> bytes:
    """The stored PDF in `language` ("ar", "en", "both"), rendered and stored on first request.

    Rendering happens outside any transaction (it takes a fraction of a second); two first requests at once
    both render, and the first to store wins.
    """
    if language not in LANGUAGES:
        raise ValueError(language)
    content = db.session.scalar(sa.select(CertificateFile.content).where(
        CertificateFile.certificate_id == certificate.id, CertificateFile.language == language))
    if content is not None:
        return content
    certificate_id = certificate.id
    stamp = "revoked" if certificate.revoked_at else "superseded" if certificate.superseded_at else None
    content = render_pdf(certificate, language, stamp=stamp)
    begin_write()
    db.session.execute(upsert_insert(CertificateFile).values(
        certificate_id=certificate_id, language=language, content=content, rendered_at=utcnow())
        .on_conflict_do_nothing(index_elements=["certificate_id", "language"]))
    db.session.commit()
    return content


def revoke(certificate_id: int, reason: str, actor_id: int | None) -> Certificate:
    """Revoke with a reason: the code keeps working and says revoked; the stored PDFs are rendered anew. A course
    certificate takes its learning paths' certificates with it and reopens the course (lms.certificates.revocation),
    in the same transaction."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for revoking the certificate.")})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("The reason is too long.")})
    begin_write()
    revocation.lock_enrollment_first(get_or_raise(Certificate, certificate_id))
    certificate = locked(Certificate, certificate_id)
    if certificate.revoked_at is not None:
        raise ValidationError({"": _("This certificate is revoked already.")})
    now = utcnow()
    certificate.revoked_at, certificate.revoked_by_id, certificate.revoke_reason = now, actor_id, reason
    db.session.execute(sa.delete(CertificateFile).where(CertificateFile.certificate_id == certificate_id))
    with_it = revocation.carry_out(certificate, actor_id, now)
    details = {"reason": reason, **({"paths": [c.serial for c in with_it]} if with_it else {})}
    db.session.add(CertificateEvent(certificate_id=certificate_id, action=CertificateAction.REVOKE.value,
                                    actor_id=actor_id, at=now, details=details))
    stacks = batches.render_again_holding([certificate_id, *(c.id for c in with_it)])
    status_list.regenerate(now)  # verifiers' cached list says revoked from its next fetch
    db.session.commit()
    batches.queue_renders(stacks)
    return certificate


def revoked_with(certificate_id: int) -> list[Certificate]:
    """The learning path certificates revoked with this course certificate."""
    return list(db.session.scalars(sa.select(Certificate).where(Certificate.revoked_with_id == certificate_id)
                                   .order_by(Certificate.id)))


def reissue(certificate_id: int, reason: str, actor_id: int | None) -> Certificate:
    """A new certificate from the learner's current data (after a name correction); the old one is superseded."""
    reason = (reason or "").strip()[:REASON_MAX]
    begin_write()
    old = locked(Certificate, certificate_id)
    if old.superseded_at is not None:
        raise ValidationError({"": _("This certificate was replaced already: reissue the newer one.")})
    if old.revoked_at is not None:
        raise ValidationError({"": _("A revoked certificate cannot be reissued.")})
    new = reissue_certificate(old, actor_id, reason)
    # The old PDFs are rendered anew when asked for, stamped as replaced.
    db.session.execute(sa.delete(CertificateFile).where(CertificateFile.certificate_id == certificate_id))
    stacks = batches.render_again_holding([certificate_id])
    db.session.commit()
    batches.queue_renders(stacks)
    return new


def sample_pdf(language: str) -> bytes:
    """A certificate that was never issued, to see the look: a made-up learner, marked as a sample."""
    now = utcnow()
    sample = Certificate(
        code=parse_code(EXAMPLE), serial="QLY-0000-000000", name_ar="اسم المتدرب", name_latin="Learner Name",
        employee_number="00000", center_name_ar="المركز التكنولوجي", center_name_en="Technology Center",
        course_title_ar="اسم الدورة التدريبية", course_title_en="Course title", score=90.0, completed_at=now,
        issued_at=now, expires_at=add_months(now, 24), design=DEFAULT_DESIGN, language=language)
    return render_pdf(sample, language, stamp="sample")
