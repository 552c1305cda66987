"""Write transactions under several workers: no "database is locked" on SQLite, one row per race."""
import pytest
import sqlalchemy as sa

from lms.accounts.models import User
from lms.courses.models import Course, CourseStatus, Module
from lms.extensions import db
from lms.progress import services
from lms.progress.models import Enrollment, ModuleCompletion
from tests.conftest import database_url, make_app, run_in_threads

WORKERS = 8


@pytest.fixture
def committed_app(tmp_path):
    """An app whose writes really commit (threads cannot share the rolled-back test transaction)."""
    app = make_app(database_url(tmp_path, "concurrency"))
    with app.app_context():
        db.create_all()
        course = Course(slug="race", title_ar="سباق", title_en="Race", status=CourseStatus.PUBLISHED, module_count=3,
                        modules=[Module(position=p, file_name=f"{p}.md", title_ar="و", title_en="M")
                                 for p in (1, 2, 3)])
        db.session.add(course)
        db.session.add_all(User(username=f"u{n}", full_name_ar="م", full_name_latin="M") for n in range(WORKERS))
        db.session.commit()
    yield app
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def _run_in_threads(app, work):
    return run_in_threads(app, work, WORKERS)


@pytest.mark.no_db
def test_parallel_learners_never_hit_database_is_locked(committed_app):
    def work(n):
        user = db.session.scalar(sa.select(User).where(User.username == f"u{n}"))
        course = db.session.scalar(sa.select(Course).where(Course.slug == "race"))
        services.enroll(user.id, course)
        for position in (1, 2, 3):
            services.complete_module(user.id, course, position)

    assert _run_in_threads(committed_app, work) == []
    with committed_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ModuleCompletion)) == WORKERS * 3
        assert db.session.scalar(sa.select(sa.func.count(Enrollment.completed_at))) == WORKERS


@pytest.mark.no_db
def test_the_same_learner_racing_with_themself_gets_one_row(committed_app):
    def work(n):
        user = db.session.scalar(sa.select(User).where(User.username == "u0"))
        course = db.session.scalar(sa.select(Course).where(Course.slug == "race"))
        services.enroll(user.id, course)
        services.complete_module(user.id, course, 1)

    assert _run_in_threads(committed_app, work) == []
    with committed_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Enrollment)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ModuleCompletion)) == 1


@pytest.mark.no_db
def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(committed_app):
    with committed_app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite pragmas only apply to SQLite")
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


@pytest.mark.no_db
def test_one_learner_finishing_the_last_modules_in_parallel_completes_the_course(committed_app):
    with committed_app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "u0"))
        course = db.session.scalar(sa.select(Course).where(Course.slug == "race"))
        services.enroll(user.id, course)
        services.complete_module(user.id, course, 1)

    def work(n):
        user = db.session.scalar(sa.select(User).where(User.username == "u0"))
        course = db.session.scalar(sa.select(Course).where(Course.slug == "race"))
        services.complete_module(user.id, course, 2 + n % 2)

    assert _run_in_threads(committed_app, work) == []
    with committed_app.app_context():
        assert db.session.scalar(sa.select(Enrollment.completed_at)) is not None


def test_a_read_only_request_transaction_ends_with_commit(app, db):
    from lms.core.db import _end_read_transaction

    db.session.scalar(sa.select(User.id).limit(1))
    assert db.session().in_transaction()
    _end_read_transaction(None)
    assert not db.session().in_transaction()


def test_teardown_never_commits_a_write_that_no_use_case_committed(app, db):
    from lms.core.db import _end_read_transaction
    from tests import factories

    user = factories.UserFactory(full_name_latin="Before")
    user.full_name_latin = "After"
    db.session.flush()  # e.g. autoflush before a validation error
    _end_read_transaction(None)
    db.session.rollback()
    assert db.session.get(User, user.id).full_name_latin == "Before"


@pytest.mark.no_db
def test_postgresql_pages_read_in_autocommit_and_use_cases_write_in_a_transaction(committed_app):
    from lms.core.db import begin_write

    with committed_app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("autocommit reads are a PostgreSQL setting")
        db.session.scalar(sa.select(User.id).limit(1))
        assert db.session.connection().connection.dbapi_connection.autocommit is True
        begin_write()
        assert db.session.connection().connection.dbapi_connection.autocommit is False
        db.session.rollback()
