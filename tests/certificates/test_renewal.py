"""The recertification loop, with a moving clock: complete -> certificate -> renewal before expiry -> complete
again -> a new certificate supersedes the old one."""
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from lms.certificates import renewal as recertification
from lms.certificates.issuing import add_months
from lms.certificates.models import Certificate, CertificateStatus
from lms.courses.files import CourseFileError, read_course_folder
from lms.daily import run_daily
from lms.extensions import db as _db
from lms.notifications.models import Notification
from lms.progress import services as progress
from lms.progress.models import Enrollment, ModuleCompletion
from lms.quizzes import attempts
from lms.quizzes.models import QuizAttempt
from tests import factories
from tests.quizzes.conftest import add_bank, right_answers


@pytest.fixture
def course(db):
    course = factories.CourseFactory(modules=2, slug="window-safety", title_en="Window safety",
                                     certificate_settings={"validity_months": 12, "renewal_days": 30})
    return add_bank(course, attempts=1)


@pytest.fixture
def learner(db):
    return factories.UserFactory()


def take(learner, course):
    """Every module done and the quiz passed."""
    progress.enroll(learner.id, course)
    for position in range(1, course.module_count + 1):
        progress.complete_module(learner.id, course, position)
    attempt = attempts.start_attempt(learner.id, course)
    attempts.save_answers(attempt.id, learner.id, right_answers(attempts.attempt_questions(attempt.id)))
    attempts.submit_attempt(attempt.id, learner.id)
    return progress.enrollment_for(learner.id, course.id)


def current_certificates(learner):
    return list(_db.session.scalars(sa.select(Certificate).where(Certificate.user_id == learner.id)
                                    .order_by(Certificate.id)))


def daily_run(now):
    """What `flask notifications send-due` does."""
    assert not [step for step in run_daily(now) if step.error]


def test_the_loop_end_to_end(course, learner):
    enrollment = take(learner, course)
    assert enrollment.completed_at is not None
    [old] = current_certificates(learner)
    assert old.expires_at == add_months(old.issued_at, 12)

    daily_run(old.expires_at - timedelta(days=31))  # not yet within the renewal period
    _db.session.refresh(enrollment)
    assert enrollment.completed_at is not None and enrollment.renewed_at is None

    renewal_day = old.expires_at - timedelta(days=29)
    daily_run(renewal_day)
    _db.session.refresh(enrollment)
    assert enrollment.completed_at is None and enrollment.renewed_at == renewal_day
    assert enrollment.is_required and enrollment.due_at == old.expires_at
    assert enrollment.last_position is None and enrollment.last_activity_at is None
    assert _db.session.scalar(sa.select(sa.func.count(ModuleCompletion.id)).where(
        ModuleCompletion.user_id == learner.id)) == 0
    [archived] = _db.session.scalars(sa.select(QuizAttempt).where(QuizAttempt.user_id == learner.id)).all()
    assert archived.archived_at == renewal_day and archived.is_passed  # on record, no longer counting
    [note] = _db.session.scalars(sa.select(Notification).where(Notification.kind == "renewal")).all()
    assert note.user_id == learner.id and note.key == f"renewal:{old.id}"
    assert note.params["url"] == "/courses/window-safety" and note.params["title"]["en"] == "Window safety"

    # The archived attempt counts for nothing: not passed, and the single attempt allowed is free again.
    assert not attempts.quiz_outcome(learner.id, course).is_passed
    assert attempts.attempts_of(learner.id, course.id) == []
    assert progress.course_progress(learner.id, course).quiz_passed is False

    daily_run(renewal_day + timedelta(hours=2))  # twice the same day: nothing more
    assert _db.session.scalar(sa.select(sa.func.count(Notification.id)).where(Notification.kind == "renewal")) == 1
    _db.session.refresh(enrollment)
    assert enrollment.renewed_at == renewal_day

    again = take(learner, course)
    assert again.completed_at is not None
    numbers = sorted(_db.session.scalars(sa.select(QuizAttempt.number).where(QuizAttempt.user_id == learner.id)))
    assert numbers == [1, 2]  # attempt numbers keep increasing
    old_again, new = current_certificates(learner)
    assert old_again.id == old.id and old_again.superseded_by_id == new.id
    assert old_again.status() == CertificateStatus.SUPERSEDED and new.status() == CertificateStatus.VALID


def test_an_open_attempt_is_archived_and_a_new_one_may_start(course, learner):
    progress.enroll(learner.id, course)
    for position in (1, 2):
        progress.complete_module(learner.id, course, position)
    attempt = attempts.start_attempt(learner.id, course)
    attempts.save_answers(attempt.id, learner.id, right_answers(attempts.attempt_questions(attempt.id)))
    attempts.submit_attempt(attempt.id, learner.id)
    [certificate] = current_certificates(learner)
    with pytest.raises(attempts.NotAllowed):  # one attempt allowed, used
        attempts.start_attempt(learner.id, course)
    recertification.renew_due(certificate.expires_at - timedelta(days=1))
    assert attempts.open_attempt(learner.id, course.id) is None
    fresh = attempts.start_attempt(learner.id, course)
    assert fresh.number == 2


def test_revoked_superseded_and_lifelong_certificates_are_not_renewed(db, learner):
    lifelong = factories.CourseFactory(modules=1, certificate_settings={"validity_months": 0})
    progress.enroll(learner.id, lifelong)
    progress.complete_module(learner.id, lifelong, 1)
    expiring = factories.CourseFactory(modules=1, certificate_settings={"validity_months": 1})
    progress.enroll(learner.id, expiring)
    progress.complete_module(learner.id, expiring, 1)
    certificate = _db.session.scalar(sa.select(Certificate).where(Certificate.course_id == expiring.id))
    certificate.revoked_at = certificate.issued_at
    _db.session.commit()
    assert recertification.renew_due(certificate.issued_at + timedelta(days=400)) == 0


def test_deactivated_staff_are_not_renewed(course, learner):
    take(learner, course)
    learner.is_active = False
    _db.session.commit()
    [certificate] = current_certificates(learner)
    assert recertification.renew_due(certificate.expires_at) == 0


def test_the_default_renewal_period_is_30_days(db, learner):
    course = factories.CourseFactory(modules=1, certificate_settings={"validity_months": 6})
    progress.enroll(learner.id, course)
    progress.complete_module(learner.id, course, 1)
    [certificate] = current_certificates(learner)
    assert recertification.renew_due(certificate.expires_at - timedelta(days=31)) == 0
    assert recertification.renew_due(certificate.expires_at - timedelta(days=30)) == 1
    assert _db.session.scalar(sa.select(Enrollment.completed_at).where(Enrollment.course_id == course.id)) is None


@pytest.mark.parametrize("value, ok", [("14", True), ("0", True), ("-1", False), ('"30"', False), ("true", False)])
def test_course_files_accept_renewal_days(tmp_path, value, ok):
    folder = tmp_path / "serving-citizens"
    shutil.copytree(Path(__file__).resolve().parents[2] / "courses" / "serving-citizens", folder)
    yaml_file = folder / "course.yaml"
    yaml_file.write_text(yaml_file.read_text().replace(
        "certificate: {validity_months: 24}", f"certificate: {{validity_months: 24, renewal_days: {value}}}"))
    if ok:
        assert read_course_folder(folder).certificate["renewal_days"] == int(value)
    else:
        with pytest.raises(CourseFileError):
            read_course_folder(folder)
