"""Trainers write courses and modules in the web UI, with a preview; bad input keeps what they typed."""
import re

from lms.courses import services
from lms.courses.models import CourseAsset, CourseStatus

COURSE = {"slug": "new-course", "title_ar": "دورة جديدة", "title_en": "New course", "summary_ar": "ملخص",
          "summary_en": "Summary", "estimated_minutes": "40", "status": "draft"}


def test_the_minutes_take_arabic_indic_digits_in_a_text_box_with_a_number_pad(client, as_trainer, db):
    # <input type=number> silently emptied "٤٥": the course was saved without its time, and nothing said so.
    page = client.get("/manage/courses/new").text
    field = re.search(r'<input[^>]*name="estimated_minutes"[^>]*>', page).group(0)
    assert 'type="text"' in field and 'inputmode="numeric"' in field and 'dir="ltr"' in field
    assert '<input type="number"' not in page
    client.post("/manage/courses/new", data={**COURSE, "estimated_minutes": "٤٥"})
    assert services.course_by_slug("new-course").estimated_minutes == 45


def test_trainer_creates_a_course_then_a_module(client, as_trainer, db):
    response = client.post("/manage/courses/new", data=COURSE)
    assert response.headers["Location"] == "/manage/courses/new-course"
    course = services.course_by_slug("new-course")
    assert course.status == CourseStatus.DRAFT and course.estimated_minutes == 40

    module = {"title_ar": "الوحدة الأولى", "title_en": "First module", "save": "1",
              "body_ar": "## مرحبًا\n\n<script>alert(1)</script>نص", "body_en": "Hello"}
    response = client.post("/manage/courses/new-course/modules/new", data=module)
    assert response.status_code == 302
    db.session.expire_all()
    course = services.course_by_slug("new-course", with_modules=True)
    [saved] = course.modules
    assert course.module_count == 1 and saved.position == 1 and saved.file_name == "01-first-module.md"
    assert "<h2>مرحبًا</h2>" in saved.html_ar and "<script" not in saved.html_ar


def test_preview_renders_without_saving(client, as_trainer, db):
    client.post("/manage/courses/new", data=COURSE)
    response = client.post("/manage/courses/new-course/modules/new", data={
        "title_ar": "و", "title_en": "M", "body_ar": "**مهم** <img src=x onerror=alert(1)>", "preview": "1"})
    assert response.status_code == 200
    preview = response.text.split('class="card preview"')[1].split("</section>")[0]
    assert "<strong>مهم</strong>" in preview and "onerror" not in preview
    assert services.course_by_slug("new-course", with_modules=True).modules == []


def test_a_taken_slug_is_refused_and_the_form_keeps_what_was_typed(client, as_trainer, db):
    client.post("/manage/courses/new", data=COURSE)
    response = client.post("/manage/courses/new", data={**COURSE, "title_en": "Typed title"})
    assert response.status_code == 200
    assert 'value="Typed title"' in response.text
    assert 'aria-invalid="true"' in response.text


def test_learners_do_not_see_the_draft(client, as_trainer, auth, db):
    client.post("/manage/courses/new", data=COURSE)
    auth.as_role("learner")
    assert client.get("/courses/new-course").status_code == 404


def _titles(slug):
    return [m.title_en for m in services.course_by_slug(slug, with_modules=True).modules]


def test_trainer_reorders_modules_and_progress_follows_them(client, as_trainer, db):
    from lms.progress.services import complete_module, enroll
    from tests import factories

    course = factories.CourseFactory(slug="order", modules=3)
    learner = factories.UserFactory()
    enroll(learner.id, course)
    complete_module(learner.id, course, 3)
    third = course.modules[2].id
    client.post(f"/manage/courses/order/modules/{third}/move", data={"direction": "up"})
    client.post(f"/manage/courses/order/modules/{third}/move", data={"direction": "up"})
    client.post(f"/manage/courses/order/modules/{third}/move", data={"direction": "up"})  # already first
    db.session.expire_all()
    assert _titles("order") == ["Module 3", "Module 1", "Module 2"]
    from lms.progress.services import completed_positions

    assert completed_positions(learner.id, course.id) == {1}


def test_deleting_a_module_needs_confirmation_and_renumbers_the_rest(client, as_trainer, db):
    from tests import factories

    course = factories.CourseFactory(slug="del", modules=3)
    first = course.modules[0].id
    assert client.post(f"/manage/courses/del/modules/{first}/delete").status_code == 302
    db.session.expire_all()
    assert _titles("del") == ["Module 1", "Module 2", "Module 3"]  # not confirmed: nothing deleted
    client.post(f"/manage/courses/del/modules/{first}/delete", data={"confirm": "y"})
    db.session.expire_all()
    course = services.course_by_slug("del", with_modules=True)
    assert [(m.position, m.title_en) for m in course.modules] == [(1, "Module 2"), (2, "Module 3")]
    assert course.module_count == 2
    other = factories.CourseFactory(slug="other")
    assert client.post(f"/manage/courses/del/modules/{other.modules[0].id}/delete",
                       data={"confirm": "y"}).status_code == 404


def test_a_module_pointing_at_files_the_course_lacks_is_saved_and_says_which(client, as_trainer, db):
    # Learners saw a broken image: nothing had said the file was not there (files come with the course's folder).
    client.post("/manage/courses/new", data=COURSE)
    course = services.course_by_slug("new-course")
    db.session.add(CourseAsset(course_id=course.id, path="images/queue.png", media_type="image/png", content=b"png"))
    db.session.commit()
    body = "![طابور](images/queue.png) ![شباك](images/window.png) [نموذج](forms/a.pdf#p2) [موقع](https://x.eg)"
    saved = client.post("/manage/courses/new-course/modules/new", follow_redirects=True, data={
        "title_ar": "وحدة", "title_en": "Module", "save": "1", "body_ar": body, "body_en": ""})
    assert saved.status_code == 200 and saved.request.path.startswith("/manage/courses/new-course/modules/")
    assert "images/window.png، forms/a.pdf" in saved.text and "images/queue.png،" not in saved.text
    assert len(services.course_by_slug("new-course", with_modules=True).modules) == 1
