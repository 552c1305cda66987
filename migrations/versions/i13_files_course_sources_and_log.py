"""course sources and log: where a course was last changed (its folder's hash at import, web edits since) and
one change log per course, which the quiz's audit entries join

Revision ID: 9c3f6a1d2e47
Revises: 9c4e7f21a3b6
Create Date: 2026-12-05

Reviewed by hand. quiz_audit_entries becomes course_log_entries: its rows are copied over (same ids), then the
old table is dropped; downgrade copies the quiz's entries back and drops the course's own.

"""
from alembic import op
import sqlalchemy as sa

import lms.core.models


# revision identifiers, used by Alembic.
revision = '9c3f6a1d2e47'
down_revision = '9c4e7f21a3b6'
branch_labels = None
depends_on = None

COLUMNS = "id, course_id, actor_id, action, details, created_at"
QUIZ_ACTIONS = "('regrade', 'import', 'settings', 'question')"


def _log_table(name):
    op.create_table(name,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('created_at', lms.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f(f'fk_{name}_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f(f'fk_{name}_course_id_courses'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{name}'))
    )
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f'ix_{name}_course_id'), ['course_id'], unique=False)


def _restart_ids(name):
    """PostgreSQL: the copied ids were given, not drawn: the sequence starts after them."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), COALESCE(MAX(id), 0) + 1, false) "
                   f"FROM {name}")


def upgrade():
    # Columns added and dropped in place, never by copying the table (batch mode on SQLite): dropping the old courses
    # table would cascade to every row that points at a course (modules, questions, attempts, this very log). Who
    # edited a course last is read from its log, so that courses need no new foreign key.
    op.add_column('courses', sa.Column('source_path', sa.String(length=255), nullable=True))
    op.add_column('courses', sa.Column('source_hash', sa.String(length=64), nullable=True))
    op.add_column('courses', sa.Column('source_parts', sa.JSON(), nullable=True))
    op.add_column('courses', sa.Column('imported_at', lms.core.models.UTCDateTime(timezone=True), nullable=True))
    op.add_column('courses', sa.Column('is_edited_on_web', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('courses', sa.Column('edited_at', lms.core.models.UTCDateTime(timezone=True), nullable=True))

    # The quiz's web edits logged so far (settings, questions, bank uploads) are the web edits known: the next
    # import from changed files must not overwrite them either.
    op.execute("""UPDATE courses SET is_edited_on_web = TRUE,
        edited_at = (SELECT MAX(created_at) FROM quiz_audit_entries q WHERE q.course_id = courses.id
                     AND q.action IN ('settings', 'question', 'import'))
        WHERE EXISTS (SELECT 1 FROM quiz_audit_entries q WHERE q.course_id = courses.id
                      AND q.action IN ('settings', 'question', 'import'))""")

    _log_table('course_log_entries')
    op.execute(f"INSERT INTO course_log_entries ({COLUMNS}) SELECT {COLUMNS} FROM quiz_audit_entries")
    _restart_ids('course_log_entries')
    op.drop_table('quiz_audit_entries')


def downgrade():
    _log_table('quiz_audit_entries')
    op.execute(f"INSERT INTO quiz_audit_entries ({COLUMNS}) SELECT {COLUMNS} FROM course_log_entries "
               f"WHERE action IN {QUIZ_ACTIONS}")
    _restart_ids('quiz_audit_entries')
    op.drop_table('course_log_entries')
    for column in ('edited_at', 'is_edited_on_web', 'imported_at', 'source_parts', 'source_hash', 'source_path'):
        op.drop_column('courses', column)
