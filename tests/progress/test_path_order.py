"""The courses of a learning path are reordered in one service call (exactly the path's courses), by its editors
only: the Move up / Move down forms, and the JSON endpoint behind drag and drop."""
import re

import pytest
import sqlalchemy as sa

from lms.core.models import ValidationError
from lms.extensions import db as _db
from lms.progress import paths
from lms.progress.models import LearningPath, PathCourse
from tests import factories


def _order(path_id: int) -> list[int]:
    return list(_db.session.scalars(sa.select(PathCourse.course_id).where(PathCourse.path_id == path_id)
                                    .order_by(PathCourse.position)))


@pytest.fixture
def courses(db):
    return [factories.CourseFactory(modules=1, title_en=f"Step {n}") for n in range(1, 4)]


@pytest.fixture
def author(db):
    return factories.UserFactory(role="trainer")


@pytest.fixture
def path(courses, author):
    return paths.save_path({"slug": "window-basics", "title_ar": "أساسيات الشباك", "title_en": "Window basics",
                            "is_ordered": True, "status": "published"}, [c.id for c in courses], author)


def test_a_reorder_puts_the_courses_in_the_new_order(path, courses, author):
    first, second, third = (c.id for c in courses)
    paths.reorder_path_courses(path.id, [third, first, second], author)
    assert _order(path.id) == [third, first, second]
    reloaded = _db.session.get(LearningPath, path.id)
    assert [s.course_id for s in reloaded.steps] == [third, first, second]
    assert [s.position for s in reloaded.steps] == [1, 2, 3]


@pytest.mark.parametrize("make_ids", [
    lambda ids, other: ids[:2], lambda ids, other: ids + [ids[0]],
    lambda ids, other: ids[:2] + [other], lambda ids, other: [],
], ids=["missing", "twice", "other-course", "empty"])
def test_a_list_that_is_not_exactly_the_paths_courses_is_refused(path, courses, author, make_ids):
    other = factories.CourseFactory(modules=1).id
    ids = [c.id for c in reversed(courses)]
    with pytest.raises(ValidationError) as refused:
        paths.reorder_path_courses(path.id, make_ids(ids, other), author)
    assert refused.value.errors["courses"]
    _db.session.rollback()
    assert _order(path.id) == [c.id for c in courses]


def test_only_the_paths_editors_may_reorder_it(path, courses):
    with pytest.raises(LookupError):
        paths.reorder_path_courses(path.id, [c.id for c in reversed(courses)], factories.UserFactory(role="trainer"))
    _db.session.rollback()
    paths.reorder_path_courses(path.id, [c.id for c in reversed(courses)], factories.UserFactory(role="hr"))
    assert _order(path.id) == [c.id for c in reversed(courses)]


def test_move_path_course_moves_one_step_and_says_where(path, courses, author):
    assert paths.move_path_course(path.id, courses[2].id, -1, author) == 2
    assert paths.move_path_course(path.id, courses[2].id, -1, author) == 1
    assert paths.move_path_course(path.id, courses[2].id, -1, author) == 1  # already first
    assert _order(path.id) == [courses[2].id, courses[0].id, courses[1].id]


def test_the_move_form_comes_back_focused_with_the_message(client, auth, path, courses, author):
    auth.login(author)
    client.post("/language", data={"lang": "en", "next": "/"})
    moved = courses[2].id
    response = client.post(f"/manage/paths/{path.id}/courses/{moved}/move", data={"direction": "up"})
    assert response.headers["Location"] == f"/manage/paths/{path.id}?moved={moved}&direction=up"
    page = client.get(response.headers["Location"]).text
    assert "Moved Step 3 to position 2." in page
    item = page.split(f'id="path-course-{moved}"')[1].split("</li>")[0]
    assert 'data-move="up" autofocus' in item
    assert "js/reorder.js" in page


def test_the_json_endpoint_saves_and_refuses_in_json(client, auth, path, courses, author):
    auth.login(author)
    url = f"/manage/paths/{path.id}/courses/order"
    ids = [c.id for c in reversed(courses)]
    assert client.post(url, json={"ids": ids}).json == {"ids": ids}
    assert _order(path.id) == ids
    refused = client.post(url, json={"ids": ids[:2]})
    assert refused.status_code == 409 and refused.json["error"]["message"]
    assert client.post(url, json={"ids": "x"}).status_code == 400
    assert _order(path.id) == ids


@pytest.mark.parametrize("role, status", [("learner", 403), ("center_manager", 403), ("trainer", 404)])
def test_others_may_not_reorder(client, auth, path, courses, role, status):
    auth.as_role(role)  # a trainer who did not make the path does not see it
    ids = [c.id for c in reversed(courses)]
    assert client.post(f"/manage/paths/{path.id}/courses/order", json={"ids": ids}).status_code == status
    assert client.post(f"/manage/paths/{path.id}/courses/{ids[0]}/move",
                       data={"direction": "up"}).status_code == status
    assert _order(path.id) == [c.id for c in courses]


def test_without_the_csrf_token_nothing_moves(app, client, auth, path, courses, author, monkeypatch):
    auth.login(author)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    ids = [c.id for c in reversed(courses)]
    assert client.post(f"/manage/paths/{path.id}/courses/order", json={"ids": ids}).status_code == 400
    page = client.get(f"/manage/paths/{path.id}").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post(f"/manage/paths/{path.id}/courses/order", json={"ids": ids},
                       headers={"X-CSRFToken": token}).status_code == 200
    assert _order(path.id) == ids


@pytest.fixture
def race_app(tmp_path):
    from lms.accounts.models import User
    from lms.courses.models import Course
    from tests.conftest import database_url, make_app

    app = make_app(database_url(tmp_path, "path_order_race"))
    with app.app_context():
        _db.create_all()
        hr = User(username="hr", full_name_ar="م", full_name_latin="HR", role="hr")
        courses = [Course(slug=f"c{n}", title_ar=f"د{n}", title_en=f"C{n}") for n in range(1, 6)]
        _db.session.add_all([hr, *courses])
        _db.session.flush()
        path = LearningPath(slug="race", title_ar="سباق", title_en="Race", created_by_id=hr.id)
        path.steps = [PathCourse(position=n, course_id=c.id) for n, c in enumerate(courses, 1)]
        _db.session.add(path)
        _db.session.commit()
    yield app
    with app.app_context():
        _db.drop_all()
        _db.engine.dispose()


@pytest.mark.no_db
def test_moves_at_once_on_a_path_are_none_lost(race_app):
    from lms.accounts.models import User
    from lms.courses.models import Course
    from tests.conftest import run_in_threads

    def work(_n):
        hr = _db.session.scalar(sa.select(User))
        last = _db.session.scalar(sa.select(Course.id).where(Course.slug == "c5"))
        paths.move_path_course(_db.session.scalar(sa.select(LearningPath.id)), last, -1, hr)

    assert run_in_threads(race_app, work, 4) == []
    with race_app.app_context():
        slugs = _db.session.scalars(sa.select(Course.slug).join(PathCourse).order_by(PathCourse.position))
        assert list(slugs) == ["c5", "c1", "c2", "c3", "c4"]
