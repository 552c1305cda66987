"""certificates: a learning path's certificate names the course certificate it was revoked with

Revision ID: a7c3e9d41b20
Revises: 9c3f6a1d2e47
Create Date: 2026-12-05

Reviewed by hand. RESTRICT as for superseded_by_id: certificates are never deleted.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c3e9d41b20'
down_revision = '9c3f6a1d2e47'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revoked_with_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_certificates_revoked_with_id_certificates'), 'certificates',
                                    ['revoked_with_id'], ['id'], ondelete='RESTRICT')


def downgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_certificates_revoked_with_id_certificates'), type_='foreignkey')
        batch_op.drop_column('revoked_with_id')
