"""POST /offline/api/uploads: every verdict, built as a device builds its events and chain (lms/quizzes/chain.py)."""
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.core.models import utcnow
from lms.offline.models import OfflineSeat, OfflineUpload
from lms.quizzes import attempts
from lms.quizzes.models import AttemptStatus, QuizAttempt
from tests import factories
from tests.offline.conftest import (
    answer_events,
    bearer,
    ev,
    make_seat,
    register,
    seat_events,
    seat_key_answers,
    upload_body,
)
from tests.quizzes.conftest import right_answers

URL = "/offline/api/uploads"


@pytest.fixture
def seat(learner, quiz_course):
    return make_seat(learner, quiz_course)


def send(client, granted, body):
    return client.post(URL, json=body, headers=bearer(granted.token))


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def fresh(db, model, ident):
    """The row as the database holds it now (the test's session keeps what it loaded before the request)."""
    return db.session.get(model, ident, populate_existing=True)


def uploads(db) -> list[OfflineUpload]:
    return list(db.session.scalars(sa.select(OfflineUpload).order_by(OfflineUpload.id)
                                   .execution_options(populate_existing=True)))


def refused(client, granted, body, reason):
    response = send(client, granted, body)
    assert response.status_code == 200, response.get_json()
    verdict = response.get_json()
    assert (verdict["status"], verdict["reason"]) == ("refused", reason), verdict
    assert verdict["message"] and verdict["attempt"] is None
    return verdict


# --- offline exam seats -------------------------------------------------------------------------------------

def test_a_seat_upload_is_graded_as_a_finished_attempt_by_the_server(client, db, granted, seat, learner):
    answers = seat_key_answers(seat)
    first_q = next(iter(answers))
    events = [ev("unlock", 0), ev("answer", 500, q=first_q, a=None, s=1),  # later replaced by a higher s
              *answer_events(answers, first_seq=2), ev("submit", 60_000)]
    body = upload_body("seat", seat.id, events)
    response = send(client, granted, body)
    verdict = response.get_json()
    assert verdict["status"] == "accepted" and verdict["reason"] is None and verdict["suspicious"] == []
    assert verdict["score"] == 100.0 and verdict["passed"] is True
    attempt = fresh(db, QuizAttempt, verdict["attempt"])
    assert verdict["result_url"] == f"/quiz/attempts/{attempt.id}/result"
    assert (attempt.user_id, attempt.number, attempt.status, attempt.finished_by) == (
        learner.id, 1, AttemptStatus.FINISHED, "offline")
    assert attempt.finished_at - attempt.started_at == timedelta(seconds=60)
    assert [aq.question_id for aq in attempt.questions] == [item["question"] for item in seat.questions]
    assert [aq.layout for aq in attempt.questions] == [item["layout"] for item in seat.questions]
    row = uploads(db)[0]
    assert (row.status, row.seat_id, row.result_attempt_id, row.events_count, row.elapsed_ms) == (
        "accepted", seat.id, attempt.id, len(events), 60_000)
    assert fresh(db, OfflineSeat, seat.id).received_upload_id == row.id
    assert verdict["message"] == "وصل: تم تقدير المحاولة."


def test_the_same_upload_again_gives_the_stored_verdict_and_another_body_a_409(client, db, granted, seat):
    body = upload_body("seat", seat.id, seat_events(seat))
    first = send(client, granted, body).get_json()
    assert send(client, granted, body).get_json() == first
    assert count(db, QuizAttempt) == 1 and count(db, OfflineUpload) == 1
    changed = {**body, "submitted": False}
    response = send(client, granted, changed)
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "upload_id_reused"
    assert count(db, OfflineUpload) == 1


def test_a_second_device_with_the_same_seat_is_refused_and_kept_for_hr(client, db, granted, seat, learner):
    send(client, granted, upload_body("seat", seat.id, seat_events(seat)))
    other_device = register(learner)
    refused(client, other_device, upload_body("seat", seat.id, seat_events(seat, answers={})), "already_received")
    assert count(db, QuizAttempt) == 1
    assert [(u.status, u.reason) for u in uploads(db)] == [("accepted", None), ("refused", "already_received")]


def test_a_chain_that_does_not_verify_is_refused(client, db, granted, seat):
    events = seat_events(seat)
    body = upload_body("seat", seat.id, events)
    tampered = {**body, "events": [*events[:-1], ev("submit", 2)]}
    refused(client, granted, tampered, "chain_invalid")
    refused(client, granted, upload_body("seat", seat.id, events, key=b"not the key"), "chain_invalid")
    refused(client, granted, {**upload_body("seat", seat.id, events), "chain": "!!!"}, "chain_invalid")
    assert count(db, QuizAttempt) == 0 and fresh(db, OfflineSeat, seat.id).received_upload_id is None


def test_time_running_backwards_is_refused(client, db, granted, seat):
    events = [ev("unlock", 0), ev("answer", 5000, q=seat.questions[0]["question"], a=None, s=1),
              ev("submit", 4000)]
    verdict = refused(client, granted, upload_body("seat", seat.id, events), "time_backwards")
    assert verdict["message"]


def test_answers_after_the_limit_and_grace_are_refused_within_them_accepted(client, db, granted, seat, learner):
    limit_ms = 20 * 60_000 + 30_000  # the seat's 20 minutes and LMS_QUIZ_GRACE_SECONDS
    late = seat_events(seat, submit_t=limit_ms + 1)
    refused(client, granted, upload_body("seat", seat.id, late), "after_limit")
    just = seat_events(seat, submit_t=limit_ms)
    assert send(client, granted, upload_body("seat", seat.id, just)).get_json()["status"] == "accepted"


@pytest.mark.parametrize("unlocks", [0, 2])
def test_a_seat_unlocked_other_than_once_is_refused(client, db, granted, seat, unlocks):
    events = [e for e in seat_events(seat) if '"unlock"' not in e]
    events = [ev("unlock", 0)] * unlocks + events
    refused(client, granted, upload_body("seat", seat.id, events), "unlocked_twice")


def test_an_upload_after_the_exam_closed_is_refused(client, db, granted, learner, quiz_course, app):
    closes = (utcnow() - timedelta(days=app.config["LMS_OFFLINE_UPLOAD_DAYS"] + 2)).date()
    seat = make_seat(learner, quiz_course, closes_on=closes)
    refused(client, granted, upload_body("seat", seat.id, seat_events(seat)), "exam_closed")
    still_open = make_seat(factories.UserFactory(), quiz_course, closes_on=(utcnow() - timedelta(days=1)).date())
    other = register(still_open.user)
    assert send(client, other, upload_body("seat", still_open.id, seat_events(still_open))).get_json()["status"] \
        == "accepted"


def test_no_attempt_left_is_refused(client, db, granted, learner, quiz_course):
    quiz_course.quiz_settings = {**quiz_course.quiz_settings, "attempts": 1}
    db.session.commit()
    seat = make_seat(learner, quiz_course)
    online = attempts.start_attempt(learner.id, quiz_course)
    attempts.submit_attempt(online.id, learner.id)
    refused(client, granted, upload_body("seat", seat.id, seat_events(seat)), "no_attempts_left")
    assert count(db, QuizAttempt) == 1


def test_an_answer_that_is_not_one_is_refused(client, db, granted, seat, quiz_course):
    refused(client, granted, upload_body("seat", seat.id, seat_events(seat, answers={10**6: "x"})), "invalid_answer")
    single = next(item["question"] for item in seat.questions if item["layout"].get("options"))
    refused(client, granted, upload_body("seat", seat.id, seat_events(seat, answers={single: "no such option"})),
            "invalid_answer")
    assert count(db, QuizAttempt) == 0


def test_a_seat_upload_without_a_submit_is_refused(client, db, granted, seat):
    events = [e for e in seat_events(seat) if '"submit"' not in e]
    refused(client, granted, upload_body("seat", seat.id, events, submitted=False), "not_submitted")


def test_a_resume_and_a_moved_clock_are_accepted_but_flagged(client, db, granted, seat):
    events = seat_events(seat)
    events = [events[0], ev("resume", 500, d=-3_600_000), *events[1:]]
    verdict = send(client, granted, upload_body("seat", seat.id, events)).get_json()
    assert verdict["status"] == "accepted" and verdict["suspicious"] == ["clock_moved", "resumed"]
    assert uploads(db)[0].suspicious == ["clock_moved", "resumed"]


def test_someone_elses_seat_is_a_404_and_nothing_is_stored(client, db, seat):
    stranger = register(factories.UserFactory())
    response = send(client, stranger, upload_body("seat", seat.id, seat_events(seat)))
    assert response.status_code == 404 and count(db, OfflineUpload) == 0


# --- attempts started online --------------------------------------------------------------------------------

@pytest.fixture
def online(learner, quiz_course):
    quiz_course.quiz_settings = {**quiz_course.quiz_settings, "time_limit_minutes": 10}
    from lms.progress import services as progress

    progress.enroll(learner.id, quiz_course)
    return attempts.start_attempt(learner.id, quiz_course)


def attempt_key(attempt) -> dict:
    return {int(k): v for k, v in right_answers(attempts.attempt_questions(attempt.id)).items()}


def test_an_open_attempt_takes_newer_answers_and_is_submitted(client, db, granted, online, learner):
    answers = attempt_key(online)
    first_q = next(iter(answers))
    attempts.save_answers(online.id, learner.id, {str(first_q): None}, seq=50)  # saved online with a higher number
    events = [ev("start", 0), *answer_events(answers), ev("submit", 20_000)]
    verdict = send(client, granted, upload_body("attempt", online.id, events)).get_json()
    assert verdict["status"] == "accepted" and verdict["attempt"] == online.id
    attempt = fresh(db, QuizAttempt, online.id)
    assert attempt.status == AttemptStatus.FINISHED and attempt.finished_by == "offline"
    saved = {aq.question_id: aq.seq for aq in attempt.questions}
    assert saved[first_q] == 50  # the online save was newer: kept
    assert verdict["score"] < 100 and verdict["result_url"]


def test_answers_kept_offline_without_a_submit_leave_the_attempt_open(client, db, granted, online):
    answers = attempt_key(online)
    verdict = send(client, granted, upload_body("attempt", online.id, [ev("start", 0), *answer_events(answers)],
                                                submitted=False)).get_json()
    assert verdict["status"] == "accepted" and verdict["result_url"] is None and verdict["score"] is None
    assert fresh(db, QuizAttempt, online.id).is_open


def test_an_attempt_closed_by_timeout_takes_the_answers_made_within_the_limit(client, db, granted, online,
                                                                               learner):
    attempts.close_overdue(online.deadline + timedelta(minutes=5))
    assert fresh(db, QuizAttempt, online.id).score == 0
    events = [ev("start", 0), *answer_events(attempt_key(online)), ev("submit", 9 * 60_000)]
    verdict = send(client, granted, upload_body("attempt", online.id, events)).get_json()
    assert verdict["status"] == "accepted" and verdict["score"] == 100.0 and verdict["passed"] is True
    second = register(learner)
    refused(client, second, upload_body("attempt", online.id, events), "already_received")
    late = [ev("start", 0), *answer_events(attempt_key(online)), ev("submit", 11 * 60_000)]
    refused(client, granted, upload_body("attempt", online.id, late), "after_limit")


def test_an_attempt_the_learner_submitted_refuses_an_upload(client, db, granted, online, learner):
    attempts.submit_attempt(online.id, learner.id)
    events = [ev("start", 0), *answer_events(attempt_key(online)), ev("submit", 20_000)]
    refused(client, granted, upload_body("attempt", online.id, events), "already_received")
    assert fresh(db, QuizAttempt, online.id).score == 0


def test_an_attempt_chain_needs_the_attempts_own_key(client, db, granted, online):
    events = [ev("start", 0), ev("submit", 1)]
    refused(client, granted, upload_body("attempt", online.id, events, key=b"k" * 32), "chain_invalid")


# --- malformed bodies: 400 (or 413), nothing stored, never a 500 --------------------------------------------

@pytest.mark.parametrize("change", [
    {"upload_id": "x"}, {"upload_id": 5}, {"kind": "other"}, {"seat": "1"}, {"seat": 2**63}, {"seat": 10**400},
    {"seat": -1}, {"seat": True}, {"events": "x"}, {"events": [1]}, {"events": ["{}"]}, {"events": ["[]"]},
    {"events": ['{"k":"answer","t":1}']}, {"events": ['{"k":"answer","t":1,"q":"1","a":1,"s":1}']},
    {"events": ['{"k":"unlock","t":-1}']}, {"events": ['{"k":"unlock","t":1e400}']},
    {"events": ['{"k":"unlock","t":' + "9" * 400 + '}']}, {"events": ['{"k":"unlock","t":1.5}']},
    {"events": ['{"k":"resume","t":1,"d":"x"}']}, {"events": ['{"k":"answer","t":1,"q":1,"a":"\\u0000","s":1}']},
    {"events": ["[" * 5000 + "]" * 5000]}, {"events": ["x"] * 2001}, {"chain": ""}, {"chain": 5},
    {"submitted": "yes"}, {"events": ['{"k":"unlock","t":NaN}']},
])
def test_a_malformed_upload_is_a_400_and_stores_nothing(client, db, granted, seat, change):
    body = {**upload_body("seat", seat.id, seat_events(seat)), **change}
    response = send(client, granted, body)
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"]["message"]
    assert count(db, OfflineUpload) == 0 and count(db, QuizAttempt) == 0


def test_a_body_over_64_kb_is_a_413(client, db, granted, seat):
    body = upload_body("seat", seat.id, [ev("answer", 1, q=1, a="ي" * 40_000, s=1)])
    response = client.post(URL, data=json.dumps(body), content_type="application/json",
                           headers=bearer(granted.token))
    assert response.status_code == 413 and response.get_json()["error"]["code"] == "too_large"
    assert count(db, OfflineUpload) == 0


def test_not_json_is_a_400(client, db, granted):
    for data in ("{", "null", "[]", '"x"'):
        response = client.post(URL, data=data, content_type="application/json", headers=bearer(granted.token))
        assert response.status_code == 400



def test_an_answer_to_a_question_of_the_bank_not_drawn_for_the_seat_is_refused(client, db, granted, learner,
                                                                              quiz_course):
    quiz_course.quiz_settings = {**quiz_course.quiz_settings, "questions": 2}
    db.session.commit()
    seat = make_seat(learner, quiz_course)
    drawn = {item["question"] for item in seat.questions}
    other = next(q.id for q in quiz_course_questions(db, quiz_course) if q.id not in drawn)
    refused(client, granted, upload_body("seat", seat.id, seat_events(seat, answers={other: None})),
            "invalid_answer")


def quiz_course_questions(db, course):
    from lms.quizzes.models import Question

    return list(db.session.scalars(sa.select(Question).where(Question.course_id == course.id)))
