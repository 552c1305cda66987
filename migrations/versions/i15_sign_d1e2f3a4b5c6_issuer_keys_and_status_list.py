"""issuer signing keys and the signed certificate status list

Revision ID: d1e2f3a4b5c6
Revises: c0e1a2b3d4f5
Create Date: 2026-12-05

Reviewed by hand. issuer_keys: the authority's Ed25519 keys (the private half encrypted with
LMS_ISSUER_KEY_PASSPHRASE); certificate_status_lists: the last signed status list (a compact JWS).

"""
from alembic import op
import sqlalchemy as sa

from lms.core.models import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'd1e2f3a4b5c6'
down_revision = 'c0e1a2b3d4f5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'issuer_keys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kid', sa.String(length=16), nullable=False),
        sa.Column('public_key', sa.String(length=64), nullable=False),
        sa.Column('private_key', sa.Text(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('valid_from', UTCDateTime(timezone=True), nullable=False),
        sa.Column('retired_at', UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_issuer_keys')),
        sa.UniqueConstraint('kid', name=op.f('uq_issuer_keys_kid')),
    )
    op.create_table(
        'certificate_status_lists',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('jws', sa.Text(), nullable=False),
        sa.Column('generated_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('valid_until', UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_status_lists')),
    )


def downgrade():
    op.drop_table('certificate_status_lists')
    op.drop_table('issuer_keys')
