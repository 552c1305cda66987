"""A page number or id too large for a database integer is bad input: the page answers as for a page past the
end (or ignores the filter), never a 500; the API answers a JSON 400."""
from datetime import UTC, datetime, timedelta

import pytest

from lms.auth.services import issue_api_token
from lms.progress import assignments
from tests import factories

HUGE = "9" * 25


@pytest.fixture
def assignment(db):
    hr = factories.UserFactory(role="hr", center=None)
    course = factories.CourseFactory(modules=1)
    learner = factories.UserFactory(role="learner")
    return assignments.create_assignment(hr, audience={"users": [learner.id]}, course_id=course.id,
                                         due_days=10, now=datetime.now(UTC))


@pytest.mark.parametrize("url", [
    "/manage/staff/?page={huge}", "/manage/staff/?center={huge}", "/manage/staff/?job={huge}",
    "/manage/assignments?page={huge}", "/manage/assignments/{id}?page={huge}", "/notifications?page={huge}",
    "/manage/courses/{slug}/progress?page={huge}", "/manage/certificates?page={huge}",
])
def test_screens_take_huge_numbers_without_failing(client, auth, assignment, url):
    auth.as_role("hr", center=None)
    response = client.get(url.format(huge=HUGE, id=assignment.id, slug=assignment.course.slug))
    assert response.status_code == 200


def test_the_assignments_api_refuses_a_huge_page_with_json(client, db):
    token, _record = issue_api_token(factories.UserFactory(role="admin"), timedelta(hours=1))
    response = client.get(f"/api/v1/assignments?page={HUGE}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400 and response.json["error"]["code"] == "bad_request"


@pytest.mark.parametrize("url", ["/admin/users?page={huge}", "/manage/courses/{slug}/quiz/attempts?page={huge}"])
def test_older_screens_take_huge_page_numbers_too(client, auth, assignment, url):
    auth.as_role("admin", center=None)
    assert client.get(url.format(huge=HUGE, slug=assignment.course.slug)).status_code == 200
