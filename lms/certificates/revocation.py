"""What revoking a course certificate carries with it.

A learning path's certificate stands on the certificates of its courses. The learner's current certificate of a
course (the newest: a reissue after a correction supersedes the old one, and the new one counts) revoked means the
course no longer counts: in the same transaction its enrolment starts a new cycle as a renewal does (the learner
must pass the course again; assignments, reports and the API read it as not completed), the paths holding the
course are not completed any more, and their current certificates are revoked too, naming the course certificate
and keeping its reason. Passing the course again issues a new course certificate, and completing the path again a
new path certificate. Revoking a certificate already superseded by a valid one changes nothing else: the newer one
still counts.
"""
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from lms.certificates.models import Certificate, CertificateAction, CertificateEvent, CertificateFile
from lms.courses.models import Course
from lms.extensions import db
from lms.notifications.services import link_to, notify
from lms.progress.assignments import assigned_due
from lms.progress.cycles import NewCycle, start_new_cycles
from lms.progress.models import Enrollment, PathCourse
from lms.progress.paths import reopen_paths


@dataclass(frozen=True)
class Consequences:
    """What revoking a certificate will do besides: the revoke form says it before HR confirms."""

    path_certificates: list[Certificate]  # revoked too
    course_again: bool  # the learner must pass the course again

    @property
    def any(self) -> bool:
        return bool(self.path_certificates) or self.course_again


def counts_toward_paths(certificate: Certificate) -> bool:
    """A course certificate that is the learner's current one and not revoked: its course counts."""
    return (certificate.course_id is not None and certificate.superseded_at is None
            and certificate.revoked_at is None)


def _path_certificates(user_id: int, course_id: int, *, for_update: bool = False) -> list[Certificate]:
    """The learner's current, unrevoked certificates of the learning paths that hold this course."""
    query = (sa.select(Certificate)
             .where(Certificate.user_id == user_id, Certificate.superseded_at.is_(None),
                    Certificate.revoked_at.is_(None),
                    Certificate.path_id.in_(sa.select(PathCourse.path_id).where(PathCourse.course_id == course_id)))
             .order_by(Certificate.id))
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    return list(db.session.scalars(query))


def consequences(certificate: Certificate) -> Consequences:
    if not counts_toward_paths(certificate):
        return Consequences([], False)
    return Consequences(_path_certificates(certificate.user_id, certificate.course_id), True)


def lock_enrollment_first(certificate: Certificate) -> None:
    """Lock the course enrolment before the certificate, in the order completing a course takes them (enrolment,
    then its certificate), so that a revocation and a completion of the same course never wait for each other
    in a circle (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers)."""
    if certificate.course_id is not None:
        db.session.execute(sa.select(Enrollment.id).where(
            Enrollment.user_id == certificate.user_id, Enrollment.course_id == certificate.course_id)
            .with_for_update())


def carry_out(certificate: Certificate, actor_id: int | None, now: datetime) -> list[Certificate]:
    """After `certificate` (locked) was marked revoked, inside the same transaction: when it was the learner's
    current one, reopen the course and its paths, revoke the path certificates and tell the learner; the path
    certificates revoked."""
    if certificate.course_id is None or certificate.superseded_at is not None:
        return []
    user_id, course_id = certificate.user_id, certificate.course_id
    enrollment = db.session.execute(sa.select(Enrollment.id, Enrollment.completed_at, Enrollment.due_at).where(
        Enrollment.user_id == user_id, Enrollment.course_id == course_id)).first()
    if enrollment is not None and enrollment.completed_at is not None:
        # A course completed before it was assigned had no due date of its own: reopened, it takes the
        # assignment's, so that every screen (the assignment's, the reports, the learner's) says the same.
        due = enrollment.due_at or assigned_due(user_id, course_id)
        start_new_cycles([NewCycle(enrollment.id, user_id, course_id, due)], now, required=False, why="revoked")
    reopen_paths(user_id, course_id)
    revoked = _path_certificates(user_id, course_id, for_update=True)
    for path_certificate in revoked:
        path_certificate.revoked_at, path_certificate.revoked_by_id = now, actor_id
        path_certificate.revoke_reason, path_certificate.revoked_with_id = certificate.revoke_reason, certificate.id
        db.session.add(CertificateEvent(
            certificate_id=path_certificate.id, action=CertificateAction.REVOKE.value, actor_id=actor_id, at=now,
            details={"reason": certificate.revoke_reason, "with": certificate.serial}))
    if revoked:
        db.session.execute(sa.delete(CertificateFile).where(
            CertificateFile.certificate_id.in_([c.id for c in revoked])))
    course = db.session.get(Course, course_id)
    notify(user_id, "revoked", f"revoked:{certificate.id}", {
        "title": {"ar": course.title_ar, "en": course.title_en},
        "url": link_to("progress.course", slug=course.slug)})
    return revoked


def uncertified_courses(user_id: int, path_id: int) -> list[int]:
    """The progress package's `uncertified_courses`: the path's courses whose current certificate is revoked and
    certifies the completion the enrolment still shows (a completion after it will get its own certificate).
    Locks the learner's current certificates of the path's courses first (PostgreSQL), then reads the
    enrolments afresh."""
    courses = sa.select(PathCourse.course_id).where(PathCourse.path_id == path_id)
    certificates = db.session.execute(
        sa.select(Certificate.course_id, Certificate.revoked_at, Certificate.completed_at)
        .where(Certificate.user_id == user_id, Certificate.superseded_at.is_(None),
               Certificate.course_id.in_(courses))
        .with_for_update()).all()
    revoked = {course_id: completed_at for course_id, revoked_at, completed_at in certificates
               if revoked_at is not None}
    if not revoked:
        return []
    completions = dict(db.session.execute(sa.select(Enrollment.course_id, Enrollment.completed_at).where(
        Enrollment.user_id == user_id, Enrollment.course_id.in_(list(revoked)))).all())
    return sorted(course_id for course_id, certified in revoked.items()
                  if completions.get(course_id) is None or completions[course_id] <= certified)
