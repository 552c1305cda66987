"""Sign-in limits count the account actually targeted, whatever digits its identifier is typed in, and slow an
attack on one account down from any number of addresses without locking its holder out."""
from datetime import UTC, datetime

import pytest
from limits.strategies import MovingWindowRateLimiter

from lms.core.throttle_storage import SQLiteStorage
from tests import factories
from tests.factories import PASSWORD


class Clock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def limits(app, monkeypatch, tmp_path):
    """The app counts in a fresh SQLite file whose clock the test moves; returns (set_limits, clock)."""
    storage = SQLiteStorage(f"sqlite:///{tmp_path / 'limits.sqlite3'}")
    storage.clock = clock = Clock()
    monkeypatch.setitem(app.extensions, "lms_throttle", MovingWindowRateLimiter(storage))

    def set_limits(attempts="10000 per minute", account_failures="10000 per minute",
                   address_failures="10000 per minute"):
        monkeypatch.setitem(app.config, "LMS_SIGN_IN_LIMITS", attempts)
        monkeypatch.setitem(app.config, "LMS_ACCOUNT_FAILURE_LIMITS", account_failures)
        monkeypatch.setitem(app.config, "LMS_ADDRESS_FAILURE_LIMITS", address_failures)

    yield set_limits, clock
    storage.close()


WRONG = "wrong password"


def _login(client, identifier, password=WRONG, address="10.0.0.1"):
    return client.post("/login", data={"identifier": identifier, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def _token(client, username, password=WRONG, address="10.0.0.1"):
    return client.post("/api/v1/tokens", json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


# ASCII, Arabic-Indic, Persian, mixed, and with spaces: 3**5 spellings of one number, one account.
SPELLINGS = ["12345", "١٢٣٤٥", "۱۲۳۴۵", "1٢۳4٥", " ١٢٣٤٥ "]


def test_every_spelling_of_an_employee_number_spends_one_budget(client, limits, db):
    set_limits, _clock = limits
    factories.UserFactory(employee_number="12345")
    set_limits(attempts="5 per minute")
    assert [_login(client, spelling).status_code for spelling in SPELLINGS] == [200] * 5
    assert _login(client, "١٢٣٤٥").status_code == 429
    assert _token(client, "۱۲۳۴۵").status_code == 429  # the API is a sign-in too
    assert _login(client, "12346").status_code == 200  # another account from the same desk


def test_the_username_and_the_employee_number_of_one_account_share_a_budget(client, limits, db):
    set_limits, _clock = limits
    factories.UserFactory(username="mona", employee_number="777")
    set_limits(attempts="2 per minute")
    assert _login(client, "MONA").status_code == 200
    assert _login(client, "٧٧٧").status_code == 200
    assert _login(client, "mona").status_code == 429


def test_spellings_of_an_unknown_name_share_a_budget_too(client, limits, db):
    set_limits, _clock = limits
    set_limits(attempts="2 per minute")
    assert _login(client, "٩٩٩٩").status_code == 200
    assert _login(client, "۹۹۹۹").status_code == 200
    assert _login(client, " 9999").status_code == 429


def test_failures_on_one_account_are_limited_whatever_the_address(client, limits, db):
    set_limits, _clock = limits
    factories.UserFactory(username="mona", employee_number="12345")
    set_limits(account_failures="3 per hour")
    for n, spelling in enumerate(["mona", "12345", "١٢٣٤٥"]):
        assert _login(client, spelling, address=f"10.0.0.{n}").status_code == 200
    refused = _login(client, "mona", PASSWORD, address="10.9.9.9")  # even the right password is not checked now
    assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= 3600
    api = _token(client, "۱۲۳۴۵", PASSWORD, address="10.9.9.8")
    assert api.status_code == 429 and api.json["error"]["code"] == "too_many_requests"
    assert api.headers["Retry-After"]
    factories.UserFactory(username="omar")
    assert _login(client, "omar", PASSWORD, address="10.9.9.9").status_code == 302  # only that account waits


def test_only_failures_count_against_the_account(client, limits, db):
    set_limits, _clock = limits
    factories.UserFactory(username="mona")
    set_limits(account_failures="2 per hour")
    for _ in range(5):
        assert _login(client, "mona", PASSWORD).status_code == 302
        client.post("/logout")
    assert _login(client, "mona").status_code == 200
    assert _token(client, "mona", PASSWORD).status_code == 201
    assert _token(client, "mona").status_code == 401
    assert _login(client, "mona", PASSWORD).status_code == 429


def test_the_holder_gets_back_in_once_the_oldest_failures_age_out(client, limits, db):
    """A slow-down, not a lock-out: no one has to lift anything."""
    set_limits, clock = limits
    factories.UserFactory(username="mona")
    set_limits(account_failures="2 per minute; 100 per hour")
    _login(client, "mona", address="10.0.0.1")
    clock.now += 10
    _login(client, "mona", address="10.0.0.2")
    refused = _login(client, "mona", PASSWORD)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "50"
    clock.now += 50
    assert _login(client, "mona", PASSWORD).status_code == 302


def test_the_refusal_page_says_at_what_time_to_try_again(client, limits, db, time_machine):
    set_limits, _clock = limits
    factories.UserFactory(username="mona")
    set_limits(account_failures="1 per hour")
    time_machine.move_to(datetime(2026, 12, 4, 9, 0, tzinfo=UTC), tick=False)  # 11:00 in Cairo
    _login(client, "mona")
    refused = _login(client, "mona", PASSWORD)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "3600"
    assert "يمكنك المحاولة مرة أخرى في الساعة ١٢:٠٠" in refused.text  # an hour on, in the governorate's time


def test_failures_from_one_address_over_many_accounts_are_limited(client, limits, db):
    set_limits, _clock = limits
    set_limits(address_failures="3 per hour")
    for name in ("anna", "badr", "camelia"):
        assert _login(client, name, address="10.0.0.7").status_code == 200
    assert _login(client, "dina", address="10.0.0.7").status_code == 429
    factories.UserFactory(username="mona")
    assert _login(client, "mona", PASSWORD, address="10.0.0.8").status_code == 302  # another address


def test_the_error_page_of_a_refused_sign_in_is_translated(client, limits, db):
    set_limits, _clock = limits
    set_limits(account_failures="1 per hour")
    _login(client, "mona")
    refused = _login(client, "mona")
    assert refused.status_code == 429 and "يُرجى الانتظار" in refused.text
