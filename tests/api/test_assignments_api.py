"""GET /api/v1/assignments: roles, the caller's scope, filters, pages and the counts within scope."""
from datetime import UTC, date, datetime, timedelta

import pytest

from lms.auth.services import issue_api_token
from lms.progress import assignments
from tests import factories
from tests.progress.org import build_org

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


@pytest.fixture
def org(db):
    return build_org()


@pytest.fixture
def course(db):
    return factories.CourseFactory(slug="serving", title_en="Serving citizens")


def get(client, user, query=""):
    token, _record = issue_api_token(user, timedelta(hours=1))
    return client.get(f"/api/v1/assignments{query}", headers={"Authorization": f"Bearer {token}"})


def test_hr_sees_assignments_with_counts_within_their_scope(client, org, course):
    admin = org.admin()
    assignment = assignments.create_assignment(admin, audience={"job_titles": [org.clerk.id]}, course_id=course.id,
                                               due_on=date(2026, 12, 31), now=NOW)
    answer = get(client, org.hr(org.qalyubia))
    assert answer.status_code == 200
    [item] = answer.json["assignments"]
    assert item["id"] == assignment.id and item["course"]["slug"] == "serving" and item["path"] is None
    assert item["due"] == {"on": "2026-12-31"} and item["active"] is True
    assert item["audience"]["type"] == "rule"
    assert item["audience"]["job_titles"] == [{"code": "CLERK", "name": {"ar": org.clerk.name_ar,
                                                                          "en": org.clerk.name_en}}]
    assert sum(item["counts"].values()) == 2  # Qalyubia's two clerks, not Giza's
    everyone = get(client, admin).json["assignments"][0]["counts"]
    assert sum(everyone.values()) == 3
    assert answer.json["total"] == 1 and answer.json["page"] == 1


def test_a_center_manager_counts_their_center_only_and_others_see_nothing(client, org, course):
    hr = org.hr(org.qalyubia)
    assignments.create_assignment(hr, audience={"job_titles": [org.clerk.id]}, course_id=course.id, due_days=9,
                                  now=NOW)
    [item] = get(client, org.manager(org.fixed)).json["assignments"]
    assert sum(item["counts"].values()) == 1 and item["due"] == {"days_after_joining": 9}
    assert item["audience"]["within"]["governorate"]["code"] == org.qalyubia.code
    assert get(client, org.manager(org.giza_center)).json["assignments"] == []
    assert get(client, org.hr(org.giza)).json["total"] == 0


@pytest.mark.parametrize("role", ["learner", "trainer"])
def test_other_roles_are_refused(client, role):
    answer = get(client, factories.UserFactory(role=role))
    assert answer.status_code == 403 and answer.json["error"]["code"] == "forbidden"


def test_filters_and_pages(client, org, course):
    admin = org.admin()
    other = factories.CourseFactory(slug="other")
    first = assignments.create_assignment(admin, audience={"centers": [org.fixed.id]}, course_id=course.id,
                                          due_days=5, now=NOW)
    assignments.create_assignment(admin, audience={"centers": [org.fixed.id]}, course_id=other.id, due_days=5,
                                  now=NOW)
    assignments.withdraw(first.id, admin)
    assert [a["id"] for a in get(client, admin, "?course=serving").json["assignments"]] == [first.id]
    assert get(client, admin, "?course=nope").json["assignments"] == []
    assert [a["course"]["slug"] for a in get(client, admin, "?active=true").json["assignments"]] == ["other"]
    assert [a["id"] for a in get(client, admin, "?active=false").json["assignments"]] == [first.id]
    page = get(client, admin, "?per_page=1&page=2").json
    assert page["total"] == 2 and len(page["assignments"]) == 1 and page["per_page"] == 1
    for bad in ("?per_page=201", "?per_page=0", "?page=0", "?active=yes"):
        answer = get(client, admin, bad)
        assert answer.status_code == 400 and answer.is_json


def test_a_token_is_required(client):
    assert client.get("/api/v1/assignments").status_code == 401


def test_a_locked_module_is_a_json_403(client, db):
    from lms.progress import paths

    first, second = factories.CourseFactory(modules=1), factories.CourseFactory(modules=1)
    path = paths.save_path({"slug": "api-path", "title_ar": "مسار", "title_en": "Path", "is_ordered": True,
                            "status": "published"}, [first.id, second.id], factories.UserFactory(role="hr"))
    learner = factories.UserFactory()
    paths.enrol_in_path(learner.id, path)
    token, _record = issue_api_token(learner, timedelta(hours=1))
    answer = client.get(f"/api/v1/courses/{second.slug}/modules/1", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 403 and answer.json["error"]["code"] == "locked"


def test_a_page_size_that_is_not_a_number_is_a_400(client, org):
    """It used to fall back to the default (found by schemathesis: `per_page=null` answered 200)."""
    for query in ("?per_page=null", "?page=²", "?per_page=", "?page=1.5"):
        answer = get(client, org.admin(), query)
        assert answer.status_code == 400 and answer.json["error"]["code"] == "bad_request", query
