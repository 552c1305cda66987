"""daily runs: when the daily run started and ended and which steps failed (the administrator's home)

Revision ID: 5b2e8d17c4a9
Revises: 18d80c93dae3
Create Date: 2026-12-05 13:00:00
"""
import sqlalchemy as sa
from alembic import op

from lms.core.models import UTCDateTime

revision = "5b2e8d17c4a9"
down_revision = "18d80c93dae3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "daily_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("acted_as", UTCDateTime(timezone=True), nullable=False),
        sa.Column("failed_steps", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_daily_runs")),
    )
    op.create_index(op.f("ix_daily_runs_started_at"), "daily_runs", ["started_at"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_daily_runs_started_at"), table_name="daily_runs")
    op.drop_table("daily_runs")
