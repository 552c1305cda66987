"""GET /api/v1/reports/completions: scoped like the screens, filtered, paginated, 400 on bad parameters."""
from datetime import timedelta

from lms.auth.services import issue_api_token
from tests import factories


def _headers(user):
    return {"Authorization": f"Bearer {issue_api_token(user, timedelta(hours=1))[0]}"}


def _get(client, user, query=""):
    return client.get(f"/api/v1/reports/completions{query}", headers=_headers(user))


def test_hr_of_a_governorate_gets_its_completions(org, clock, client):
    hr = factories.UserFactory(role="hr", scope_governorate_id=org.qalyubia.id)
    body = _get(client, hr).json
    assert body["total"] == 9
    assert {row["center"] for row in body["completions"]} == {"QLY-BNH", "QLY-SHB"}
    row = next(r for r in body["completions"] if r["employee_number"] == org.clerks["QLY-BNH"][0].employee_number
               and r["course"] == "serving-citizens")
    assert row["status"] == "completed" and row["best_score"] == 85 and row["job_title"] == "CLERK"
    assert row["name"]["ar"] == org.clerks["QLY-BNH"][0].full_name_ar
    assert row["due_at"].startswith("2026-03-31")


def test_center_manager_gets_only_their_center(org, clock, client):
    manager = factories.UserFactory(role="center_manager", center=org.giza)
    body = _get(client, manager, "?per_page=500").json
    assert body["total"] == 2 and {r["center"] for r in body["completions"]} == {"GIZ-DOK"}
    assert _get(client, manager, "?center=QLY-BNH").json["total"] == 0


def test_filters_and_pages(org, clock, client):
    admin = factories.UserFactory(role="admin")
    overdue = _get(client, admin, "?status=overdue&course=serving-citizens").json
    assert overdue["total"] == 5 and {r["status"] for r in overdue["completions"]} == {"overdue"}
    first = _get(client, admin, "?per_page=٤&page=1").json
    second = _get(client, admin, "?per_page=4&page=2").json
    assert first["total"] == 11 and len(first["completions"]) == 4 and len(second["completions"]) == 4
    assert not {(r["employee_number"], r["course"]) for r in first["completions"]} & {
        (r["employee_number"], r["course"]) for r in second["completions"]}


def test_bad_parameters_are_a_400_json(org, client):
    admin = factories.UserFactory(role="admin")
    for query in ("?per_page=501", "?per_page=0", "?page=-1", "?status=late", "?since=2026-13-01", "?dates=x",
                  "?page=99999999999999999999", "?district=1e3"):
        response = _get(client, admin, query)
        assert response.status_code == 400, query
        assert response.json["error"]["code"] == "bad_parameters"
        assert response.json["error"]["fields"][0]["field"] in query


def test_learners_and_strangers_are_refused(org, client):
    learner = org.clerks["QLY-BNH"][0]
    assert _get(client, learner).status_code == 403
    assert client.get("/api/v1/reports/completions").status_code == 401


def test_numbers_that_only_look_like_digits_are_a_400_not_a_500(org, client):
    """"²" passes str.isdigit() but not int(): found by schemathesis."""
    admin = factories.UserFactory(role="admin")
    for query in ("?per_page=²", "?page=²", "?district=²", "?per_page=①"):
        response = _get(client, admin, query)
        assert response.status_code == 400, query
        assert response.json["error"]["fields"][0]["field"] in query
    assert _get(client, admin, "?per_page=৩").json["per_page"] == 3  # a real decimal digit, as sign-in reads it


def test_an_empty_number_date_or_choice_is_a_400(org, client):
    admin = factories.UserFactory(role="admin")
    for name in ("district", "status", "dates", "since", "until", "page", "per_page"):
        response = _get(client, admin, f"?{name}=")
        assert response.status_code == 400 and response.json["error"]["fields"][0]["field"] == name, name
    assert _get(client, admin, "?center=&course=&sort=").status_code == 200  # texts: empty is any


def test_the_first_and_last_days_a_date_can_hold_are_bounds_like_any_other(org, clock, client):
    """Year 1 in Cairo is before year 1 in UTC, and the day after 9999-12-31 does not exist: they used to fail."""
    admin = factories.UserFactory(role="admin")
    everything = _get(client, admin, "?dates=completed&since=0001-01-01&until=9999-12-31")
    assert everything.status_code == 200
    assert everything.json["total"] == _get(client, admin, "?dates=completed&since=2000-01-01").json["total"]
