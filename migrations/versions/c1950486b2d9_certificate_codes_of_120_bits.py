"""certificate codes of 120 bits

Revision ID: c1950486b2d9
Revises: cea43bc15864
Create Date: 2026-12-04

Reviewed by hand. New verification codes have 24 symbols (120 bits); the 16-symbol codes already issued stay as
they are and keep verifying. Going back is refused while a 24-symbol code exists: it would not fit.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c1950486b2d9'
down_revision = 'cea43bc15864'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.alter_column('code', existing_type=sa.String(length=16), type_=sa.String(length=24),
                              existing_nullable=False)


def downgrade():
    longer = op.get_bind().scalar(sa.text("SELECT count(*) FROM certificates WHERE length(code) > 16"))
    if longer:
        raise RuntimeError(f"{longer} certificates have 24-symbol codes, which a 16-character column cannot hold.")
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.alter_column('code', existing_type=sa.String(length=24), type_=sa.String(length=16),
                              existing_nullable=False)
