"""Two people with the same module or course open: the second save does not silently replace the first's."""
import re

import pytest

from lms.courses import services
from tests.conftest import Auth

COURSE = {"slug": "shared", "title_ar": "دورة مشتركة", "title_en": "Shared course", "summary_ar": "", "summary_en": "",
          "estimated_minutes": "30", "status": "draft"}


def _seen(page: str) -> str:
    return re.search(r'name="seen" type="hidden" value="([0-9a-f]+\.[0-9]+)"', page).group(1)


@pytest.fixture
def editors(app, client, db):
    """Two signed-in clients: the course's trainer, and an administrator (who may edit every course)."""
    trainer = Auth(client).as_role("trainer", full_name_ar="سميرة حسن", full_name_latin="Samira Hassan")
    other = app.test_client()
    Auth(other).as_role("admin", full_name_ar="وليد سعيد", full_name_latin="Walid Said")
    client.post("/manage/courses/new", data=COURSE)
    client.post("/manage/courses/shared/modules/new", data={"title_ar": "الأولى", "title_en": "First", "save": "1",
                                                            "body_ar": "نص أول", "body_en": ""})
    module = services.course_by_slug("shared", with_modules=True).modules[0]
    return client, other, module, trainer


def _module_form(title="First", body="نص أول", **extra):
    return {"title_ar": "الأولى", "title_en": title, "body_ar": body, "body_en": "", "save": "1", **extra}


def test_a_module_saved_by_another_editor_meanwhile_is_not_replaced(editors, db):
    mine, theirs, module, _trainer = editors
    address = f"/manage/courses/shared/modules/{module.id}"
    opened = _seen(mine.get(address).text)
    theirs.post(address, data=_module_form(body="نص وليد", seen=_seen(theirs.get(address).text)))

    refused = mine.post(address, data=_module_form(body="نص سميرة", seen=opened))
    assert refused.status_code == 200
    assert "وليد سعيد" in refused.text and "حفظ تغييرًا هنا" in refused.text and "لم يُحفظ شيء" in refused.text
    assert "نص سميرة</textarea>" in refused.text  # what she typed is kept
    db.session.expire_all()
    assert db.session.get(type(module), module.id).body_ar == "نص وليد"

    # Told, she saves again: the form now carries what she was shown, and hers replaces his.
    again = mine.post(address, data=_module_form(body="نص سميرة", seen=_seen(refused.text)))
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(module), module.id).body_ar == "نص سميرة"


def test_the_same_text_saved_twice_or_a_form_without_a_fingerprint_is_no_conflict(editors, db):
    mine, theirs, module, _trainer = editors
    address = f"/manage/courses/shared/modules/{module.id}"
    opened = _seen(mine.get(address).text)
    theirs.post(address, data=_module_form(body="نص متفق عليه", seen=_seen(theirs.get(address).text)))
    assert mine.post(address, data=_module_form(body="نص متفق عليه", seen=opened)).status_code == 302
    # A page opened before the check existed sends no fingerprint: saved as before.
    assert mine.post(address, data=_module_form(body="نص آخر")).status_code == 302
    db.session.expire_all()
    assert db.session.get(type(module), module.id).body_ar == "نص آخر"


def test_a_preview_keeps_the_fingerprint_of_the_opened_page(editors, db):
    mine, theirs, module, _trainer = editors
    address = f"/manage/courses/shared/modules/{module.id}"
    opened = _seen(mine.get(address).text)
    theirs.post(address, data=_module_form(title="Theirs", seen=_seen(theirs.get(address).text)))
    preview = mine.post(address, data={**_module_form(body="نص سميرة", seen=opened), "save": "", "preview": "1"})
    assert _seen(preview.text) == opened
    assert mine.post(address, data=_module_form(body="نص سميرة", seen=opened)).status_code == 200


def test_course_settings_saved_by_another_editor_meanwhile_are_not_replaced(editors, db):
    mine, theirs, _module, _trainer = editors
    mine.post("/language", data={"lang": "en", "next": "/"})
    opened = _seen(mine.get("/manage/courses/shared").text)
    theirs.post("/manage/courses/shared", data={**COURSE, "summary_ar": "ملخص وليد",
                                                 "seen": _seen(theirs.get("/manage/courses/shared").text)})
    refused = mine.post("/manage/courses/shared", data={**COURSE, "title_en": "Samira's title", "seen": opened})
    assert refused.status_code == 200 and "Walid Said\u2069 saved a change here at" in refused.text, refused.text
    assert 'value="Samira&#39;s title"' in refused.text
    db.session.expire_all()
    course = services.course_by_slug("shared")
    assert course.summary_ar == "ملخص وليد" and course.title_en == "Shared course"
