"""The assignment form sent several times at the same instant stores one assignment and tells people once."""
import pytest
import sqlalchemy as sa

from lms.accounts.models import Center, Governorate, JobTitle, Role, User
from lms.courses.models import Course, CourseStatus
from lms.extensions import db
from lms.notifications.models import Notification
from lms.progress import assignments
from lms.progress.models import Assignment, AssignmentMember
from tests.conftest import database_url, make_app, run_in_threads

WORKERS = 6


@pytest.fixture
def race_app(tmp_path):
    app = make_app(database_url(tmp_path, "assignment_race"))
    with app.app_context():
        db.create_all()
        governorate = Governorate(code="QLY", name_ar="القليوبية", name_en="Qalyubia")
        clerk = JobTitle(code="CLERK", name_ar="موظف شباك خدمة", name_en="Clerk")
        center = Center(code="QLY-1", name_ar="مركز", name_en="Center", governorate=governorate)
        db.session.add_all([governorate, clerk, center,
                            Course(slug="race", title_ar="سباق", title_en="Race", status=CourseStatus.PUBLISHED),
                            User(username="hr", full_name_ar="م", full_name_latin="HR", role=Role.HR)])
        db.session.flush()
        db.session.add_all(User(username=f"c{n}", full_name_ar="م", full_name_latin="C", center_id=center.id,
                                job_title_id=clerk.id) for n in range(5))
        db.session.commit()
    yield app
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


@pytest.mark.no_db
def test_the_same_assignment_sent_at_once_is_stored_once(race_app):
    def work(_n):
        hr = db.session.scalar(sa.select(User).where(User.username == "hr"))
        course_id = db.session.scalar(sa.select(Course.id))
        clerk_id = db.session.scalar(sa.select(JobTitle.id))
        assignments.create_assignment(hr, audience={"job_titles": [clerk_id]}, course_id=course_id, due_days=30)

    assert run_in_threads(race_app, work, WORKERS) == []
    with race_app.app_context():
        count = db.session.scalar
        assert count(sa.select(sa.func.count()).select_from(Assignment)) == 1
        assert count(sa.select(sa.func.count()).select_from(AssignmentMember)) == 5
        assert count(sa.select(sa.func.count()).select_from(Notification)) == 5
