import re

import pytest
import sqlalchemy as sa

from lms.core.models import ValidationError
from lms.core.signals import course_completed
from lms.courses.models import CourseStatus
from lms.extensions import db as _db
from lms.progress import services
from lms.quizzes import attempts
from tests import factories
from tests.quizzes.conftest import add_bank, right_answers


def test_enrol_complete_and_percent(db):
    learner = factories.UserFactory()
    course = factories.CourseFactory(modules=4)
    services.enroll(learner.id, course)
    services.complete_module(learner.id, course, 1)
    progress = services.complete_module(learner.id, course, 1)  # twice: harmless
    assert progress.completed == 1 and progress.percent == 25
    services.complete_module(learner.id, course, 3)
    assert services.course_progress(learner.id, course).percent == 50


def test_completing_the_last_module_completes_the_course_once(db):
    learner = factories.UserFactory()
    course = factories.CourseFactory(modules=2)
    services.enroll(learner.id, course)
    received = []

    def listener(enrollment, **kwargs):
        received.append(enrollment)

    with course_completed.connected_to(listener):
        services.complete_module(learner.id, course, 1)
        assert received == []
        services.complete_module(learner.id, course, 2)
        services.complete_module(learner.id, course, 2)
    assert len(received) == 1 and received[0].completed_at is not None


def test_completion_needs_enrolment(db):
    learner = factories.UserFactory()
    course = factories.CourseFactory()
    with pytest.raises(ValidationError):
        services.complete_module(learner.id, course, 1)


def test_drafts_are_not_open_for_enrolment(db):
    learner = factories.UserFactory()
    draft = factories.CourseFactory(status=CourseStatus.DRAFT)
    with pytest.raises(ValidationError):
        services.enroll(learner.id, draft)


def test_learners_see_only_published_courses(client, auth, db):
    factories.CourseFactory(slug="open", title_en="Open course")
    factories.CourseFactory(slug="hidden", status=CourseStatus.DRAFT, title_en="Hidden course")
    auth.as_role("learner")
    catalogue = client.get("/courses").text
    assert "/courses/open" in catalogue and "/courses/hidden" not in catalogue
    assert client.get("/courses/hidden").status_code == 404
    assert client.get("/courses/open").status_code == 200


def test_trainers_can_preview_a_draft(client, auth, db):
    factories.CourseFactory(slug="hidden", status=CourseStatus.DRAFT)
    auth.as_role("trainer")
    assert client.get("/courses/hidden").status_code == 200


def test_learner_journey_moves_the_progress_bar(client, auth, db):
    course = factories.CourseFactory(slug="journey", modules=3)
    learner = auth.as_role("learner")
    page = client.get("/courses/journey").text
    assert "aria-valuenow" not in page  # not enrolled yet: no bar, an enrol button
    response = client.post("/courses/journey/enrollment")
    assert response.headers["Location"] == "/courses/journey/modules/1"
    assert 'aria-valuenow="0"' in client.get("/courses/journey").text

    response = client.post("/courses/journey/modules/1/completion")
    assert response.headers["Location"] == "/courses/journey/modules/2"
    # The next module's page says the mark was made (only a tick in the outline said it before).
    assert "سُجّل الانتهاء من الوحدة التدريبية ١." in client.get("/courses/journey/modules/2").text
    assert 'aria-valuenow="33"' in client.get("/courses/journey").text
    dashboard = client.get("/").text
    assert 'aria-valuenow="33"' in dashboard
    # "Resume where I left off" leads to the module opened last.
    assert re.search(r'href="/courses/journey/modules/2"', dashboard)
    assert services.enrollment_for(learner.id, course.id).last_position == 2


def test_module_pages_need_enrolment(client, auth, db):
    factories.CourseFactory(slug="c1")
    auth.as_role("learner")
    assert client.get("/courses/c1/modules/1").headers["Location"] == "/courses/c1"
    client.post("/courses/c1/enrollment")
    assert client.get("/courses/c1/modules/1").status_code == 200
    assert client.get("/courses/c1/modules/9").status_code == 404


def test_progress_table_for_trainers_and_hr(client, auth, db):
    course = factories.CourseFactory(slug="table", modules=2)
    learner = factories.UserFactory(full_name_latin="Samira Adel")
    services.enroll(learner.id, course)
    services.complete_module(learner.id, course, 1)
    auth.as_role("hr")
    client.post("/language", data={"lang": "en"})
    page = client.get("/manage/courses/table/progress").text
    assert "Samira Adel" in page and "50%" in page and 'rel="next"' not in page


def test_the_progress_table_counts_progress_as_the_learner_sees_it(client, auth, db):
    # The quiz is a step as each module is: a learner at 1 of 2 modules with the quiz still to pass is at 33%, on
    # their course page and in the trainer's table alike (the table said 50%, from the modules alone).
    course = add_bank(factories.CourseFactory(slug="with-quiz", modules=2))
    learner = factories.UserFactory(full_name_latin="Samira Adel")
    services.enroll(learner.id, course)
    assert services.complete_module(learner.id, course, 1).percent == 33
    auth.as_role("trainer")
    client.post("/language", data={"lang": "en"})
    row = re.search(r"<tr>\s*<td[^>]*>.*?Samira Adel.*?</tr>", client.get("/manage/courses/with-quiz/progress").text,
                    re.S).group(0)
    assert "1 / 2" in row and "Not passed yet" in row and "33%" in row
    attempt = attempts.start_attempt(learner.id, course)
    attempts.save_answers(attempt.id, learner.id, right_answers(attempts.attempt_questions(attempt.id)))
    attempts.submit_attempt(attempt.id, learner.id)
    row = re.search(r"<tr>\s*<td[^>]*>.*?Samira Adel.*?</tr>", client.get("/manage/courses/with-quiz/progress").text,
                    re.S).group(0)
    assert "Passed" in row and "67%" in row
    assert services.course_overview(learner, "with-quiz")[0].percent == 67


def test_the_progress_table_pages_by_50(client, auth, db):
    course = factories.CourseFactory(slug="long-table", modules=1)
    for _n in range(51):
        services.enroll(factories.UserFactory().id, course)
    auth.as_role("trainer")
    client.post("/language", data={"lang": "en"})
    first = client.get("/manage/courses/long-table/progress").text
    assert "Page 1 of 2" in first and 'href="/manage/courses/long-table/progress?page=2"' in first
    second = client.get("/manage/courses/long-table/progress?page=2").text
    assert second.count("<tr>") == 2 and 'rel="prev"' in second and 'rel="next"' not in second


class QueryCounter:
    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, *args, **kwargs):
        self.count += 1


def _queries(app, client, url):
    client.get(url)  # warm up: first-request work is not what we measure
    with app.app_context(), QueryCounter(_db.engine) as counter:
        assert client.get(url).status_code == 200
    return counter.count


@pytest.mark.parametrize("url", ["/", "/courses", "/courses/c0", "/courses/c0/modules/1",
                                 "/manage/courses/c0/progress"])
def test_pages_run_a_fixed_number_of_queries(app, client, auth, db, url):
    """The number of queries does not grow with courses, modules, enrolments or completions."""
    user = auth.as_role("hr")

    def grow(courses, modules, others):
        for _ in range(courses):
            course = factories.CourseFactory(modules=modules)
            services.enroll(user.id, course)
            for position in range(1, modules + 1):
                services.complete_module(user.id, course, position)
        first = services.visible_course("c0", user)
        for _ in range(others):
            other = factories.UserFactory()
            services.enroll(other.id, first)
            services.complete_module(other.id, first, 1)

    services.enroll(user.id, factories.CourseFactory(slug="c0", modules=3))
    grow(1, 2, 1)
    small = _queries(app, client, url)
    grow(4, 6, 5)
    assert _queries(app, client, url) == small
