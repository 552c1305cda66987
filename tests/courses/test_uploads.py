"""Trainers add the images and documents their modules show on the web (no course folder needed), see where each
is used, and remove them; nothing a module shows disappears without the trainer saying so, and an import from
files does not silently take an upload away."""
import io
import zipfile

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from lms.core.models import ValidationError
from lms.courses import services, sync, uploads
from lms.courses.files import MAX_ASSET_BYTES, write_course_folder
from lms.courses.models import CourseAsset, CourseLogEntry, CourseTrainer
from lms.courses.sync import ImportConflict
from lms.extensions import db
from tests import factories

PNG = b"\x89PNG\r\n\x1a\n" + bytes(40)
PDF = b"%PDF-1.7\n" + bytes(40)


@pytest.fixture
def course(client, db, as_trainer):
    client.post("/language", data={"lang": "en", "next": "/"})
    course = factories.CourseFactory(modules=2)
    db.session.add(CourseTrainer(course_id=course.id, user_id=as_trainer.id))
    db.session.commit()
    return course


def _upload(client, course, name, content, **extra):
    return client.post(f"/manage/courses/{course.slug}/files", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(content), name), **extra})


def _assets(course) -> dict[str, bytes]:
    return dict(db.session.execute(sa.select(CourseAsset.path, CourseAsset.content)
                                   .where(CourseAsset.course_id == course.id)).all())


def test_a_trainer_adds_an_image_and_learners_see_it(client, course, db, auth):
    response = _upload(client, course, "Office Map.PNG", PNG)
    assert response.status_code == 302
    assert _assets(course) == {"files/office-map.png": PNG}
    db.session.expire_all()
    assert course.is_edited_on_web  # the next import from changed files will not overwrite it unless forced
    page = client.get(response.headers["Location"]).text
    assert "files/office-map.png" in page and "![" in page and "(files/office-map.png)" in page
    log = client.get(f"/manage/courses/{course.slug}/log").text
    assert "files/office-map.png" in log
    auth.as_role("learner")
    served = client.get(f"/courses/{course.slug}/files/files/office-map.png")
    assert served.status_code == 200 and served.data == PNG and served.mimetype == "image/png"


def test_names_in_arabic_get_free_numbered_names(client, course):
    _upload(client, course, "خريطة المكتب.png", PNG)
    _upload(client, course, "شعار.png", PNG + b"logo")
    _upload(client, course, "دليل.pdf", PDF)
    assert set(_assets(course)) == {"files/image-1.png", "files/image-2.png", "files/document-1.pdf"}
    # The same picture again, under any name, is not a second copy; "Replace" cannot apply to an Arabic name.
    again = _upload(client, course, "خريطة.png", PNG)
    assert "This file is already in the course, as \u2068files/image-1.png\u2069." in again.text
    replacing = _upload(client, course, "خريطة جديدة.png", PNG + b"new", replace="y")
    assert "replaces nothing" in replacing.text
    assert len(_assets(course)) == 3


@pytest.mark.parametrize(("name", "content", "says"), [
    ("drawing.svg", b"<svg/>", "PNG, JPEG, GIF or WebP image or a PDF document"),
    ("notes.png", b"just some text", "not a valid PNG file"),
])
def test_a_file_of_another_kind_or_too_large_is_refused_and_nothing_changes(client, course, db, name, content, says):
    response = _upload(client, course, name, content)
    assert response.status_code == 200 and says in response.text
    assert _assets(course) == {}
    db.session.expire_all()
    assert not course.is_edited_on_web


def test_a_file_over_5_mb_is_refused(course, as_trainer):
    # Through the service: a body this large goes through a temporary file in the test client, which it leaves open.
    with pytest.raises(ValidationError) as refused, force_locale("en"):
        uploads.add_file(course.id, "big.pdf", b"%PDF-" + bytes(MAX_ASSET_BYTES), actor_id=as_trainer.id)
    assert "larger than 5 MB" in str(refused.value.errors["file"])
    assert _assets(course) == {}


def test_a_file_of_the_same_name_is_replaced_only_when_asked(client, course, db):
    _upload(client, course, "map.png", PNG)
    newer = PNG + b"newer"
    response = _upload(client, course, "map.png", newer)
    assert response.status_code == 200 and "already has a file named" in response.text
    assert _assets(course) == {"files/map.png": PNG}
    _upload(client, course, "map.png", newer, replace="y")
    assert _assets(course) == {"files/map.png": newer}
    ops = [e.details["op"] for e in db.session.scalars(sa.select(CourseLogEntry).where(
        CourseLogEntry.course_id == course.id, CourseLogEntry.action == "file").order_by(CourseLogEntry.id))]
    assert ops == ["added", "replaced"]


def test_a_file_a_module_shows_is_removed_only_when_confirmed(client, course, db):
    _upload(client, course, "map.png", PNG)
    client.post(f"/manage/courses/{course.slug}/modules/{course.modules[0].id}", data={
        "title_ar": "الوحدة", "title_en": "The module", "body_ar": "![خريطة](files/map.png)", "save": "1"})
    page = client.get(f"/manage/courses/{course.slug}/files").text
    assert "Shown by:" in page and "The module" in page
    refused = client.post(f"/manage/courses/{course.slug}/files/remove", data={"path": "files/map.png"},
                          follow_redirects=True)
    assert "Nothing was removed" in refused.text
    assert "files/map.png" in _assets(course)
    assert "Remove it even though modules show it (they will show it missing)<span class=\"visually-hidden\">: " \
           '<bdi dir="ltr">files/map.png</bdi>' in page  # each box names its file
    client.post(f"/manage/courses/{course.slug}/files/remove", data={"path": "files/map.png", "confirm": "y"})
    assert _assets(course) == {}
    # The module's page says it now points at nothing, as soon as it opens (not only when saved again).
    module_page = client.get(f"/manage/courses/{course.slug}/modules/{course.modules[0].id}").text
    assert "points at files the course does not have: files/map.png" in module_page


def test_the_cover_is_not_removed(client, course, db):
    _upload(client, course, "cover.png", PNG)
    course.cover_path = "files/cover.png"
    db.session.commit()
    client.post(f"/manage/courses/{course.slug}/files/remove", data={"path": "files/cover.png", "confirm": "y"})
    assert "files/cover.png" in _assets(course)


def test_another_trainers_course_files_are_not_found(client, db, auth):
    course = factories.CourseFactory()
    db.session.add(CourseTrainer(course_id=course.id, user_id=factories.UserFactory(role="trainer").id))
    db.session.add(CourseAsset(course_id=course.id, path="files/map.png", media_type="image/png", content=PNG))
    db.session.commit()
    auth.as_role("trainer")
    assert client.get(f"/manage/courses/{course.slug}/files").status_code == 404
    assert _upload(client, course, "map.png", PNG).status_code == 404
    assert client.post(f"/manage/courses/{course.slug}/files/remove",
                       data={"path": "files/map.png", "confirm": "y"}).status_code == 404
    assert _assets(course) == {"files/map.png": PNG}


def test_an_upload_goes_out_with_the_export_and_an_import_does_not_silently_take_it_away(client, course, db,
                                                                                         tmp_path):
    folder = tmp_path / "before"
    write_course_folder(services.course_to_folder(services.course_by_slug(course.slug, with_bodies=True,
                                                                               with_settings=True)),
                             folder / course.slug)
    (folder / course.slug / "modules" / "01-m.md").write_text("---\ntitle:\n  ar: أ\n  en: A\n---\nنص جديد\n",
                                                              encoding="utf-8")
    services.import_course_folders([folder])  # the course now comes from these files
    _upload(client, course, "map.png", PNG)
    db.session.expire_all()
    exported = zipfile.ZipFile(io.BytesIO(sync.export_zip(services.course_by_slug(course.slug, with_bodies=True,
                                                                                  with_settings=True))))
    assert exported.read(f"{course.slug}/files/map.png") == PNG
    (folder / course.slug / "modules" / "01-m.md").write_text("---\ntitle:\n  ar: ب\n  en: B\n---\nنص آخر\n",
                                                              encoding="utf-8")
    with pytest.raises(ImportConflict) as conflict:  # changed files over the upload: said, nothing written
        services.import_course_folders([folder])
    assert "file:files/map.png" in conflict.value.conflicts[0].on_web
    assert "files/map.png" in _assets(course)


def test_the_module_form_sends_the_trainer_to_the_files_page_for_a_missing_file(client, course):
    response = client.post(f"/manage/courses/{course.slug}/modules/{course.modules[0].id}", data={
        "title_ar": "الوحدة", "title_en": "The module", "body_ar": "![خريطة](files/map.png)", "save": "1"},
        follow_redirects=True)
    assert "files/map.png" in response.text and "added on the course&#39;s Files page" in response.text
    assert f'href="/manage/courses/{course.slug}/files"' in response.text


def test_a_line_pasted_with_its_stand_in_words_is_pointed_out(client, course):
    # "![وصف الصورة](files/map.png)" pasted as shown reached learners: a screen reader read out the stand-in words.
    _upload(client, course, "map.png", PNG)
    response = client.post(f"/manage/courses/{course.slug}/modules/{course.modules[0].id}", data={
        "title_ar": "الوحدة", "title_en": "The module", "body_ar": "![وصف الصورة](files/map.png)",
        "body_en": "![description of the picture](files/map.png)", "save": "1"}, follow_redirects=True)
    assert "Write what the picture shows" in response.text
    assert "[وصف الصورة]" in response.text and "[description of the picture]" in response.text
    described = client.post(f"/manage/courses/{course.slug}/modules/{course.modules[0].id}", data={
        "title_ar": "الوحدة", "title_en": "The module", "body_ar": "![خريطة المكتب](files/map.png)",
        "body_en": "![The office map](files/map.png)", "save": "1"},
        follow_redirects=True)
    assert "Write what the picture shows" not in described.text


def test_the_files_page_says_where_the_course_is_managed_from_and_writes_sizes_unmistakably(client, course):
    _upload(client, course, "map.png", PNG)
    client.post("/language", data={"lang": "ar", "next": "/"})
    page = client.get(f"/manage/courses/{course.slug}/files").text
    assert "source-notice" in page  # an upload is a web edit: the page says what that means for imports
    # "صورة · ٤ كيلوبايت" read as 40 KB: beside Arabic-Indic digits a middle dot is a zero.
    assert "صورة، ١ كيلوبايت" in page and " · " not in page.split("<main")[1]


def test_a_picture_without_a_description_is_pointed_out(client, course):
    _upload(client, course, "map.png", PNG)
    response = client.post(f"/manage/courses/{course.slug}/modules/{course.modules[0].id}", data={
        "title_ar": "الوحدة", "title_en": "The module", "body_ar": "![](files/map.png)\n\n![ ](files/map.png)",
        "body_en": "", "save": "1"}, follow_redirects=True)
    assert "No description between the square brackets of \u2068files/map.png\u2069" in response.text
    described = client.post(f"/manage/courses/{course.slug}/modules/{course.modules[0].id}", data={
        "title_ar": "الوحدة", "title_en": "The module", "body_ar": "![خريطة المكتب](files/map.png)",
        "body_en": "", "save": "1"}, follow_redirects=True)
    assert "No description between" not in described.text
