"""certificates: issued certificates, their PDFs, serial counters and audit log

Revision ID: 79e5240c4bd0
Revises: b7c41e2d9a10
Create Date: 2026-11-22

Reviewed by hand. The partial unique index keeps one current certificate per learner and course on both
backends; certificates keep their learner and course (RESTRICT): they are never deleted with them.

"""
from alembic import op
import sqlalchemy as sa

import lms.core.models


# revision identifiers, used by Alembic.
revision = '79e5240c4bd0'
down_revision = 'b7c41e2d9a10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('certificate_serials',
    sa.Column('prefix', sa.String(length=8), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('prefix', 'year', name=op.f('pk_certificate_serials'))
    )
    op.create_table('certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('serial', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('name_ar', sa.String(length=200), nullable=False),
    sa.Column('name_latin', sa.String(length=200), nullable=False),
    sa.Column('employee_number', sa.String(length=32), nullable=True),
    sa.Column('center_code', sa.String(length=32), nullable=True),
    sa.Column('center_name_ar', sa.String(length=200), nullable=False),
    sa.Column('center_name_en', sa.String(length=200), nullable=False),
    sa.Column('course_title_ar', sa.String(length=200), nullable=False),
    sa.Column('course_title_en', sa.String(length=200), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('completed_at', lms.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('issued_at', lms.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', lms.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('design', sa.String(length=64), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('revoked_at', lms.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('revoke_reason', sa.Text(), nullable=True),
    sa.Column('superseded_at', lms.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('superseded_by_id', sa.Integer(), nullable=True),
    sa.Column('printed_at', lms.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('handed_over_at', lms.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('handed_over_to', sa.String(length=200), nullable=True),
    sa.Column('search_key', sa.String(length=600), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_certificates_course_id_courses'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_certificates_revoked_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['certificates.id'], name=op.f('fk_certificates_superseded_by_id_certificates'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_certificates_user_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
    sa.UniqueConstraint('code', name=op.f('uq_certificates_code')),
    sa.UniqueConstraint('serial', name=op.f('uq_certificates_serial'))
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificates_course_id'), ['course_id'], unique=False)
        batch_op.create_index('ix_certificates_expires_at', ['expires_at'], unique=False)
        batch_op.create_index('ix_certificates_issued_at', ['issued_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificates_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_certificates_current', ['user_id', 'course_id'], unique=True, sqlite_where=sa.text('superseded_at IS NULL'), postgresql_where=sa.text('superseded_at IS NULL'))

    op.create_table('certificate_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', lms.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_certificate_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], name=op.f('fk_certificate_events_certificate_id_certificates'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_events'))
    )
    with op.batch_alter_table('certificate_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_events_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_events_certificate_id'), ['certificate_id'], unique=False)

    op.create_table('print_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', lms.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('finished_at', lms.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('pdf', sa.LargeBinary(), nullable=True),
    sa.Column('printed_at', lms.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('printed_by_id', sa.Integer(), nullable=True),
    sa.Column('handed_over_at', lms.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('handed_over_to', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_print_batches_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['printed_by_id'], ['users.id'], name=op.f('fk_print_batches_printed_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_print_batches'))
    )
    op.create_table('print_batch_items',
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('duplicate', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['print_batches.id'], name=op.f('fk_print_batch_items_batch_id_print_batches'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], name=op.f('fk_print_batch_items_certificate_id_certificates'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('batch_id', 'position', name=op.f('pk_print_batch_items'))
    )
    with op.batch_alter_table('print_batch_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_print_batch_items_certificate_id'), ['certificate_id'], unique=False)

    op.create_table('certificate_looks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('authority_ar', sa.String(length=200), nullable=False),
    sa.Column('authority_en', sa.String(length=200), nullable=False),
    sa.Column('primary_colour', sa.String(length=7), nullable=False),
    sa.Column('accent_colour', sa.String(length=7), nullable=False),
    sa.Column('logo', sa.Text(), nullable=True),
    sa.Column('signatories', sa.JSON(), nullable=False),
    sa.Column('hijri', sa.Boolean(), nullable=False),
    sa.Column('course_languages', sa.JSON(), nullable=False),
    sa.Column('updated_at', lms.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_certificate_looks_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_looks'))
    )
    op.create_table('certificate_files',
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('rendered_at', lms.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], name=op.f('fk_certificate_files_certificate_id_certificates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('certificate_id', 'language', name=op.f('pk_certificate_files'))
    )


def downgrade():
    op.drop_table('certificate_looks')
    op.drop_table('print_batch_items')
    op.drop_table('print_batches')
    op.drop_table('certificate_files')
    with op.batch_alter_table('certificate_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_events_certificate_id'))
        batch_op.drop_index(batch_op.f('ix_certificate_events_at'))

    op.drop_table('certificate_events')
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index('uq_certificates_current', sqlite_where=sa.text('superseded_at IS NULL'), postgresql_where=sa.text('superseded_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_certificates_user_id'))
        batch_op.drop_index('ix_certificates_issued_at')
        batch_op.drop_index('ix_certificates_expires_at')
        batch_op.drop_index(batch_op.f('ix_certificates_course_id'))

    op.drop_table('certificates')
    op.drop_table('certificate_serials')
