"""Two devices sending the same offline exam seat at the same moment: one is accepted, the others refused
(both backends, real concurrent transactions)."""
import pytest
import sqlalchemy as sa

from lms.accounts.models import User
from lms.courses.models import Course, CourseStatus
from lms.extensions import db
from lms.offline.models import OfflineSeat, OfflineUpload
from lms.progress.models import Enrollment
from lms.quizzes import bank
from lms.quizzes.models import QuizAttempt
from tests.conftest import database_url, make_app, run_in_threads
from tests.offline.conftest import bearer, make_seat, register, seat_events, upload_body
from tests.quizzes.conftest import sample_questions

WORKERS = 6


@pytest.fixture
def race_app(tmp_path):
    app = make_app(database_url(tmp_path, "upload_race"))
    with app.app_context():
        db.create_all()
        course = Course(slug="upload-race", title_ar="سباق", title_en="Race", status=CourseStatus.PUBLISHED,
                        module_count=0, quiz_settings={"file": "quiz.gift", "pass_mark": 50})
        user = User(username="racer", full_name_ar="م", full_name_latin="M")
        db.session.add_all([course, user])
        db.session.flush()
        db.session.add(Enrollment(user_id=user.id, course_id=course.id))
        bank._apply(course, [{"ar": q} for q in sample_questions()], retire_missing=True)
        db.session.commit()
        seat = make_seat(user, course, enroll=False)
        tokens = [register(user).token for _ in range(WORKERS)]
        bodies = [upload_body("seat", seat.id, seat_events(seat)) for _ in range(WORKERS)]
    yield app, tokens, bodies
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


@pytest.mark.no_db
def test_one_seat_uploaded_by_several_devices_at_once_is_accepted_once(race_app):
    app, tokens, bodies = race_app
    verdicts = []

    def work(n):
        response = app.test_client().post("/offline/api/uploads", json=bodies[n], headers=bearer(tokens[n]))
        verdicts.append((response.status_code, response.get_json().get("status"), response.get_json().get("reason")))

    assert run_in_threads(app, work, WORKERS) == []
    refusals = [(200, "refused", "already_received")] * (WORKERS - 1)
    assert sorted(verdicts) == sorted([(200, "accepted", None), *refusals])
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(QuizAttempt)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OfflineUpload)) == WORKERS
        accepted = db.session.scalar(sa.select(OfflineUpload.id).where(OfflineUpload.status == "accepted"))
        assert db.session.scalar(sa.select(OfflineSeat.received_upload_id)) == accepted


@pytest.mark.no_db
def test_one_upload_replayed_at_once_is_judged_once(race_app):
    app, tokens, bodies = race_app
    verdicts = []

    def work(n):
        response = app.test_client().post("/offline/api/uploads", json=bodies[0], headers=bearer(tokens[0]))
        verdicts.append(response.get_json())

    assert run_in_threads(app, work, WORKERS) == []
    assert len({str(v) for v in verdicts}) == 1 and verdicts[0]["status"] == "accepted"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(QuizAttempt)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OfflineUpload)) == 1
