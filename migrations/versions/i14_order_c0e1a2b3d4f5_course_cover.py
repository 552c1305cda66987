"""courses may carry a cover image from their folder (course.yaml `cover:`)

Revision ID: c0e1a2b3d4f5
Revises: 18d80c93dae3
Create Date: 2026-12-05

Reviewed by hand. The path of one of the course's files (course_assets.path); NULL: no cover, the card shows a
plain pattern.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c0e1a2b3d4f5'
down_revision = "5b2e8d17c4a9"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cover_path', sa.String(length=255), nullable=True))


def downgrade():
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.drop_column('cover_path')
