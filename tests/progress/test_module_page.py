"""The module page shows the course's outline and leads to the next step: next module, the quiz, or the course."""
import re

from lms.progress import services
from tests import factories
from tests.quizzes.conftest import add_bank


def _outline(page: str) -> str:
    return re.search(r'<ol class="outline">(.*?)</ol>', page, re.S).group(1)


def _next_step(page: str) -> str:
    return re.search(r'<a class="button[^"]*next-step"[^>]*>.*?</a>', page, re.S).group(0)


def test_the_outline_lists_every_module_marks_the_current_one_and_ticks_the_done_ones(client, auth, db):
    course = factories.CourseFactory(slug="outline", modules=3)
    learner = auth.as_role("learner")
    client.post("/language", data={"lang": "en"})
    services.enroll(learner.id, course)
    services.complete_module(learner.id, course, 1)
    page = client.get("/courses/outline/modules/2").text
    items = re.findall(r"<li class=\"outline-item([^\"]*)\">(.*?)</li>", _outline(page), re.S)
    assert [title for _c, body in items for title in re.findall(r"Module \d", body)] == ["Module 1", "Module 2",
                                                                                       "Module 3"]
    (first_class, first), (second_class, second), (_third_class, third) = items
    assert "is-done" in first_class and "(done)" in first and "✓" in first  # a tick and a word, not a colour
    assert 'aria-current="page"' in second and "is-current" in second_class and "(done)" not in second
    assert 'aria-current' not in first + third
    assert "1 of 3 done" in page


def test_the_next_module_is_one_click_away_and_named(client, auth, db):
    course = factories.CourseFactory(slug="next", modules=3)
    learner = auth.as_role("learner")
    client.post("/language", data={"lang": "en"})
    services.enroll(learner.id, course)
    step = _next_step(client.get("/courses/next/modules/1").text)
    assert 'href="/courses/next/modules/2"' in step and "Next module" in step and "Module 2" in step
    assert 'class="button next-step"' in step  # not done yet: "Mark as done" is the primary button
    services.complete_module(learner.id, course, 1)
    assert 'class="button primary next-step"' in _next_step(client.get("/courses/next/modules/1").text)


def test_the_last_module_leads_to_the_quiz_until_it_is_passed(client, auth, db):
    course = add_bank(factories.CourseFactory(slug="with-quiz", modules=2))
    learner = auth.as_role("learner")
    client.post("/language", data={"lang": "en"})
    services.enroll(learner.id, course)
    page = client.get("/courses/with-quiz/modules/2").text
    step = _next_step(page)
    assert 'href="/courses/with-quiz/quiz"' in step and "Go to the quiz" in step
    assert 'rel="prev" href="/courses/with-quiz/modules/1"' in page


def test_the_last_module_of_a_course_without_quiz_leads_back_to_the_course(client, auth, db):
    course = factories.CourseFactory(slug="no-quiz", modules=2)
    learner = auth.as_role("learner")
    client.post("/language", data={"lang": "en"})
    services.enroll(learner.id, course)
    step = _next_step(client.get("/courses/no-quiz/modules/2").text)
    assert 'href="/courses/no-quiz"' in step and "Back to the course" in step


def test_the_outline_counts_in_arabic_digits_on_arabic_pages(client, auth, db):
    course = factories.CourseFactory(slug="arabic", modules=2)
    learner = auth.as_role("learner")
    services.enroll(learner.id, course)
    services.complete_module(learner.id, course, 1)
    page = client.get("/courses/arabic/modules/2").text
    assert "٢" in _outline(page) and "الوحدة 2" in _outline(page)
    assert "<summary>" in page and "aria-current=\"page\"" in page
