"""print batches keep what their search asked for, to describe it in each reader's language

Revision ID: 18d80c93dae3
Revises: 3f6c2b9e1d47
Create Date: 2026-12-05

Reviewed by hand. Batches made before have no search (NULL): their description, written in their creator's
language, still shows.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '18d80c93dae3'
down_revision = '3f6c2b9e1d47'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('print_batches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('print_batches', schema=None) as batch_op:
        batch_op.drop_column('search')
