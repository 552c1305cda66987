import pytest

from lms import create_app
from lms.config import ConfigError
from lms.extensions import db


@pytest.mark.no_db
def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("LMS_SECRET_KEY", raising=False)
    monkeypatch.setenv("LMS_ENV", "production")
    with pytest.raises(ConfigError, match="LMS_SECRET_KEY"):
        create_app()


@pytest.mark.no_db
def test_production_starts_with_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("LMS_ENV", "production")
    monkeypatch.setenv("LMS_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("LMS_ISSUER_KEY_PASSPHRASE", "p" * 40)
    monkeypatch.setenv("LMS_DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite3'}")
    app = create_app()
    assert app.config["SECRET_KEY"] == "s" * 40
    assert app.config["SESSION_COOKIE_SECURE"] is True


@pytest.mark.no_db
def test_limits_are_shared_by_the_workers_of_a_machine_without_redis(monkeypatch, tmp_path):
    from lms.core.throttle_storage import SQLiteStorage

    monkeypatch.setenv("LMS_ENV", "production")
    monkeypatch.setenv("LMS_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("LMS_ISSUER_KEY_PASSPHRASE", "p" * 40)
    monkeypatch.delenv("LMS_RATELIMIT_STORAGE_URL", raising=False)
    app = create_app()
    storage = app.extensions["lms_throttle"].storage
    assert isinstance(storage, SQLiteStorage) and storage.path == f"{app.instance_path}/rate-limits.sqlite3"
    monkeypatch.setenv("LMS_RATELIMIT_STORAGE_URL", f"sqlite:///{tmp_path / 'limits.sqlite3'}")
    assert create_app().extensions["lms_throttle"].storage.path == str(tmp_path / "limits.sqlite3")


@pytest.mark.no_db
def test_unknown_mode_is_refused(monkeypatch):
    monkeypatch.setenv("LMS_ENV", "staging")
    with pytest.raises(ConfigError):
        create_app()


def test_health_check_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_health_check_says_503_when_the_database_does_not(client, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("database is down")

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable"}


def test_favicon_ico_leads_to_the_apps_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response.location.startswith("/static/favicon.svg?v=")
    with client.get(response.location) as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
