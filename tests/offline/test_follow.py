"""HR's pages of the field work: refused and suspicious uploads with reasons in words, devices' last syncs."""
from datetime import UTC, datetime

from lms.offline.models import OfflineUpload
from tests import factories
from tests.offline.conftest import register


def _upload(user, device, status="refused", reason="after_limit", suspicious=(), at=datetime(2026, 5, 1, tzinfo=UTC)):
    import uuid

    from lms.extensions import db

    row = OfflineUpload(upload_id=str(uuid.uuid4()), user_id=user.id, device_id=device.id, kind="seat",
                        received_at=at, body_sha256="0" * 64, status=status, reason=reason,
                        suspicious=list(suspicious), detail="", size_bytes=1, events_count=1)
    db.session.add(row)
    db.session.commit()
    return row


def test_hr_sees_refused_and_suspicious_uploads_with_reasons_in_words(client, auth, db):
    center = factories.CenterFactory()
    learner = factories.UserFactory(center=center, full_name_latin="Mona Field")
    device = register(learner, label="Van tablet").device
    _upload(learner, device)
    _upload(learner, device, status="accepted", reason=None, suspicious=["clock_moved"])
    _upload(learner, device, status="accepted", reason=None)  # nothing to see
    auth.as_role("hr", locale="en")
    page = client.get("/offline/uploads?lang=en").get_data(as_text=True)
    assert "Answers were given after the time limit." in page
    assert "The device&#39;s clock was moved during the attempt." in page or "clock was moved" in page
    assert page.count('<td class="card-head"') == 2 and learner.employee_number in page and "Van tablet" in page


def test_a_center_manager_sees_only_their_centers_uploads_and_devices(client, auth, db):
    mine, other = factories.CenterFactory(), factories.CenterFactory()
    near = factories.UserFactory(center=mine, full_name_ar="قريب")
    far = factories.UserFactory(center=other, full_name_ar="بعيد")
    _upload(near, register(near, label="جهازي").device)
    _upload(far, register(far, label="جهاز آخر").device)
    auth.as_role("center_manager", center=mine)
    page = client.get("/offline/uploads").get_data(as_text=True)
    assert "قريب" in page and "بعيد" not in page
    devices = client.get("/offline/devices").get_data(as_text=True)
    assert "جهازي" in devices and "جهاز آخر" not in devices


def test_the_devices_page_shows_each_devices_and_each_centers_last_sync(client, auth, db):
    center = factories.CenterFactory()
    learner = factories.UserFactory(center=center)
    grant = register(learner, label="Tablet A")
    register(factories.UserFactory(center=center), label="Tablet B")
    client.get("/offline/api/grant", headers={"Authorization": f"Bearer {grant.token}"})
    auth.as_role("hr")
    page = client.get("/offline/devices").get_data(as_text=True)
    assert "Tablet A" in page and "Tablet B" in page and page.count(center.code) == 3
    assert client.get("/offline/uploads?center=999999999999&page=99999999999").status_code == 200


def test_learners_and_trainers_do_not_see_them(client, auth, db):
    for role in ("learner", "trainer"):
        auth.as_role(role)
        assert client.get("/offline/uploads").status_code == 403
        assert client.get("/offline/devices").status_code == 403
