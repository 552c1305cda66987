"""Choosing a password follows lms.core.passwords everywhere; one-time passwords expire; an old weak password still
signs in and is then replaced."""
from datetime import UTC, datetime, timedelta

import pytest
from werkzeug.security import generate_password_hash

from lms.accounts.services import one_time_password_expiry, set_one_time_password
from lms.auth.services import OneTimePasswordExpired, authenticate
from lms.core.models import utcnow
from tests import factories
from tests.factories import PASSWORD

# A fixed instant: these tests never read today's date.
MADE_AT = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def _english(client):
    client.post("/language", data={"lang": "en"})


def _change(client, current, new, confirm=None):
    return client.post("/account/password", data={"current": current, "new": new, "confirm": confirm or new})


@pytest.mark.parametrize("new,message", [
    ("short one", "Use at least 12 characters."),
    ("password1234", "This is one of the most common passwords, or too close to one. Choose another."),
    ("mona.salem2024", "Do not build your password from your name, username or employee number."),
    (PASSWORD, "Choose a password other than your current one."),
])
def test_a_new_password_must_follow_the_rules(client, auth, db, new, message):
    user = auth.login(factories.UserFactory(username="mona.salem", full_name_latin="Mona Salem"))
    _english(client)
    response = _change(client, PASSWORD, new)
    assert response.status_code == 200 and message in response.text
    db.session.refresh(user)
    assert user.check_password(PASSWORD)  # nothing written


def test_the_one_time_password_is_never_the_new_password(app, client, db):
    user = factories.UserFactory(username="newcomer")
    one_time = set_one_time_password(user)
    db.session.commit()
    client.post("/login", data={"identifier": "newcomer", "password": one_time})
    _english(client)
    assert '>One-time password</label>' in client.get("/account/password").text  # what the slip calls it
    response = _change(client, one_time, one_time)
    assert "Choose a password other than the one-time password." in response.text
    assert "Choose your own password to continue." in client.get("/account/password").text
    client.get("/manifest.webmanifest")  # what the browser fetches by itself while the form is open
    done = _change(client, one_time, "lanterns by the nile 7")
    assert done.status_code == 302
    db.session.refresh(user)
    assert not user.must_change_password and user.one_time_password_expires_at is None
    # The next page says the password was changed, and no longer to choose one (a flash queued by the requests
    # made while it had to be changed stood there too).
    home = client.get(done.location).text
    assert "Your password has been changed." in home and "Choose your own password" not in home


def test_a_weak_password_still_signs_in_and_must_then_be_changed(client, db):
    user = factories.UserFactory(username="old.timer", password_hash=generate_password_hash("demo1234"))
    _english(client)
    signed_in = client.post("/login", data={"identifier": "old.timer", "password": "demo1234"})
    assert signed_in.status_code == 302
    db.session.refresh(user)
    assert user.must_change_password
    page = client.get("/courses", follow_redirects=True)
    assert page.request.path == "/account/password"
    assert "Your password no longer meets the rules: choose a new one to continue." in page.text
    api = client.post("/api/v1/tokens", json={"username": "old.timer", "password": "demo1234"})
    assert api.status_code == 403 and api.json["error"]["code"] == "password_change_required"
    assert _change(client, "demo1234", "lanterns by the nile 7").status_code == 302
    assert client.get("/courses").status_code == 200


def test_a_good_password_does_not_ask_for_a_change(client, db):
    user = factories.UserFactory(username="mona")
    assert client.post("/login", data={"identifier": "mona", "password": PASSWORD}).status_code == 302
    db.session.refresh(user)
    assert not user.must_change_password


def test_a_one_time_password_expires_after_the_configured_hours(app, db, monkeypatch):
    user = factories.UserFactory(username="newcomer", employee_number="5150")
    one_time = set_one_time_password(user, now=MADE_AT)
    db.session.commit()
    assert user.one_time_password_expires_at == MADE_AT + timedelta(hours=72) == one_time_password_expiry(MADE_AT)
    assert authenticate("٥١٥٠", one_time, now=MADE_AT + timedelta(hours=71, minutes=59)).id == user.id
    with pytest.raises(OneTimePasswordExpired):
        authenticate("newcomer", one_time, now=MADE_AT + timedelta(hours=72))
    # Only the right password learns that it expired; a wrong one fails like any other.
    assert authenticate("newcomer", "wrong password", now=MADE_AT + timedelta(hours=73)) is None
    monkeypatch.setitem(app.config, "LMS_ONE_TIME_PASSWORD_HOURS", 1)
    assert one_time_password_expiry(MADE_AT) == MADE_AT + timedelta(hours=1)


def test_an_expired_one_time_password_is_refused_with_a_clear_message(client, db):
    user = factories.UserFactory(username="newcomer")
    one_time = set_one_time_password(user, now=utcnow() - timedelta(hours=73))
    db.session.commit()
    _english(client)
    expired = client.post("/login", data={"identifier": "newcomer", "password": one_time})
    assert expired.status_code == 200 and "This one-time password has expired. Ask HR" in expired.text
    assert client.get("/").status_code == 302  # not signed in
    wrong = client.post("/login", data={"identifier": "newcomer", "password": "not the one"})
    assert "has expired" not in wrong.text and "The username or password is not correct." in wrong.text
    api = client.post("/api/v1/tokens", json={"username": "newcomer", "password": one_time})
    assert api.status_code == 403 and api.json["error"]["code"] == "one_time_password_expired"


def test_a_password_of_ones_own_never_expires(db):
    user = factories.UserFactory(username="newcomer")
    set_one_time_password(user, now=MADE_AT)
    user.set_password("lanterns by the nile 7")
    db.session.commit()
    assert authenticate("newcomer", "lanterns by the nile 7", now=MADE_AT + timedelta(days=400)).id == user.id


def test_before_choosing_a_password_the_browsers_own_requests_are_answered_not_redirected(client, auth, db):
    # The service worker's script was redirected to the password form on every page: the browser refuses a script
    # behind a redirect, and the console showed an error each time.
    auth.login(factories.UserFactory(must_change_password=True))
    worker = client.get("/sw.js")
    assert worker.status_code == 200 and worker.mimetype == "text/javascript"
    assert client.get("/manifest.webmanifest").status_code == 200
    assert client.get("/").headers["Location"].endswith("/account/password")  # the person's pages still wait
