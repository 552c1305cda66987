"""one-time passwords expire

Revision ID: cea43bc15864
Revises: 345c9d3a21c3
Create Date: 2026-11-29

Reviewed by hand. One-time passwords handed out before this revision (the accounts that must still change their
password: until now only a one-time password set that flag) get 72 hours from the upgrade, the default of
LMS_ONE_TIME_PASSWORD_HOURS, rather than never expiring; their holders then ask HR for a new one.

"""
from datetime import UTC, datetime, timedelta

from alembic import op
import sqlalchemy as sa

import lms.core.models


# revision identifiers, used by Alembic.
revision = 'cea43bc15864'
down_revision = '345c9d3a21c3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('one_time_password_expires_at', lms.core.models.UTCDateTime(timezone=True),
                                      nullable=True))
    users = sa.table('users', sa.column('must_change_password', sa.Boolean()),
                     sa.column('one_time_password_expires_at', lms.core.models.UTCDateTime(timezone=True)))
    op.execute(users.update().where(users.c.must_change_password.is_(True))
               .values(one_time_password_expires_at=datetime.now(UTC) + timedelta(hours=72)))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('one_time_password_expires_at')
