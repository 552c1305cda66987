"""The public register on a citizen's phone (360 px), Arabic then English: the serial as printed, on one line;
the issuing authority and its logo, fetched from the app itself; when the check was made. axe-core passes and
nothing scrolls sideways."""
import base64
import io

import pytest
import sqlalchemy as sa
from PIL import Image
from playwright.sync_api import Page, expect

from lms.certificates import look
from lms.certificates.codes import grouped
from lms.certificates.models import Certificate
from lms.extensions import db
from tests.browser.conftest import LiveSite
from tests.browser.test_certificate import _complete_course
from tests.browser.test_journey import (  # noqa: F401 (new_page: a fixture)
    VIEWPORTS,
    Auditor,
    new_page,
    sign_in,
    switch_language,
)

pytestmark = [pytest.mark.browser, pytest.mark.no_db]


def _expect_register(page: Page, serial: str, authority: str, logo_alt: str, checked: str) -> None:
    facts = page.locator(".cert-facts")
    expect(facts.locator(".verdict-serial bdi[dir=ltr]")).to_have_text(serial)
    # One line: the serial never breaks at its dashes, in Arabic text or English.
    assert facts.locator(".verdict-serial bdi").evaluate("e => e.getClientRects().length") == 1
    expect(facts.locator(".verdict-authority")).to_contain_text(authority)
    logo = facts.locator(".verdict-authority img")
    expect(logo).to_have_attribute("alt", logo_alt)
    assert logo.get_attribute("src").startswith("/verify/logo/")  # the app's own address, nothing from outside
    assert logo.evaluate("e => e.complete && e.naturalWidth > 0"), "the logo did not load"
    expect(page.locator(".checked-at")).to_contain_text(checked)


def test_the_register_shows_serial_authority_and_check_time_on_a_phone(new_page, live_site: LiveSite,  # noqa: F811
                                                                       tmp_path):
    desktop, phone = Auditor("desktop", tmp_path), Auditor("phone", tmp_path)
    learner = new_page(VIEWPORTS["desktop"])
    sign_in(learner, live_site, desktop)
    _complete_course(learner, live_site, live_site.course_slugs[0])
    with live_site.app.app_context():
        certificate = db.session.scalars(sa.select(Certificate)).one()
        code, serial = grouped(certificate.code), certificate.serial

    visitor = new_page(VIEWPORTS["phone"])  # a citizen's phone, not signed in
    visitor.goto(f"{live_site.url}/verify/{code}")
    expect(visitor.locator("html")).to_have_attribute("dir", "rtl")
    expect(visitor.locator(".verdict h2")).to_have_text(live_site.text("ar", "Valid"))
    _expect_register(visitor, serial, "محافظة القليوبية", "شعار جهة الإصدار", "بتوقيت المحافظة")
    checked = visitor.locator(".checked-at").inner_text()
    assert any("٠" <= ch <= "٩" for ch in checked) and not any("0" <= ch <= "9" for ch in checked)
    phone.check(visitor)

    with live_site.app.app_context():  # HR uploads the governorate's own logo and names
        picture = io.BytesIO()
        Image.new("RGB", (60, 60), "#0b4f6c").save(picture, "PNG")
        look.save_look({"authority_ar": "محافظة القليوبية", "authority_en": "Qalyubia Governorate",
                        "logo": "data:image/png;base64," + base64.b64encode(picture.getvalue()).decode()}, None)
    visitor.reload()
    _expect_register(visitor, serial, "محافظة القليوبية", "شعار جهة الإصدار", "بتوقيت المحافظة")
    phone.check(visitor)

    switch_language(visitor, "en", "ltr")  # a visitor who reads English
    _expect_register(visitor, serial, "Qalyubia Governorate", "Logo of the issuing authority", "governorate time")
    expect(visitor.locator(".checked-at")).to_contain_text("Checked on ")
    phone.check(visitor)

    problems = desktop.problems + phone.problems
    if problems:
        pytest.fail("\n".join([*problems, f"screenshots: {tmp_path}"]), pytrace=False)
