"""Courses for the road: what a device fetches to keep a course, and the modules marked as done without a network."""
import uuid

import sqlalchemy as sa

from lms.courses.models import CourseStatus
from lms.progress import services as progress
from lms.progress.models import ModuleCompletion
from tests import factories
from tests.offline.conftest import bearer


def _item(module_id, item_id=None):
    return {"id": item_id or str(uuid.uuid4()), "module": module_id}


def test_an_enrolled_learners_manifest_lists_every_page_in_both_languages_files_and_progress(client, db, learner,
                                                                                          granted):
    course = factories.CourseFactory(modules=3)
    course.modules[0].html_ar += f'<img src="/courses/{course.slug}/files/map.png" alt="خريطة">'
    db.session.commit()
    progress.enroll(learner.id, course)
    progress.complete_module(learner.id, course, 1)
    body = client.get(f"/offline/api/courses/{course.slug}/manifest", headers=bearer(granted.token)).get_json()
    assert body["enrolled"] is True and body["languages"] == ["ar", "en"]
    assert body["pages"] == [f"/courses/{course.slug}", *(f"/courses/{course.slug}/modules/{n}" for n in (1, 2, 3)),
                             "/", "/offline/device"]  # where a PIN sign-in lands, and where "offline" sends
    assert body["files"] == [f"/courses/{course.slug}/files/map.png"]
    assert body["progress"] == {"done": [1]}
    assert [m["title"] for m in body["modules"]][0] == {"ar": "الوحدة 1", "en": "Module 1"}


def test_a_learner_not_enrolled_gets_the_course_page_only_and_a_hidden_course_is_a_404(client, db, granted):
    course = factories.CourseFactory(modules=2)
    body = client.get(f"/offline/api/courses/{course.slug}/manifest", headers=bearer(granted.token)).get_json()
    assert body["enrolled"] is False and body["progress"]["done"] == []
    assert body["pages"] == [f"/courses/{course.slug}", "/", "/offline/device"]
    draft = factories.CourseFactory(status=CourseStatus.DRAFT)
    for slug in (draft.slug, "no-such-course"):
        response = client.get(f"/offline/api/courses/{slug}/manifest", headers=bearer(granted.token))
        assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    assert client.get(f"/offline/api/courses/{course.slug}/manifest").status_code == 401


def test_modules_marked_done_offline_are_recorded_once_even_when_sent_twice(client, db, learner, granted):
    course = factories.CourseFactory(modules=2)
    progress.enroll(learner.id, course)
    items = [_item(course.modules[0].id), _item(course.modules[1].id)]
    for _ in range(2):
        response = client.post("/offline/api/progress", json={"items": items}, headers=bearer(granted.token))
        assert response.status_code == 200
        assert [(i["status"], i["module_position"]) for i in response.get_json()["items"]] == [("done", 1), ("done", 2)]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ModuleCompletion)) == 2
    assert progress.enrollment_for(learner.id, course.id).completed_at is not None  # no quiz: the course is done


def test_a_mark_the_learner_may_not_make_is_refused_with_its_reason_and_the_rest_is_kept(client, db, learner,
                                                                                         granted):
    course = factories.CourseFactory(modules=2)
    not_enrolled = factories.CourseFactory(modules=1)
    hidden = factories.CourseFactory(modules=1, status=CourseStatus.DRAFT)
    progress.enroll(learner.id, course)
    items = [_item(not_enrolled.modules[0].id), _item(hidden.modules[0].id), _item(2**31 - 1),
             _item(course.modules[0].id)]
    answer = client.post("/offline/api/progress", json={"items": items}, headers=bearer(granted.token)).get_json()
    assert [i["status"] for i in answer["items"]] == ["refused", "refused", "refused", "done"]
    assert answer["items"][0]["message"] == "يُرجى التسجيل في الدورة أولًا."  # the grant's person reads Arabic
    assert answer["items"][1]["message"] == answer["items"][2]["message"] == "هذه الوحدة التدريبية غير موجودة."
    assert progress.completed_positions(learner.id, course.id) == {1}
    assert progress.completed_positions(learner.id, not_enrolled.id) == set()


def test_a_malformed_progress_upload_is_a_json_400_and_changes_nothing(client, db, learner, granted):
    course = factories.CourseFactory(modules=1)
    progress.enroll(learner.id, course)
    good = course.modules[0].id
    for body in ({}, {"items": []}, {"items": "x"}, [], {"items": [{"id": "short", "module": good}]},
                 {"items": [_item(good), {"id": str(uuid.uuid4()), "module": True}]},
                 {"items": [_item(2**31)]}, {"items": [_item(good)] * 201},
                 {"items": [{"id": "\x00" * 10, "module": good}]}):
        response = client.post("/offline/api/progress", json=body, headers=bearer(granted.token))
        assert response.status_code == 400, body
        assert response.get_json()["error"]["code"] in ("bad_request", "invalid_character"), body
    response = client.post("/offline/api/progress", data="{" * 5000, content_type="application/json",
                           headers=bearer(granted.token))
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ModuleCompletion)) == 0


def test_the_offline_box_says_the_quiz_needs_the_network_to_start(client, db, as_learner):
    # A clerk took "Available offline" for the whole course and found on the road that the quiz would not open.
    from tests.quizzes.conftest import add_bank
    course = add_bank(factories.CourseFactory(modules=2))
    progress.enroll(as_learner.id, course)
    client.post("/language", data={"lang": "en", "next": "/"})
    box = client.get(f"/courses/{course.slug}").text.split('id="offline-course"')[1].split("</section>")[0]
    assert "The quiz needs the network to start" in box
    plain = factories.CourseFactory(modules=2)
    progress.enroll(as_learner.id, plain)
    assert "The quiz needs" not in client.get(f"/courses/{plain.slug}").text
