"""print room: the hand-over is recorded per certificate of a batch, not for the whole batch

Revision ID: 3f6c2b9e1d47
Revises: a7c3e9d41b20
Create Date: 2026-12-05

Reviewed by hand. A batch can go to several centers, so each item keeps when it was handed to whom. A batch
handed over before keeps its meaning: its hand-over is copied to each of its items (and to its certificates that
lack one) before the batch's own columns go. The downgrade gives a batch back the latest hand-over of its items.

"""
from alembic import op
import sqlalchemy as sa

import lms.core.models


# revision identifiers, used by Alembic.
revision = '3f6c2b9e1d47'
down_revision = 'a7c3e9d41b20'
branch_labels = None
depends_on = None

items = sa.table('print_batch_items', sa.column('batch_id', sa.Integer), sa.column('certificate_id', sa.Integer),
                 sa.column('handed_over_at', lms.core.models.UTCDateTime(timezone=True)),
                 sa.column('handed_over_to', sa.String(200)))
batches = sa.table('print_batches', sa.column('id', sa.Integer),
                   sa.column('handed_over_at', lms.core.models.UTCDateTime(timezone=True)),
                   sa.column('handed_over_to', sa.String(200)))
certificates = sa.table('certificates', sa.column('id', sa.Integer),
                        sa.column('handed_over_at', lms.core.models.UTCDateTime(timezone=True)),
                        sa.column('handed_over_to', sa.String(200)))


def upgrade():
    with op.batch_alter_table('print_batch_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handed_over_at', lms.core.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('handed_over_to', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('handed_over_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_print_batch_items_handed_over_by_id_users'), 'users',
                                    ['handed_over_by_id'], ['id'], ondelete='SET NULL')

    of_batch = sa.select(batches.c.id).where(batches.c.id == items.c.batch_id)
    op.execute(items.update().where(of_batch.where(batches.c.handed_over_at.is_not(None)).exists()).values(
        handed_over_at=of_batch.with_only_columns(batches.c.handed_over_at).scalar_subquery(),
        handed_over_to=of_batch.with_only_columns(batches.c.handed_over_to).scalar_subquery()))
    latest = (sa.select(items.c.handed_over_at, items.c.handed_over_to)
              .where(items.c.certificate_id == certificates.c.id, items.c.handed_over_at.is_not(None))
              .order_by(items.c.handed_over_at.desc()).limit(1))
    op.execute(certificates.update().where(certificates.c.handed_over_at.is_(None), latest.exists()).values(
        handed_over_at=latest.with_only_columns(items.c.handed_over_at).scalar_subquery(),
        handed_over_to=latest.with_only_columns(items.c.handed_over_to).scalar_subquery()))

    # Not in batch mode: on SQLite that copies the table and drops the old one, and the drop would delete every
    # item of every batch (ON DELETE CASCADE). SQLite 3.35 and later drop a plain column in place.
    op.drop_column('print_batches', 'handed_over_to')
    op.drop_column('print_batches', 'handed_over_at')


def downgrade():
    with op.batch_alter_table('print_batches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handed_over_at', lms.core.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('handed_over_to', sa.String(length=200), nullable=True))
    latest = (sa.select(items.c.handed_over_at, items.c.handed_over_to)
              .where(items.c.batch_id == batches.c.id, items.c.handed_over_at.is_not(None))
              .order_by(items.c.handed_over_at.desc()).limit(1))
    op.execute(batches.update().where(latest.exists()).values(
        handed_over_at=latest.with_only_columns(items.c.handed_over_at).scalar_subquery(),
        handed_over_to=latest.with_only_columns(items.c.handed_over_to).scalar_subquery()))
    with op.batch_alter_table('print_batch_items', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_print_batch_items_handed_over_by_id_users'), type_='foreignkey')
        batch_op.drop_column('handed_over_by_id')
        batch_op.drop_column('handed_over_to')
        batch_op.drop_column('handed_over_at')
