"""Question bank files (GIFT, Moodle XML, Aiken) to and from one neutral, single-language form.

A file holds one language. Parsers return `ParsedQuestion`s or raise `BankFileError` with every problem found,
each with its line; they never touch the database. The bank pairs an Arabic and an English file by title.
"""
import math
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from lms.core.i18n import _, localize_digits, to_ascii_digits

TEXT_FORMATS = ("moodle", "markdown", "html", "plain")
BLANK = "_____"  # stands in a missing-word question's text where its answer block was


@dataclass
class Answer:
    """One answer of a question; which fields count depends on the type.

    single / multiple: `text` is an option, `fraction` its credit (-1..1; GIFT's `=` is 1, `~` is 0, `~%50%` 0.5).
    truefalse: exactly two answers, texts "true" and "false", the right one with fraction 1; `feedback` is shown
        to whoever chose that answer (GIFT `{T#shown when false chosen#shown when true chosen}`).
    short: `text` is an accepted answer, `fraction` its credit.
    numeric: `value` and `tolerance` (an accepted range is value ± tolerance; GIFT `1..5` is 3 ± 2).
    matching: `text` is the item (left side, may be empty for a distractor) and `match` its choice (right side).
    ordering: `text` is an item; the answers are in the right order.
    """

    text: str = ""
    fraction: float = 0.0
    feedback: str = ""
    value: float | None = None
    tolerance: float = 0.0
    match: str = ""


@dataclass
class ParsedQuestion:
    type: str  # a name of lms.quizzes.types.REGISTRY (a file's other types are refused with a reason)
    text: str  # the prompt, in `format`; a missing-word question has BLANK where its answer block was
    answers: list[Answer]
    title: str = ""
    format: str = "moodle"  # one of TEXT_FORMATS (GIFT's [markdown]/[html]/[plain]/[moodle] markers)
    category: str = ""  # "$course$/top/Part 1" style path, as the file gave it ("" = the default category)
    general_feedback: str = ""
    line: int = 0  # where the question starts in its file (1-based), for problems found later


@dataclass
class Problem:
    line: int | None
    reason: str
    file: str | None = None  # when a problem spans two files (an Arabic and an English bank), which one

    def __str__(self) -> str:
        if not self.line:
            return self.reason
        return _("line %(line)s: %(reason)s", line=localize_digits(self.line), reason=self.reason)


class BankFileError(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


@dataclass
class ParseResult:
    questions: list[ParsedQuestion] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def to_number(text: str) -> float | None:
    """A finite number written with ASCII, Arabic-Indic or Persian digits (and `٫`), else None."""
    try:
        number = float(to_ascii_digits(text.strip()))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def percent_to_fraction(text: str) -> float | None:
    """A weight "33.33333" -> 0.3333333, rounded once (Decimal): a weight written from a fraction reads back equal."""
    try:
        percent = Decimal(to_ascii_digits(text.strip()))
    except InvalidOperation:
        return None
    return float(percent / 100) if percent.is_finite() else None


def question_name(question: ParsedQuestion) -> str:
    """How a message names a question: its title, else the start of its text, on one line."""
    return " ".join((question.title or question.text[:60]).split())
