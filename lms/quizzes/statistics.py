"""Item statistics of a course's quiz, from its finished attempts, as Moodle's quiz statistics report gives them.

Per question: how many attempts had it, the facility index (mean credit, in percent), the standard deviation of
the credit (in percent, over n - 1), and the discrimination index: the correlation (in percent) between the
credit for the question and the credit for the rest of the test, that is the attempt's total minus this question.
Then what learners answered, as each type counts it: each option's share (choice types), each item's share
matched right or put in its place (matching, ordering), or the most frequent answers (short answer, numeric).
"""
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from lms.extensions import db
from lms.quizzes.models import AttemptQuestion, AttemptStatus, Question, QuizAttempt
from lms.quizzes.types import type_of

_EPSILON = 1e-12  # below this a variance is zero: the correlation is undefined
# Below this many attempts a question's facility and discrimination swing with each learner: the page says so
# rather than let a trainer retire a good question on the word of three people.
MIN_ATTEMPTS_TO_JUDGE = 10
# A question whose discrimination is below this (negative included) deserves the trainer's look: learners who do
# well on the rest of the quiz do not do better on it. The statistics page and the trainer's home both flag it.
DISCRIMINATION_TO_LOOK_AT = 30


@dataclass(frozen=True)
class ResponseCount:
    label: Any  # safe HTML or plain text
    count: int
    percent: float  # of the attempts that had the question
    fraction: float | None = None  # the credit it earns; None where it has none of its own (a matching item)


@dataclass
class ItemStatistics:
    question: Question
    attempts: int
    facility: float | None  # percent
    sd: float | None  # percent
    discrimination: float | None  # percent; None when undefined
    responses: list[ResponseCount] = field(default_factory=list)
    no_answer: int = 0

    @property
    def too_few_to_judge(self) -> bool:
        return 0 < self.attempts < MIN_ATTEMPTS_TO_JUDGE

    @property
    def needs_a_look(self) -> bool:
        """Enough attempts to judge, and a discrimination below DISCRIMINATION_TO_LOOK_AT."""
        return (self.attempts >= MIN_ATTEMPTS_TO_JUDGE and self.discrimination is not None
                and self.discrimination < DISCRIMINATION_TO_LOOK_AT)

    @property
    def has_credit(self) -> bool:
        """Whether the rows have a credit of their own (not a matching's or an ordering's items)."""
        return any(row.fraction is not None for row in self.responses)


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def _sum_of_products(xs: list[float], ys: list[float]) -> float:
    mx, my = _mean(xs), _mean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))


def discrimination(credits: list[float], rest: list[float]) -> float | None:
    """Pearson's r × 100 of a question's credits and the rest of each attempt; None when it is undefined."""
    if len(credits) < 2:
        return None
    var_x, var_y = _sum_of_products(credits, credits), _sum_of_products(rest, rest)
    if var_x < _EPSILON or var_y < _EPSILON:
        return None
    return 100 * _sum_of_products(credits, rest) / math.sqrt(var_x * var_y)


def _responses(question: Question, given: list[Any], lang: str) -> list[ResponseCount]:
    if not given:
        return []
    n = len(given)
    return [ResponseCount(label, count, 100 * count / n, fraction)
            for label, count, fraction in type_of(question.type).tally(question, given, lang)]


def item_statistics(questions: list[Question], rows, lang: str) -> list[ItemStatistics]:
    """Statistics of `questions` from (attempt id, question id, response, fraction) rows of finished attempts."""
    totals: dict[int, float] = defaultdict(float)
    by_question: dict[int, list[tuple[int, Any, float]]] = defaultdict(list)
    for attempt_id, question_id, response, fraction in rows:
        credit = fraction or 0.0
        totals[attempt_id] += credit
        by_question[question_id].append((attempt_id, response, credit))
    result = []
    for question in questions:
        mine = by_question.get(question.id, [])
        credits = [credit for _a, _r, credit in mine]
        rest = [totals[attempt_id] - credit for attempt_id, _r, credit in mine]
        n = len(credits)
        given = [response for _a, response, _c in mine]
        result.append(ItemStatistics(
            question, n,
            facility=100 * _mean(credits) if n else None,
            sd=100 * math.sqrt(_sum_of_products(credits, credits) / (n - 1)) if n >= 2 else None,
            discrimination=discrimination(credits, rest),
            responses=_responses(question, given, lang), no_answer=given.count(None)))
    return result


def course_statistics(course_id: int, lang: str) -> list[ItemStatistics]:
    """Two queries: the answers of every finished attempt, and the bank (retired questions that attempts used too)."""
    rows = db.session.execute(
        sa.select(AttemptQuestion.attempt_id, AttemptQuestion.question_id, AttemptQuestion.response,
                  AttemptQuestion.fraction)
        .join(QuizAttempt, QuizAttempt.id == AttemptQuestion.attempt_id)
        .where(QuizAttempt.course_id == course_id, QuizAttempt.status == AttemptStatus.FINISHED)).all()
    used = {row.question_id for row in rows}
    questions = [q for q in db.session.scalars(sa.select(Question).where(Question.course_id == course_id)
                                               .order_by(Question.position)) if q.is_active or q.id in used]
    return item_statistics(questions, rows, lang)
