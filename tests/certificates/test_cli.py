"""flask --app lms certificates verify | revoke."""
import sqlalchemy as sa

from lms.certificates.codes import grouped
from lms.certificates.models import Certificate, CertificateEvent
from tests import factories
from tests.certificates.conftest import complete


def _certificate(db, course, learner) -> Certificate:
    complete(learner, course)
    return db.session.scalar(sa.select(Certificate).where(Certificate.user_id == learner.id))


def test_verify_prints_what_the_register_says(runner, db, course, learner):
    certificate = _certificate(db, course, learner)
    result = runner.invoke(args=["certificates", "verify", grouped(certificate.code).lower()])
    assert result.exit_code == 0, result.output
    assert "سارية" in result.output and certificate.serial in result.output and learner.full_name_ar in result.output


def test_verify_fails_for_an_unknown_code(runner, db):
    result = runner.invoke(args=["certificates", "verify", "7F3K-9QXM-2PLA-H4TD"])
    assert result.exit_code == 1 and "غير موجودة" in result.output


def test_revoke_needs_a_reason_records_who_and_keeps_the_code_working(runner, db, course, learner):
    certificate = _certificate(db, course, learner)
    hr = factories.UserFactory(role="hr", username="hr.office")
    assert runner.invoke(args=["certificates", "revoke", grouped(certificate.code)]).exit_code == 2
    result = runner.invoke(args=["certificates", "revoke", grouped(certificate.code), "--reason", "بيانات خاطئة",
                                 "--by", "hr.office"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(Certificate, certificate.id).status().value == "revoked"
    event = db.session.scalar(sa.select(CertificateEvent).where(CertificateEvent.action == "revoke"))
    assert event.actor_id == hr.id and event.details == {"reason": "بيانات خاطئة"}
    again = runner.invoke(args=["certificates", "revoke", grouped(certificate.code), "--reason", "x"])
    assert again.exit_code == 1 and "ملغاة بالفعل" in again.output
    shown = runner.invoke(args=["certificates", "verify", grouped(certificate.code)])
    assert "ملغاة" in shown.output and "بيانات خاطئة" in shown.output
