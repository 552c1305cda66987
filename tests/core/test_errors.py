def test_404_page_is_translated_and_right_to_left(client, auth):
    auth.as_role("learner")
    response = client.get("/courses/no-such-course")
    assert response.status_code == 404
    assert '<html lang="ar" dir="rtl">' in response.text


def test_403_page_for_a_learner_on_an_admin_page(client, auth):
    auth.as_role("learner")
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert "<h1>" in response.text


def test_500_is_a_page_not_a_traceback(app, client, monkeypatch):
    from lms.progress import services

    def boom(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(services, "dashboard", boom)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    from tests.conftest import Auth

    Auth(client).as_role("learner")
    response = client.get("/")
    assert response.status_code == 500
    assert "Traceback" not in response.text and '<html lang="ar"' in response.text


def test_api_errors_are_json_never_html(client, app, monkeypatch):
    assert client.get("/api/v1/nothing-here").json["error"]["code"] == "not_found"
    response = client.delete("/api/v1/tokens")
    assert response.status_code == 405 and response.is_json


def test_a_405_says_which_methods_are_allowed(client):
    """RFC 9110: a 405 carries Allow, in the JSON API as on the pages (the error handlers used to drop it)."""
    api = client.delete("/api/v1/tokens")
    assert api.status_code == 405 and set(api.headers["Allow"].split(", ")) == {"POST", "OPTIONS"}
    page = client.put("/verify")
    assert page.status_code == 405 and "GET" in page.headers["Allow"] and page.mimetype == "text/html"
