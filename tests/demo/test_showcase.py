"""`flask demo setup`'s learning: every screen has something in it, dated from the run's "now" (passed in, so
these tests mean the same any day), and a second run changes nothing, web edits included."""
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from lms.accounts.models import Center, User
from lms.certificates import printroom
from lms.certificates.models import Certificate, CertificateEvent, CertificateStatus, PrintBatch, PrintBatchItem
from lms.courses.models import Course
from lms.courses.services import import_course_folders
from lms.demo.cli import setup
from lms.extensions import db as database
from lms.notifications.models import Notification
from lms.progress.models import Assignment, Enrollment, LearningPath, ModuleCompletion, PathEnrollment
from lms.progress.status import TrainingStatus, status_of
from lms.quizzes.models import QuizAttempt
from lms.quizzes.statistics import course_statistics
from tests.conftest import PROJECT_ROOT

NOW = datetime(2031, 3, 14, 9, 30, tzinfo=UTC)  # any day: everything is counted from it


@pytest.fixture
def demo(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "LMS_ENV", "demo")
    import_course_folders([PROJECT_ROOT / "courses"])
    setup(NOW)


def _user(username: str) -> User:
    return database.session.scalar(sa.select(User).where(User.username == username))


def _certificate(username: str) -> Certificate:
    return database.session.scalar(sa.select(Certificate).where(Certificate.user_id == _user(username).id))


def _enrolment(username: str, slug: str) -> Enrollment:
    return database.session.scalar(sa.select(Enrollment).join(Enrollment.course).where(
        Enrollment.user_id == _user(username).id, Enrollment.course.has(slug=slug)))


def test_learners_of_two_centers_with_assignments_some_overdue(demo):
    learners = database.session.execute(sa.select(Center.code, sa.func.count(User.id)).join(User.center).where(
        User.role == "learner").group_by(Center.code)).all()
    assert {code: n for code, n in learners if n >= 3}.keys() == {"QLY-MOB-1", "QLY-BENHA"}
    assert database.session.scalar(sa.select(sa.func.count(Assignment.id))) == 2
    assert status_of(_enrolment("nadia", "serving-citizens"), NOW) == TrainingStatus.OVERDUE
    assert status_of(_enrolment("learner", "serving-citizens"), NOW) == TrainingStatus.OVERDUE
    assert status_of(_enrolment("samira", "serving-citizens"), NOW) == TrainingStatus.COMPLETED
    tarek = _enrolment("tarek", "information-security-privacy")
    assert tarek.is_required and tarek.due_at > NOW + timedelta(days=20)  # the path's, still ahead
    path = database.session.scalar(sa.select(LearningPath))
    assert path.status == "published" and len(path.steps) == 2
    assert database.session.scalar(sa.select(sa.func.count(PathEnrollment.id))) == 3


def test_certificates_waiting_to_print_one_expiring_soon_one_revoked(demo):
    samira = _certificate("samira")
    assert samira.issued_at == NOW - timedelta(days=20) and samira.printed_at is None
    assert samira.status(NOW) == CertificateStatus.VALID
    assert _certificate("omar").status(NOW) == CertificateStatus.REVOKED
    soon, _past = printroom.expiring(30, now=NOW)
    assert [c.user_id for c in soon] == [_user("heba").id]
    waiting = database.session.scalars(sa.select(Certificate).where(
        Certificate.printed_at.is_(None), Certificate.revoked_at.is_(None))).all()
    assert len(waiting) >= 4 and {c.center_code for c in waiting} == {"QLY-MOB-1", "QLY-BENHA"}
    handed = database.session.scalars(sa.select(PrintBatchItem)).all()  # one printed and handed over already
    assert len(handed) == 1 and handed[0].certificate_id == _certificate("learner").id
    assert handed[0].handed_over_at == NOW and handed[0].handed_over_to.startswith("سمر")
    issued = database.session.scalar(sa.select(sa.func.count(CertificateEvent.id)).where(
        CertificateEvent.action == "issue"))
    assert issued == database.session.scalar(sa.select(sa.func.count(Certificate.id)))  # the real service's log


def test_the_passed_quizzes_hold_their_answers_as_any_attempt_does(demo):
    # The trainer's item statistics are counted from the answers: attempts without them said "0 attempts" under a
    # list of finished ones.
    course = database.session.scalar(sa.select(Course).where(Course.slug == "serving-citizens"))
    finished = database.session.scalars(sa.select(QuizAttempt).where(QuizAttempt.course_id == course.id)).all()
    assert finished and all(a.is_passed and a.finished_at < NOW and 70 <= a.score < 100 for a in finished)
    items = course_statistics(course.id, "ar")
    assert sum(item.attempts for item in items) == len(finished) * len(items)
    assert all(item.attempts == len(finished) and item.facility is not None for item in items)
    assert _enrolment("samira", "serving-citizens").completed_at == NOW - timedelta(days=20)  # not "today"


def test_the_learners_have_notifications(demo):
    kinds = set(database.session.scalars(sa.select(Notification.kind).distinct()))
    assert {"assigned", "issued", "overdue", "expiring"} <= kinds
    assert database.session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.user_id == _user("learner").id)) >= 2


def _snapshot() -> dict:
    tables = (User, Assignment, Enrollment, ModuleCompletion, Certificate, CertificateEvent, Notification,
              LearningPath, PathEnrollment, PrintBatch, PrintBatchItem)
    return {model.__tablename__: database.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in tables}


def test_a_second_run_changes_nothing_and_keeps_web_edits(demo):
    before = _snapshot()
    nadia = _user("nadia")
    nadia.full_name_latin = "Nadia S. Mansour"  # corrected on the staff page
    database.session.execute(sa.update(Notification).values(read_at=NOW))  # read on the web
    database.session.execute(sa.update(Assignment).values(is_active=False))  # withdrawn
    database.session.commit()
    setup(NOW)
    setup(NOW + timedelta(minutes=5))
    assert _snapshot() == before
    assert _user("nadia").full_name_latin == "Nadia S. Mansour"
    assert database.session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.read_at.is_(None))) == 0
    assert not any(database.session.scalars(sa.select(Assignment.is_active)))


def test_without_the_courses_the_accounts_are_still_made(app, db, monkeypatch):
    said = []
    setup(NOW, echo=said.append)
    assert _user("walid") is not None and database.session.scalar(sa.select(sa.func.count(Enrollment.id))) == 0
    assert any("courses import" in line for line in said)
