"""organisation, assignments, learning paths, notifications

Revision ID: 345c9d3a21c3
Revises: 79e5240c4bd0
Create Date: 2026-11-22

Reviewed by hand. Districts and job titles become rows: each distinct free-text job title of existing users
becomes a job title (its text as both names, to be translated by HR) before the column is dropped. New non-null
columns of existing tables get a server default for the rows already there.

"""
from alembic import op
import sqlalchemy as sa

import lms.core.models


# revision identifiers, used by Alembic.
revision = '345c9d3a21c3'
down_revision = '79e5240c4bd0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_titles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name_ar', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_titles')),
    sa.UniqueConstraint('code', name=op.f('uq_job_titles_code')),
    sa.UniqueConstraint('name_ar', name=op.f('uq_job_titles_name_ar'))
    )
    op.create_table('districts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('governorate_id', sa.Integer(), nullable=False),
    sa.Column('name_ar', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['governorate_id'], ['governorates.id'], name=op.f('fk_districts_governorate_id_governorates'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_districts')),
    sa.UniqueConstraint('governorate_id', 'name_ar', name=op.f('uq_districts_governorate_id_name_ar'))
    )
    op.create_table('course_trainers',
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_course_trainers_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_course_trainers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('course_id', 'user_id', name=op.f('pk_course_trainers'))
    )
    with op.batch_alter_table('course_trainers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_trainers_user_id'), ['user_id'], unique=False)

    op.create_table('learning_paths',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('title_ar', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('summary_ar', sa.Text(), nullable=False),
    sa.Column('summary_en', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', name='pathstatus', native_enum=False, length=16), nullable=False),
    sa.Column('is_ordered', sa.Boolean(), nullable=False),
    sa.Column('validity_months', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', lms.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_learning_paths_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_learning_paths')),
    sa.UniqueConstraint('slug', name=op.f('uq_learning_paths_slug'))
    )
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('created_at', lms.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('read_at', lms.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('emailed_at', lms.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('email_skipped', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('user_id', 'key', name=op.f('uq_notifications_user_id_key'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_emailed', ['emailed_at', 'created_at'], unique=False)
        batch_op.create_index('ix_notifications_user_id_read_at', ['user_id', 'read_at'], unique=False)

    op.create_table('assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('path_id', sa.Integer(), nullable=True),
    sa.Column('audience', sa.JSON(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('due_days', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', lms.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(course_id IS NULL) <> (path_id IS NULL)', name=op.f('ck_assignments_course_or_path')),
    sa.CheckConstraint('(due_on IS NULL) <> (due_days IS NULL)', name=op.f('ck_assignments_one_due_rule')),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_assignments_course_id_courses'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_assignments_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['path_id'], ['learning_paths.id'], name=op.f('fk_assignments_path_id_learning_paths'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignments'))
    )
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignments_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignments_path_id'), ['path_id'], unique=False)

    op.create_table('learning_path_courses',
    sa.Column('path_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_learning_path_courses_course_id_courses'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['path_id'], ['learning_paths.id'], name=op.f('fk_learning_path_courses_path_id_learning_paths'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('path_id', 'position', name=op.f('pk_learning_path_courses')),
    sa.UniqueConstraint('path_id', 'course_id', name=op.f('uq_learning_path_courses_path_id_course_id'))
    )
    with op.batch_alter_table('learning_path_courses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_learning_path_courses_course_id'), ['course_id'], unique=False)

    op.create_table('path_enrollments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('path_id', sa.Integer(), nullable=False),
    sa.Column('enrolled_at', lms.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_at', lms.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('completed_at', lms.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['path_id'], ['learning_paths.id'], name=op.f('fk_path_enrollments_path_id_learning_paths'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_path_enrollments_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_path_enrollments')),
    sa.UniqueConstraint('user_id', 'path_id', name=op.f('uq_path_enrollments_user_id_path_id'))
    )
    with op.batch_alter_table('path_enrollments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_path_enrollments_path_id'), ['path_id'], unique=False)

    op.create_table('assignment_members',
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('added_at', lms.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_at', lms.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_assignment_members_assignment_id_assignments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_assignment_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('assignment_id', 'user_id', name=op.f('pk_assignment_members'))
    )
    with op.batch_alter_table('assignment_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignment_members_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('centers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('district_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('location', sa.String(length=300), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('location_updated_at', lms.core.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_centers_district_id'), ['district_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_centers_district_id_districts'), 'districts', ['district_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('path_id', sa.Integer(), nullable=True))
        batch_op.alter_column('course_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_index(batch_op.f('ix_certificates_path_id'), ['path_id'], unique=False)
        batch_op.create_index('uq_certificates_current_path', ['user_id', 'path_id'], unique=True, sqlite_where=sa.text('superseded_at IS NULL AND path_id IS NOT NULL'), postgresql_where=sa.text('superseded_at IS NULL AND path_id IS NOT NULL'))
        batch_op.create_foreign_key(batch_op.f('fk_certificates_path_id_learning_paths'), 'learning_paths', ['path_id'], ['id'], ondelete='RESTRICT')
        batch_op.create_check_constraint(op.f('ck_certificates_course_or_path'), '(course_id IS NULL) <> (path_id IS NULL)')

    with op.batch_alter_table('enrollments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_required', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('due_at', lms.core.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('renewed_at', lms.core.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_enrollments_due_at', ['due_at'], unique=False)
        # Reports read a person's statuses from this index alone (no table lookups).
        batch_op.create_index('ix_enrollments_user_id_status', ['user_id', 'course_id', 'completed_at', 'due_at', 'last_activity_at'], unique=False)

    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archived_at', lms.core.models.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('job_title_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('deactivated_at', lms.core.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('scope_governorate_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index(batch_op.f('ix_users_job_title_id'), ['job_title_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_users_scope_governorate_id_governorates'), 'governorates', ['scope_governorate_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_users_job_title_id_job_titles'), 'job_titles', ['job_title_id'], ['id'], ondelete='SET NULL')

    connection = op.get_bind()
    titles = sorted(connection.execute(sa.text("SELECT DISTINCT job_title FROM users WHERE job_title <> ''")).scalars())
    for number, title in enumerate(titles, 1):
        connection.execute(sa.text("INSERT INTO job_titles (code, name_ar, name_en) VALUES (:code, :name, :name)"),
                           {"code": f"JOB-{number}", "name": title[:120]})
    connection.execute(sa.text("UPDATE users SET job_title_id = (SELECT id FROM job_titles WHERE name_ar = users.job_title) "
                               "WHERE job_title <> ''"))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('job_title')


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('job_title', sa.VARCHAR(length=120), nullable=False, server_default=''))
    op.execute("UPDATE users SET job_title = (SELECT name_ar FROM job_titles WHERE job_titles.id = users.job_title_id) "
               "WHERE job_title_id IS NOT NULL")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_users_job_title_id_job_titles'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_users_scope_governorate_id_governorates'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_users_job_title_id'))
        batch_op.drop_column('must_change_password')
        batch_op.drop_column('scope_governorate_id')
        batch_op.drop_column('deactivated_at')
        batch_op.drop_column('job_title_id')

    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.drop_column('archived_at')

    with op.batch_alter_table('enrollments', schema=None) as batch_op:
        batch_op.drop_index('ix_enrollments_user_id_status')
        batch_op.drop_index('ix_enrollments_due_at')
        batch_op.drop_column('renewed_at')
        batch_op.drop_column('due_at')
        batch_op.drop_column('is_required')

    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_certificates_course_or_path'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_certificates_path_id_learning_paths'), type_='foreignkey')
        batch_op.drop_index('uq_certificates_current_path', sqlite_where=sa.text('superseded_at IS NULL AND path_id IS NOT NULL'), postgresql_where=sa.text('superseded_at IS NULL AND path_id IS NOT NULL'))
        batch_op.drop_index(batch_op.f('ix_certificates_path_id'))
        batch_op.alter_column('course_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('path_id')

    with op.batch_alter_table('centers', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_centers_district_id_districts'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_centers_district_id'))
        batch_op.drop_column('location_updated_at')
        batch_op.drop_column('location')
        batch_op.drop_column('district_id')

    with op.batch_alter_table('assignment_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignment_members_user_id'))

    op.drop_table('assignment_members')
    with op.batch_alter_table('path_enrollments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_path_enrollments_path_id'))

    op.drop_table('path_enrollments')
    with op.batch_alter_table('learning_path_courses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_learning_path_courses_course_id'))

    op.drop_table('learning_path_courses')
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignments_path_id'))
        batch_op.drop_index(batch_op.f('ix_assignments_course_id'))

    op.drop_table('assignments')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_user_id_read_at')
        batch_op.drop_index('ix_notifications_emailed')

    op.drop_table('notifications')
    op.drop_table('learning_paths')
    with op.batch_alter_table('course_trainers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_trainers_user_id'))

    op.drop_table('course_trainers')
    op.drop_table('districts')
    op.drop_table('job_titles')
