"""The learner's certificates and PDFs, the public register, and the API: who sees what."""
import base64
import io
import re
import subprocess
import unicodedata
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from lms.certificates import look, services
from lms.certificates.codes import grouped
from lms.certificates.models import Certificate, CertificateFile
from lms.core import throttle
from lms.courses.models import Course
from tests import factories
from tests.certificates.conftest import complete, watermark_text


@pytest.fixture
def certificate(db, course, learner):
    complete(learner, course)
    return db.session.scalar(sa.select(Certificate).where(Certificate.user_id == learner.id))


def test_the_learner_lists_and_downloads_their_certificate(auth, client, certificate, learner):
    auth.login(learner)
    page = client.get("/certificates").get_data(as_text=True)
    assert certificate.serial in page and certificate.course_title_ar in page
    response = client.get(f"/certificates/{grouped(certificate.code)}.pdf?lang=ar")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-") and "no-store" in response.headers["Cache-Control"]


def test_a_pdf_is_rendered_once_and_served_from_storage(auth, client, certificate, learner, monkeypatch, db):
    auth.login(learner)
    first = client.get(f"/certificates/{grouped(certificate.code)}.pdf?lang=en").data
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CertificateFile)) == 1
    monkeypatch.setattr(services, "render_pdf", lambda *a, **k: pytest.fail("rendered again"))
    assert client.get(f"/certificates/{grouped(certificate.code)}.pdf?lang=en").data == first


@pytest.mark.parametrize("role", ["hr", "admin"])
def test_hr_and_admin_may_download_anyones_certificate(auth, client, certificate, role):
    auth.as_role(role)
    assert client.get(f"/certificates/{grouped(certificate.code)}.pdf").status_code == 200


@pytest.mark.parametrize("role", ["learner", "trainer"])
def test_others_are_told_the_certificate_does_not_exist(auth, client, certificate, role):
    auth.as_role(role)
    assert client.get(f"/certificates/{grouped(certificate.code)}.pdf").status_code == 404
    assert client.get(f"/certificates/{grouped(certificate.code)}.pdf?lang=fr").status_code == 404


def test_downloading_needs_a_sign_in(client, certificate):
    assert client.get(f"/certificates/{grouped(certificate.code)}.pdf").status_code in (302, 401)


# -- the public register ----------------------------------------------------------------------------------------

def test_a_valid_certificate_checks_out_without_a_sign_in(client, certificate, learner):
    response = client.get(f"/verify/{grouped(certificate.code)}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "سارية" in page and learner.full_name_ar in page and certificate.course_title_ar in page
    assert learner.employee_number not in page


CHECKED_AT = datetime(2026, 3, 5, 10, 7, tzinfo=UTC)  # 12:07 in Cairo (no summer time in March)


@pytest.fixture
def checked_at(monkeypatch):
    """The register's clock, held still: the page says when the check was made."""
    monkeypatch.setattr(services, "utcnow", lambda: CHECKED_AT)
    return CHECKED_AT


def test_the_register_shows_the_serial_the_issuer_and_when_it_was_checked(client, certificate, checked_at):
    page = client.get(f"/verify/{grouped(certificate.code)}").get_data(as_text=True)
    # The serial as printed: ASCII digits, left to right and on one line inside the Arabic text.
    assert f'<dd class="code-cell verdict-serial"><bdi dir="ltr">{certificate.serial}</bdi></dd>' in page
    assert "الرقم المسلسل" in page and "جهة الإصدار" in page and "محافظة القليوبية: المراكز التكنولوجية" in page
    logo = re.search(r'<img src="(/verify/logo/classic\?v=\w+)" alt="شعار جهة الإصدار"', page)
    assert logo, "the design's emblem is the logo until one is uploaded"
    served = client.get(logo.group(1).replace("&amp;", "&"))
    assert served.status_code == 200 and served.mimetype == "image/svg+xml" and b"<svg" in served.data
    assert "تم التحقق يوم <time datetime=\"2026-03-05T10:07:00+00:00\">٥ مارس ٢٠٢٦</time> الساعة ١٢:٠٧ " \
           "بتوقيت المحافظة." in page

    client.post("/language", data={"lang": "en", "next": "/verify"})
    page = client.get(f"/verify/{grouped(certificate.code)}").get_data(as_text=True)
    assert f'<bdi dir="ltr">{certificate.serial}</bdi>' in page and "Serial number" in page
    assert "Issued by" in page and "Qalyubia Governorate: Technology Centers" in page
    assert 'alt="Logo of the issuing authority"' in page
    assert 'Checked on <time datetime="2026-03-05T10:07:00+00:00">5 March 2026</time> at 12:07, governorate ' \
           "time." in page


def _png(colour: str) -> str:
    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (40, 40), colour).save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def test_the_register_shows_the_authority_and_logo_hr_set(client, certificate, db):
    look.save_look({"authority_ar": "محافظة بنها التجريبية", "authority_en": "Test Governorate", "logo": _png("red")},
                   None)
    page = client.get(f"/verify/{grouped(certificate.code)}").get_data(as_text=True)
    assert "محافظة بنها التجريبية" in page
    first = re.search(r'src="(/verify/logo/classic\?v=\w+)"', page).group(1)
    served = client.get(first)
    assert served.status_code == 200 and served.mimetype == "image/png" and served.data.startswith(b"\x89PNG")
    assert "max-age" in served.headers["Cache-Control"]

    look.save_look({"authority_ar": "محافظة بنها التجريبية", "authority_en": "Test Governorate", "logo": _png("blue")},
                   None)
    page = client.get(f"/verify/{grouped(certificate.code)}").get_data(as_text=True)
    assert re.search(r'src="(/verify/logo/classic\?v=\w+)"', page).group(1) != first  # a new picture, a new address
    assert client.get("/verify/logo/nosuchdesign").status_code == 404
    assert client.get("/verify/logo/..").status_code == 404
    assert client.get("/verify/logo/" + "ي" * 300).status_code == 404  # longer than any file name


def test_an_unknown_code_shows_no_serial_issuer_or_check_time(client, certificate, checked_at):
    forged = certificate.code[:-1] + ("2" if certificate.code[-1] != "2" else "3")
    response = client.get(f"/verify/{grouped(forged)}")
    page = response.get_data(as_text=True)
    assert response.status_code == 404 and "غير موجودة" in page
    for shown in ("الرقم المسلسل", "جهة الإصدار", "تم التحقق", "/verify/logo/", "<time", "QLY-"):
        assert shown not in page
    assert client.get(f"/api/v1/verify/{grouped(forged)}").json == {
        "error": {"code": "not_found", "message": client.get("/api/v1/verify/x").json["error"]["message"]}}


def test_a_code_typed_loosely_still_checks_out(client, certificate):
    typed = " " + grouped(certificate.code).lower().replace("-", " ") + " "
    response = client.get("/verify", query_string={"code": typed})
    assert response.status_code == 302 and response.location.endswith(f"/verify/{grouped(certificate.code)}")


def test_unknown_and_malformed_codes_answer_alike(client, certificate):
    forged = certificate.code[:-1] + ("2" if certificate.code[-1] != "2" else "3")
    pages = []
    for code in (grouped(forged), "not-a-code", "ZZZZ"):
        response = client.get(f"/verify/{code}")
        assert response.status_code == 404
        pages.append(re.sub(r'value="[^"]*"', "", response.get_data(as_text=True)))
    assert "غير موجودة" in pages[0] and pages[0] == pages[1] == pages[2]
    api = [client.get(f"/api/v1/verify/{code}") for code in (grouped(forged), "not-a-code")]
    assert [r.status_code for r in api] == [404, 404] and api[0].json == api[1].json


def test_malformed_codes_cost_the_same_look_up_as_real_ones(app, client, certificate, db):
    """No shortcut for a code that cannot exist: its answer takes as long as an unknown one's."""
    from sqlalchemy import event

    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        counts = []
        for code in (grouped(certificate.code), "7F3K-9QXM-2PLA-H4TD", "7F3K-9QXM-2PLA-H4TD-K8RW-6ZNB", "not a code",
                     "'; DROP TABLE x; --", "7F3K-9QXM-2PLA-H4TD-K8RW", "7F3K-9QXM-2PLA-H4TD-K8RW-6ZNB-2"):
            statements.clear()
            client.get(f"/api/v1/verify/{code}")
            counts.append(len(statements))
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(set(counts)) == 1 and counts[0] >= 1


def test_a_code_of_the_first_certificates_keeps_verifying(client, certificate, db):
    """Codes issued before codes grew to 120 bits have 16 symbols (80 bits): printed certificates stay valid."""
    certificate.code = "7F3K9QXM2PLAH4TD"
    db.session.commit()
    for typed in ("7F3K-9QXM-2PLA-H4TD", "7f3k 9qxm 2pla h4td"):
        assert client.get(f"/verify/{typed}").status_code == 200
        body = client.get(f"/api/v1/verify/{typed}").json
        assert body["code"] == "7F3K-9QXM-2PLA-H4TD" and body["status"] == "valid"


def test_a_new_certificate_has_a_24_symbol_code_that_verifies(client, certificate):
    printed = grouped(certificate.code)
    assert len(certificate.code) == 24 and printed.count("-") == 5
    assert client.get(f"/api/v1/verify/{printed}").json["code"] == printed


def test_the_verification_page_never_breaks_a_code_at_its_dashes(client, certificate):
    page = client.get(f"/verify/{grouped(certificate.code)}").text
    assert f'<dd class="code-cell verdict-code"><bdi>{grouped(certificate.code)}</bdi></dd>' in page
    # The example in the help is isolated too: in Arabic text it kept neither its order nor its line.
    assert re.search(r'<span class="code-cell"><bdi>(\w{4}-){5}\w{4}</bdi></span>', page)


@pytest.mark.parametrize("code", ["7F3K-9QXM-2PLA-H4TD-K8RW", "7F3K-9QXM-2PLA-H4TD-K8RW-6ZNB-2", "7F3K-9QXM-2PLA"])
def test_a_code_of_another_length_is_the_same_404_as_an_unknown_one(client, certificate, code):
    unknown = client.get("/api/v1/verify/7F3K-9QXM-2PLA-H4TD-K8RW-6ZNB")
    other = client.get(f"/api/v1/verify/{code}")
    assert other.status_code == unknown.status_code == 404 and other.json == unknown.json
    assert client.get(f"/verify/{code}").status_code == 404


def test_a_revoked_certificate_says_so_with_its_date_and_reason(client, certificate, db):
    hr = factories.UserFactory(role="hr")
    services.revoke(certificate.id, "خطأ في البيانات", hr.id)
    page = client.get(f"/verify/{grouped(certificate.code)}").get_data(as_text=True)
    assert "ملغاة" in page and "خطأ في البيانات" in page
    body = client.get(f"/api/v1/verify/{grouped(certificate.code)}").json
    assert body["status"] == "revoked" and body["reason"] == "خطأ في البيانات" and body["revoked_at"]


def test_a_reissued_certificate_points_to_the_newer_one(client, certificate, learner, db):
    learner.full_name_ar = "منى عبد الرحمن محمود"
    db.session.commit()
    new = services.reissue(certificate.id, "تصحيح الاسم", None)
    assert new.name_ar == "منى عبد الرحمن محمود" and new.code != certificate.code
    page = client.get(f"/verify/{grouped(certificate.code)}").get_data(as_text=True)
    assert "مستبدلة بشهادة أحدث" in page and f"/verify/{grouped(new.code)}" in page
    body = client.get(f"/api/v1/verify/{grouped(certificate.code)}").json
    assert body == {**body, "status": "superseded", "superseded_by": grouped(new.code)}
    assert client.get(f"/api/v1/verify/{grouped(new.code)}").json["status"] == "valid"


def test_an_expired_certificate_says_since_when(client, certificate, db):
    certificate.expires_at = certificate.issued_at.replace(year=certificate.issued_at.year - 1)
    db.session.commit()
    page = client.get(f"/verify/{grouped(certificate.code)}").get_data(as_text=True)
    assert "منتهية الصلاحية" in page
    assert client.get(f"/api/v1/verify/{grouped(certificate.code)}").json["status"] == "expired"


def test_the_register_is_in_english_too(client, certificate, learner):
    client.post("/language", data={"lang": "en", "next": "/verify"})
    page = client.get(f"/verify/{grouped(certificate.code)}").get_data(as_text=True)
    assert 'lang="en"' in page and "Valid" in page and learner.full_name_latin in page


def test_checking_codes_is_rate_limited_per_client(app, client, certificate, monkeypatch):
    monkeypatch.setitem(app.config, "LMS_VERIFY_LIMITS", "3 per minute")
    throttle.reset()
    try:
        codes = [grouped(certificate.code), "XXXX", grouped(certificate.code)]
        assert [client.get(f"/verify/{c}").status_code for c in codes] == [200, 404, 200]
        page = client.get(f"/verify/{grouped(certificate.code)}")
        assert page.status_code == 429 and 1 <= int(page.headers["Retry-After"]) <= 60
        refused = client.get(f"/api/v1/verify/{grouped(certificate.code)}")
        assert refused.status_code == 429 and refused.json["error"]["code"] == "too_many_requests"
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        other = client.get(f"/verify/{grouped(certificate.code)}", environ_base={"REMOTE_ADDR": "10.0.0.9"})
        assert other.status_code == 200
    finally:
        throttle.reset()


# -- the API --------------------------------------------------------------------------------------------------

def _token(client, user) -> dict:
    from datetime import timedelta

    from lms.auth.services import issue_api_token
    token, _record = issue_api_token(user, timedelta(days=1))
    return {"Authorization": f"Bearer {token}"}


def test_the_api_lists_my_certificates_and_serves_their_pdf(client, certificate, learner):
    headers = _token(client, learner)
    [entry] = client.get("/api/v1/me/certificates", headers=headers).json["certificates"]
    assert entry["code"] == grouped(certificate.code) and entry["serial"] == certificate.serial
    assert entry["status"] == "valid" and entry["course"]["en"] == certificate.course_title_en
    pdf = client.get(entry["pdf_url"].replace("http://localhost", ""), headers=headers)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    assert client.get(f"/api/v1/certificates/{entry['code']}/pdf?lang=xx", headers=headers).status_code == 400


def test_the_api_hides_a_certificate_from_other_learners(client, certificate):
    other = _token(client, factories.UserFactory())
    response = client.get(f"/api/v1/certificates/{grouped(certificate.code)}/pdf", headers=other)
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
    hr = _token(client, factories.UserFactory(role="hr"))
    assert client.get(f"/api/v1/certificates/{grouped(certificate.code)}/pdf", headers=hr).status_code == 200


def test_the_api_check_shows_no_personal_detail_beyond_the_name(client, certificate, learner):
    body = client.get(f"/api/v1/verify/{grouped(certificate.code)}").json
    assert body["status"] == "valid" and body["name"] == {"ar": learner.full_name_ar,
                                                          "latin": learner.full_name_latin}
    assert learner.employee_number not in str(body)


def test_the_api_check_gives_the_serial_the_issuer_and_when(client, certificate, checked_at):
    body = client.get(f"/api/v1/verify/{grouped(certificate.code)}").json
    assert body["serial"] == certificate.serial and body["checked_at"] == "2026-03-05T10:07:00+00:00"
    authority = body["issuing_authority"]
    assert authority["name"] == {"ar": "محافظة القليوبية: المراكز التكنولوجية",
                                 "en": "Qalyubia Governorate: Technology Centers"}
    assert authority["logo_url"].startswith("http://localhost/verify/logo/classic?v=")
    assert client.get(authority["logo_url"].replace("http://localhost", "")).status_code == 200


def test_the_course_page_links_to_its_certificate(auth, client, certificate, learner, course):
    auth.login(learner)
    page = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert f"/certificates/{grouped(certificate.code)}.pdf" in page
    other = factories.UserFactory()
    auth.login(other)
    assert "/certificates/" not in client.get(f"/courses/{course.slug}").get_data(as_text=True)


def test_a_replaced_certificate_is_rendered_anew_and_says_so(auth, client, certificate, learner, db):
    auth.login(learner)
    client.get(f"/certificates/{grouped(certificate.code)}.pdf?lang=ar")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CertificateFile)) == 1
    new = services.reissue(certificate.id, "تصحيح", None)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CertificateFile)) == 0
    old_pdf = client.get(f"/certificates/{grouped(certificate.code)}.pdf?lang=ar").data
    text = subprocess.run(["pdftotext", "-", "-"], input=old_pdf, capture_output=True, check=True).stdout.decode()
    text = unicodedata.normalize("NFKC", "".join(ch for ch in text if unicodedata.category(ch) != "Cf"))
    assert "مستبدلة" in text
    course_page = client.get(f"/courses/{db.session.get(Course, new.course_id).slug}").get_data(as_text=True)
    assert f"/certificates/{grouped(new.code)}.pdf" in course_page  # the course page links to the newer one


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(db):
    from tests.conftest import make_app

    app = make_app("sqlite://", LMS_TRUSTED_PROXIES=1, LMS_VERIFY_LIMITS="2 per minute")
    with app.app_context():
        throttle.reset()
    client = app.test_client()
    code = "7F3K-9QXM-2PLA-H4TD"  # no certificate has it: 404 until the limit, then 429

    def ask(address):
        return client.get(f"/api/v1/verify/{code}", headers={"X-Forwarded-For": address}).status_code

    assert [ask("10.1.1.1"), ask("10.1.1.1"), ask("10.1.1.1")] == [404, 404, 429]
    assert ask("10.2.2.2") == 404  # another citizen behind the same proxy


@pytest.mark.parametrize("change", ["revoke", "reissue"])
def test_a_pdf_stored_before_the_certificate_was_revoked_or_replaced_comes_back_watermarked(
        auth, client, certificate, learner, db, change):
    auth.login(learner)
    url = f"/certificates/{grouped(certificate.code)}.pdf?lang=en"
    assert b"%PDF-" in client.get(url).data
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CertificateFile)) == 1  # stored
    if change == "revoke":
        services.revoke(certificate.id, "خطأ في البيانات", None)
    else:
        services.reissue(certificate.id, "تصحيح", None)
    text = watermark_text(client.get(url).data)
    assert ("REVOKED" if change == "revoke" else "SUPERSEDED") in text
