"""offline field kit: devices, their grants, offline exams and seats, uploads

Revision ID: b320f076a8a7
Revises: d1e2f3a4b5c6
Create Date: 2026-12-05

Written by hand (issue 16). offline_seats.received_upload_id is an id, not a foreign key (uploads point at seats).
A partial unique index keeps one accepted upload per seat whatever races.

"""
from alembic import op
import sqlalchemy as sa

from lms.core.models import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'b320f076a8a7'
down_revision = 'd1e2f3a4b5c6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'offline_devices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('client_id', sa.String(length=36), nullable=False),
        sa.Column('label', sa.String(length=80), nullable=False),
        sa.Column('center_id', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_sync_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('last_user_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['center_id'], ['centers.id'], name=op.f('fk_offline_devices_center_id_centers'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['last_user_id'], ['users.id'], name=op.f('fk_offline_devices_last_user_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_offline_devices')),
        sa.UniqueConstraint('client_id', name=op.f('uq_offline_devices_client_id')),
    )
    op.create_index(op.f('ix_offline_devices_center_id'), 'offline_devices', ['center_id'], unique=False)
    op.create_index(op.f('ix_offline_devices_last_user_id'), 'offline_devices', ['last_user_id'], unique=False)
    op.create_table(
        'offline_device_grants',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('device_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['device_id'], ['offline_devices.id'],
                                name=op.f('fk_offline_device_grants_device_id_offline_devices'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_offline_device_grants_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_offline_device_grants')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_offline_device_grants_token_hash')),
    )
    op.create_index('ix_offline_device_grants_device_id_user_id', 'offline_device_grants', ['device_id', 'user_id'],
                    unique=False)
    op.create_index(op.f('ix_offline_device_grants_user_id'), 'offline_device_grants', ['user_id'], unique=False)
    op.create_table(
        'offline_exams',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('opens_on', sa.Date(), nullable=False),
        sa.Column('closes_on', sa.Date(), nullable=False),
        sa.Column('time_limit_minutes', sa.Integer(), nullable=True),
        sa.Column('pass_mark', sa.Integer(), nullable=False),
        sa.Column('review', sa.String(length=10), nullable=False),
        sa.Column('salt', sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_offline_exams_course_id_courses'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_offline_exams_created_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_offline_exams')),
    )
    op.create_index(op.f('ix_offline_exams_course_id'), 'offline_exams', ['course_id'], unique=False)
    op.create_index(op.f('ix_offline_exams_created_by_id'), 'offline_exams', ['created_by_id'], unique=False)
    op.create_table(
        'offline_seats',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('exam_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('questions', sa.JSON(), nullable=False),
        sa.Column('package', sa.JSON(), nullable=True),
        sa.Column('downloaded_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('received_upload_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['exam_id'], ['offline_exams.id'], name=op.f('fk_offline_seats_exam_id_offline_exams'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_offline_seats_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_offline_seats')),
        sa.UniqueConstraint('exam_id', 'user_id', name=op.f('uq_offline_seats_exam_id_user_id')),
        sa.UniqueConstraint('received_upload_id', name=op.f('uq_offline_seats_received_upload_id')),
    )
    op.create_index(op.f('ix_offline_seats_user_id'), 'offline_seats', ['user_id'], unique=False)
    op.create_table(
        'offline_uploads',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('upload_id', sa.String(length=36), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('device_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('attempt_id', sa.Integer(), nullable=True),
        sa.Column('seat_id', sa.Integer(), nullable=True),
        sa.Column('received_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('body_sha256', sa.String(length=64), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('reason', sa.String(length=32), nullable=True),
        sa.Column('suspicious', sa.JSON(), nullable=False),
        sa.Column('detail', sa.String(length=255), nullable=False),
        sa.Column('size_bytes', sa.Integer(), nullable=False),
        sa.Column('events_count', sa.Integer(), nullable=False),
        sa.Column('elapsed_ms', sa.BigInteger(), nullable=True),
        sa.Column('result_attempt_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_offline_uploads_user_id_users'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['device_id'], ['offline_devices.id'],
                                name=op.f('fk_offline_uploads_device_id_offline_devices'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['attempt_id'], ['quiz_attempts.id'],
                                name=op.f('fk_offline_uploads_attempt_id_quiz_attempts'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['seat_id'], ['offline_seats.id'],
                                name=op.f('fk_offline_uploads_seat_id_offline_seats'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['result_attempt_id'], ['quiz_attempts.id'],
                                name=op.f('fk_offline_uploads_result_attempt_id_quiz_attempts'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_offline_uploads')),
        sa.UniqueConstraint('upload_id', name=op.f('uq_offline_uploads_upload_id')),
    )
    op.create_index(op.f('ix_offline_uploads_user_id'), 'offline_uploads', ['user_id'], unique=False)
    op.create_index(op.f('ix_offline_uploads_device_id'), 'offline_uploads', ['device_id'], unique=False)
    op.create_index(op.f('ix_offline_uploads_attempt_id'), 'offline_uploads', ['attempt_id'], unique=False)
    op.create_index(op.f('ix_offline_uploads_seat_id'), 'offline_uploads', ['seat_id'], unique=False)
    op.create_index('ix_offline_uploads_received_at', 'offline_uploads', ['received_at'], unique=False)
    op.create_index('uq_offline_uploads_accepted_seat', 'offline_uploads', ['seat_id'], unique=True,
                    sqlite_where=sa.text("status = 'accepted' AND seat_id IS NOT NULL"),
                    postgresql_where=sa.text("status = 'accepted' AND seat_id IS NOT NULL"))


def downgrade():
    op.drop_table('offline_uploads')
    op.drop_table('offline_seats')
    op.drop_table('offline_exams')
    op.drop_table('offline_device_grants')
    op.drop_table('offline_devices')
