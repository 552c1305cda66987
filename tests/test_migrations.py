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
