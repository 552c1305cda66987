"""Issuing: a course completed gives one certificate, in the completion's own transaction."""
import calendar
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import User
from lms.certificates.codes import new_code
from lms.certificates.designs import DesignError, load_design
from lms.certificates.look import course_language
from lms.certificates.models import Certificate, CertificateAction, CertificateEvent, SerialCounter
from lms.certificates.revocation import uncertified_courses
from lms.core.db import upsert_insert
from lms.core.localtime import local_date
from lms.core.models import utcnow
from lms.core.names import clean_name
from lms.core.signals import certificate_issued
from lms.courses.models import Course
from lms.extensions import db
from lms.progress.models import Enrollment, LearningPath, PathEnrollment
from lms.quizzes.attempts import quiz_outcome
from lms.quizzes.bank import has_questions

DEFAULT_DESIGN = "classic"


def issue_on_completion(enrollment: Enrollment, now: datetime | None = None, **_kwargs) -> None:
    issue_certificate(enrollment, now)


def issue_certificate(enrollment: Enrollment, now: datetime | None = None) -> Certificate:
    """The certificate of this completion: issued now (or at `now`: the demo data issues what its completions
    earned on the day they were completed), or the one already issued for it.

    Runs inside the caller's write transaction. A certificate of an earlier completion of the same course
    (recertification) is superseded. If a parallel transaction issued first, the unique index refuses this
    one; the savepoint keeps the caller's own work and the other certificate stands.
    """
    current = _current(enrollment.user_id, enrollment.course_id)
    if current is not None and current.completed_at >= enrollment.completed_at:
        return current
    try:
        with db.session.begin_nested():
            return _issue(enrollment.user, enrollment.course, enrollment.completed_at, replaces=current, now=now)
    except IntegrityError:
        return _current(enrollment.user_id, enrollment.course_id)


def issue_on_path_completion(path_enrollment: PathEnrollment, **_kwargs) -> None:
    issue_path_certificate(path_enrollment)


def issue_path_certificate(path_enrollment: PathEnrollment) -> Certificate | None:
    """The certificate of a completed learning path (course_id None, the path's titles), like a course's; None,
    never a certificate, while the current certificate of one of its courses is revoked."""
    if uncertified_courses(path_enrollment.user_id, path_enrollment.path_id):
        return None
    current = _current_for_path(path_enrollment.user_id, path_enrollment.path_id)
    if current is not None and current.completed_at >= path_enrollment.completed_at:
        return current
    user = db.session.get(User, path_enrollment.user_id)
    try:
        with db.session.begin_nested():
            return _issue(user, None, path_enrollment.completed_at, replaces=current, path=path_enrollment.path)
    except IntegrityError:
        return _current_for_path(path_enrollment.user_id, path_enrollment.path_id)


def _current_for_path(user_id: int, path_id: int) -> Certificate | None:
    return db.session.scalar(sa.select(Certificate).where(
        Certificate.user_id == user_id, Certificate.path_id == path_id, Certificate.superseded_at.is_(None)))


def reissue_certificate(old: Certificate, actor_id: int | None, reason: str) -> Certificate:
    """A new certificate for the same completion, from the learner's and course's data as they are now (a
    corrected name, say); the old one becomes superseded. It ends when the old one did: a correction is not a
    recertification (the validity restarted on the day of the correction, and an expired certificate came back
    valid). Runs inside the caller's write transaction."""
    user = db.session.get(User, old.user_id)
    course = db.session.get(Course, old.course_id) if old.course_id is not None else None
    path = db.session.get(LearningPath, old.path_id) if old.path_id is not None else None
    return _issue(user, course, old.completed_at, replaces=old, actor_id=actor_id, reason=reason, path=path,
                  ends_as=old)


def _issue(user: User, course: Course | None, completed_at: datetime, replaces: Certificate | None,
           actor_id: int | None = None, reason: str = "", path: LearningPath | None = None,
           now: datetime | None = None, ends_as: Certificate | None = None) -> Certificate:
    """A certificate of `course`, or (course None) of the learning path `path`; valid for the course's (path's)
    months from now, or until `ends_as` ends."""
    now = now or utcnow()
    if replaces is not None:  # first, so that the unique index lets the new one in
        replaces.superseded_at = now
        db.session.flush()
        from lms.certificates.signing.status_list import regenerate

        regenerate(now)  # the status list says superseded, in the same transaction
    settings = ((course.certificate_settings or {}) if course is not None
                else {"validity_months": path.validity_months})
    subject = course if course is not None else path
    expires_at = ends_as.expires_at if ends_as is not None else add_months(now, int(settings.get("validity_months")
                                                                                    or 0))
    center = user.center
    certificate = Certificate(
        code=new_code(), serial=_next_serial(_prefix(user), local_date(now).year), user_id=user.id,
        course_id=course.id if course is not None else None, path_id=path.id if course is None else None,
        name_ar=clean_name(user.full_name_ar), name_latin=clean_name(user.full_name_latin),  # no direction controls
        employee_number=user.employee_number,
        center_code=center.code if center else None, center_name_ar=center.name_ar if center else "",
        center_name_en=center.name_en if center else "", course_title_ar=clean_name(subject.title_ar),
        course_title_en=clean_name(subject.title_en), score=_score(user.id, course) if course is not None else None,
        completed_at=completed_at, issued_at=now,
        expires_at=expires_at,
        design=_design_name(settings.get("design")),
        language=course_language(course) if course is not None else "both",
    )
    db.session.add(certificate)
    db.session.flush()
    certificate_issued.send(certificate)
    if replaces is not None:
        replaces.superseded_by_id = certificate.id
        db.session.add(CertificateEvent(certificate_id=replaces.id, action=CertificateAction.REISSUE.value,
                                        actor_id=actor_id, at=now,
                                        details={"new_serial": certificate.serial, "reason": reason}))
    details = {"replaces": replaces.serial} if replaces is not None else {}
    db.session.add(CertificateEvent(certificate_id=certificate.id, action=CertificateAction.ISSUE.value,
                                    actor_id=actor_id, at=now, details=details))
    db.session.flush()
    return certificate


def _design_name(chosen: str | None) -> str:
    """course.yaml's `certificate.design` when it names a design that exists, else the default one: a typing
    mistake in a course file must not stop a certificate from rendering."""
    try:
        return load_design(chosen).name if chosen else DEFAULT_DESIGN
    except DesignError:
        current_app.logger.warning("course certificate design %r does not exist; using %s", chosen, DEFAULT_DESIGN)
        return DEFAULT_DESIGN


def _current(user_id: int, course_id: int) -> Certificate | None:
    return db.session.scalar(sa.select(Certificate).where(
        Certificate.user_id == user_id, Certificate.course_id == course_id, Certificate.superseded_at.is_(None)))


def _score(user_id: int, course: Course) -> float | None:
    if not has_questions(course.id):
        return None
    return quiz_outcome(user_id, course).score


def _prefix(user: User) -> str:
    """The governorate's code (of the learner's center), or the installation's (LMS_GOVERNORATE_CODE)."""
    if user.center is not None and user.center.governorate is not None:
        return user.center.governorate.code.upper()
    return current_app.config["LMS_GOVERNORATE_CODE"]


def _next_serial(prefix: str, year: int) -> str:
    """PREFIX-YEAR-NNNNNN from a counter row that the write transaction holds until it ends (no gaps, no twins)."""
    statement = (upsert_insert(SerialCounter).values(prefix=prefix, year=year, last=1)
                 .on_conflict_do_update(index_elements=["prefix", "year"], set_={"last": SerialCounter.last + 1})
                 .returning(SerialCounter.last))
    number = db.session.execute(statement).scalar_one()
    return f"{prefix}-{year}-{number:06d}"


def add_months(moment: datetime, months: int) -> datetime | None:
    """`months` later on the same day of the month (or the month's last day); None for 0: never expires."""
    if months <= 0:
        return None
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))
