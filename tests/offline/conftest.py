"""Devices with grants, for the device API's tests."""
import json
import uuid
from datetime import date
from types import SimpleNamespace

import pytest

from lms.core.encoding import b64url
from lms.extensions import db as _db
from lms.offline import devices
from lms.offline.models import OfflineExam, OfflineSeat
from lms.progress import services as progress
from lms.quizzes import attempts
from lms.quizzes.chain import chain_key, chain_of
from lms.quizzes.models import Question
from tests import factories
from tests.quizzes.conftest import add_bank, right_answers


def register(user, client_id: str | None = None, label: str = ""):
    return devices.register(user, client_id or str(uuid.uuid4()), label)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def learner(db):
    return factories.UserFactory()


@pytest.fixture
def granted(learner):
    return register(learner, label="Tablet 1")


# --- offline exams' seats and uploads, built as a device builds them -----------------------------------------


def make_seat(user, course, time_limit_minutes=20, opens_on=date(2026, 1, 1), closes_on=date(2099, 1, 1),
              enroll=True):
    if enroll:
        progress.enroll(user.id, course)
    exam = OfflineExam(course_id=course.id, opens_on=opens_on, closes_on=closes_on, salt="c2FsdA",
                       time_limit_minutes=time_limit_minutes, pass_mark=70, review="full")
    seat = OfflineSeat(exam=exam, user_id=user.id, questions=attempts.draw_questions(course, seed=7))
    _db.session.add_all([exam, seat])
    _db.session.commit()
    return seat


def seat_key_answers(seat) -> dict:
    """The right answer to each of a seat's questions, by question id (int)."""
    rows = [(SimpleNamespace(layout=item["layout"]), _db.session.get(Question, item["question"]))
            for item in seat.questions]
    return {int(k): v for k, v in right_answers(rows).items()}


def ev(k: str, t: int, **fields) -> str:
    return json.dumps({"k": k, "t": t, **fields}, separators=(",", ":"), ensure_ascii=False)


def answer_events(answers: dict, start_t: int = 1000, step: int = 1000, first_seq: int = 1) -> list[str]:
    return [ev("answer", start_t + n * step, q=q, a=a, s=first_seq + n) for n, (q, a) in enumerate(answers.items())]


def upload_body(kind: str, target: int, events: list[str], submitted=True, upload_id=None, key=None) -> dict:
    key = key if key is not None else chain_key(kind, target)
    return {"upload_id": upload_id or str(uuid.uuid4()), "kind": kind, kind: target, "events": events,
            "chain": b64url(chain_of(key, events)), "submitted": submitted}


def seat_events(seat, answers=None, submit_t=None) -> list[str]:
    answers = seat_key_answers(seat) if answers is None else answers
    events = [ev("unlock", 0), *answer_events(answers)]
    return [*events, ev("submit", submit_t if submit_t is not None else 1000 * (len(answers) + 1))]


@pytest.fixture
def quiz_course(db):
    return add_bank(factories.CourseFactory(modules=0))
