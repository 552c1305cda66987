"""The main menu is drawn from the entries the packages add (lms.core.menu): each role sees the menu it saw when
base.html spelled the entries out, with the same labels, order and current-page mark."""
import re

import pytest
from flask import url_for
from flask_babel import force_locale, gettext

from lms import create_app
from lms.core.menu import menu
from tests import factories

EVERYONE = [("progress.dashboard", "My learning"), ("progress.catalogue", "Courses"),
            ("paths.catalogue", "Learning paths"), ("certificates.mine", "My certificates")]
AUTHORING = [("courses.manage", "Manage courses")]
PATHS = [("progress_manage.path_list", "Manage learning paths")]
OFFLINE_EXAMS = [("offline.new_exam", "Offline exams")]
STAFF_WORK = [("staff.staff_list", "Staff"), ("progress_manage.index", "Assignments"), *OFFLINE_EXAMS,
              ("reports.overview", "Reports"), ("offline.uploads", "Offline uploads")]
PRINT_ROOM = [("certificates_manage.search", "Certificates")]
ADMINISTRATION = [("admin.users", "Users"), ("admin.centers", "Technology centers")]

MENUS = {
    "learner": EVERYONE,
    "trainer": EVERYONE + AUTHORING + PATHS + OFFLINE_EXAMS,
    "center_manager": EVERYONE + STAFF_WORK,
    "hr": EVERYONE + PATHS + STAFF_WORK + PRINT_ROOM,
    "admin": EVERYONE + AUTHORING + PATHS + STAFF_WORK + PRINT_ROOM + ADMINISTRATION,
}
ITEM = re.compile(r'<li><a href="([^"]*)" (aria-current="page")?>([^<]*)</a></li>')


def _menu(client, url="/", lang="en") -> list[tuple[str, str, bool]]:
    with client.session_transaction() as session:
        session["lang"] = lang
    html = client.get(url).get_data(as_text=True)
    nav = re.search(r'<nav class="main-nav".*?</nav>', html, re.S)
    assert nav, url
    return [(href, label, bool(current)) for href, current, label in ITEM.findall(nav.group(0))]


def _hrefs(app, pairs) -> list[tuple[str, str]]:
    with app.test_request_context():
        return [(url_for(endpoint), label) for endpoint, label in pairs]


@pytest.mark.parametrize("role", list(MENUS))
def test_each_role_sees_the_menu_it_saw_before(app, client, auth, role):
    auth.as_role(role)
    assert [(href, label) for href, label, _current in _menu(client)] == _hrefs(app, MENUS[role])


def test_the_labels_are_translated(app, client, auth):
    auth.as_role("admin")
    with app.test_request_context(), force_locale("ar"):
        arabic = [gettext(label) for _endpoint, label in MENUS["admin"]]
    assert [label for _href, label, _current in _menu(client, lang="ar")] == arabic
    assert "Staff" not in arabic


@pytest.mark.parametrize(("url", "current"), [
    ("/", "My learning"),
    ("/courses", "Courses"),
    ("/manage/courses", "Manage courses"),
    ("/manage/certificates/expiry", "Certificates"),  # a page of the entry's section
    ("/manage/certificates/batches", "Certificates"),  # the print room's other blueprints are of its section too
    ("/manage/certificates/settings", "Certificates"),
    ("/manage/reports/matrix", "Reports"),
    ("/manage/staff/import", "Staff"),
    ("/admin/centers", "Technology centers"),
    ("/manage/assignments/new", None),  # "Assignments" marks its own page only, as before
])
def test_the_current_page_is_marked(client, auth, url, current):
    auth.as_role("admin")
    assert [label for _href, label, is_current in _menu(client, url) if is_current] == ([current] if current else [])


def test_the_bell_and_sign_out_stay_and_visitors_get_no_menu(client, auth):
    auth.as_role("learner")
    html = client.get("/").get_data(as_text=True)
    assert 'class="bell"' in html and 'action="/logout"' in html
    client.post("/logout")
    assert 'class="main-nav"' not in client.get("/login").get_data(as_text=True)


def test_a_trainer_sees_manage_courses_marked_on_a_course_of_theirs(client, auth, db):
    """Its authoring pages are of the `courses.` section (a course naming no trainer is every trainer's)."""
    auth.as_role("trainer")
    course = factories.CourseFactory(slug="marked")
    assert [label for _h, label, is_current in _menu(client, f"/manage/courses/{course.slug}") if is_current] \
        == ["Manage courses"]


@pytest.mark.no_db
def test_each_package_adds_its_own_entries():
    config = {"LMS_ENV": "test", "TESTING": True, "SECRET_KEY": "test-secret",
              "SQLALCHEMY_DATABASE_URI": "sqlite://", "LMS_RATELIMIT_STORAGE_URI": "memory://"}
    app = create_app(config, packages=("core", "accounts", "auth", "courses"))
    assert [e.endpoint for e in menu.entries(app)] == ["staff.staff_list", "admin.users", "admin.centers",
                                                      "courses.manage"]
    orders = [e.order for e in menu.entries(create_app(config))]
    assert len(orders) == len(set(orders))  # one place for each entry
