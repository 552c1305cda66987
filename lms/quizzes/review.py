"""What a learner sees of an attempt: its questions while it runs, and after it, what the review policy allows."""
from dataclasses import dataclass
from typing import Any

from lms.quizzes.models import AttemptQuestion, Question, QuizAttempt
from lms.quizzes.rendering import to_html
from lms.quizzes.types import Presented, pick, type_of


@dataclass(frozen=True)
class ShownQuestion:
    number: int
    presented: Presented
    response: Any  # the saved answer, as stored
    is_answered: bool  # the whole question (a matching question with one item of four matched is not)

    @property
    def is_partly_answered(self) -> bool:
        return self.response is not None and not self.is_answered


def shown_questions(sheet: list, lang: str) -> list[ShownQuestion]:
    """The questions of a running attempt, from `attempts.attempt_sheet` rows (a question's fields and its layout)."""
    return [ShownQuestion(n, type_of(row.type).present(row, row.layout, lang), row.response,
                          type_of(row.type).is_complete(row.layout, row.response))
            for n, row in enumerate(sheet, 1)]


@dataclass(frozen=True)
class ReviewedQuestion:
    number: int
    prompt: Any
    type: str
    answer: str  # the learner's answer, in words
    fraction: float
    right_answers: list[str]  # empty when the policy hides them
    feedback: list[str]  # feedback of the chosen answers and the general feedback; empty unless "full"
    fmt: str

    @property
    def outcome(self) -> str:
        return "right" if self.fraction >= 0.999 else "partial" if self.fraction > 0 else "wrong"


def review(attempt: QuizAttempt, rows: list[tuple[AttemptQuestion, Question]], lang: str) -> list[ReviewedQuestion]:
    """Per question, what the attempt's review policy shows ("score": nothing beyond the score)."""
    if attempt.is_open or attempt.review == "score":
        return []
    reviewed = []
    for n, (aq, question) in enumerate(rows, 1):
        kind = type_of(question.type)
        feedback = []
        if attempt.review == "full":
            feedback = [*kind.chosen_feedback(question, aq.response, lang),
                        *filter(None, [pick(question.general_feedback or {}, lang)])]
        # "answers" says right or wrong, not what was right: the key showed under every question (the label
        # promised only "which answers were right"), to be passed on to the next learners.
        reviewed.append(ReviewedQuestion(
            n, to_html(pick(question.prompt, lang), question.format), question.type,
            kind.response_text(question, aq.response, lang) if aq.response is not None else "",
            aq.fraction or 0.0, kind.right_answers(question, lang) if attempt.review == "full" else [], feedback,
            question.format))
    return reviewed
