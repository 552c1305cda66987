"""End to end: certificates issued by the app, their PDFs rendered to PNG at 150 dpi (`pdftoppm -r 150`), each PNG
given to the offline verifier's file input in Chromium with the network switched off after one visit; the keys and
the status list are the app's own (/verify/keys.json, /verify/status/1)."""
import subprocess
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from lms.certificates import services
from lms.certificates.models import Certificate
from lms.core.models import utcnow
from lms.extensions import db
from tests import factories
from tests.browser.conftest import LiveSite
from tests.browser.test_journey import Auditor, new_page  # noqa: F401 (new_page: a fixture)
from tests.browser.test_scan import _changed, _paste
from tests.certificates import qr_signer
from tests.certificates.conftest import complete

pytestmark = [pytest.mark.browser, pytest.mark.no_db]


def _png(pdf: bytes, folder, name: str):
    """The certificate's first page at 150 dpi, as a phone's photo of the paper would be read."""
    (folder / f"{name}.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", "-singlefile", folder / f"{name}.pdf",
                    folder / name], check=True)
    return folder / f"{name}.png"


def _issue(site: LiveSite, tmp_path) -> dict:
    """Four holders of one course: valid, expired, revoked, superseded; PDFs rendered before any revocation, as
    papers printed on the day of issue."""
    with site.app.app_context():
        site.app.config["LMS_PUBLIC_URL"] = site.url
        course = factories.CourseFactory(modules=1, title_ar="خدمة المواطنين عبر الشباك", title_en="Serving citizens",
                                         certificate_settings={"validity_months": 24, "language": "both"})
        holders = {name: factories.UserFactory(full_name_ar=f"{ar} عبد الرحمن", full_name_latin=f"{en} Abdelrahman")
                   for name, ar, en in (("valid", "منى", "Mona"), ("expired", "هبة", "Heba"),
                                        ("revoked", "عمر", "Omar"), ("superseded", "سارة", "Sara"))}
        db.session.commit()
        for user in holders.values():
            complete(user, course)
        certificates = {name: db.session.scalar(sa.select(Certificate).where(Certificate.user_id == user.id))
                        for name, user in holders.items()}
        expired = certificates["expired"]
        # Expired by more than `make test-future` moves the server's clock: Chromium keeps the real one.
        expired.issued_at, expired.expires_at = utcnow() - timedelta(days=1600), utcnow() - timedelta(days=800)
        db.session.commit()
        pictures = {name: _png(services.certificate_pdf(c, "ar"), tmp_path, name) for name, c in certificates.items()}
        services.revoke(certificates["revoked"].id, "خطأ في البيانات", None)
        services.reissue(certificates["superseded"].id, "تصحيح الاسم", None)
    return pictures


def test_printed_certificates_checked_offline(new_page, live_site: LiveSite, tmp_path):  # noqa: F811
    site = live_site  # a fresh database with the real course folders, served over HTTP
    pictures = _issue(site, tmp_path)
    audit = Auditor("phone", tmp_path)
    page = new_page({"width": 360, "height": 740}, service_workers="allow")  # the verifier's own worker
    page.goto(f"{site.url}/verify/scan")
    expect(page.locator("#verifier[data-ready=true]")).to_be_attached()
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    page.reload()
    expect(page.locator("#verifier[data-ready=true]")).to_be_attached()
    page.context.set_offline(True)
    page.reload()
    expect(page.locator("#verifier[data-ready=true]")).to_be_attached()
    expect(page.locator("#list-age")).to_contain_text(site.text("ar", "Status list of %(date)s, fetched %(age)s; "
                                                                "next update %(next)s.").split("%(date)s")[0].strip())
    timings = {}
    for verdict, picture in pictures.items():
        page.locator("#qr-file").set_input_files(picture)
        box = page.locator(f"#verdict[data-verdict='{verdict}']")
        expect(box).to_be_visible()
        timings[verdict] = (float(box.get_attribute("data-ms")), float(box.get_attribute("data-total-ms")))
        audit.check(page)
    assert max(check for check, _ in timings.values()) < 300, timings

    printed = subprocess.run(["zbarimg", "-q", "--raw", pictures["valid"]], capture_output=True, text=True,
                             check=True).stdout.strip()
    assert _paste(page, _changed(printed, 40), "invalid") < 300
    foreign = qr_signer.Key.new()
    address = printed.split("#")[0]
    code = address.rsplit("/", 1)[1].replace("-", "")
    stranger = qr_signer.qr_content(address.rsplit("/verify/", 1)[0], code, {"serial": "X", "name_ar": "س",
                                    "issued": "20260101", "status_index": "1", "language": "ar"}, foreign)
    assert _paste(page, stranger, "unknown") < 300
    print("timings (check ms, with reading the picture ms):", timings)
    if audit.problems:
        pytest.fail("\n".join([*audit.problems, f"screenshots: {tmp_path}"]), pytrace=False)
