"""The certificate's whole story in Chromium: a learner completes a course, downloads the certificate, its QR
code opens the register on a phone, which says valid; HR revokes it and the register says so; a forged code is
not found. Every page passes axe-core."""
import re
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from lms.accounts.services import create_user
from lms.courses.models import Course
from lms.extensions import db
from tests.browser.conftest import LEARNER_PASSWORD, LiveSite
from tests.browser.test_journey import (  # noqa: F401 (new_page: a fixture)
    VIEWPORTS,
    Auditor,
    new_page,
    sign_in,
    switch_language,
)
from tests.browser.test_quiz import _answer, _key
from tests.certificates.conftest import watermark_text
from tests.certificates.test_pdf import MIDDLE, changed_share, page_pixels

pytestmark = [pytest.mark.browser, pytest.mark.no_db]


def _complete_course(page: Page, site: LiveSite, slug: str) -> None:
    with site.app.app_context():
        modules = db.session.scalar(sa.select(Course.module_count).where(Course.slug == slug))
    page.goto(f"{site.url}/courses/{slug}")
    page.locator("form[action$='/enrollment']").get_by_role("button").click()
    for position in range(1, modules + 1):
        page.goto(f"{site.url}/courses/{slug}/modules/{position}")
        page.locator("form[action$='/completion']").get_by_role("button").click()
    page.goto(f"{site.url}/courses/{slug}/quiz")
    page.locator("form[action$='/quiz/attempts']").get_by_role("button").click()
    attempt_id = int(page.url.rsplit("/", 1)[1])
    for question_id, value in _key(site, attempt_id).items():
        _answer(page, question_id, value)
    page.locator("button[name=go][value=finish]").click()
    page.locator(f"form[action$='/quiz/attempts/{attempt_id}/submit']").get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/result$"))  # the next click would cancel a submission not yet sent


def _qr_url(pdf: bytes, folder: Path) -> str:
    (folder / "c.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(folder / "c.pdf"), str(folder / "c")],
                   check=True)
    return subprocess.run(["zbarimg", "--quiet", "--raw", str(folder / "c.png")], capture_output=True, text=True,
                          check=True).stdout.strip()


def test_a_completed_course_gives_a_certificate_that_anyone_can_check(new_page, live_site: LiveSite,  # noqa: F811
                                                                     tmp_path):
    live_site.app.config["LMS_PUBLIC_URL"] = live_site.url  # what the QR code points to
    desktop, phone = Auditor("desktop", tmp_path), Auditor("phone", tmp_path)
    page = new_page(VIEWPORTS["desktop"])
    sign_in(page, live_site, desktop)
    slug = live_site.course_slugs[0]
    _complete_course(page, live_site, slug)

    page.locator(".main-nav a[href='/certificates']").click()
    desktop.check(page)
    link = page.locator("a[href$='.pdf?lang=ar']").first
    pdf = page.request.get(live_site.url + link.get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf.body(), capture_output=True, check=True).stdout
    assert "متعلم التجربة" in text.decode()
    verify_url = _qr_url(pdf.body(), tmp_path)
    assert verify_url.startswith(f"{live_site.url}/verify/") and "#1" in verify_url  # the signed payload
    address = verify_url.partition("#")[0]  # the code, without the signed fragment (never sent to the server)

    visitor = new_page(VIEWPORTS["phone"])  # a citizen's phone, not signed in
    visitor.goto(verify_url)
    expect(visitor.locator("html")).to_have_attribute("dir", "rtl")
    expect(visitor.locator(".verdict h2")).to_have_text(live_site.text("ar", "Valid"))
    phone.check(visitor)

    with live_site.app.app_context():
        create_user({"username": "hr", "role": "hr", "full_name_ar": "الموارد البشرية", "full_name_latin": "HR"},
                    LEARNER_PASSWORD)
    hr = new_page(VIEWPORTS["desktop"])
    hr.goto(f"{live_site.url}/login")
    hr.get_by_label(live_site.text("ar", "Username or employee number"), exact=True).fill("hr")
    hr.get_by_label(live_site.text("ar", "Password"), exact=True).fill(LEARNER_PASSWORD)
    hr.get_by_role("button", name=live_site.text("ar", "Sign in"), exact=True).click()
    hr.locator(".main-nav a[href='/manage/certificates']").click()
    hr.get_by_label(live_site.text("ar", "Name, employee number or serial")).fill("متعلم")
    hr.get_by_role("button", name=live_site.text("ar", "Search"), exact=True).click()
    desktop.check(hr)
    hr.get_by_role("button", name=live_site.text("ar", "Print every certificate found")).click()
    expect(hr.get_by_role("link", name=live_site.text("ar", "Download the PDF to print"))).to_be_visible()
    desktop.check(hr)  # the job ran at once (tests): the batch is ready
    hr.goto(f"{live_site.url}/manage/certificates?q=متعلم")
    hr.locator("main table a").first.click()
    desktop.check(hr)
    hr.get_by_label(live_site.text("ar", "Reason")).fill("صدرت بالخطأ")
    hr.get_by_role("button", name=live_site.text("ar", "Revoke the certificate")).click()
    expect(hr.locator(".flash")).to_be_visible()
    hr.goto(f"{live_site.url}/manage/certificates/expiry")
    desktop.check(hr)
    hr.goto(f"{live_site.url}/manage/certificates/settings")
    desktop.check(hr)


    visitor.goto(address)  # the language switch below reloads the address, which has no fragment
    expect(visitor.locator(".verdict h2")).to_have_text(live_site.text("ar", "Revoked"))
    expect(visitor.locator(".verdict")).to_contain_text("صدرت بالخطأ")
    phone.check(visitor)
    switch_language(visitor, "en", "ltr")  # a visitor who reads English
    expect(visitor.locator(".verdict h2")).to_have_text("Revoked")
    phone.check(visitor)
    switch_language(visitor, "ar", "rtl")
    forged = address[:-1] + ("2" if not address.endswith("2") else "3")
    assert visitor.goto(forged).status == 404
    expect(visitor.locator(".verdict h2")).to_have_text(live_site.text("ar", "Not found"))
    phone.check(visitor)

    problems = desktop.problems + phone.problems
    if problems:
        pytest.fail("\n".join([*problems, f"screenshots: {tmp_path}"]), pytrace=False)


def test_revoking_a_course_certificate_says_first_that_the_path_certificate_goes_too(new_page,  # noqa: F811
                                                                                   live_site: LiveSite, tmp_path):
    from lms.accounts.models import User
    from lms.certificates import batches
    from lms.certificates.models import Certificate
    from lms.certificates.printroom import CertificateFilter
    from lms.progress import paths
    from lms.progress import services as progress
    from tests import factories

    with live_site.app.app_context():
        learner = db.session.scalar(sa.select(User).where(User.username == "learner"))
        courses = [factories.CourseFactory(modules=1, slug=f"revoke-{n}", title_en=f"Revoke {n}") for n in (1, 2)]
        path = paths.save_path({"slug": "window-basics", "title_ar": "أساسيات الشباك", "title_en": "Window basics",
                                "status": "published"}, [c.id for c in courses], factories.UserFactory(role="trainer"))
        paths.enrol_in_path(learner.id, path)
        for course in courses:
            progress.complete_module(learner.id, course, 1)
        course_certificate, path_certificate = (
            db.session.scalar(sa.select(Certificate).where(subject))
            for subject in (Certificate.course_id == courses[0].id, Certificate.path_id == path.id))
        ids = course_certificate.id, path_certificate.id, path_certificate.serial, courses[0].slug
        stack = batches.create_batch(CertificateFilter(course_id=courses[0].id), "both", None, "")
        stack_before = batches.batch_pdf(stack.id)
        create_user({"username": "hr", "role": "hr", "full_name_ar": "الموارد البشرية", "full_name_latin": "HR"},
                    LEARNER_PASSWORD)
    course_id, path_id, path_serial, slug = ids
    shots = {name: Auditor(name, tmp_path) for name in VIEWPORTS}
    for name, viewport in VIEWPORTS.items():
        hr = new_page(viewport)
        hr.goto(f"{live_site.url}/login")
        hr.get_by_label(live_site.text("ar", "Username or employee number"), exact=True).fill("hr")
        hr.get_by_label(live_site.text("ar", "Password"), exact=True).fill(LEARNER_PASSWORD)
        hr.get_by_role("button", name=live_site.text("ar", "Sign in"), exact=True).click()
        hr.goto(f"{live_site.url}/manage/certificates/{course_id}")
        notice = hr.locator("#revoke-consequences")
        expect(notice).to_contain_text(path_serial)
        expect(notice).to_contain_text("أساسيات الشباك")
        shots[name].check(hr)
        switch_language(hr, "en", "ltr")
        expect(notice).to_contain_text("will be revoked too, and the learner must pass the course again")
        shots[name].check(hr)
        switch_language(hr, "ar", "rtl")
    hr.get_by_label(live_site.text("ar", "Reason")).fill("أدى الاختبار شخص آخر")
    hr.get_by_role("button", name=live_site.text("ar", "Revoke the certificate")).click()
    expect(hr.locator(".flash").nth(1)).to_contain_text(path_serial)
    hr.goto(f"{live_site.url}/manage/certificates/{path_id}")
    expect(hr.locator(".cert-facts")).to_contain_text("أدى الاختبار شخص آخر")
    shots["desktop"].check(hr)  # the last page opened above is the desktop's

    # The stack printed before the revocation is made again: its page of the certificate is marked across.
    hr.goto(f"{live_site.url}/manage/certificates/batches/{stack.id}")
    link = hr.get_by_role("link", name=live_site.text("ar", "Download the PDF to print"))
    stack_after = hr.context.request.get(live_site.url + link.get_attribute("href")).body()  # the HR's session
    shots["desktop"].check(hr)
    assert changed_share(page_pixels(stack_before, tmp_path), page_pixels(stack_after, tmp_path), MIDDLE) > 0.05
    assert "ملغاة" in watermark_text(stack_after) and "REVOKED" in watermark_text(stack_after)

    page = new_page(VIEWPORTS["phone"])
    sign_in(page, live_site, shots["phone"])
    page.goto(f"{live_site.url}/courses/{slug}")
    expect(page.locator(".certificate-revoked")).to_be_visible()
    shots["phone"].check(page)
    problems = [p for audit in shots.values() for p in audit.problems]
    if problems:
        pytest.fail("\n".join([*problems, f"screenshots: {tmp_path}"]), pytrace=False)
