"""A writer that cannot get the database's write lock in time answers a translated 503 with Retry-After, never a
500; other database errors stay 500s."""
import sqlite3
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from lms.accounts.services import create_user
from lms.auth.models import ApiToken, LoginSession
from lms.extensions import db
from tests.conftest import database_url, make_app

pytestmark = pytest.mark.no_db
PASSWORD = "a learner's password"


@pytest.fixture
def busy_app(tmp_path):
    """An app whose writers give up quickly: 50 ms on SQLite (busy timeout), 100 ms on PostgreSQL (lock_timeout)."""
    url = database_url(tmp_path, "busy")
    app = make_app(url, LMS_SQLITE_BUSY_TIMEOUT_MS=50, SQLALCHEMY_ENGINE_OPTIONS={
        "pool_pre_ping": True, **({"connect_args": {"options": "-c lock_timeout=100"}}
                                  if url.startswith("postgresql") else {})})
    with app.app_context():
        db.create_all()
        create_user({"username": "learner", "full_name_ar": "متدرب", "full_name_latin": "Learner"}, PASSWORD)
    yield app
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


@contextmanager
def another_writer_holds_the_lock(app):
    """SQLite: another connection in BEGIN IMMEDIATE. PostgreSQL: another transaction that keeps everyone from
    adding sign-ins and API tokens (reading them stays possible)."""
    with app.app_context():
        url = db.engine.url
    if url.get_backend_name() == "sqlite":
        holder = sqlite3.connect(Path(url.database), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    engine = sa.create_engine(url)
    with engine.connect() as holder:
        holder.exec_driver_sql("LOCK TABLE login_sessions, api_tokens IN SHARE MODE")
        try:
            yield
        finally:
            holder.rollback()
    engine.dispose()


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_sign_in_that_cannot_get_the_lock_answers_a_translated_503_and_saves_nothing(busy_app):
    client = busy_app.test_client()
    with another_writer_holds_the_lock(busy_app):
        response = client.post("/login", data={"identifier": "learner", "password": PASSWORD})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert '<html lang="ar" dir="rtl">' in response.text
    assert "النظام مشغول بحفظ تغييرات أخرى" in response.text
    assert _count(busy_app, LoginSession) == 0
    # The lock released, the same sign-in goes through.
    assert client.post("/login", data={"identifier": "learner", "password": PASSWORD}).status_code == 302


def test_an_api_writer_that_cannot_get_the_lock_answers_json_503(busy_app):
    client = busy_app.test_client()
    with another_writer_holds_the_lock(busy_app):
        response = client.post("/api/v1/tokens", json={"username": "learner", "password": PASSWORD})
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert response.json["error"]["code"] == "busy" and response.json["error"]["message"]
    assert _count(busy_app, ApiToken) == 0


def test_a_pages_script_that_cannot_get_the_lock_gets_json_too(busy_app):
    """The quiz page's autosave posts JSON outside /api: it is answered in JSON, to retry after Retry-After."""
    from lms.core.db import begin_write
    from lms.core.security import public

    @busy_app.post("/_test/autosave")
    @public
    def autosave():
        begin_write()
        db.session.execute(sa.delete(LoginSession).where(LoginSession.user_id == -1))  # a write to a locked table
        db.session.commit()
        return {"saved": True}

    client = busy_app.test_client()
    with another_writer_holds_the_lock(busy_app):
        response = client.post("/_test/autosave", json={"answers": {}})
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert response.json["error"]["code"] == "busy"


def test_other_database_errors_are_still_500s(app, client, monkeypatch):
    from lms.api import routes

    def broken(*_args, **_kwargs):
        raise sa.exc.OperationalError("SELECT 1", {}, sqlite3.OperationalError("disk I/O error"))

    monkeypatch.setattr(routes, "authenticate", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.post("/api/v1/tokens", json={"username": "learner", "password": PASSWORD})
    assert response.status_code == 500 and "Retry-After" not in response.headers


def test_the_busy_timeout_is_a_setting(busy_app):
    with busy_app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("the busy timeout is SQLite's")
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 50
