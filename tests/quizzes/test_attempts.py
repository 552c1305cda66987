from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.core.models import utcnow
from lms.core.signals import course_completed
from lms.extensions import db as _db
from lms.progress import services as progress
from lms.quizzes import attempts
from lms.quizzes.bank import require_bank as bank_of
from lms.quizzes.models import QuizAttempt, QuizAuditEntry
from tests import factories
from tests.quizzes.conftest import add_bank, right_answers


def _learner_in(course):
    learner = factories.UserFactory()
    progress.enroll(learner.id, course)
    return learner


def test_a_learner_must_be_enrolled_to_start(quiz_course):
    stranger = factories.UserFactory()
    with pytest.raises(attempts.NotAllowed):
        attempts.start_attempt(stranger.id, quiz_course)


def test_starting_twice_gives_the_same_open_attempt(quiz_course):
    learner = _learner_in(quiz_course)
    first = attempts.start_attempt(learner.id, quiz_course)
    again = attempts.start_attempt(learner.id, quiz_course)
    assert first.id == again.id and first.number == 1
    assert len(attempts.attempt_questions(first.id)) == 6


def test_a_quiz_draws_the_configured_number_of_questions(db):
    course = add_bank(factories.CourseFactory(), questions=3)
    learner = _learner_in(course)
    attempt = attempts.start_attempt(learner.id, course)
    assert len(attempts.attempt_questions(attempt.id)) == 3


def test_all_right_answers_score_100_and_pass(quiz_course):
    learner = _learner_in(quiz_course)
    attempt = attempts.start_attempt(learner.id, quiz_course)
    attempts.save_answers(attempt.id, learner.id, right_answers(attempts.attempt_questions(attempt.id)))
    graded = attempts.submit_attempt(attempt.id, learner.id)
    assert graded.score == 100 and graded.is_passed and graded.finished_by == "learner"


def test_no_answer_scores_0(quiz_course):
    learner = _learner_in(quiz_course)
    attempt = attempts.start_attempt(learner.id, quiz_course)
    graded = attempts.submit_attempt(attempt.id, learner.id)
    assert graded.score == 0 and not graded.is_passed


def test_submitting_again_keeps_the_first_grade(quiz_course):
    learner = _learner_in(quiz_course)
    attempt = attempts.start_attempt(learner.id, quiz_course)
    rows = attempts.attempt_questions(attempt.id)
    single = next(q for _aq, q in rows if q.type == "single")
    attempts.save_answers(attempt.id, learner.id, {str(single.id): right_answers(rows)[str(single.id)]})
    first = attempts.submit_attempt(attempt.id, learner.id).score
    with pytest.raises(attempts.AttemptFinished):
        attempts.save_answers(attempt.id, learner.id, right_answers(rows))
    assert attempts.submit_attempt(attempt.id, learner.id).score == first == pytest.approx(100 / 6, abs=0.01)


def test_answers_to_questions_or_options_outside_the_attempt_are_refused_and_nothing_is_saved(quiz_course):
    learner = _learner_in(quiz_course)
    attempt = attempts.start_attempt(learner.id, quiz_course)
    rows = attempts.attempt_questions(attempt.id)
    good = right_answers(rows)
    single = next(q for _aq, q in rows if q.type == "single")
    other_course = add_bank(factories.CourseFactory())
    foreign = bank_of(other_course)[0]
    for bad in ({str(foreign.id): "x"}, {str(single.id): "not-an-option"}, {"abc": 1}):
        with pytest.raises(attempts.InvalidAnswers) as refused:
            attempts.save_answers(attempt.id, learner.id, {**good, **bad})
        assert set(refused.value.errors) == set(bad)
    assert all(aq.response is None for aq, _q in attempts.attempt_questions(attempt.id))


def test_someone_elses_attempt_is_not_found(quiz_course):
    learner, other = _learner_in(quiz_course), _learner_in(quiz_course)
    attempt = attempts.start_attempt(learner.id, quiz_course)
    for call in (lambda: attempts.save_answers(attempt.id, other.id, {}),
                 lambda: attempts.submit_attempt(attempt.id, other.id),
                 lambda: attempts.load_attempt(attempt.id, other.id)):
        with pytest.raises(LookupError):
            call()


def test_the_server_clock_refuses_late_answers_and_grades_what_was_saved(db, app):
    course = add_bank(factories.CourseFactory(), time_limit_minutes=10)
    learner = _learner_in(course)
    start = utcnow()
    attempt = attempts.start_attempt(learner.id, course, now=start)
    assert attempt.deadline == start + timedelta(minutes=10)
    rows = attempts.attempt_questions(attempt.id)
    key = right_answers(rows)
    (first, first_value), (second, second_value) = list(key.items())[:2]
    grace = app.config["LMS_QUIZ_GRACE_SECONDS"]
    attempts.save_answers(attempt.id, learner.id, {first: first_value},
                          now=start + timedelta(minutes=10, seconds=grace - 1))  # within the grace: kept
    with pytest.raises(attempts.AttemptFinished):
        attempts.save_answers(attempt.id, learner.id, {second: second_value},
                              now=start + timedelta(minutes=10, seconds=grace + 1))
    _db.session.refresh(attempt)
    assert not attempt.is_open and attempt.finished_by == "timeout"
    assert attempt.finished_at == attempt.deadline
    assert attempt.score == pytest.approx(100 / 6, abs=0.01)


def test_an_overdue_attempt_is_finished_when_opened_again_or_by_the_sweep(db):
    course = add_bank(factories.CourseFactory(), time_limit_minutes=5)
    one, two = _learner_in(course), _learner_in(course)
    long_ago = utcnow() - timedelta(hours=1)
    first = attempts.start_attempt(one.id, course, now=long_ago)
    second = attempts.start_attempt(two.id, course, now=long_ago)
    assert not attempts.load_attempt(first.id, one.id).is_open
    assert attempts.close_overdue() == 1
    _db.session.refresh(second)
    assert second.finished_by == "timeout" and second.score == 0
    assert attempts.close_overdue() == 0


def test_reopening_a_running_attempt_gives_its_answers_and_remaining_time(db):
    course = add_bank(factories.CourseFactory(), time_limit_minutes=20)
    learner = _learner_in(course)
    start = utcnow() - timedelta(minutes=5)
    attempt = attempts.start_attempt(learner.id, course, now=start)
    key = right_answers(attempts.attempt_questions(attempt.id))
    attempts.save_answers(attempt.id, learner.id, key)
    again = attempts.start_attempt(learner.id, course)
    assert again.id == attempt.id
    assert 14 * 60 < attempts.remaining_seconds(again) <= 15 * 60
    saved = {str(aq.question_id): aq.response for aq, _q in attempts.attempt_questions(again.id)}
    assert saved.keys() == key.keys() and all(saved[k] is not None for k in key)


def test_the_attempts_limit_and_the_wait_between_attempts_hold(db):
    course = add_bank(factories.CourseFactory(), attempts=2, wait_minutes=30)
    learner = _learner_in(course)
    now = utcnow()
    first = attempts.start_attempt(learner.id, course, now=now)
    attempts.submit_attempt(first.id, learner.id, now=now)
    with pytest.raises(attempts.NotAllowed):
        attempts.start_attempt(learner.id, course, now=now + timedelta(minutes=10))
    second = attempts.start_attempt(learner.id, course, now=now + timedelta(minutes=31))
    assert second.number == 2
    attempts.submit_attempt(second.id, learner.id, now=now + timedelta(minutes=32))
    with pytest.raises(attempts.NotAllowed):
        attempts.start_attempt(learner.id, course, now=now + timedelta(days=1))


@pytest.mark.parametrize("grading, expected", [("highest", 100.0), ("last", 0.0)])
def test_the_grading_policy_picks_the_attempt_that_counts(db, grading, expected):
    course = add_bank(factories.CourseFactory(), grading=grading)
    learner = _learner_in(course)
    first = attempts.start_attempt(learner.id, course)
    attempts.save_answers(first.id, learner.id, right_answers(attempts.attempt_questions(first.id)))
    attempts.submit_attempt(first.id, learner.id)
    second = attempts.start_attempt(learner.id, course)
    attempts.submit_attempt(second.id, learner.id)
    assert attempts.quiz_outcome(learner.id, course).score == expected


def test_the_course_completes_when_every_module_is_done_and_the_quiz_passed(db):
    course = add_bank(factories.CourseFactory(modules=2))
    learner = _learner_in(course)
    received = []
    with course_completed.connected_to(lambda enrollment, **kw: received.append(enrollment)):
        progress.complete_module(learner.id, course, 1)
        progress.complete_module(learner.id, course, 2)
        assert received == [] and progress.enrollment_for(learner.id, course.id).completed_at is None
        failed = attempts.start_attempt(learner.id, course)
        attempts.submit_attempt(failed.id, learner.id)
        assert received == []
        passed = attempts.start_attempt(learner.id, course)
        attempts.save_answers(passed.id, learner.id, right_answers(attempts.attempt_questions(passed.id)))
        attempts.submit_attempt(passed.id, learner.id)
    assert len(received) == 1 and received[0].completed_at is not None


def test_passing_the_quiz_first_completes_the_course_with_the_last_module(db):
    course = add_bank(factories.CourseFactory(modules=1))
    learner = _learner_in(course)
    attempt = attempts.start_attempt(learner.id, course)
    attempts.save_answers(attempt.id, learner.id, right_answers(attempts.attempt_questions(attempt.id)))
    attempts.submit_attempt(attempt.id, learner.id)
    assert progress.enrollment_for(learner.id, course.id).completed_at is None
    progress.complete_module(learner.id, course, 1)
    assert progress.enrollment_for(learner.id, course.id).completed_at is not None


def test_regrading_after_a_fix_changes_scores_and_leaves_an_audit_entry(db):
    course = add_bank(factories.CourseFactory(modules=0))
    learner = _learner_in(course)
    attempt = attempts.start_attempt(learner.id, course)
    rows = attempts.attempt_questions(attempt.id)
    single = next(q for _aq, q in rows if q.type == "single")
    wrong = next(a["id"] for a in single.data["answers"] if a["fraction"] == 0)
    attempts.save_answers(attempt.id, learner.id, {str(single.id): wrong})
    assert attempts.submit_attempt(attempt.id, learner.id).score == 0
    # The trainer finds the key was wrong: the option chosen was the right one.
    single.data = {"answers": [{**a, "fraction": 1.0 if a["id"] == wrong else 0.0} for a in single.data["answers"]]}
    _db.session.commit()
    changes = attempts.regrade(course, [single.id], actor_id=None)
    assert changes == [(attempt.id, 0.0, pytest.approx(100 / 6, abs=0.01))]
    entry = _db.session.scalar(sa.select(QuizAuditEntry).where(QuizAuditEntry.course_id == course.id,
                                                               QuizAuditEntry.action == "regrade"))
    assert entry.details["changed"][0]["attempt"] == attempt.id
    assert _db.session.get(QuizAttempt, attempt.id).score == pytest.approx(100 / 6, abs=0.01)


def test_the_quiz_counts_as_one_step_of_the_course_progress(db):
    course = add_bank(factories.CourseFactory(modules=2))
    learner = _learner_in(course)
    progress.complete_module(learner.id, course, 1)
    assert progress.complete_module(learner.id, course, 2).percent == 67
    attempt = attempts.start_attempt(learner.id, course)
    attempts.save_answers(attempt.id, learner.id, right_answers(attempts.attempt_questions(attempt.id)))
    attempts.submit_attempt(attempt.id, learner.id)
    assert progress.course_progress(learner.id, course).percent == 100
    assert [e.percent for e in progress.my_courses(learner.id)] == [100]


def test_an_attempt_read_before_another_request_finished_it_is_not_finished_twice(db):
    course = add_bank(factories.CourseFactory(), time_limit_minutes=5)
    learner = _learner_in(course)
    attempt = attempts.start_attempt(learner.id, course, now=utcnow() - timedelta(hours=1))
    stale = _db.session.get(QuizAttempt, attempt.id)  # this request's copy, still open
    # Another request finishes it meanwhile (its UPDATE bypasses this session's copy).
    _db.session.execute(sa.update(QuizAttempt).where(QuizAttempt.id == attempt.id).values(
        status="finished", finished_by="learner", score=50.0, is_passed=False, finished_at=utcnow()
    ).execution_options(synchronize_session=False))
    assert stale.is_open
    graded = []
    with attempts.attempt_graded.connected_to(lambda a, **kw: graded.append(a)):
        again = attempts.load_attempt(attempt.id, learner.id)
    assert graded == [] and again is stale and again.finished_by == "learner" and again.score == 50.0


def _two_questions(attempt_id: int):
    rows = attempts.attempt_questions(attempt_id)
    short = next(str(q.id) for _aq, q in rows if q.type == "short")
    single = next(q for _aq, q in rows if q.type == "single")
    return short, str(single.id), [a["id"] for a in single.data["answers"]]


def _responses(attempt_id: int) -> dict:
    _db.session.expire_all()
    return {str(aq.question_id): (aq.response, aq.seq) for aq, _q in attempts.attempt_questions(attempt_id)}


def test_an_older_save_arriving_late_is_refused_and_overwrites_nothing(quiz_course):
    learner = _learner_in(quiz_course)
    attempt = attempts.start_attempt(learner.id, quiz_course)
    short, _single, _options = _two_questions(attempt.id)
    assert attempts.save_answers(attempt.id, learner.id, {short: "newer"}, seq=2).seq == 2
    for replayed in (1, 2):  # older, or the same save again
        with pytest.raises(attempts.StaleAnswers) as refused:
            attempts.save_answers(attempt.id, learner.id, {short: "older"}, seq=replayed)
        assert set(refused.value.errors) == {short} and refused.value.latest == 2
    assert _responses(attempt.id)[short] == ("newer", 2)
    attempts.save_answers(attempt.id, learner.id, {short: "newest"}, seq=3)
    assert _responses(attempt.id)[short] == ("newest", 3)


def test_the_sequence_is_checked_per_question_and_a_stale_save_saves_none_of_its_answers(quiz_course):
    learner = _learner_in(quiz_course)
    attempt = attempts.start_attempt(learner.id, quiz_course)
    short, single, options = _two_questions(attempt.id)
    attempts.save_answers(attempt.id, learner.id, {short: "from another window"}, seq=5)
    attempts.save_answers(attempt.id, learner.id, {single: options[0]}, seq=2)  # lower, but another question
    with pytest.raises(attempts.StaleAnswers) as refused:
        attempts.save_answers(attempt.id, learner.id, {short: "stale", single: options[1]}, seq=4)
    assert set(refused.value.errors) == {short} and refused.value.latest == 5
    assert _responses(attempt.id)[single] == (options[0], 2)


def test_a_save_without_a_number_counts_as_the_newest(quiz_course):
    learner = _learner_in(quiz_course)
    attempt = attempts.start_attempt(learner.id, quiz_course)
    short, single, options = _two_questions(attempt.id)
    attempts.save_answers(attempt.id, learner.id, {single: options[0]}, seq=7)
    assert attempts.save_answers(attempt.id, learner.id, {short: "unnumbered"}).seq == 8
    with pytest.raises(attempts.StaleAnswers):
        attempts.save_answers(attempt.id, learner.id, {short: "sent before it"}, seq=8)
    assert _responses(attempt.id)[short] == ("unnumbered", 8)


def test_saving_and_submitting_at_once_grades_the_answers_just_sent(quiz_course):
    learner = _learner_in(quiz_course)
    attempt = attempts.start_attempt(learner.id, quiz_course)
    key = right_answers(attempts.attempt_questions(attempt.id))
    first, *rest = list(key)
    attempts.save_answers(attempt.id, learner.id, {first: key[first]}, seq=1)
    graded = attempts.save_and_submit(attempt.id, learner.id, {q: key[q] for q in rest}, seq=2)
    assert graded.score == 100 and graded.is_passed and graded.finished_by == "learner"
    assert {q: seq for q, (_r, seq) in _responses(attempt.id).items()} == {first: 1, **{q: 2 for q in rest}}
    with pytest.raises(attempts.AttemptFinished):  # sent twice: the first grade stands
        attempts.save_and_submit(attempt.id, learner.id, {}, seq=3)


def test_saving_and_submitting_refuses_a_wrong_answer_and_submits_nothing(quiz_course):
    learner = _learner_in(quiz_course)
    attempt = attempts.start_attempt(learner.id, quiz_course)
    key = right_answers(attempts.attempt_questions(attempt.id))
    short, single, _options = _two_questions(attempt.id)
    with pytest.raises(attempts.InvalidAnswers) as refused:
        attempts.save_and_submit(attempt.id, learner.id, {**key, single: "not-an-option"}, seq=1)
    assert set(refused.value.errors) == {single}
    _db.session.expire_all()
    assert _db.session.get(QuizAttempt, attempt.id).is_open
    assert all(response is None for response, _seq in _responses(attempt.id).values())


def test_saving_and_submitting_a_stale_page_submits_the_newer_answers(quiz_course):
    learner = _learner_in(quiz_course)
    attempt = attempts.start_attempt(learner.id, quiz_course)
    short, single, options = _two_questions(attempt.id)
    attempts.save_answers(attempt.id, learner.id, {short: "newer"}, seq=4)
    graded = attempts.save_and_submit(attempt.id, learner.id, {short: "older", single: options[0]}, seq=3)
    assert not graded.is_open
    assert _responses(attempt.id)[short] == ("newer", 4) and _responses(attempt.id)[single] == (None, 0)


def test_saving_and_submitting_after_the_time_is_up_finishes_without_these_answers(db, app):
    course = add_bank(factories.CourseFactory(), time_limit_minutes=10)
    learner = _learner_in(course)
    start = utcnow()
    attempt = attempts.start_attempt(learner.id, course, now=start)
    key = right_answers(attempts.attempt_questions(attempt.id))
    late = start + timedelta(minutes=10, seconds=app.config["LMS_QUIZ_GRACE_SECONDS"] + 1)
    with pytest.raises(attempts.AttemptFinished):
        attempts.save_and_submit(attempt.id, learner.id, key, now=late, seq=1)
    _db.session.refresh(attempt)
    assert attempt.finished_by == "timeout" and attempt.score == 0
