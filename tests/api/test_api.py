"""The API contract: token flow, each endpoint's shape, JSON errors, and an OpenAPI document that matches."""
import re

import pytest

from lms.courses.models import CourseStatus
from tests import factories
from tests.factories import PASSWORD


@pytest.fixture
def learner(db):
    return factories.UserFactory(username="learner1", employee_number="777")


@pytest.fixture
def api(client, learner):
    token = client.post("/api/v1/tokens", json={"username": "learner1", "password": PASSWORD}).json["token"]

    class Api:
        def get(self, url):
            return client.get(f"/api/v1{url}", headers={"Authorization": f"Bearer {token}"})

        def post(self, url, **kwargs):
            return client.post(f"/api/v1{url}", headers={"Authorization": f"Bearer {token}"}, **kwargs)

    return Api()


def test_token_by_username_or_employee_number(client, learner):
    response = client.post("/api/v1/tokens", json={"username": "learner1", "password": PASSWORD})
    assert response.status_code == 201 and set(response.json) == {"token", "expires_at"}
    assert client.post("/api/v1/tokens", json={"username": "٧٧٧", "password": PASSWORD}).status_code == 201


@pytest.mark.parametrize("body,status,code", [
    ({"username": "learner1", "password": "wrong"}, 401, "invalid_credentials"),
    ({"username": "nobody", "password": PASSWORD}, 401, "invalid_credentials"),
    ({"username": "learner1"}, 400, "bad_request"),
    ("not an object", 400, "bad_request"),
])
def test_token_errors(client, learner, body, status, code):
    response = client.post("/api/v1/tokens", json=body)
    assert response.status_code == status
    assert response.json["error"]["code"] == code and response.json["error"]["message"]


def test_malformed_json_is_a_json_400(client):
    response = client.post("/api/v1/tokens", data="{oops", content_type="application/json")
    assert response.status_code == 400 and response.json["error"]["code"] == "bad_request"


def test_bad_or_expired_tokens_are_refused(client, learner):
    assert client.get("/api/v1/courses", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get("/api/v1/courses", headers={"Authorization": "Basic abc"}).status_code == 401


def test_a_browser_session_does_not_authenticate_the_api(client, auth):
    auth.as_role("learner")
    assert client.get("/api/v1/courses").status_code == 401


def test_full_learner_flow(api, db):
    factories.CourseFactory(slug="flow", modules=2)
    factories.CourseFactory(slug="draft", status=CourseStatus.DRAFT)

    courses = api.get("/courses").json["courses"]
    assert [c["slug"] for c in courses] == ["flow"]
    assert set(courses[0]["title"]) == {"ar", "en"} and courses[0]["enrolled"] is False

    course = api.get("/courses/flow").json
    assert [m["position"] for m in course["modules"]] == [1, 2]
    assert api.get("/courses/draft").status_code == 404

    assert api.get("/courses/flow/modules/1").status_code == 403  # not enrolled yet
    assert api.post("/courses/flow/enrollment").status_code == 201
    assert api.post("/courses/flow/enrollment").status_code == 200  # idempotent

    module = api.get("/courses/flow/modules/1").json
    assert module["position"] == 1 and "<h2>" in module["html"]["ar"] and module["completed"] is False
    assert api.get("/courses/flow/modules/3").status_code == 404

    done = api.post("/courses/flow/modules/1/completion").json
    assert done == {"slug": "flow", "position": 1, "percent": 50, "completed_at": None}
    assert api.get("/me/progress").json["progress"][0]["completed_modules"] == [1]
    done = api.post("/courses/flow/modules/2/completion").json
    assert done["percent"] == 100 and done["completed_at"]
    [entry] = api.get("/me/progress").json["progress"]
    assert entry["slug"] == "flow" and entry["percent"] == 100 and entry["completed_modules"] == [1, 2]


def test_unknown_course_is_a_json_404(api):
    response = api.get("/courses/none")
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
    assert api.post("/courses/none/enrollment").status_code == 404


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.removeprefix("/api/v1"))


def test_openapi_document_matches_the_routes(app, client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.")
    documented = {(path, method.upper()) for path, item in document["paths"].items()
                  for method in item if method in ("get", "post", "put", "patch", "delete")}
    served = {(_openapi_path(rule.rule), method) for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/") for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert served == documented
