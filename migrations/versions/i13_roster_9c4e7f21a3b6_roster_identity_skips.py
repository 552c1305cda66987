"""roster imports: the identity changes a job skipped because nobody ticked them

Revision ID: 9c4e7f21a3b6
Revises: 5d1e8a3c7b92
Create Date: 2026-12-05

Reviewed by hand. Jobs run before skipped nothing: an empty list.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9c4e7f21a3b6'
down_revision = '5d1e8a3c7b92'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('roster_imports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('skipped', sa.JSON(), server_default='[]', nullable=False))


def downgrade():
    with op.batch_alter_table('roster_imports', schema=None) as batch_op:
        batch_op.drop_column('skipped')
