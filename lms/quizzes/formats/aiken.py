"""Aiken, the simplest question format, to `ParsedQuestion` (after question/format/aiken/format.php).

    Question text (one or more lines)
    A) first option          (or "A. first option")
    B) second option
    ANSWER: B

Every question is single-answer, plain text, without feedback or title; blank lines are ignored.
"""
import re

from lms.core.i18n import _
from lms.quizzes.formats import Answer, BankFileError, ParsedQuestion, Problem

_OPTION = re.compile(r"([A-Z])[.)](?:[ \t]+(.*))?$")  # Moodle's /^[A-Z][).][ \t]/; "B)" alone: an empty option
_ANSWER = re.compile(r"ANSWER:(.*)")


class _Question:
    def __init__(self, line: int, text: str):
        self.line, self.lines, self.options = line, [text], {}


def parse_aiken(text: str) -> list[ParsedQuestion]:
    """The questions of an Aiken file, or BankFileError listing every problem of every question."""
    questions: list[ParsedQuestion] = []
    problems: list[Problem] = []
    current: _Question | None = None
    for number, line in enumerate(text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        line = line.strip()
        if not line:
            continue
        if answer := _ANSWER.match(line):
            if current is None:
                problems.append(Problem(number, _("“ANSWER:” without a question before it")))
            else:
                question = _finish(current, answer[1].strip(), number, problems)
                if question:
                    questions.append(question)
            current = None
        elif option := _OPTION.match(line):
            if current is None:
                problems.append(Problem(number, _("an option without a question before it")))
            elif option[1] in current.options:
                problems.append(Problem(number, _("option %(letter)s appears twice", letter=option[1])))
            elif not (option[2] or "").strip():
                problems.append(Problem(number, _("an answer is empty")))
            else:
                current.options[option[1]] = option[2].strip()
        elif current is None:
            current = _Question(number, line)
        elif current.options:  # text after the options: the question lacks its ANSWER line
            problems.append(Problem(current.line, _("the question has no “ANSWER:” line")))
            current = _Question(number, line)
        else:
            current.lines.append(line)
    if current is not None:
        problems.append(Problem(current.line, _("the question has no “ANSWER:” line")))
    if problems:
        raise BankFileError(problems)
    return questions


def _finish(current: _Question, letter: str, line: int, problems: list[Problem]) -> ParsedQuestion | None:
    found = len(problems)
    if len(current.options) < 2:
        problems.append(Problem(current.line, _("a multiple-choice question needs at least 2 answers")))
    if letter.upper() not in current.options:
        problems.append(Problem(line, _("the answer “%(letter)s” is not one of the options", letter=letter)))
    if len(problems) > found:
        return None
    answers = [Answer(text=option, fraction=1.0 if key == letter.upper() else 0.0)
               for key, option in current.options.items()]
    return ParsedQuestion(type="single", text="\n".join(current.lines), answers=answers, format="plain",
                          line=current.line)
