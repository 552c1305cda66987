from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from lms.extensions import db
from tests.conftest import database_url, make_app


@pytest.mark.no_db
def test_upgrade_on_an_empty_database_gives_the_models_schema(tmp_path):
    app = make_app(database_url(tmp_path, "migrations"))
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert differences == []


@pytest.mark.no_db
def test_the_quiz_log_moves_into_the_course_log_and_marks_its_web_edits(tmp_path):
    """i13: quiz_audit_entries' rows become course_log_entries' (ids kept, new ones after them); a course whose
    quiz was edited on the web counts as edited, so the next import from changed files will not overwrite it."""
    app = make_app(database_url(tmp_path, "migrations_log"))
    now = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
    with app.app_context():
        upgrade(revision="5d1e8a3c7b92")
        with db.engine.begin() as connection:
            for course_id, slug in ((1, "edited"), (2, "regraded")):
                connection.execute(sa.text(
                    "INSERT INTO courses (id, slug, title_ar, title_en, summary_ar, summary_en, status, "
                    "estimated_minutes, quiz_settings, certificate_settings, module_count, created_at, updated_at) "
                    "VALUES (:id, :slug, 't', 't', '', '', 'draft', 0, '{}', '{}', 0, :now, :now)"),
                    {"id": course_id, "slug": slug, "now": now})
            connection.execute(sa.text(
                "INSERT INTO quiz_audit_entries (id, course_id, action, details, created_at) VALUES "
                "(7, 1, 'settings', '{}', :now), (8, 2, 'regrade', '{}', :now)"), {"now": now})
        upgrade()
        with db.engine.begin() as connection:
            rows = connection.execute(sa.text("SELECT id, course_id, action FROM course_log_entries ORDER BY id"))
            assert [tuple(r) for r in rows] == [(7, 1, "settings"), (8, 2, "regrade")]
            edited = dict(connection.execute(sa.text("SELECT slug, is_edited_on_web FROM courses")).all())
            assert edited == {"edited": True, "regraded": False}
            connection.execute(sa.text("INSERT INTO course_log_entries (course_id, action, details, created_at) "
                                       "VALUES (1, 'files', '{}', :now)"), {"now": now})
            assert connection.scalar(sa.text("SELECT MAX(id) FROM course_log_entries")) == 9
        downgrade(revision="5d1e8a3c7b92")
        with db.engine.begin() as connection:
            assert connection.scalar(sa.text("SELECT COUNT(*) FROM quiz_audit_entries")) == 2
        db.engine.dispose()


def _filler(column: sa.Column, n: int):
    """A value for a required column of a row written before a migration: unique where it must be."""
    kind = column.type.python_type if not isinstance(column.type, sa.JSON) else dict
    if kind is bool:
        return False
    if kind is int:
        return n
    if kind is float:
        return 0.0
    if kind is dict:
        return {}
    if kind is datetime:
        return datetime(2026, 1, 1, tzinfo=UTC)
    if kind is bytes:
        return b""
    return f"v{n}"


def _insert(connection, table: sa.Table, n: int, **values) -> None:
    required = {c.name: _filler(c, n) for c in table.columns
                if not c.nullable and c.server_default is None and not c.primary_key}
    connection.execute(table.insert().values(**{**required, "id": n, **values}))


@pytest.mark.no_db
def test_a_batch_handed_over_before_keeps_its_hand_over_on_each_certificate(tmp_path):
    """Before the hand-over was recorded per certificate, a batch recorded it once: its items get it."""
    app = make_app(database_url(tmp_path, "handover"))
    with app.app_context():
        upgrade(revision="5d1e8a3c7b92")
        tables = sa.MetaData()
        tables.reflect(db.engine)
        at = datetime(2026, 3, 1, 9, tzinfo=UTC)
        with db.engine.begin() as connection:
            _insert(connection, tables.tables["governorates"], 1)
            _insert(connection, tables.tables["centers"], 1, governorate_id=1, kind="fixed")
            _insert(connection, tables.tables["users"], 1, center_id=1, role="learner")
            _insert(connection, tables.tables["courses"], 1)
            for n in (1, 2):
                _insert(connection, tables.tables["certificates"], n, user_id=1, course_id=1, path_id=None,
                        superseded_at=None if n == 2 else at)
            _insert(connection, tables.tables["print_batches"], 1, handed_over_at=at, handed_over_to="مدير المركز")
            _insert(connection, tables.tables["print_batches"], 2)
            for batch_id, position, certificate_id in ((1, 1, 1), (1, 2, 2), (2, 1, 2)):
                connection.execute(tables.tables["print_batch_items"].insert().values(
                    batch_id=batch_id, position=position, certificate_id=certificate_id, duplicate=False))
        upgrade()
        with db.engine.connect() as connection:
            items = connection.execute(sa.text(
                "SELECT batch_id, certificate_id, handed_over_to FROM print_batch_items ORDER BY batch_id, position"
            )).all()
            certificates = connection.execute(sa.text(
                "SELECT id, handed_over_to FROM certificates ORDER BY id")).all()
        db.engine.dispose()
    assert [tuple(row) for row in items] == [(1, 1, "مدير المركز"), (1, 2, "مدير المركز"), (2, 2, None)]
    assert [tuple(row) for row in certificates] == [(1, "مدير المركز"), (2, "مدير المركز")]


@pytest.mark.no_db
def test_a_table_copied_by_a_migration_keeps_the_rows_that_point_at_it(tmp_path):
    """On SQLite, batch mode copies `certificates` and drops the old table (a7c3e9d41b20): with foreign keys
    enforced that drop deleted the certificate's log (CASCADE) or failed on its print batches (RESTRICT)."""
    app = make_app(database_url(tmp_path, "copied"))
    with app.app_context():
        upgrade(revision="9c3f6a1d2e47")
        tables = sa.MetaData()
        tables.reflect(db.engine)
        with db.engine.begin() as connection:
            _insert(connection, tables.tables["governorates"], 1)
            _insert(connection, tables.tables["centers"], 1, governorate_id=1, kind="fixed")
            _insert(connection, tables.tables["users"], 1, center_id=1, role="learner")
            _insert(connection, tables.tables["courses"], 1)
            _insert(connection, tables.tables["certificates"], 1, user_id=1, course_id=1, path_id=None,
                    superseded_at=None)
            _insert(connection, tables.tables["certificate_events"], 1, certificate_id=1, actor_id=None)
        upgrade()
        with db.engine.connect() as connection:
            events = connection.scalar(sa.text("SELECT COUNT(*) FROM certificate_events"))
        db.engine.dispose()
    assert events == 1
