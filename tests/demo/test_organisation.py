"""`flask --app lms demo-data`: a realistic organisation, in bulk, only where demo accounts are allowed."""
import sqlalchemy as sa

from lms.accounts.models import Center, Governorate, JobTitle, User
from lms.certificates.models import Certificate, CertificateEvent
from lms.extensions import db as database
from lms.progress.models import Enrollment
from lms.progress.status import status_expression
from lms.quizzes.models import QuizAttempt
from lms.reports import services
from tests import factories

SMALL = ["demo-data", "--staff", "200", "--centers", "12", "--courses", "8", "--progress", "1000"]


def test_builds_the_organisation_with_realistic_statuses(app, runner, db):
    result = runner.invoke(args=SMALL)
    assert result.exit_code == 0, result.output
    assert "Demo data built in" in result.output
    assert database.session.scalar(sa.select(sa.func.count(Enrollment.id))) == 1000
    assert database.session.scalar(sa.select(Governorate.name_en).where(Governorate.code == "QLY"))
    assert database.session.scalar(sa.select(sa.func.count(Center.id))) == 12
    assert {k for (k,) in database.session.execute(sa.select(Center.kind).distinct())} == {"fixed", "mobile"}
    clerks = database.session.scalar(sa.select(sa.func.count(User.id)).join(JobTitle).where(JobTitle.code == "CLERK"))
    assert clerks > 100  # window clerks are the most common job
    statuses = dict(database.session.execute(
        sa.select(status_expression(services.now()).label("s"), sa.func.count()).group_by(sa.text("s"))).all())
    assert set(statuses) == {"completed", "in_progress", "overdue", "not_started"}
    assert database.session.scalar(sa.select(sa.func.count(QuizAttempt.id))) > 0
    hr = database.session.scalar(sa.select(User).where(User.username == "hr-qly"))
    assert hr.scope_governorate_id is not None and hr.check_password(app.config["LMS_DEMO_PASSWORD"])


def test_the_completed_enrolments_get_their_certificates_dated_from_their_completion(runner, db):
    assert runner.invoke(args=SMALL).exit_code == 0
    completed = database.session.execute(sa.select(Enrollment.user_id, Enrollment.course_id, Enrollment.completed_at)
                                         .where(Enrollment.completed_at.is_not(None))).all()
    certificates = database.session.execute(sa.select(Certificate.user_id, Certificate.course_id,
                                                      Certificate.issued_at)).all()
    assert completed and sorted(completed) == sorted(certificates)
    issued = database.session.scalar(sa.select(sa.func.count(CertificateEvent.id)).where(
        CertificateEvent.action == "issue"))
    assert issued == len(certificates)  # the issuing service's log, not bare rows


def test_certificates_can_be_left_out(runner, db):
    assert runner.invoke(args=[*SMALL, "--no-certificates"]).exit_code == 0
    assert database.session.scalar(sa.select(sa.func.count(Certificate.id))) == 0


def test_refuses_a_database_with_staff_unless_forced_and_never_twice(runner, db):
    factories.UserFactory()
    refused = runner.invoke(args=SMALL)
    assert refused.exit_code != 0 and "--force" in refused.output
    assert runner.invoke(args=[*SMALL, "--force"]).exit_code == 0
    again = runner.invoke(args=[*SMALL, "--force"])
    assert again.exit_code != 0 and "already" in again.output


def test_refused_in_production(app, runner, db, monkeypatch):
    monkeypatch.setitem(app.config, "LMS_ENV", "production")
    result = runner.invoke(args=SMALL)
    assert result.exit_code != 0 and "demo" in result.output
    assert database.session.scalar(sa.select(sa.func.count(User.id))) == 0
