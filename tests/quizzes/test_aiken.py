"""Aiken reading: a good file, and each mistake reported at its line."""
import pytest

from lms.quizzes.formats import Answer, BankFileError, ParsedQuestion
from lms.quizzes.formats.aiken import parse_aiken

pytestmark = pytest.mark.no_db

GOOD = """\ufeffWhat is the correct answer to this question?
A. Is it this one?
B. Maybe this answer?
C. Possibly this one?
D. Must be this one!
ANSWER: D

ما عاصمة مصر؟
(اختر إجابة واحدة)
A) القاهرة
B) الإسكندرية
ANSWER: A
\r
Which is a prime number?\r
A) 4\r
B) 7\r
ANSWER: B\r
"""


def problems(text: str) -> list[tuple[int | None, str]]:
    with pytest.raises(BankFileError) as caught:
        parse_aiken(text)
    return [(problem.line, problem.reason) for problem in caught.value.problems]


def test_a_good_file():
    assert parse_aiken(GOOD) == [
        ParsedQuestion("single", "What is the correct answer to this question?", [
            Answer("Is it this one?"), Answer("Maybe this answer?"), Answer("Possibly this one?"),
            Answer("Must be this one!", 1)], format="plain", line=1),
        ParsedQuestion("single", "ما عاصمة مصر؟\n(اختر إجابة واحدة)", [Answer("القاهرة", 1), Answer("الإسكندرية")],
                       format="plain", line=8),
        ParsedQuestion("single", "Which is a prime number?", [Answer("4"), Answer("7", 1)], format="plain", line=14),
    ]


PROBLEMS = {
    "missing ANSWER at the end": ("Q1?\nA) a\nB) b\n", 1, "ANSWER"),
    "missing ANSWER before the next question": ("\nQ1?\nA) a\nB) b\n\nQ2?\nA) a\nB) b\nANSWER: A\n", 2, "ANSWER"),
    "answer letter not an option": ("Q1?\nA) a\nB) b\nANSWER: C\n", 4, "C"),
    "answer not a letter": ("Q1?\nA) a\nB) b\nANSWER:\n", 4, "options"),
    "fewer than 2 options": ("Q1?\nA) a\nANSWER: A\n", 1, "at least 2"),
    "option without a question": ("A) a\nQ1?\nA) a\nB) b\nANSWER: A\n", 1, "option"),
    "ANSWER without a question": ("Q1?\nA) a\nB) b\nANSWER: A\nANSWER: B\n", 5, "ANSWER"),
    "an option twice": ("Q1?\nA) a\nA) b\nB) c\nANSWER: A\n", 3, "A"),
    "an empty option": ("Q1?\nA) a\nB)  \nC) c\nANSWER: A\n", 3, "empty"),
}


@pytest.mark.parametrize(("text", "line", "reason"), PROBLEMS.values(), ids=PROBLEMS.keys())
def test_problem(text, line, reason):
    [(found_line, found_reason)] = problems(text)
    assert found_line == line
    assert reason in found_reason


def test_every_problem_of_the_file_is_reported():
    text = "Q1?\nA) a\nB) b\nANSWER: Z\n\nQ2?\nA) a\nANSWER: A\n\nQ3?\nA) a\nB) b\nANSWER: B\n\nQ4?\nA) a\n"
    assert [line for line, _reason in problems(text)] == [4, 6, 15]
