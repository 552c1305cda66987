"""The print room's hand-over in Chromium: HR opens a printed batch of two centers' certificates and hands each
center's stack to its manager, in Arabic then English, on a 360 px phone and a 1366 px desktop; every page passes
axe-core and none scrolls sideways on the phone."""
import pytest
from playwright.sync_api import expect

from lms.accounts.services import create_user
from lms.certificates import batches
from lms.certificates.printroom import CertificateFilter
from tests import factories
from tests.browser.conftest import LEARNER_PASSWORD, LiveSite
from tests.browser.test_journey import Auditor, new_page, switch_language  # noqa: F401 (new_page: a fixture)
from tests.certificates.conftest import complete

pytestmark = [pytest.mark.browser, pytest.mark.no_db]

VIEWPORTS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1366, "height": 800}}


def _printed_batch(site: LiveSite) -> tuple[int, list[int]]:
    """A printed batch: three certificates of a center with a long name, two of another; returns the batch and
    the centers in the order the page lists them."""
    with site.app.app_context():
        governorate = factories.GovernorateFactory(name_ar="محافظة القليوبية", name_en="Qalyubia")
        centers = [factories.CenterFactory(governorate=governorate, code="QLY-BANHA-01",
                                           name_ar="المركز التكنولوجي لخدمة المواطنين بمدينة بنها",
                                           name_en="Banha City Citizen Service Technology Center"),
                   factories.CenterFactory(governorate=governorate, code="QLY-TOUKH-02",
                                           name_ar="المركز التكنولوجي المتنقل بطوخ",
                                           name_en="Toukh Mobile Technology Center")]
        course = factories.CourseFactory(modules=1, title_ar="خدمة المواطنين عبر الشباك",
                                         title_en="Serving citizens at the window",
                                         certificate_settings={"validity_months": 24, "language": "both"})
        people = [("سامح نبيل عبد الحميد", "Sameh Nabil Abdelhamid", 0), ("أمل فاروق", "Amal Farouk", 0),
                  ("بسمة راغب", "Basma Ragheb", 0), ("رشا حلمي", "Rasha Helmy", 1), ("كريم صبحي", "Karim Sobhy", 1)]
        for name_ar, name_latin, center in people:
            complete(factories.UserFactory(center=centers[center], full_name_ar=name_ar,
                                           full_name_latin=name_latin), course)
        batch = batches.create_batch(CertificateFilter(), "course", None, "القليوبية")
        batches.mark_printed(batch.id, None)
        create_user({"username": "hr", "role": "hr", "full_name_ar": "الموارد البشرية", "full_name_latin": "HR"},
                    LEARNER_PASSWORD)
        return batch.id, [center.id for center in centers]


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_hr_hands_over_each_centers_certificates(new_page, live_site: LiveSite, viewport, tmp_path):  # noqa: F811
    batch_id, (banha, toukh) = _printed_batch(live_site)
    audit = Auditor(viewport, tmp_path)
    page = new_page(VIEWPORTS[viewport])
    page.goto(f"{live_site.url}/login")
    page.get_by_label(live_site.text("ar", "Username or employee number"), exact=True).fill("hr")
    page.get_by_label(live_site.text("ar", "Password"), exact=True).fill(LEARNER_PASSWORD)
    page.get_by_role("button", name=live_site.text("ar", "Sign in"), exact=True).click()

    page.goto(f"{live_site.url}/manage/certificates/batches/{batch_id}")
    expect(page.locator("main table tbody tr")).to_have_count(5)  # batches.batch_contents: the batch's list
    audit.check(page)
    card = page.locator(".hand-over").filter(has=page.locator(f"form[action$='/centers/{banha}/handover']"))
    card.get_by_label(live_site.text("ar", "Handed over to")).fill("م. هشام السيد، مدير المركز")
    card.get_by_role("button").click()
    expect(page.locator(".flash-success")).to_contain_text("هشام")
    expect(page.locator(f"form[action$='/centers/{banha}/handover']")).to_have_count(0)
    expect(page.locator(".hand-over").first).to_contain_text("هشام")
    audit.check(page)

    page.goto(f"{live_site.url}/manage/certificates/batches/{batch_id}")  # without the #hand-over anchor
    switch_language(page, "en", "ltr")
    card = page.locator(".hand-over").filter(has=page.locator(f"form[action$='/centers/{toukh}/handover']"))
    card.get_by_label("Handed over to").fill("   ")
    card.get_by_role("button").click()  # only spaces: refused, beside the field
    expect(page.locator(f"#center-{toukh}-recipient-error")).to_be_visible()
    audit.check(page)
    card = page.locator(".hand-over").filter(has=page.locator(f"form[action$='/centers/{toukh}/handover']"))
    card.get_by_label("Handed over to").fill("Mona Adel, center manager")
    card.get_by_role("button", name="Hand over the 2 certificates").click()
    expect(page.locator(".flash-success")).to_contain_text("Mona Adel")
    expect(page.locator("main table tbody")).not_to_contain_text("Waiting")
    audit.check(page)

    page.goto(f"{live_site.url}/manage/certificates/batches")
    expect(page.locator("main table")).to_contain_text("Mona Adel")
    audit.check(page)
    page.goto(f"{live_site.url}/manage/certificates/batches/{batch_id}")
    page.locator("main table tbody a").first.click()
    expect(page.locator("main")).to_contain_text("handed over to")
    audit.check(page)
    switch_language(page, "ar", "rtl")
    audit.check(page)

    if audit.problems:
        pytest.fail("\n".join([*audit.problems, f"screenshots: {tmp_path}"]), pytrace=False)
