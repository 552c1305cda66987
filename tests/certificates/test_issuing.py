"""A completed course gives one certificate, with a snapshot, a code and a serial; races give one."""
import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from lms.accounts.models import User
from lms.certificates.issuing import add_months, issue_certificate
from lms.certificates.models import Certificate, CertificateEvent, CertificateStatus
from lms.core.db import begin_write
from lms.courses.models import Course, CourseStatus
from lms.extensions import db as _db
from lms.progress import services as progress
from lms.progress.models import Enrollment
from lms.quizzes import attempts
from tests import factories
from tests.certificates.conftest import complete
from tests.conftest import database_url, make_app, run_in_threads
from tests.quizzes.conftest import add_bank, right_answers


def certificates_of(user) -> list[Certificate]:
    return list(_db.session.scalars(sa.select(Certificate).where(Certificate.user_id == user.id)))


def test_completing_a_course_issues_a_certificate_with_a_snapshot(db, course, learner):
    enrollment = complete(learner, course)
    [certificate] = certificates_of(learner)
    assert certificate.course_id == course.id and certificate.completed_at == enrollment.completed_at
    assert (certificate.name_ar, certificate.name_latin) == ("منى عبد الرحمن", "Mona Abdelrahman")
    assert certificate.employee_number == learner.employee_number
    assert certificate.center_code == learner.center.code
    assert certificate.center_name_ar == learner.center.name_ar
    assert (certificate.course_title_ar, certificate.course_title_en) == (course.title_ar, course.title_en)
    assert certificate.score is None  # the course has no quiz
    assert certificate.language == "both" and certificate.design == "classic"
    assert certificate.expires_at == add_months(certificate.issued_at, 24)
    assert re.fullmatch(r"[23456789A-HJ-NP-Z]{24}", certificate.code)
    year = certificate.issued_at.year
    assert certificate.serial == f"{learner.center.governorate.code}-{year}-000001"
    assert certificate.status() is CertificateStatus.VALID
    [event] = db.session.scalars(sa.select(CertificateEvent).where(CertificateEvent.certificate_id == certificate.id))
    assert event.action == "issue"

    learner.full_name_ar = "اسم آخر"
    db.session.commit()
    assert db.session.get(Certificate, certificate.id).name_ar == "منى عبد الرحمن"  # a snapshot


def test_no_certificate_before_the_course_is_completed(db, course, learner):
    progress.enroll(learner.id, course)
    progress.complete_module(learner.id, course, 1)
    assert certificates_of(learner) == []


def test_a_course_with_a_quiz_is_certified_once_the_quiz_is_passed_with_its_score(db, learner):
    course = add_bank(factories.CourseFactory(modules=1), pass_mark=50)
    progress.enroll(learner.id, course)
    progress.complete_module(learner.id, course, 1)
    assert certificates_of(learner) == []
    attempt = attempts.start_attempt(learner.id, course)
    answers = right_answers(attempts.attempt_questions(attempt.id))
    answers.popitem()  # one of six wrong
    attempts.save_answers(attempt.id, learner.id, answers)
    attempts.submit_attempt(attempt.id, learner.id)
    [certificate] = certificates_of(learner)
    assert certificate.score == pytest.approx(100 * 5 / 6, abs=0.01)


def test_a_course_without_validity_gives_a_certificate_that_never_expires(db, learner):
    course = factories.CourseFactory(modules=1, certificate_settings={"validity_months": 0})
    complete(learner, course)
    [certificate] = certificates_of(learner)
    assert certificate.expires_at is None
    assert certificate.status(datetime(2100, 1, 1, tzinfo=UTC)) is CertificateStatus.VALID


def test_a_course_naming_an_unknown_design_gets_the_default_one(db, learner):
    course = factories.CourseFactory(modules=1, certificate_settings={"validity_months": 12, "design": "../../etc"})
    complete(learner, course)
    assert certificates_of(learner)[0].design == "classic"


def test_the_same_completion_is_certified_once(db, course, learner):
    enrollment = complete(learner, course)
    first = certificates_of(learner)[0]
    begin_write()
    assert issue_certificate(enrollment).id == first.id
    db.session.commit()
    assert len(certificates_of(learner)) == 1


def test_a_completion_certified_later_is_issued_on_the_day_given(db, course, learner):
    """The demo data issues what its completions earned on their day: the issue date, expiry and serial year
    follow it (24 months' validity here)."""
    begin_write()
    enrollment = _db.session.merge(Enrollment(user_id=learner.id, course_id=course.id,
                                              completed_at=datetime(2029, 2, 10, 8, tzinfo=UTC)))
    _db.session.flush()
    certificate = issue_certificate(enrollment, now=enrollment.completed_at)
    _db.session.commit()
    assert certificate.issued_at == datetime(2029, 2, 10, 8, tzinfo=UTC)
    assert certificate.expires_at == datetime(2031, 2, 10, 8, tzinfo=UTC)
    assert "-2029-" in certificate.serial


def test_serials_count_per_governorate_and_year(db, course):
    center = factories.CenterFactory()
    learners = [factories.UserFactory(center=center) for _ in range(3)] + [factories.UserFactory(center=None)]
    for learner in learners:
        complete(learner, course)
    serials = [certificates_of(learner)[0].serial for learner in learners]
    year = datetime.now(UTC).year
    code = center.governorate.code
    assert serials == [f"{code}-{year}-000001", f"{code}-{year}-000002", f"{code}-{year}-000003",
                       f"QLY-{year}-000001"]


@pytest.mark.parametrize(("start", "months", "end"), [
    (datetime(2026, 1, 31, 9, tzinfo=UTC), 1, datetime(2026, 2, 28, 9, tzinfo=UTC)),
    (datetime(2027, 12, 15, tzinfo=UTC), 24, datetime(2029, 12, 15, tzinfo=UTC)),
    (datetime(2026, 11, 30, tzinfo=UTC), 3, datetime(2027, 2, 28, tzinfo=UTC)),
    (datetime(2026, 11, 30, tzinfo=UTC), 0, None),
])
def test_validity_in_months(start, months, end):
    assert add_months(start, months) == end


# -- races, on a database of their own (both backends) ----------------------------------------------------------

WORKERS = 8


@pytest.fixture
def race_app(tmp_path):
    app = make_app(database_url(tmp_path, "certificate_race"))
    with app.app_context():
        _db.create_all()
        course = Course(slug="race", title_ar="سباق", title_en="Race", status=CourseStatus.PUBLISHED, module_count=0,
                        certificate_settings={"validity_months": 12})
        _db.session.add(course)
        _db.session.add_all(User(username=f"u{n}", full_name_ar=f"م {n}", full_name_latin=f"M {n}")
                            for n in range(WORKERS))
        _db.session.flush()
        _db.session.add_all(Enrollment(user_id=u.id, course_id=course.id, completed_at=datetime.now(UTC))
                            for u in _db.session.scalars(sa.select(User)))
        _db.session.commit()
    yield app
    with app.app_context():
        _db.drop_all()
        _db.engine.dispose()


def _issue_in_own_transaction(username: str) -> None:
    begin_write()
    enrollment = _db.session.scalar(sa.select(Enrollment).join(User).where(User.username == username))
    issue_certificate(enrollment)
    _db.session.commit()


@pytest.mark.no_db
def test_issuing_the_same_completion_at_the_same_time_gives_one_certificate(race_app):
    assert run_in_threads(race_app, lambda n: _issue_in_own_transaction("u0"), WORKERS) == []
    with race_app.app_context():
        assert _db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 1
        assert _db.session.scalar(sa.select(sa.func.count()).select_from(CertificateEvent)) == 1


@pytest.mark.no_db
def test_certificates_issued_at_the_same_time_get_distinct_consecutive_serials(race_app):
    assert run_in_threads(race_app, lambda n: _issue_in_own_transaction(f"u{n}"), WORKERS) == []
    with race_app.app_context():
        serials = sorted(_db.session.scalars(sa.select(Certificate.serial)))
    year = datetime.now(UTC).year
    assert serials == [f"QLY-{year}-{n:06d}" for n in range(1, WORKERS + 1)]
