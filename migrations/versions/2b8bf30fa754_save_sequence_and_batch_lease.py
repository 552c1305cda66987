"""answers' save sequence numbers, print batches' lease

Revision ID: 2b8bf30fa754
Revises: c1950486b2d9
Create Date: 2026-12-01

Reviewed by hand. Answers already saved get sequence number 0, as if never numbered: the first numbered save of
each is accepted. Print batches made before have no heartbeat (their creation time stands for it) and count as
never run.

"""
from alembic import op
import sqlalchemy as sa

import lms.core.models


# revision identifiers, used by Alembic.
revision = '2b8bf30fa754'
down_revision = 'c1950486b2d9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attempt_questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('print_batches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('heartbeat_at', lms.core.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('runs', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('print_batches', schema=None) as batch_op:
        batch_op.drop_column('runs')
        batch_op.drop_column('heartbeat_at')

    with op.batch_alter_table('attempt_questions', schema=None) as batch_op:
        batch_op.drop_column('seq')
