"""HR's print room: search with every filter, revoke and reissue from the page, the log, the expiry list."""
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from lms.accounts.models import User
from lms.certificates import printroom
from lms.certificates.models import Certificate, CertificateEvent
from lms.certificates.printroom import CertificateFilter
from tests import factories
from tests.certificates.conftest import complete


def _issue(db, course, **user) -> Certificate:
    learner = factories.UserFactory(**user)
    complete(learner, course)
    return db.session.scalar(sa.select(Certificate).where(Certificate.user_id == learner.id))


def _serials(criteria: CertificateFilter) -> set[str]:
    return {c.serial for c in printroom.search(criteria)[1]}


def test_search_matches_names_the_arabic_way_and_numbers(db, course):
    ahmed = _issue(db, course, full_name_ar="أحمد عبد الله", employee_number="77001")
    mona = _issue(db, course, full_name_ar="منى فتحية", full_name_latin="Mona Fathia")
    assert _serials(CertificateFilter(text="احمد")) == {ahmed.serial}
    assert _serials(CertificateFilter(text="فتحيه")) == {mona.serial}  # ta marbuta written as ha
    assert _serials(CertificateFilter(text="mona")) == {mona.serial}
    assert _serials(CertificateFilter(text="٧٧٠٠١")) == {ahmed.serial}  # Arabic-Indic digits
    assert _serials(CertificateFilter(text=mona.serial.lower())) == {mona.serial}
    assert _serials(CertificateFilter(text="%")) == set()  # LIKE wildcards are plain characters


def test_search_by_center_course_dates_status_and_printing(db, course):
    center = factories.CenterFactory()
    other_course = factories.CourseFactory(modules=1, certificate_settings={"validity_months": 1})
    here = _issue(db, course, center=center)
    there = _issue(db, course)
    short = _issue(db, other_course, center=center)
    assert _serials(CertificateFilter(center_code=center.code)) == {here.serial, short.serial}
    assert _serials(CertificateFilter(course_id=other_course.id)) == {short.serial}
    today = datetime.now(UTC).date()
    assert len(_serials(CertificateFilter(since=today - timedelta(days=1), until=today + timedelta(days=1)))) == 3
    assert _serials(CertificateFilter(until=today - timedelta(days=2))) == set()
    short.expires_at = datetime.now(UTC) - timedelta(days=1)
    there.printed_at = datetime.now(UTC)
    db.session.commit()
    assert _serials(CertificateFilter(status="expired")) == {short.serial}
    assert _serials(CertificateFilter(status="valid")) == {here.serial, there.serial}
    assert _serials(CertificateFilter(printed=True)) == {there.serial}
    assert _serials(CertificateFilter(printed=False, center_code=center.code)) == {here.serial, short.serial}


def test_the_search_page_filters_from_the_query_string(auth, client, db, course):
    wanted = _issue(db, course, full_name_ar="سعاد إبراهيم")
    other = _issue(db, course)
    auth.as_role("hr")
    page = client.get("/manage/certificates", query_string={"q": "ابراهيم", "since": "not-a-date"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and wanted.serial in text and other.serial not in text
    assert 'value="ابراهيم"' in text  # the form keeps what was typed


def test_an_employee_number_is_written_as_a_code_as_on_every_other_list(auth, client, db, course):
    # The glossary: codes and numbers people type (employee numbers, serials) keep ASCII digits on Arabic pages;
    # the print room alone wrote them in Arabic-Indic digits, unlike the staff list, the matrix and the rest.
    certificate = _issue(db, course, employee_number="77002")
    auth.as_role("hr")
    for url in ("/manage/certificates", f"/manage/certificates/{certificate.id}"):
        text = client.get(url).get_data(as_text=True)
        assert "<bdi>77002</bdi>" in text and "٧٧٠٠٢" not in text, url


@pytest.mark.parametrize("role", ["learner", "trainer"])
def test_the_print_room_is_for_hr_and_admin_only(auth, client, db, course, role):
    certificate = _issue(db, course)
    auth.as_role(role)
    for url in ("/manage/certificates", f"/manage/certificates/{certificate.id}", "/manage/certificates/expiry"):
        assert client.get(url).status_code == 403
    assert client.post(f"/manage/certificates/{certificate.id}/revocation",
                       data={"revoke-reason": "x"}).status_code == 403
    assert db.session.get(Certificate, certificate.id).revoked_at is None


def test_hr_revokes_with_a_reason_and_the_log_says_who(auth, client, db, course):
    certificate = _issue(db, course)
    hr = auth.as_role("hr", full_name_ar="مسؤول الموارد البشرية")
    refused = client.post(f"/manage/certificates/{certificate.id}/revocation", data={"revoke-reason": "  "})
    assert refused.status_code == 400 and db.session.get(Certificate, certificate.id).revoked_at is None
    done = client.post(f"/manage/certificates/{certificate.id}/revocation", data={"revoke-reason": "شهادة بالخطأ"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Certificate, certificate.id).revoke_reason == "شهادة بالخطأ"
    page = client.get(f"/manage/certificates/{certificate.id}").get_data(as_text=True)
    assert "شهادة بالخطأ" in page and "مسؤول الموارد البشرية" in page and "ألغِ الشهادة" not in page
    event = db.session.scalar(sa.select(CertificateEvent).where(CertificateEvent.action == "revoke"))
    assert event.actor_id == hr.id


def test_hr_reissues_after_a_name_correction(auth, client, db, course):
    certificate = _issue(db, course, full_name_ar="محمد عاطف")
    db.session.get(User, certificate.user_id).full_name_ar = "محمد عاطف حسن"
    db.session.commit()
    auth.as_role("hr")
    response = client.post(f"/manage/certificates/{certificate.id}/reissue", data={"reissue-reason": "تصحيح الاسم"})
    assert response.status_code == 302
    db.session.expire_all()
    old = db.session.get(Certificate, certificate.id)
    new = db.session.get(Certificate, old.superseded_by_id)
    assert response.location.endswith(f"/manage/certificates/{new.id}")
    assert new.name_ar == "محمد عاطف حسن" and old.status().value == "superseded"
    assert new.serial != old.serial and new.completed_at == old.completed_at
    actions = [e.action for e, _actor in printroom.history(old.id)]
    assert actions == ["issue", "reissue"]
    again = client.post(f"/manage/certificates/{old.id}/reissue", data={"reissue-reason": ""})
    assert again.status_code == 400


@pytest.mark.parametrize("ends", [datetime(2031, 5, 1, tzinfo=UTC), datetime(2020, 5, 1, tzinfo=UTC), None])
def test_a_correction_keeps_the_end_of_validity(auth, client, db, course, ends):
    """Reissuing restarted the validity on the day of the correction: a free recertification, and an expired
    certificate came back valid."""
    certificate = _issue(db, course)
    certificate.expires_at = ends
    db.session.commit()
    auth.as_role("hr")
    assert client.post(f"/manage/certificates/{certificate.id}/reissue",
                       data={"reissue-reason": "تصحيح الاسم"}).status_code == 302
    db.session.expire_all()
    old = db.session.get(Certificate, certificate.id)
    new = db.session.get(Certificate, old.superseded_by_id)
    assert new.expires_at == old.expires_at and (new.expires_at is None) == (ends is None)
    checked = datetime(2026, 12, 1, tzinfo=UTC)
    assert new.status(checked).value == ("expired" if ends and ends.year == 2020 else "valid")


def test_the_expiry_list_shows_what_expires_soon_and_what_has_expired(auth, client, db, course):
    now = datetime.now(UTC)
    soon, past, later, revoked = (_issue(db, course) for _ in range(4))
    soon.expires_at, past.expires_at, later.expires_at = now + timedelta(days=20), now - timedelta(days=3), \
        now + timedelta(days=400)
    revoked.expires_at, revoked.revoked_at = now + timedelta(days=10), now
    db.session.commit()
    expiring, expired = printroom.expiring(30)
    assert [c.serial for c in expiring] == [soon.serial] and [c.serial for c in expired] == [past.serial]
    auth.as_role("hr")
    page = client.get("/manage/certificates/expiry?days=30").get_data(as_text=True)
    assert soon.serial in page and past.serial in page and later.serial not in page and revoked.serial not in page


def test_search_dates_follow_the_governorates_day(db, course):
    certificate = _issue(db, course)
    # 23:30 in Cairo on 1 March is 21:30 UTC: it was issued on 1 March there.
    certificate.issued_at = datetime(2026, 3, 1, 21, 30, tzinfo=UTC)
    db.session.commit()
    assert _serials(CertificateFilter(since=date(2026, 3, 1), until=date(2026, 3, 1))) == {certificate.serial}
    assert _serials(CertificateFilter(since=date(2026, 3, 2))) == set()


def test_the_revoke_form_says_the_reason_is_public(auth, client, db, course):
    certificate = _issue(db, course)
    auth.as_role("hr")
    page = client.get(f"/manage/certificates/{certificate.id}").text
    textarea = page.split('name="revoke-reason"')[0].rsplit("<textarea", 1)[1]
    hint_id = textarea.split('aria-describedby="')[1].split('"')[0].split()[0]
    assert "يظهر كما كتبته لكل من يتحقق من الشهادة" in page.split(f'id="{hint_id}"')[1].split("</")[0]
