"""questions as attempts showed them: question_versions, attempt_questions.version_id

Revision ID: a7c3e9d1f2b4
Revises: b320f076a8a7
Create Date: 2026-12-07

Written by hand. Attempts made before this revision show their questions as they are (version_id NULL), as
they did: what an earlier edit changed under them cannot be recovered.

"""
from alembic import op
import sqlalchemy as sa

from lms.core.models import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'a7c3e9d1f2b4'
down_revision = 'b320f076a8a7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'question_versions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('question_id', sa.Integer(), nullable=False),
        sa.Column('type', sa.String(length=16), nullable=False),
        sa.Column('format', sa.String(length=10), nullable=False),
        sa.Column('prompt', sa.JSON(), nullable=False),
        sa.Column('general_feedback', sa.JSON(), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('replaced_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['question_id'], ['questions.id'],
                                name=op.f('fk_question_versions_question_id_questions'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_question_versions')),
    )
    op.create_index(op.f('ix_question_versions_question_id'), 'question_versions', ['question_id'], unique=False)
    with op.batch_alter_table('attempt_questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_attempt_questions_version_id_question_versions'),
                                    'question_versions', ['version_id'], ['id'])


def downgrade():
    with op.batch_alter_table('attempt_questions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_attempt_questions_version_id_question_versions'), type_='foreignkey')
        batch_op.drop_column('version_id')
    op.drop_index(op.f('ix_question_versions_question_id'), table_name='question_versions')
    op.drop_table('question_versions')
