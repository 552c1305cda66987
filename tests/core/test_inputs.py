"""What the app refuses at its edge: ids too large for a database integer (404), NUL characters and JSON that is
too deep, not finite or not storable (400, translated, JSON under /api), digits that `int()` cannot read."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.accounts import roster_files
from lms.accounts.models import JobTitle
from lms.auth.services import issue_api_token
from lms.core.inputs import MAX_JSON_DEPTH, db_int, parse_int
from lms.progress import services as progress
from lms.quizzes import attempts
from tests import factories
from tests.accounts.conftest import ENGLISH_HEADERS, csv_text
from tests.quizzes.conftest import add_bank


@pytest.mark.no_db
@pytest.mark.parametrize(("text", "expected"), [
    ("12", 12), (" 12 ", 12), ("٣", 3), ("۱۲", 12), ("0", 0), ("2147483647", 2**31 - 1),
    ("2147483648", None), ("9" * 5000, None), ("²", None), ("①", None), ("¹²", None), ("-1", None), ("+1", None),
    ("1_000", None), ("1 2", None), ("", None), (None, None), ("1.5", None), ("١٢٣abc", None),
])
def test_parse_int_reads_what_people_type_and_nothing_int_cannot(text, expected):
    assert parse_int(text) == expected


@pytest.mark.no_db
def test_parse_int_bounds_and_db_int_refuse_with_value_error():
    assert parse_int("0", low=1) is None and parse_int("501", low=1, high=500) is None
    assert db_int("٧") == 7
    with pytest.raises(ValueError):
        db_int("²")


@pytest.mark.parametrize("url", ["/admin/users/2147483648", "/admin/users/9223372036854775808",
                                 "/admin/users/" + "9" * 30, "/admin/users/٣", "/admin/users/2147483647"])
def test_every_int_route_answers_404_for_ids_no_database_holds(client, as_admin, url):
    response = client.get(url)
    assert response.status_code == 404 and '<html lang="ar"' in response.text


def test_an_api_id_too_large_is_a_json_404(client, db):
    token, _record = issue_api_token(factories.UserFactory(), timedelta(hours=1))
    response = client.get(f"/api/v1/attempts/{2**63}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


@pytest.mark.parametrize("url", ["/courses?q=a%00b", "/courses?a%00=1", "/verify/AB%00CD", "/nowhere%00"])
def test_nul_in_a_path_or_query_is_a_translated_400_page(client, as_learner, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "NUL" in response.text and 'lang="ar"' in response.text and "يحتوي الطلب" in response.text


def test_nul_in_a_form_field_is_refused_and_nothing_is_written(client, auth, db):
    auth.as_role("hr", center=None)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(JobTitle))
    response = client.post("/manage/staff/job-titles", data={"code": "NEW", "name_ar": "وظيفة\x00", "name_en": "Job"})
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(JobTitle)) == before


@pytest.fixture
def api_attempt(client, db):
    learner = factories.UserFactory()
    course = add_bank(factories.CourseFactory())
    progress.enroll(learner.id, course)
    attempt = attempts.start_attempt(learner.id, course)
    token, _record = issue_api_token(learner, timedelta(hours=1))
    return attempt, {"Authorization": f"Bearer {token}"}, learner


@pytest.mark.parametrize(("body", "code"), [
    ('{"answers": {"1": "a\\u0000b"}}', "invalid_character"),
    ('{"answers": {"1\\u0000": "a"}}', "invalid_character"),
    ('{"answers": {"1": "\\ud800"}}', "invalid_character"),
    ('{"answers": {"1": 1e400}}', "number_too_large"),
    ('{"answers": {"1": 1' + "0" * 400 + "}}", "number_too_large"),
    ('{"answers": {"1": NaN}}', "number_too_large"),
    ('{"answers": ' + "[" * 100_000 + "]" * 100_000 + "}", "json_too_deep"),
    ('{"a":' * 100_000 + "1" + "}" * 100_000, "json_too_deep"),
])
def test_json_the_app_cannot_store_is_a_json_400(client, api_attempt, body, code):
    attempt, headers, _learner = api_attempt
    response = client.put(f"/api/v1/attempts/{attempt.id}/answers", data=body, content_type="application/json",
                          headers=headers)
    assert response.status_code == 400
    assert response.json["error"]["code"] == code and response.json["error"]["message"]


def test_json_as_deep_as_the_limit_is_still_read(client, api_attempt):
    attempt, headers, _learner = api_attempt
    deep = "[" * (MAX_JSON_DEPTH - 2) + "]" * (MAX_JSON_DEPTH - 2)
    response = client.put(f"/api/v1/attempts/{attempt.id}/answers", data='{"answers": {"1": ' + deep + "}}",
                          content_type="application/json", headers=headers)
    assert response.status_code == 422  # read, then refused by the quiz's own rules: not a 400 at the edge


def test_brackets_inside_strings_do_not_count_as_depth(client, api_attempt):
    attempt, headers, _learner = api_attempt
    response = client.put(f"/api/v1/attempts/{attempt.id}/answers", json={"answers": {"1": "[" * 1000}},
                          headers=headers)
    assert response.status_code == 422


def test_deep_json_to_anonymous_token_route_and_autosave_is_a_400(client, auth, api_attempt):
    deep = "[" * 100_000 + "]" * 100_000
    response = client.post("/api/v1/tokens", data=deep, content_type="application/json")
    assert response.status_code == 400 and response.json["error"]["code"] == "json_too_deep"
    attempt, _headers, learner = api_attempt
    auth.login(learner)
    response = client.post(f"/quiz/attempts/{attempt.id}/answers", data=deep, content_type="application/json")
    assert response.status_code == 400 and response.json["error"]["code"] == "json_too_deep"


def test_malformed_json_is_still_the_views_to_answer(client, db):
    response = client.post("/api/v1/tokens", data="{oops", content_type="application/json")
    assert response.status_code == 400 and response.json["error"]["code"] == "bad_request"


@pytest.mark.parametrize("digit", ["²", "①", "2147483648"])
def test_report_filters_take_digits_int_cannot_read_as_bad_input(client, auth, digit):
    auth.as_role("hr", center=None)
    for url in (f"/manage/reports/matrix?page={digit}&district={digit}", f"/manage/staff/?center={digit}",
                f"/manage/certificates?course={digit}"):
        assert client.get(url).status_code == 200


def test_the_reports_api_refuses_a_superscript_page_size_with_json(client, db):
    token, _record = issue_api_token(factories.UserFactory(role="hr", center=None), timedelta(hours=1))
    response = client.get("/api/v1/reports/completions?per_page=²", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400 and response.json["error"]["code"] == "bad_parameters"


def test_a_path_position_or_validity_in_superscript_is_a_form_error(client, auth, db):
    auth.as_role("admin", center=None)
    course = factories.CourseFactory()
    data = {"slug": "p-one", "title_ar": "مسار", "title_en": "Path", "status": "draft", "validity_months": "²",
            f"position-{course.id}": "①"}
    response = client.post("/manage/paths/new", data=data)
    assert response.status_code == 200 and 'value="²"' in response.text


def test_quiz_page_buttons_in_superscript_do_not_fail(client, auth, api_attempt):
    attempt, _headers, learner = api_attempt
    auth.login(learner)
    response = client.post(f"/quiz/attempts/{attempt.id}", data={"question": ["²", "①"], "go": "²", "page": "①"})
    assert response.status_code == 302


def test_an_assignment_audience_of_ids_no_database_holds_is_a_form_error(client, auth, db):
    auth.as_role("hr", center=None)
    course = factories.CourseFactory()
    response = client.post("/manage/assignments/new", data={
        "target": f"course-{course.id}", "audience_type": "rule", "centers": [str(10**30)],
        "due_type": "days", "due_days": "30"})
    assert response.status_code == 200 and "aria-invalid" in response.text


@pytest.mark.no_db
def test_a_roster_csv_with_nul_characters_is_refused_as_a_file():
    content = csv_text(ENGLISH_HEADERS, [["1", "a\x00", "", "", "C", "", ""]]).encode()
    with pytest.raises(roster_files.RosterFileError, match="NUL"):
        roster_files.read_roster("r.csv", content)
