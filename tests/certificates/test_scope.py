"""HR of one governorate sees, prints and revokes only the certificates of staff in that governorate."""
from datetime import timedelta

import pytest

from lms.auth.services import issue_api_token
from lms.certificates.codes import grouped
from lms.certificates.models import Certificate, PrintBatch, PrintBatchItem
from lms.core.models import utcnow
from lms.extensions import db as _db
from tests import factories
from tests.certificates.conftest import complete


@pytest.fixture
def two_governorates(db, course):
    """A certificate in each of two governorates; returns (ours, theirs, our governorate)."""
    ours, theirs = factories.GovernorateFactory(), factories.GovernorateFactory()
    certificates = []
    for governorate, name in ((ours, "هدى من هنا"), (theirs, "ريم من هناك")):
        person = factories.UserFactory(center=factories.CenterFactory(governorate=governorate), full_name_ar=name)
        complete(person, course)
        certificate = _db.session.scalar(_db.select(Certificate).where(Certificate.user_id == person.id))
        certificate.expires_at = utcnow() + timedelta(days=20)  # on the expiry list too
        certificates.append(certificate)
    _db.session.commit()
    return certificates[0], certificates[1], ours


@pytest.fixture
def scoped_hr(auth, two_governorates):
    return auth.as_role("hr", scope_governorate_id=two_governorates[2].id)


def test_the_search_and_the_expiry_list_show_only_the_governorates_certificates(client, scoped_hr, two_governorates):
    for url in ("/manage/certificates", "/manage/certificates/expiry?days=180"):
        page = client.get(url).get_data(as_text=True)
        assert "هدى من هنا" in page and "ريم من هناك" not in page, url


def test_another_governorates_certificate_is_not_found(client, scoped_hr, two_governorates, db):
    ours, theirs, _governorate = two_governorates
    assert client.get(f"/manage/certificates/{ours.id}").status_code == 200
    assert client.get(f"/manage/certificates/{theirs.id}").status_code == 404
    response = client.post(f"/manage/certificates/{theirs.id}/revocation", data={"revoke-reason": "خطأ"})
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Certificate, theirs.id).revoked_at is None


def test_a_print_batch_holds_only_the_governorates_certificates(client, scoped_hr, two_governorates, db):
    ours, _theirs, _governorate = two_governorates
    response = client.post("/manage/certificates/batches", data={"language": "ar"})
    assert response.status_code == 302
    items = db.session.scalars(db.select(PrintBatchItem.certificate_id)).all()
    assert items == [ours.id]


def test_another_governorates_hr_does_not_see_our_batches(client, auth, scoped_hr, two_governorates, db):
    client.post("/manage/certificates/batches", data={"language": "ar"})
    batch_id = db.session.scalar(db.select(PrintBatch.id))
    assert client.get(f"/manage/certificates/batches/{batch_id}").status_code == 200
    auth.as_role("hr", scope_governorate_id=factories.GovernorateFactory().id)
    assert client.get(f"/manage/certificates/batches/{batch_id}").status_code == 404
    assert f"/batches/{batch_id}" not in client.get("/manage/certificates/batches").get_data(as_text=True)


def test_only_hr_of_every_governorate_changes_how_certificates_look(client, scoped_hr):
    assert client.get("/manage/certificates/settings").status_code == 403
    assert client.post("/manage/certificates/settings", data={}).status_code == 403


def test_the_api_gives_another_governorates_certificate_to_nobody_else(client, scoped_hr, two_governorates):
    ours, theirs, _governorate = two_governorates
    token, _record = issue_api_token(scoped_hr, timedelta(hours=1))
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/api/v1/certificates/{grouped(ours.code)}/pdf", headers=headers).status_code == 200
    assert client.get(f"/api/v1/certificates/{grouped(theirs.code)}/pdf", headers=headers).status_code == 404
