"""Fixtures: one app and schema per run, every test inside a transaction that is rolled back."""
import contextvars
import os
import shutil
import tempfile
import threading
from datetime import timedelta
from pathlib import Path

# Each run its own instance folder (the demo seal and secrets, the jobs' SQLite file), which the servers it starts
# inherit: runs side by side (make test), one of them a year ahead, must not share one, nor write into the
# checkout. Set before lms is imported: lms.core.jobs reads it then.
os.environ["LMS_INSTANCE_PATH"] = tempfile.mkdtemp(prefix="lms-test-instance-")

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy.engine import make_url

from lms import create_app
from lms.auth.services import start_login_session
from lms.extensions import db as _db
from tests import factories

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def pytest_unconfigure(config):
    """Cancel the timers still waiting (the in-memory rate-limit storage arms one to expire its counters) so that
    the interpreter exits at once instead of waiting for them (tests/future_clock/sitecustomize.py tells what a
    faked clock did to such waits)."""
    for thread in threading.enumerate():
        if isinstance(thread, threading.Timer):
            thread.cancel()
    shutil.rmtree(os.environ.pop("LMS_INSTANCE_PATH", ""), ignore_errors=True)


def database_url(tmp_dir: Path, name: str = "test") -> str:
    """LMS_TEST_DATABASE_URL (PostgreSQL) when set, else a fresh SQLite file; a named database per use."""
    url = os.environ.get("LMS_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_dir / (name + '.sqlite3')}"
    parsed = make_url(url)
    parsed = parsed.set(database=f"{parsed.database}_{name}" if name != "test" else parsed.database)
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    return parsed.render_as_string(hide_password=False)


class IsolatedClient(FlaskClient):
    """Each request gets its own app context, as in production, even while a test holds one open.

    Otherwise Flask reuses the test's context: `g` (the signed-in user, the locale) would leak between requests.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


def make_app(url: str, **extra):
    app = create_app({"LMS_ENV": "test", "TESTING": True, "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": False,
                      "LMS_ISSUER_KEY_PASSPHRASE": "test-passphrase",
                      "LMS_SIGN_IN_LIMITS": "10000 per minute", "LMS_VERIFY_LIMITS": "10000 per minute",
                      "LMS_ACCOUNT_FAILURE_LIMITS": "10000 per minute",
                      "LMS_ADDRESS_FAILURE_LIMITS": "10000 per minute",
                      "LMS_RATELIMIT_STORAGE_URI": "memory://",
                      "LMS_JOBS_IMMEDIATE": True, "LMS_REPORTS_FRESH_MINUTES": 0,
                      "SQLALCHEMY_DATABASE_URI": url, **extra})
    app.test_client_class = IsolatedClient
    return app


def run_in_threads(app, work, workers: int = 8) -> list[str]:
    """Run `work(n)` in `workers` threads released at the same instant; the errors they raised, as text."""
    errors, barrier = [], threading.Barrier(workers)

    def target(n):
        with app.app_context():
            try:
                barrier.wait()
                work(n)
            except Exception as error:  # collected and asserted on by the caller
                errors.append(repr(error))
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=target, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    app = make_app(database_url(tmp_path_factory.mktemp("db")))
    with app.app_context():
        _db.create_all()
    yield app
    with app.app_context():
        _db.engine.dispose()


class _TestSession(FlaskSession):
    """Flask-SQLAlchemy's session picks an engine per table; here every statement goes to the test's connection."""

    def get_bind(self, *args, **kwargs):
        return self.bind


@pytest.fixture(autouse=True)
def db(request, app):
    """Everything a test writes, services' commits included, is rolled back at its end."""
    if "no_db" in request.keywords:
        yield None
        return
    with app.app_context():
        connection = _db.engine.connect()
        if connection.dialect.name == "postgresql":  # the app reads in autocommit; a test needs a real transaction
            connection.execution_options(isolation_level="READ COMMITTED")
        transaction = connection.begin()
        original = _db.session
        _db.session = _db._make_scoped_session(
            {"class_": _TestSession, "bind": connection, "join_transaction_mode": "create_savepoint",
             "expire_on_commit": False})
        try:
            yield _db
        finally:
            _db.session.remove()
            _db.session = original
            transaction.rollback()
            connection.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Auth:
    """Signs the test client in as a user without going through the password form (that has its own tests)."""

    def __init__(self, client):
        self.client = client

    def login(self, user):
        token = start_login_session(user, timedelta(hours=1))
        with self.client.session_transaction() as session:
            session["sid"] = token
            session["_user_id"] = str(user.id)
            session["_fresh"] = True
        return user

    def as_role(self, role: str, **kwargs):
        return self.login(factories.UserFactory(role=role, **kwargs))


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture(params=["learner", "center_manager", "trainer", "hr", "admin"])
def any_role(request):
    return request.param


@pytest.fixture
def as_learner(auth):
    """The test client signed in as a learner (the user is returned)."""
    return auth.as_role("learner")


@pytest.fixture
def as_trainer(auth):
    return auth.as_role("trainer")


@pytest.fixture
def as_hr(auth):
    return auth.as_role("hr")


@pytest.fixture
def as_admin(auth):
    return auth.as_role("admin")


@pytest.fixture
def as_center_manager(auth):
    """Signed in as the manager of a technology center of their own (user.center)."""
    return auth.as_role("center_manager")
