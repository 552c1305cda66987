"""Every route declares who may use it, and the declaration holds for every role, on the pages (signed in with
a session) and in the API (with a bearer token).

The test walks app.url_map, so a new route without an access rule fails here, and so does one whose roles are
not a permission of the role table (lms.accounts.roles), or a menu entry shown to a role its page refuses.
"""
from datetime import timedelta

import pytest

from lms.accounts.roles import PERMISSIONS, Role
from lms.auth.services import issue_api_token
from lms.core.menu import menu
from lms.courses.models import CourseAsset
from lms.progress.services import enroll
from lms.quizzes.attempts import start_attempt
from lms.quizzes.bank import bank_questions
from tests import factories
from tests.quizzes.conftest import add_bank

ROLES = [None, *(role.value for role in Role)]  # None: a visitor, signed out


def _views(app):
    # Signing out goes last, so that the rest is checked while signed in.
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint == "auth.logout"):
        if rule.endpoint == "static":
            continue
        yield rule, app.view_functions[rule.endpoint]


def _by_token(view) -> bool:
    return getattr(view, "credential", None) == "token"


def _by_grant(view) -> bool:
    """The field kit's device API (lms.offline): a device grant's bearer token, nothing else."""
    return getattr(view, "credential", None) == "grant"


def _credential_for(rule: str) -> str:
    return "grant" if rule.startswith("/offline/api/") else "token" if rule.startswith("/api/") else "session"


def test_every_route_declares_its_access(app):
    undeclared = [rule.rule for rule, view in _views(app) if not hasattr(view, "access")]
    assert undeclared == []
    # Whoever must be signed in says how: a session on the pages, a bearer token under /api.
    credentials = {rule.rule: getattr(view, "credential", None) for rule, view in _views(app)
                   if view.access != "public"}
    assert {rule: c for rule, c in credentials.items() if c != _credential_for(rule)} == {}


def test_every_role_gate_is_a_permission_of_the_role_table(app):
    """A route names a permission of lms.accounts.roles: it cannot spell out a list of roles of its own."""
    gates = {rule.rule: view.access for rule, view in _views(app) if view.access not in ("public", "login")}
    assert len(gates) > 20
    assert {rule: sorted(access) for rule, access in gates.items() if access not in PERMISSIONS.values()} == {}


def test_the_menu_shows_an_entry_only_to_roles_its_page_lets_in(app):
    entries = menu.entries(app)
    assert len(entries) > 10
    for entry in entries:
        view = app.view_functions[entry.endpoint]
        if entry.roles is None:  # every signed-in person sees it: every signed-in person may open it
            assert view.access in ("public", "login"), entry.endpoint
        else:
            assert entry.roles in PERMISSIONS.values(), entry.endpoint
            assert view.access in ("public", "login") or entry.roles <= view.access, entry.endpoint


def _sample_values(db):
    course = factories.CourseFactory(slug="access-course", modules=2)
    course.assets.append(CourseAsset(path="images/a.png", media_type="image/png", content=b"\x89PNG"))
    center = factories.CenterFactory()
    user = factories.UserFactory()
    db.session.commit()
    add_bank(course)
    enroll(user.id, course)
    attempt = start_attempt(user.id, course)  # someone else's: every role but its owner gets a 404
    return {"slug": course.slug, "position": 1, "module_id": course.modules[0].id, "path": "images/a.png",
            "center_id": center.id, "user_id": user.id, "attempt_id": attempt.id,
            "question_id": bank_questions(course.id)[0].id, "code": "7F3K-9QXM-2PLA-H4TD",
            "certificate_id": 10**6, "batch_id": 10**6, "number": 1}


def _is_allowed(access, role):
    if access == "public":
        return True
    if access == "login":
        return role is not None
    return role in access


@pytest.mark.parametrize("role", ROLES)
def test_access_rules_hold_for_every_role(app, client, auth, db, role):
    values = _sample_values(db)
    if role:
        user = auth.as_role(role)
        # A learner enrolled in the course may open its modules.
        client.post(f"/courses/{values['slug']}/enrollment")
        assert user
    checked = 0
    for rule, view in _views(app):
        if _by_token(view) or _by_grant(view):
            continue  # checked with a bearer token below
        # Arguments without a sample get a row id that does not exist, or a word: a 404 is an answer too.
        url = rule.build({k: values.get(k, 10**6 if k.endswith("_id") else "x") for k in rule.arguments},
                         append_unknown=False)[1]
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url, method=method)
        where = f"{method} {url} as {role}"
        if _is_allowed(view.access, role):
            assert response.status_code not in (401, 403), where
            assert "/login" not in response.headers.get("Location", "") or rule.endpoint == "auth.logout", where
            assert response.status_code < 500, where
        elif role is None:
            assert response.status_code == 302 and "/login" in response.headers["Location"], where
        else:
            assert response.status_code == 403, where
        checked += 1
    assert checked > 20


@pytest.mark.parametrize("role", [role.value for role in Role])
def test_api_access_rules_hold_for_every_role(app, client, db, role):
    """The same declarations, for the API's views, each called with a bearer token of `role`."""
    values = _sample_values(db)
    token, _record = issue_api_token(factories.UserFactory(role=role), timedelta(hours=1))
    checked = 0
    for rule, view in _views(app):
        if not _by_token(view):
            continue
        url = rule.build({k: values.get(k, 10**6 if k.endswith("_id") else "x") for k in rule.arguments},
                         append_unknown=False)[1]
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        response = client.open(url, method=method, headers={"Authorization": f"Bearer {token}"})
        where = f"{method} {url} as {role}"
        # A 403 may also say why an allowed person may not act yet ("not_enrolled", "not_allowed"): only
        # "forbidden" is the role gate's answer.
        refused = response.status_code == 403 and response.json["error"]["code"] == "forbidden"
        if _is_allowed(view.access, role):
            assert response.status_code != 401 and not refused, where
            assert response.status_code < 500, where
        else:
            assert refused, where
        checked += 1
    assert checked > 15


def test_api_routes_need_a_token(app, client):
    values = {"slug": "x", "position": 1, "attempt_id": 1, "code": "7F3K-9QXM-2PLA-H4TD",
            "certificate_id": 10**6, "batch_id": 10**6, "number": 1}
    for rule, view in _views(app):
        if not _by_token(view):
            continue
        # Arguments without a sample get a row id that does not exist, or a word: a 404 is an answer too.
        url = rule.build({k: values.get(k, 10**6 if k.endswith("_id") else "x") for k in rule.arguments},
                         append_unknown=False)[1]
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        response = client.open(url, method=method)
        assert response.status_code == 401, url
        assert response.json["error"]["code"] == "unauthorized"


def test_device_api_routes_need_a_grant_and_take_one(app, client, db):
    from lms.offline.devices import register

    grant = register(factories.UserFactory(), "6f1c7e0a-3b7d-4b8e-9a51-0d2c4e6f8a10")
    checked = 0
    for rule, view in _views(app):
        if not _by_grant(view):
            continue
        assert rule.rule.startswith("/offline/api/")
        url = rule.build({k: 10**6 for k in rule.arguments}, append_unknown=False)[1]
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        response = client.open(url, method=method)
        assert response.status_code == 401 and response.json["error"]["code"] == "unauthorized", url
        response = client.open(url, method=method, headers={"Authorization": f"Bearer {grant.token}"})
        assert response.status_code not in (401, 403) and response.status_code < 500, url
        checked += 1
    assert checked >= 1
