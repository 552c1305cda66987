"""roster imports: large rosters applied by a background job, with progress and sealed slips

Revision ID: 5d1e8a3c7b92
Revises: 2b8bf30fa754
Create Date: 2026-12-04

Reviewed by hand. A job keeps its uploader's id (SET NULL when the account goes): only they and administrators
see it.

"""
from alembic import op
import sqlalchemy as sa

import lms.core.models


# revision identifiers, used by Alembic.
revision = '5d1e8a3c7b92'
down_revision = '2b8bf30fa754'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('roster_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', lms.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('complete', sa.Boolean(), nullable=False),
    sa.Column('roster', sa.JSON(), nullable=True),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('created', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('deactivated', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('problems', sa.JSON(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('finished_at', lms.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('slips', sa.LargeBinary(), nullable=True),
    sa.Column('slips_erased_at', lms.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_roster_imports_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_imports'))
    )
    with op.batch_alter_table('roster_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_imports_created_by_id'), ['created_by_id'], unique=False)



def downgrade():
    with op.batch_alter_table('roster_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_imports_created_by_id'))

    op.drop_table('roster_imports')
