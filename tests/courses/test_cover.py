"""A course may carry a cover image from its folder (`cover:` in course.yaml): checked on import, all or nothing,
chosen or removed in the web form, and shown on course cards (decorative, fixed shape, lazy); a plain pattern
otherwise."""
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from lms.courses import services, sync
from lms.courses.files import CourseFileError, read_course_folder, write_course_folder
from lms.courses.models import Course, CourseAsset, CourseLogEntry
from tests import factories
from tests.conftest import PROJECT_ROOT

COURSES = PROJECT_ROOT / "courses"
PNG = (COURSES / "serving-citizens" / "cover.png").read_bytes()


def _copy(tmp_path: Path, slug: str = "serving-citizens") -> Path:
    target = tmp_path / "src" / slug
    shutil.copytree(COURSES / slug, target)
    return target


def _set_cover(folder: Path, line: str) -> None:
    text = (folder / "course.yaml").read_text()
    text = "\n".join(x for x in text.splitlines() if not x.startswith("cover:"))
    (folder / "course.yaml").write_text(text + ("\n" + line if line else "") + "\n")


def test_a_shipped_course_imports_with_its_cover(db, tmp_path):
    sync.import_folders([_copy(tmp_path)])
    course = services.course_by_slug("serving-citizens")
    assert course.cover_path == "cover.png" and len(PNG) < 30_000
    assert services.course_file("serving-citizens", "cover.png").media_type == "image/png"


@pytest.mark.parametrize("line, files, reason", [
    ('cover: "missing.png"', {}, "is not in the course folder"),
    ('cover: "quiz.gift"', {}, "must be a PNG, JPEG, GIF or WebP image"),
    ('cover: "guide.pdf"', {"guide.pdf": b"%PDF-1.4"}, "must be a PNG, JPEG, GIF or WebP image"),
    ('cover: "big.png"', {"big.png": PNG + b"\0" * (1024 * 1024)}, "is larger than 1 MB"),
    ('cover: "fake.jpg"', {"fake.jpg": PNG}, "is not a valid image of its type"),
    ('cover: "fake.webp"', {"fake.webp": b"RIFF0000WAVE"}, "is not a valid image of its type"),
    ("cover: [a, b]", {}, "cover must be the path of an image"),
    ('cover: ""', {}, "cover must be the path of an image"),
], ids=["missing", "question-bank", "pdf", "too-large", "jpeg-that-is-png", "webp-that-is-not", "list", "empty"])
def test_a_bad_cover_is_a_clear_import_error_and_nothing_is_imported(app, db, tmp_path, line, files, reason):
    good, bad = _copy(tmp_path, "digital-services-workflow"), _copy(tmp_path)
    _set_cover(bad, line)
    for name, content in files.items():
        (bad / name).write_bytes(content)
    with app.test_request_context(headers={"Accept-Language": "en"}), pytest.raises(CourseFileError) as refused:
        from flask_babel import force_locale
        with force_locale("en"):
            sync.import_folders([good, bad])
    [problem] = refused.value.problems
    assert problem.file.endswith("course.yaml") and problem.line and reason in problem.reason
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Course)) == 0  # all or nothing


def test_a_cover_in_a_subfolder_and_its_export(db, tmp_path):
    folder = _copy(tmp_path)
    (folder / "images").mkdir()
    shutil.move(folder / "cover.png", folder / "images" / "card.png")
    _set_cover(folder, 'cover: "./images/card.png"')
    assert read_course_folder(folder).cover == "images/card.png"
    sync.import_folders([folder])
    course = services.course_by_slug("serving-citizens", with_bodies=True, with_settings=True)
    target = tmp_path / "out" / "serving-citizens"
    write_course_folder(services.course_to_folder(course), target)
    assert read_course_folder(target).cover == "images/card.png"


def test_a_folder_without_a_cover_keeps_its_fingerprint(tmp_path):
    folder = _copy(tmp_path)
    _set_cover(folder, "")
    parts = sync.folder_parts(read_course_folder(folder))
    assert "cover" not in parts  # courses imported before covers existed are not "changed in the files"
    _set_cover(folder, 'cover: "cover.png"')
    assert sync.differing_parts(parts, sync.folder_parts(read_course_folder(folder))) == ["cover"]


# --- the web form ------------------------------------------------------------------------------------------------

@pytest.fixture
def course_with_images(db):
    course = factories.CourseFactory(slug="pictures", modules=1)
    course.assets = [CourseAsset(path="a.png", media_type="image/png", content=PNG),
                     CourseAsset(path="quiz.gift", media_type="application/octet-stream", content=b"::q:: x {}")]
    db.session.commit()
    return course


def _form(course, **changes):
    return {"slug": course.slug, "title_ar": course.title_ar, "title_en": course.title_en, "status": "published",
            "summary_ar": course.summary_ar, "summary_en": course.summary_en, "estimated_minutes": "30", **changes}


def test_the_form_offers_the_courses_images_and_sets_then_clears_the_cover(client, as_admin, course_with_images, db):
    page = client.get("/manage/courses/pictures").text
    assert '<option value="a.png">a.png</option>' in page and "quiz.gift</option>" not in page
    response = client.post("/manage/courses/pictures", data=_form(course_with_images, cover_path="a.png"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Course, course_with_images.id).cover_path == "a.png"
    client.post("/manage/courses/pictures", data=_form(course_with_images, cover_path=""))
    db.session.expire_all()
    course = db.session.get(Course, course_with_images.id)
    assert course.cover_path is None and course.is_edited_on_web
    changes = [e.details["changed"] for e in db.session.scalars(
        sa.select(CourseLogEntry).where(CourseLogEntry.course_id == course.id).order_by(CourseLogEntry.id))]
    assert changes == [{"cover_path": [None, "a.png"]}, {"cover_path": ["a.png", None]}]


def test_a_file_that_is_not_an_image_of_the_course_is_refused(client, as_admin, course_with_images, db):
    response = client.post("/manage/courses/pictures", data=_form(course_with_images, cover_path="quiz.gift"))
    assert response.status_code == 200 and 'aria-invalid="true"' in response.text
    with pytest.raises(Exception) as refused:
        services.save_course(_form(course_with_images, cover_path="quiz.gift"), course_with_images.id)
    assert "cover_path" in refused.value.errors


def test_a_course_without_images_offers_no_cover(client, as_admin, db):
    factories.CourseFactory(slug="plain", modules=1)
    assert 'name="cover_path"' not in client.get("/manage/courses/plain").text
    assert 'name="cover_path"' not in client.get("/manage/courses/new").text


# --- the cards ---------------------------------------------------------------------------------------------------

def test_cards_show_the_cover_or_a_plain_pattern(client, as_learner, course_with_images, db):
    course_with_images.cover_path = "a.png"
    factories.CourseFactory(slug="plain", modules=1)
    db.session.commit()
    page = client.get("/courses").text
    cards = {card.split('href="/courses/')[1].split('"')[0]: card
             for card in page.split('<article class="course-card">')[1:]}
    cover = cards["pictures"]
    assert 'src="/courses/pictures/files/a.png"' in cover
    assert 'alt=""' in cover and 'loading="lazy"' in cover and 'width="320" height="180"' in cover
    assert 'class="course-cover course-cover-none" aria-hidden="true"' in cards["plain"]
    assert client.get("/courses/pictures/files/a.png").status_code == 200
