"""A trainer's home sections: the questions the item statistics flag (the statistics page's one rule) and the
recent attempts on their quizzes."""
from datetime import UTC, datetime, timedelta

import pytest

from lms.quizzes.home import flagged_questions, recent_attempts
from lms.quizzes.statistics import DISCRIMINATION_TO_LOOK_AT, MIN_ATTEMPTS_TO_JUDGE, ItemStatistics
from tests.quizzes.test_statistics import _answers, _attempt, _course


@pytest.mark.parametrize(("attempts", "discrimination", "flagged"), [
    (MIN_ATTEMPTS_TO_JUDGE, DISCRIMINATION_TO_LOOK_AT - 0.01, True),
    (MIN_ATTEMPTS_TO_JUDGE, -40.0, True),
    (MIN_ATTEMPTS_TO_JUDGE, DISCRIMINATION_TO_LOOK_AT, False),
    (MIN_ATTEMPTS_TO_JUDGE - 1, -40.0, False),  # too few to judge
    (MIN_ATTEMPTS_TO_JUDGE, None, False),  # undefined: everyone earned the same
])
def test_the_flagging_rule(attempts, discrimination, flagged):
    item = ItemStatistics(question=None, attempts=attempts, facility=50.0, sd=10.0, discrimination=discrimination)
    assert item.needs_a_look is flagged


def test_a_question_that_discriminates_poorly_is_flagged_on_the_trainers_home(db):
    course = _course()
    # the statistics test's four attempts, three times: B's discrimination is -14, A's 69, C's 43
    for _ in range(3):
        for a, b, c in ((True, True, "2 4"), (True, False, "2 4"), (False, True, ""), (False, False, "2")):
            _attempt(course, lambda rows, a=a, b=b, c=c: _answers(rows, a, b, c))
    flagged = flagged_questions([course], "ar")
    assert [(row.course.id, row.item.question.type) for row in flagged] == [(course.id, "truefalse")]
    assert round(flagged[0].item.discrimination) == -14


def test_recent_attempts_are_the_latest_finished_on_the_trainers_courses(db):
    mine, theirs = _course(), _course()
    finished = [_attempt(mine, lambda rows: _answers(rows, True, True, "2 4")) for _ in range(3)]
    _attempt(theirs, lambda rows: _answers(rows, True, True, "2 4"))
    now = max(a.finished_at for a in finished) + timedelta(minutes=1)
    for minutes, attempt in enumerate(finished):
        attempt.finished_at = now - timedelta(minutes=10 - minutes)
    db.session.commit()
    rows = recent_attempts([mine.id], now, limit=2)
    assert [row.attempt.id for row in rows] == [finished[2].id, finished[1].id]
    assert all(row.course.id == mine.id for row in rows)
    assert recent_attempts([mine.id], datetime(2000, 1, 1, tzinfo=UTC)) == []  # nothing finished yet then
    assert recent_attempts([], now) == []
