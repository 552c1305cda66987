"""A course managed from files, in Chromium: its page says so, then says that a web edit makes the next import
from files stop, and shows the conflict once a deployment kept changed files out; the list, the log and the export
too. Arabic and English, axe-core on every screen."""
import io
import shutil
import zipfile

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from lms.accounts.services import create_user
from lms.courses import sync
from lms.courses.models import Course
from lms.extensions import db
from tests.browser.conftest import LiveSite
from tests.browser.test_journey import VIEWPORTS, Auditor, new_page, switch_language  # noqa: F401 (a fixture)
from tests.conftest import PROJECT_ROOT

pytestmark = [pytest.mark.browser, pytest.mark.no_db]
TRAINER_PASSWORD = "course files 42"
SLUG = "serving-citizens"


def _sign_in(page, site: LiveSite) -> None:
    page.goto(f"{site.url}/login")
    page.get_by_label(site.text("ar", "Username or employee number"), exact=True).fill("files.trainer")
    page.get_by_label(site.text("ar", "Password"), exact=True).fill(TRAINER_PASSWORD)
    page.get_by_role("button", name=site.text("ar", "Sign in"), exact=True).click()


def _notice(page):
    return page.locator("section.source-notice")


def _refused_import(site: LiveSite, tmp_path) -> sync.ImportConflict:
    """What the next deployment's plain import does with changed files: refuses, and writes nothing."""
    folder = tmp_path / "git" / SLUG
    shutil.copytree(PROJECT_ROOT / "courses" / SLUG, folder)
    yaml_file = folder / "course.yaml"
    yaml_file.write_text(yaml_file.read_text().replace("estimated_minutes: 90", "estimated_minutes: 95"))
    with site.app.app_context(), pytest.raises(sync.ImportConflict) as refused:
        sync.import_folders([folder])
    return refused.value


def test_a_course_from_files_says_so_and_warns_after_a_web_edit(new_page, live_site: LiveSite, tmp_path):  # noqa: F811
    with live_site.app.app_context():
        create_user({"username": "files.trainer", "role": "trainer", "full_name_ar": "منى المدربة",
                     "full_name_latin": "Mona Trainer"}, TRAINER_PASSWORD)
    audit = Auditor("desktop", tmp_path)
    page = new_page(VIEWPORTS["desktop"])
    _sign_in(page, live_site)
    course_url = f"{live_site.url}/manage/courses/{SLUG}"

    page.goto(course_url)
    notice = _notice(page)
    expect(notice.get_by_role("heading", name=live_site.text("ar", "Managed from files"))).to_be_visible()
    expect(notice).to_contain_text("courses/serving-citizens")
    expect(notice).not_to_contain_text(live_site.text("ar", "Changed on the web since the last import"))
    audit.check(page)

    # The trainer changes the English title on the web.
    page.get_by_label(live_site.text("ar", "Title in English"), exact=True).fill("Serving Citizens, revised")
    page.get_by_role("button", name=live_site.text("ar", "Save"), exact=True).click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(notice).to_contain_text(live_site.text("ar", "Changed on the web since the last import"))
    expect(notice).to_contain_text("منى المدربة")
    expect(notice).to_contain_text(live_site.text("ar", "The next import from files will stop with a conflict "
                                                  "instead of overwriting these changes. To keep them, export the "
                                                  "course to its folder and commit it to Git in place of the old "
                                                  "one."))
    audit.check(page)

    conflict = _refused_import(live_site, tmp_path)
    assert [c.slug for c in conflict.conflicts] == [SLUG] and conflict.conflicts[0].edited_by == "files.trainer"
    with live_site.app.app_context():
        assert db.session.scalar(sa.select(Course.title_en).where(Course.slug == SLUG)) == "Serving Citizens, revised"
    page.reload()  # the refused import changed nothing: the page still warns
    expect(_notice(page)).to_contain_text(live_site.text("ar", "Changed on the web since the last import"))
    expect(page.locator(".files-waiting")).to_have_count(0)

    # A deployment keeps the web edits (--keep-web-edits): the page now shows the conflict, and what differs.
    with live_site.app.app_context():
        kept = sync.import_folders([tmp_path / "git" / SLUG], keep_web_edits=True)
    assert [c.outcome for c in kept] == ["kept"]
    page.reload()
    waiting = page.locator(".files-waiting")
    expect(waiting).to_contain_text(live_site.text("ar", "Conflict: changed files are waiting"))
    expect(waiting).to_contain_text("git/serving-citizens")
    audit.check(page)

    with page.expect_download() as download:
        _notice(page).get_by_role("link", name=live_site.text("ar", "Export to folder (zip)")).click()
    archive = zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes()))
    assert f"{SLUG}/course.yaml" in archive.namelist()
    assert "Serving Citizens, revised" in archive.read(f"{SLUG}/course.yaml").decode()

    page.goto(f"{live_site.url}/manage/courses")
    expect(page.locator("tbody .badge")).to_have_text(live_site.text("ar", "Changed on the web since the last import"))
    audit.check(page)
    page.goto(f"{course_url}/log")
    expect(page.locator(".changes bdi").filter(has_text="Serving Citizens at the Service Window")).to_have_count(1)
    audit.check(page)

    # The same in English, on a phone.
    phone = new_page(VIEWPORTS["phone"])
    phone_audit = Auditor("phone", tmp_path)
    _sign_in(phone, live_site)
    phone.goto(course_url)
    switch_language(phone, "en", "ltr")
    notice = _notice(phone)
    expect(notice.get_by_role("heading", name="Managed from files")).to_be_visible()
    expect(notice).to_contain_text("Changed on the web since the last import")
    expect(notice).to_contain_text("Mona Trainer")
    expect(notice).to_contain_text("The next import from files will stop with a conflict")
    expect(phone.locator(".files-waiting")).to_contain_text("Conflict: changed files are waiting")
    expect(phone.locator(".files-waiting")).to_contain_text("its files had changed (estimated time)")
    phone_audit.check(phone)
    phone.goto(f"{course_url}/quiz")
    expect(_notice(phone)).to_contain_text("Changed on the web since the last import")
    phone_audit.check(phone)
    phone.goto(f"{course_url}/log")
    expect(phone.locator(".changes").filter(has_text="Before: Serving Citizens at the Service Window")).to_have_count(1)
    phone_audit.check(phone)

    problems = audit.problems + phone_audit.problems
    if problems:
        pytest.fail("\n".join([*problems, f"screenshots: {tmp_path}"]), pytrace=False)
