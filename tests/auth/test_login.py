import re
from datetime import timedelta

import pytest
from werkzeug.security import generate_password_hash

from lms.accounts.services import one_time_password
from lms.auth.models import LoginSession
from lms.core.models import utcnow
from tests import factories
from tests.factories import PASSWORD

GENERIC_ERROR = "The username or password is not correct."


def _login(client, identifier, password=PASSWORD, **extra):
    return client.post("/login", data={"identifier": identifier, "password": password, **extra})


def test_sign_in_by_username(client):
    factories.UserFactory(username="mona")
    response = _login(client, "mona")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200


def test_sign_in_by_employee_number_typed_with_arabic_indic_digits(client):
    factories.UserFactory(employee_number="12345")
    response = _login(client, "١٢٣٤٥")
    assert response.status_code == 302


def test_username_is_not_case_sensitive(client):
    factories.UserFactory(username="mona")
    assert _login(client, "  MONA ").status_code == 302


@pytest.mark.parametrize("identifier,password,active", [
    ("nobody", PASSWORD, True),       # unknown user
    ("mona", "wrong password", True),  # wrong password
    ("mona", PASSWORD, False),         # inactive account
])
def test_every_failure_gives_the_same_message(client, identifier, password, active):
    factories.UserFactory(username="mona", is_active=active)
    client.post("/language", data={"lang": "en"})
    response = _login(client, identifier, password)
    assert response.status_code == 200
    assert GENERIC_ERROR in response.text
    assert client.get("/").status_code == 302  # still signed out


def test_next_parameter_cannot_redirect_to_another_site(client):
    factories.UserFactory(username="mona")
    assert _login(client, "mona", next="https://evil.example/").headers["Location"] == "/"
    client.post("/logout")
    assert _login(client, "mona", next="//evil.example/").headers["Location"] == "/"
    client.post("/logout")
    assert _login(client, "mona", next="/courses").headers["Location"] == "/courses"


def test_session_is_renewed_at_sign_in(client):
    factories.UserFactory(username="mona")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    _login(client, "mona")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["sid"]


def test_sign_out_really_ends_the_session(client, app, db):
    user = factories.UserFactory(username="mona")
    _login(client, "mona")
    stolen = client.get_cookie("session").value
    client.post("/logout")
    assert db.session.query(LoginSession).filter_by(user_id=user.id).count() == 0
    # Replaying the cookie captured before signing out no longer works.
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert replay.get("/").status_code == 302


def test_deactivating_a_user_ends_their_sessions(client, db):
    from lms.accounts.services import update_user

    user = factories.UserFactory(username="mona")
    _login(client, "mona")
    update_user(user.id, {"is_active": False})
    assert client.get("/").status_code == 302


def test_forms_are_refused_without_a_csrf_token(client, app):
    factories.UserFactory(username="mona")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert _login(client, "mona").status_code == 400
        page = client.get("/login").text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        assert _login(client, "mona", csrf_token=token).status_code == 302
        assert client.post("/logout").status_code == 400  # no token: still signed in
        assert client.get("/").status_code == 200
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_passwords_are_stored_hashed_with_argon2id_at_owasps_parameters(db):
    user = factories.UserFactory()
    user.set_password("a new password")
    assert user.password_hash.startswith("$argon2id$v=19$m=12288,t=3,p=1$")
    assert "a new password" not in user.password_hash
    assert user.check_password("a new password") and not user.check_password("a new passworD")


def test_an_older_scrypt_hash_signs_in_and_is_replaced_by_argon2id_once(client, db):
    old = generate_password_hash("lanterns by the nile 7", method="scrypt")
    user = factories.UserFactory(username="old.hash", password_hash=old)
    assert _login(client, "old.hash", password="wrong lanterns 7").status_code == 200
    db.session.refresh(user)
    assert user.password_hash == old  # a wrong password changes nothing
    assert _login(client, "old.hash", password="lanterns by the nile 7").status_code == 302
    db.session.refresh(user)
    assert user.password_hash.startswith("$argon2id$") and user.check_password("lanterns by the nile 7")
    replaced = user.password_hash
    client.post("/logout")
    assert _login(client, "old.hash", password="lanterns by the nile 7").status_code == 302
    db.session.refresh(user)
    assert user.password_hash == replaced


def test_a_one_time_passwords_cheap_hash_is_not_replaced_at_sign_in(client, db):
    password, columns = one_time_password(utcnow() + timedelta(days=3))
    user = factories.UserFactory(username="new.joiner", **columns)
    assert _login(client, "new.joiner", password=password).status_code == 302
    db.session.refresh(user)
    assert user.password_hash == columns["password_hash"] and user.must_change_password


def test_changing_ones_password_signs_out_other_devices(app, client, db):
    from lms.auth.models import ApiToken

    user = factories.UserFactory(username="mona")
    other_device = app.test_client()
    _login(other_device, "mona")
    _login(client, "mona")
    client.post("/api/v1/tokens", json={"username": "mona", "password": PASSWORD})
    client.post("/language", data={"lang": "en"})
    wrong = client.post("/account/password", data={"current": "nope", "new": "new password 1",
                                                     "confirm": "new password 1"})
    assert "The current password is not correct." in wrong.text
    response = client.post("/account/password", data={"current": PASSWORD, "new": "new password 1",
                                                        "confirm": "new password 1"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200          # this browser stays signed in
    assert other_device.get("/").status_code == 302    # the other one is signed out
    assert db.session.query(ApiToken).filter_by(user_id=user.id).count() == 0
    db.session.refresh(user)
    assert user.check_password("new password 1")


def test_new_passwords_must_match(client, as_learner):
    response = client.post("/account/password", data={"current": PASSWORD, "new": "new password 1",
                                                       "confirm": "new password 2"})
    assert response.status_code == 200 and 'aria-invalid="true"' in response.text


def test_sign_in_attempts_are_rate_limited_per_address_and_account(app, client, monkeypatch):
    from lms.core import throttle

    factories.UserFactory(username="mona")
    monkeypatch.setitem(app.config, "LMS_SIGN_IN_LIMITS", "10 per minute")
    throttle.reset()
    try:
        statuses = [_login(client, "mona", "wrong").status_code for _ in range(11)]
        assert statuses[:10] == [200] * 10 and statuses[10] == 429
        assert _login(client, "someone-else", "wrong").status_code == 200  # another account from the same desk
        api = client.post("/api/v1/tokens", json={"username": "mona", "password": "wrong"})
        assert api.status_code == 429 and api.json["error"]["code"] == "too_many_requests"
    finally:
        throttle.reset()


def test_a_429_says_when_to_try_again(app, client, monkeypatch):
    """Retry-After (seconds until the oldest attempt leaves the window), as the OpenAPI document promises."""
    from lms.api.routes import _openapi_document
    from lms.core import throttle

    monkeypatch.setitem(app.config, "LMS_SIGN_IN_LIMITS", "2 per minute")
    throttle.reset()
    try:
        answers = [client.post("/api/v1/tokens", json={"username": "x", "password": "y"}) for _ in range(3)]
        assert [a.status_code for a in answers] == [401, 401, 429]
        assert 1 <= int(answers[2].headers["Retry-After"]) <= 60
        assert "Retry-After" not in answers[0].headers
    finally:
        throttle.reset()
    documented = _openapi_document()["paths"]["/tokens"]["post"]["responses"]["429"]
    assert documented == {"$ref": "#/components/responses/TooManyRequests"}
    headers = _openapi_document()["components"]["responses"]["TooManyRequests"]["headers"]
    assert headers["Retry-After"]["required"] is True
