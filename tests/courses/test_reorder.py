"""Modules are reordered in one service call: exactly the course's modules, logged as a web edit, safe when two
editors reorder at once; the Move up / Move down forms, the JSON endpoint behind drag and drop, and who may use them."""
import re

import pytest
import sqlalchemy as sa

from lms.core.models import ValidationError
from lms.courses import services
from lms.courses.models import Course, CourseLogEntry, Module
from lms.extensions import db as _db
from tests import factories
from tests.conftest import database_url, make_app, run_in_threads


def _order(course_id: int) -> list[str]:
    return list(_db.session.scalars(sa.select(Module.title_en).where(Module.course_id == course_id)
                                    .order_by(Module.position)))


def _entries(course_id: int) -> list[CourseLogEntry]:
    return list(_db.session.scalars(sa.select(CourseLogEntry).where(CourseLogEntry.course_id == course_id)
                                    .order_by(CourseLogEntry.id)))


@pytest.fixture
def course(db):
    return factories.CourseFactory(slug="order", modules=3)


def test_a_reorder_puts_the_modules_in_the_new_order_and_logs_a_web_edit(db, course):
    trainer = factories.UserFactory(role="trainer")
    first, second, third = (m.id for m in course.modules)
    services.reorder_modules(course.id, [third, first, second], actor_id=trainer.id)
    db.session.expire_all()
    assert _order(course.id) == ["Module 3", "Module 1", "Module 2"]
    assert [m.position for m in db.session.get(Course, course.id).modules] == [1, 2, 3]
    [entry] = _entries(course.id)
    assert entry.actor_id == trainer.id and entry.action == "module"
    assert entry.details == {"op": "reordered", "changed": {"order": [["01-m.md", "02-m.md", "03-m.md"],
                                                                      ["03-m.md", "01-m.md", "02-m.md"]]}}
    assert db.session.get(Course, course.id).is_edited_on_web


def test_the_same_order_changes_nothing(db, course):
    services.reorder_modules(course.id, [m.id for m in course.modules])
    db.session.expire_all()
    assert _entries(course.id) == [] and not db.session.get(Course, course.id).is_edited_on_web


@pytest.mark.parametrize("make_ids", [
    lambda ids, other: ids[:2],  # one left out
    lambda ids, other: ids + [ids[0]],  # one twice
    lambda ids, other: [ids[0], ids[0], ids[1]],  # one twice, one left out
    lambda ids, other: ids[:2] + [other],  # another course's module in place of one
    lambda ids, other: ids + [other],  # another course's module added
    lambda ids, other: ids + [999_999],  # no such module
    lambda ids, other: [],
], ids=["missing", "twice", "twice-and-missing", "other-course", "other-course-added", "unknown", "empty"])
def test_a_list_that_is_not_exactly_the_courses_modules_is_refused_and_nothing_changes(db, course, make_ids):
    other = factories.CourseFactory(modules=1).modules[0].id
    ids = [m.id for m in reversed(course.modules)]
    with pytest.raises(ValidationError) as refused:
        services.reorder_modules(course.id, make_ids(ids, other))
    assert "أعد تحميل الصفحة" in refused.value.errors[""]  # the default language
    db.session.rollback()
    db.session.expire_all()
    assert _order(course.id) == ["Module 1", "Module 2", "Module 3"] and _entries(course.id) == []


def test_the_log_page_says_the_order_changed(client, as_admin, course):
    services.reorder_modules(course.id, [m.id for m in reversed(course.modules)], actor_id=as_admin.id)
    client.post("/language", data={"lang": "en", "next": "/"})
    page = client.get("/manage/courses/order/log").text
    assert "Order of the modules changed" in page
    assert "03-m.md, 02-m.md, 01-m.md" in page


# --- the keyboard forms -----------------------------------------------------------------------------------------

def test_move_up_posts_a_form_and_comes_back_focused_on_the_moved_module(client, as_trainer, course):
    third = course.modules[2].id
    response = client.post(f"/manage/courses/order/modules/{third}/move", data={"direction": "up"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/manage/courses/order?moved={third}&direction=up"
    page = client.get(response.headers["Location"]).text
    item = page.split(f'id="module-{third}"')[1].split("</li>")[0]
    assert re.search(r'value="up" data-move="up" autofocus', item)
    assert _order(course.id) == ["Module 1", "Module 3", "Module 2"]


def test_the_moved_message_is_translated_with_arabic_digits(client, as_trainer, course):
    third = course.modules[2].id
    client.post("/language", data={"lang": "ar", "next": "/"})
    page = client.post(f"/manage/courses/order/modules/{third}/move", data={"direction": "up"},
                       follow_redirects=True).text
    assert "إلى الموضع ٢" in page and "الوحدة 3" in page
    client.post("/language", data={"lang": "en", "next": "/"})
    page = client.post(f"/manage/courses/order/modules/{third}/move", data={"direction": "up"},
                       follow_redirects=True).text
    assert "Moved Module 3 to position 1." in page


def test_the_first_and_last_buttons_say_they_cannot_move(client, as_trainer, course):
    page = client.get("/manage/courses/order").text
    items = page.split('class="reorder-item"')[1:]
    assert 'value="up" data-move="up" aria-disabled="true"' in items[0]
    assert 'value="down" data-move="down" aria-disabled="true"' in items[2]
    assert "aria-disabled" not in items[1].split("</li>")[0]
    assert 'js/reorder.js' in page


# --- the JSON endpoint of drag and drop ---------------------------------------------------------------------------

def test_the_json_endpoint_saves_the_whole_order(client, as_trainer, course):
    ids = [m.id for m in reversed(course.modules)]
    response = client.post("/manage/courses/order/modules/order", json={"ids": ids})
    assert response.status_code == 200 and response.json == {"ids": ids}
    assert _order(course.id) == ["Module 3", "Module 2", "Module 1"]


@pytest.mark.parametrize("body, status", [
    ({"ids": "1,2,3"}, 400), ({"ids": [1.5]}, 400), ({"ids": [True]}, 400), ({}, 400), (["x"], 400),
    ({"ids": []}, 409),
])
def test_the_json_endpoint_answers_errors_in_json(client, as_trainer, course, body, status):
    response = client.post("/manage/courses/order/modules/order", json=body)
    assert response.status_code == status and response.json["error"]["message"]
    assert _order(course.id) == ["Module 1", "Module 2", "Module 3"]


def test_another_courses_module_is_refused_with_a_clear_message(client, as_trainer, course):
    other = factories.CourseFactory(modules=1).modules[0].id
    client.post("/language", data={"lang": "en", "next": "/"})
    response = client.post("/manage/courses/order/modules/order",
                           json={"ids": [course.modules[0].id, course.modules[1].id, other]})
    assert response.status_code == 409
    assert "The list of modules has changed" in response.json["error"]["message"]


def test_a_body_that_is_not_json_is_refused(client, as_trainer, course):
    response = client.post("/manage/courses/order/modules/order", data="ids=1")
    assert response.status_code == 400 and response.json["error"]["message"]


# --- who may reorder ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role, status", [("learner", 403), ("hr", 403), ("center_manager", 403)])
def test_only_those_who_edit_courses_may_reorder(client, auth, course, role, status):
    auth.as_role(role)
    ids = [m.id for m in reversed(course.modules)]
    assert client.post("/manage/courses/order/modules/order", json={"ids": ids}).status_code == status
    assert client.post(f"/manage/courses/order/modules/{ids[0]}/move", data={"direction": "up"}).status_code == status
    assert _order(course.id) == ["Module 1", "Module 2", "Module 3"]


def test_a_trainer_not_on_the_course_finds_nothing(client, auth, course):
    course.trainers.append(factories_trainer := _course_trainer())
    _db.session.commit()
    auth.as_role("trainer")
    ids = [m.id for m in reversed(course.modules)]
    assert client.post("/manage/courses/order/modules/order", json={"ids": ids}).status_code == 404
    assert client.post(f"/manage/courses/order/modules/{ids[0]}/move", data={"direction": "up"}).status_code == 404
    assert _order(course.id) == ["Module 1", "Module 2", "Module 3"] and factories_trainer.user_id


def _course_trainer():
    from lms.courses.models import CourseTrainer

    return CourseTrainer(user_id=factories.UserFactory(role="trainer").id)


def test_without_the_csrf_token_nothing_moves(app, client, as_trainer, course, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    ids = [m.id for m in reversed(course.modules)]
    assert client.post("/manage/courses/order/modules/order", json={"ids": ids}).status_code == 400
    assert client.post(f"/manage/courses/order/modules/{ids[0]}/move", data={"direction": "up"}).status_code == 400
    assert _order(course.id) == ["Module 1", "Module 2", "Module 3"]
    page = client.get("/manage/courses/order").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/manage/courses/order/modules/order", json={"ids": ids}, headers={"X-CSRFToken": token})
    assert response.status_code == 200
    assert _order(course.id) == ["Module 3", "Module 2", "Module 1"]


# --- two editors at once -----------------------------------------------------------------------------------------

@pytest.fixture
def race_app(tmp_path):
    app = make_app(database_url(tmp_path, "reorder_race"))
    with app.app_context():
        _db.create_all()
        course = Course(slug="race", title_ar="سباق", title_en="Race", module_count=5)
        course.modules = [Module(position=n, file_name=f"{n:02d}-m.md", title_ar=f"و{n}", title_en=f"M{n}")
                          for n in range(1, 6)]
        _db.session.add(course)
        _db.session.commit()
    yield app
    with app.app_context():
        _db.drop_all()
        _db.engine.dispose()


@pytest.mark.no_db
def test_editors_reordering_at_once_never_corrupt_the_positions(race_app):
    def work(n):
        course_id = _db.session.scalar(sa.select(Course.id))
        ids = list(_db.session.scalars(sa.select(Module.id).order_by(Module.id)))
        if n % 2:
            services.move_module(course_id, ids[n % 5], -1)
        else:
            services.reorder_modules(course_id, ids[n % 5:] + ids[:n % 5])

    assert run_in_threads(race_app, work, 6) == []
    with race_app.app_context():
        course = _db.session.scalar(sa.select(Course))
        positions = sorted(_db.session.scalars(sa.select(Module.position)))
        assert positions == [1, 2, 3, 4, 5] and course.module_count == 5
        assert len(_entries(course.id)) >= 3  # each reorder that changed something was logged


@pytest.mark.no_db
def test_moves_at_once_each_start_from_the_order_the_one_before_left(race_app):
    """Four editors press "Move up" on the last module at the same instant: it goes up four places, none lost."""
    def work(_n):
        course_id = _db.session.scalar(sa.select(Course.id))
        last = _db.session.scalar(sa.select(Module.id).where(Module.title_en == "M5"))
        services.move_module(course_id, last, -1)

    assert run_in_threads(race_app, work, 4) == []
    with race_app.app_context():
        assert _order(_db.session.scalar(sa.select(Course.id))) == ["M5", "M1", "M2", "M3", "M4"]
