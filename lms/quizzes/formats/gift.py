"""GIFT, Moodle's plain-text question format, to and from `ParsedQuestion`.

Follows Moodle's own reader and writer (question/format/gift/format.php): questions are blocks between blank
lines, `//` lines are comments, `$CATEGORY:` sets the category of the questions after it. Where Moodle would
import something it cannot use (a choice question without a right answer...) we report a problem instead.

GIFT is a syntax for Moodle's core types, so this module knows them by name (GIFT_TYPES); a question of another
type (ordering) is left out of a GIFT file, with a comment that says so.
"""
import re
from decimal import Decimal

from lms.core.i18n import _
from lms.quizzes.formats import (
    BLANK,
    TEXT_FORMATS,
    Answer,
    BankFileError,
    ParsedQuestion,
    Problem,
    percent_to_fraction,
    question_name,
    to_number,
)
from lms.quizzes.types import type_of

_ESCAPE = re.compile(r"\\([\\~=#{}:n])")  # Moodle's escapes; any other backslash is a plain character
_MARKER = re.compile(r"\s*\[(" + "|".join(TEXT_FORMATS) + r")\]")
# Like Moodle, only a number between percent signs is a weight; "%abc%" stays part of the answer text.
_WEIGHT = re.compile(r"\s*%\s*(-?[\d.٫]+)\s*%")
_TRUE, _FALSE = ("T", "TRUE"), ("F", "FALSE")


def _unescape(raw: str) -> str:
    return _ESCAPE.sub(lambda match: "\n" if match[1] == "n" else match[1], raw)


def _mask(raw: str) -> str:
    """Escapes blanked out, same length: the structure is found in the mask, the texts are cut from the raw."""
    return _ESCAPE.sub("\0\0", raw)


def _escape(text: str) -> str:
    text = text.replace("\\", "\\\\")
    for char in "~=#{}:":
        text = text.replace(char, "\\" + char)
    return text.replace("\r", "").replace("\n", "\\n")


def _blocks(text: str):
    """(first line number, lines) of each question; a `$CATEGORY:` line is a block of its own.

    Lines are stripped as Moodle does, and comment lines emptied rather than dropped so offsets keep their line.
    """
    block: list[str] = []
    start = 0
    for number, line in enumerate(text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        line = line.strip()
        if not line or line.startswith("$CATEGORY:"):
            if block:
                yield start, block
                block = []
            if line:
                yield number, [line]
            continue
        if not block:
            start = number
        block.append("" if line.startswith("//") else line)
    if block:
        yield start, block


class _Block:
    """One question's text, its mask, and the problems found in it, each with the line of the offending part."""

    def __init__(self, start: int, lines: list[str]):
        self.start, self.raw = start, "\n".join(lines)
        self.masked = _mask(self.raw)
        self.problems: list[Problem] = []
        self.line = self.line_at(len(self.raw) - len(self.raw.lstrip()))

    def line_at(self, offset: int) -> int:
        return self.start + self.raw.count("\n", 0, offset)

    def problem(self, reason: str, offset: int | None = None) -> None:
        self.problems.append(Problem(self.line if offset is None else self.line_at(offset), reason))

    def text(self, begin: int, end: int) -> str:
        return _unescape(self.raw[begin:end]).strip()

    def pieces(self, begin: int, end: int, separators: str) -> list[tuple[str, int, int]]:
        """(separator, start, end) of the parts of begin:end cut before each separator; like Moodle, a blank
        part before the first separator is dropped and a non-blank one kept (as an answer without a sign)."""
        parts, sign, part_start = [], "", begin
        for index in range(begin, end):
            if self.masked[index] in separators:
                parts.append((sign, part_start, index))
                sign, part_start = self.masked[index], index + 1
        parts.append((sign, part_start, end))
        return [part for part in parts if part[0] or self.masked[part[1]:part[2]].strip()]

    def first(self, begin: int, end: int) -> int:
        """Offset of the first character of begin:end, or of the separator just before an empty part."""
        offset = begin + len(self.masked[begin:end]) - len(self.masked[begin:end].lstrip())
        return offset if offset < end else begin - 1

    def answer(self, part: tuple[str, int, int], default: float) -> tuple[float | None, str, str, int]:
        """(fraction, text, feedback, offset) of `%weight%text#feedback`; fraction None when the weight is bad."""
        _sign, begin, end = part
        offset = self.first(begin, end)
        fraction: float | None = default
        if weight := _WEIGHT.match(self.masked, max(offset, begin), end):
            fraction, begin = self.fraction(weight[1], offset), weight.end()
        hash_at = self.masked.find("#", begin, end)
        if hash_at < 0:
            return fraction, self.text(begin, end), "", offset
        return fraction, self.text(begin, hash_at), self.text(hash_at + 1, end), offset

    def fraction(self, weight: str, offset: int) -> float | None:
        fraction = percent_to_fraction(weight)
        if fraction is None:
            self.problem(_("the weight “%(weight)s” is not a number", weight=weight), offset)
        elif not -1 <= fraction <= 1:
            self.problem(_("the weight %(weight)s%% is not between -100%% and 100%%", weight=weight), offset)
            fraction = None
        return fraction


def parse_gift(text: str) -> list[ParsedQuestion]:
    """The questions of a GIFT file, or BankFileError listing every problem of every question."""
    questions: list[ParsedQuestion] = []
    problems: list[Problem] = []
    category = ""
    for start, lines in _blocks(text):
        if lines[0].startswith("$CATEGORY:"):
            category = lines[0][len("$CATEGORY:"):].strip()  # kept raw, as Moodle writes it
            continue
        block = _Block(start, lines)
        question = _question(block)
        problems += block.problems
        if question:
            question.category = category
            questions.append(question)
    if problems:
        raise BankFileError(problems)
    return questions


def _question(block: _Block) -> ParsedQuestion | None:
    masked, raw = block.masked, block.raw
    position = len(masked) - len(masked.lstrip())
    if position == len(masked):
        return None  # only comments
    title = ""
    if masked.startswith("::", position):
        end = masked.find("::", position + 2)
        if end < 0:
            block.problem(_("the title is not closed with “::”"))
            return None
        title, position = block.text(position + 2, end), end + 2
    text_format = "moodle"
    if marker := _MARKER.match(masked, position):
        text_format, position = marker[1], marker.end()

    opening, closing = masked.find("{", position), masked.find("}", position)
    if opening < 0 and closing < 0:
        block.problem(_("description items (a text without an answer block) are not supported"))
        return None
    if closing >= 0 and (opening < 0 or closing < opening):
        block.problem(_("“}” without an opening “{”"), closing)
        return None
    if closing < 0:
        block.problem(_("the answer block “{” is not closed"), opening)
        return None
    extra = [index for index in (masked.find("{", opening + 1, closing), masked.find("{", closing),
                                 masked.find("}", closing + 1)) if index >= 0]
    if extra:
        block.problem(_("a question has one answer block; write \\{ and \\} for braces in texts"), min(extra))
        return None

    # Missing-word questions: the block stands where the blank goes (text after it), as in Moodle.
    after = raw[closing + 1:]
    text = _unescape(raw[position:opening]) + (BLANK + _unescape(after) if after.strip() else "")
    general_feedback, end = "", closing
    if (separator := masked.rfind("####", opening + 1, closing)) >= 0:
        general_feedback, end = block.text(separator + 4, closing), separator
    question = ParsedQuestion(type="", text=text.strip(), answers=[], title=title, format=text_format,
                              general_feedback=general_feedback, line=block.line)
    before = len(block.problems)
    _ANSWERS[_kind(masked[opening + 1:end])](block, question, opening + 1, end)
    if len(block.problems) == before and question.type:
        block.problems += [Problem(block.line, reason) for reason in type_of(question.type).moodle_check(question)]
    return question if len(block.problems) == before else None


def _kind(body: str) -> str:
    """Moodle's type detection, on the answer block with escapes masked."""
    body = body.strip()
    if not body:
        return "essay"
    if body[0] == "#":
        return "numeric"
    if "~" in body:
        return "choice"
    # Matching has "->" in an answer; unlike Moodle, an arrow in a feedback (after "#") does not count.
    if "=" in body and any("->" in part.split("#")[0] for part in body.split("=")):
        return "matching"
    return "truefalse" if body.split("#")[0].strip() in _TRUE + _FALSE else "short"


def _essay(block: _Block, question: ParsedQuestion, begin: int, end: int) -> None:
    block.problem(_("essay questions are not supported"))


def _choice(block: _Block, question: ParsedQuestion, begin: int, end: int) -> None:
    # Moodle's rule: an "=" anywhere in the block makes a single-answer question (the "=" answers are worth
    # 100%); without one, it allows several answers and the weights say what each is worth.
    question.type = "single" if "=" in block.masked[begin:end] else "multiple"
    for part in block.pieces(begin, end, "~="):
        fraction, text, feedback, offset = block.answer(part, 1.0 if part[0] == "=" else 0.0)
        if not text:
            block.problem(_("an answer is empty"), offset)
        question.answers.append(Answer(text=text, fraction=fraction or 0.0, feedback=feedback))


def _short(block: _Block, question: ParsedQuestion, begin: int, end: int) -> None:
    question.type = "short"
    for part in block.pieces(begin, end, "="):
        fraction, text, feedback, offset = block.answer(part, 1.0)
        if not text:
            block.problem(_("an answer is empty"), offset)
        question.answers.append(Answer(text=text, fraction=fraction or 0.0, feedback=feedback))


def _numeric(block: _Block, question: ParsedQuestion, begin: int, end: int) -> None:
    question.type = "numeric"
    begin = block.masked.index("#", begin) + 1
    if (tilde := block.masked.find("~", begin, end)) >= 0:  # Moodle's "any other answer" feedback
        block.problem(_("feedback for any other answer (~) is not supported in numeric questions; "
                        "use the general feedback (####)"), tilde)
        end = tilde
    for part in block.pieces(begin, end, "="):
        fraction, text, feedback, offset = block.answer(part, 1.0)
        if not text:
            block.problem(_("an answer is empty"), offset)
            continue
        value, tolerance = _number(text)
        if value is None or tolerance is None:
            block.problem(_("“%(answer)s” is not a number, number:tolerance or minimum..maximum", answer=text), offset)
            continue
        if tolerance < 0:
            block.problem(_("the tolerance of “%(answer)s” is negative", answer=text), offset)
        question.answers.append(Answer(fraction=fraction or 0.0, feedback=feedback, value=value, tolerance=tolerance))


def _number(text: str) -> tuple[float | None, float | None]:
    """`3.14`, `3.14:0.01` or `1..5` (the middle ± half the width), as Moodle reads them."""
    if ".." in text[1:]:
        low, high = (to_number(bound) for bound in text.split("..", 1))
        if low is None or high is None:
            return None, None
        return (low + high) / 2, (high - low) / 2
    if ":" in text[1:]:
        value, tolerance = text.split(":", 1)
        return to_number(value), to_number(tolerance)
    return to_number(text), 0.0


def _matching(block: _Block, question: ParsedQuestion, begin: int, end: int) -> None:
    question.type = "matching"
    for _sign, part_begin, part_end in block.pieces(begin, end, "="):
        arrow = block.masked.find("->", part_begin, part_end)
        if arrow < 0:
            block.problem(_("a matching pair needs “->” between the item and its choice"),
                          block.first(part_begin, part_end))
            continue
        match = block.text(arrow + 2, part_end)
        if not match:
            block.problem(_("an answer is empty"), arrow)
        question.answers.append(Answer(text=block.text(part_begin, arrow), match=match))


def _truefalse(block: _Block, question: ParsedQuestion, begin: int, end: int) -> None:
    # {T#shown to whoever answered wrong#shown to whoever answered right}: Moodle's split_truefalse_comment.
    question.type = "truefalse"
    cuts = [begin - 1]
    while len(cuts) < 3 and (hash_at := block.masked.find("#", cuts[-1] + 1, end)) >= 0:
        cuts.append(hash_at)
    parts = [block.text(cut + 1, next_cut) for cut, next_cut in zip(cuts, cuts[1:] + [end], strict=True)]
    wrong, right = (parts[1:] + ["", ""])[:2]
    is_true = parts[0] in _TRUE
    question.answers = [Answer("true", 1.0 if is_true else 0.0, right if is_true else wrong),
                        Answer("false", 0.0 if is_true else 1.0, wrong if is_true else right)]


_ANSWERS = {"essay": _essay, "choice": _choice, "short": _short, "numeric": _numeric, "matching": _matching,
            "truefalse": _truefalse}


# Writing ----------------------------------------------------------------------------------------------------


# The types GIFT has a syntax for (the reader's `_ANSWERS` make them).
GIFT_TYPES = frozenset({"single", "multiple", "truefalse", "short", "numeric", "matching"})


def to_gift(questions: list[ParsedQuestion]) -> str:
    """A GIFT file of `questions` (assumed valid) that `parse_gift` reads back equal, lines aside; a question
    GIFT cannot write is left out, and a comment says so."""
    chunks, category = [], ""
    for question in questions:
        if question.type not in GIFT_TYPES:
            chunks.append("// " + left_out(question))
            continue
        if question.category != category:
            category = question.category
            chunks.append(f"$CATEGORY: {category}".rstrip())
        chunks.append(_write(question))
    return "\n\n".join(chunks) + "\n" if chunks else ""


def left_out(question: ParsedQuestion) -> str:
    return _("“%(title)s” (%(type)s) is left out: GIFT has no syntax for this type of question. Export the bank "
             "in Moodle XML to keep it.", title=question_name(question), type=type_of(question.type).label)


def _write(question: ParsedQuestion) -> str:
    head = f"::{_escape(question.title)}:: " if question.title else ""
    # A marker also protects a text that would read as one, or as a comment.
    if question.format != "moodle" or question.text.startswith(("[", "//")):
        head += f"[{question.format}]"
    block = _block(question)
    text, blank = question.text, question.text.find(BLANK)
    if blank >= 0 and text[blank + len(BLANK):].strip():  # missing word: the block goes in the blank
        return head + _escape(text[:blank]) + block + _escape(text[blank + len(BLANK):])
    return f"{head}{_escape(text)} {block}"


def _block(question: ParsedQuestion) -> str:
    general = f"####{_escape(question.general_feedback)}" if question.general_feedback else ""
    if question.type == "truefalse":
        return _truefalse_block(question, general)
    # A single-answer question needs an "=" and a "~" to read back as one, even when every answer is right.
    all_right = all(answer.fraction == 1 for answer in question.answers)
    lines = []
    for number, answer in enumerate(question.answers, 1):
        if question.type == "matching":
            lines.append(f"={_escape(answer.text)} -> {_escape(answer.match)}")
            continue
        body = f"{answer.value!r}:{answer.tolerance!r}" if question.type == "numeric" else _escape(answer.text)
        sign, default = "=", 1.0
        if question.type == "multiple" or question.type == "single" and (
                answer.fraction != 1 or all_right and number == len(question.answers)):
            sign, default = "~", 0.0
        # A text starting with "%" gets an explicit weight, so that it cannot be taken for one.
        weight = "" if answer.fraction == default and not answer.text.startswith("%") else _weight(answer.fraction)
        feedback = f"#{_escape(answer.feedback)}" if answer.feedback else ""
        lines.append(f"{sign}{weight}{body}{feedback}")
    prefix = "#" if question.type == "numeric" else ""
    return "{" + prefix + "\n" + "".join(f"\t{line}\n" for line in lines + ([general] if general else [])) + "}"


def _truefalse_block(question: ParsedQuestion, general: str) -> str:
    true, false = sorted(question.answers, key=lambda answer: answer.text != "true")
    right, wrong = (true, false) if true.fraction == 1 else (false, true)
    out = "{" + ("TRUE" if right is true else "FALSE")
    if wrong.feedback or right.feedback:
        out += "#" + _escape(wrong.feedback)
    if right.feedback:
        out += "#" + _escape(right.feedback)
    return out + general + "}"


def _weight(fraction: float) -> str:
    """`%33.33333333333333%`: the fraction's shortest repr, shifted by two decimal places without rounding."""
    return f"%{format((Decimal(repr(fraction)) * 100).normalize(), 'f')}%"
