"""Moodle XML question files to `ParsedQuestion`, after Moodle's reader (question/format/xml/format.php).

The file is parsed by defusedxml with DTDs forbidden: a DOCTYPE (and so any entity, the stuff of XML bombs
and of reading the server's files) is refused with a problem, never expanded.
"""
from xml.etree.ElementTree import Element, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from lms.core.i18n import _
from lms.quizzes.formats import (
    Answer,
    BankFileError,
    ParsedQuestion,
    Problem,
    check_question,
    percent_to_fraction,
    to_number,
)

_FORMATS = {"html": "html", "moodle_auto_format": "moodle", "markdown": "markdown", "plain_text": "plain"}
_TYPES = {"multichoice": "single", "truefalse": "truefalse", "shortanswer": "short", "numerical": "numeric",
          "matching": "matching"}


class _Builder(TreeBuilder):
    """Notes the line of each <question> start tag, which ElementTree does not keep."""

    def __init__(self) -> None:
        super().__init__()
        self.expat = None
        self.lines: dict[Element, int] = {}

    def start(self, tag, attrs):
        element = super().start(tag, attrs)
        if tag == "question" and self.expat is not None:
            self.lines[element] = self.expat.CurrentLineNumber
        return element


def parse_moodle_xml(data: bytes) -> list[ParsedQuestion]:
    """The questions of a Moodle XML file, or BankFileError listing every problem of every question."""
    builder = _Builder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True)
    builder.expat = getattr(parser, "parser", None)  # the expat parser of the pure-Python XMLParser
    try:
        parser.feed(data)
        root = parser.close()
    except DefusedXmlException:
        line = builder.expat.CurrentLineNumber if builder.expat is not None else None
        raise BankFileError([Problem(line, _("the file declares a DTD or entities (<!DOCTYPE>, <!ENTITY>), "
                                             "which are not allowed"))]) from None
    except ParseError as error:
        raise BankFileError([Problem(error.position[0], _("the file is not well-formed XML (%(error)s)",
                                                          error=str(error)))]) from None
    if root.tag != "quiz":
        raise BankFileError([Problem(1, _("this is not a Moodle XML question file: it does not start with <quiz>"))])

    questions: list[ParsedQuestion] = []
    problems: list[Problem] = []
    category = ""
    for number, element in enumerate(root.findall("question"), 1):
        kind = element.get("type", "")
        if kind == "category":
            category = _text(element.find("category"))
            continue
        question, reasons = _question(element, kind)
        line = builder.lines.get(element)
        name = _text(element.find("name"))
        for reason in reasons:
            reason = (_("question %(number)s (%(name)s): %(problem)s", number=number, name=name, problem=reason)
                      if name else _("question %(number)s: %(problem)s", number=number, problem=reason))
            problems.append(Problem(line, reason))
        if question and not reasons:
            question.category, question.line = category, line or 0
            questions.append(question)
    if problems:
        raise BankFileError(problems)
    return questions


def _text(element: Element | None) -> str:
    """The <text> of an element (CDATA or escaped; either way ElementTree gives the characters)."""
    text = element.find("text") if element is not None else None
    return "".join(text.itertext()).strip() if text is not None else ""


def _question(element: Element, kind: str) -> tuple[ParsedQuestion | None, list[str]]:
    if kind not in _TYPES:
        return None, [_("the question type “%(type)s” is not supported", type=kind)]
    body = element.find("questiontext")
    question_format = body.get("format", "moodle_auto_format") if body is not None else "moodle_auto_format"
    question = ParsedQuestion(type=_TYPES[kind], text=_text(body), answers=[], title=_text(element.find("name")),
                              format=_FORMATS.get(question_format, "moodle"),  # Moodle: unknown -> moodle
                              general_feedback=_text(element.find("generalfeedback")))
    reasons: list[str] = []
    if kind == "matching":
        for sub in element.findall("subquestion"):
            question.answers.append(Answer(text=_text(sub), match=_text(sub.find("answer"))))
            if not question.answers[-1].match:
                reasons.append(_("an answer is empty"))
        return question, reasons or check_question(question)

    for answer_element in element.findall("answer"):
        weight = answer_element.get("fraction", "0")
        fraction = percent_to_fraction(weight)
        if fraction is None:
            reasons.append(_("the weight “%(weight)s” is not a number", weight=weight))
        elif not -1 <= fraction <= 1:
            reasons.append(_("the weight %(weight)s%% is not between -100%% and 100%%", weight=weight))
        answer = Answer(text=_text(answer_element), fraction=fraction or 0.0,
                        feedback=_text(answer_element.find("feedback")))
        if kind == "numerical":
            if answer.text == "*":
                reasons.append(_("feedback for any other answer (*) is not supported in numeric questions; "
                                 "use the general feedback"))
                continue
            answer.value, tolerance = to_number(answer.text), to_number(answer_element.findtext("tolerance") or "0")
            if answer.value is None or tolerance is None or tolerance < 0:
                reasons.append(_("“%(answer)s” is not a number with a tolerance of 0 or more", answer=answer.text))
                continue
            answer.text, answer.tolerance = "", tolerance
        elif not answer.text:
            reasons.append(_("an answer is empty"))
        question.answers.append(answer)

    if kind == "multichoice" and (element.findtext("single") or "true").strip().lower() not in ("true", "1"):
        question.type = "multiple"
    if kind == "truefalse":
        reasons += _truefalse(question)
    return question, reasons or check_question(question)


def _truefalse(question: ParsedQuestion) -> list[str]:
    """Two answers "true" and "false"; like Moodle, answers with other texts are taken as true then false."""
    if len(question.answers) != 2:
        return [_("a true/false question needs exactly 2 answers")]
    texts = [answer.text.lower() for answer in question.answers]
    if sorted(texts) != ["false", "true"]:
        texts = ["true", "false"]
    true, false = (question.answers[texts.index(word)] for word in ("true", "false"))
    right_is_true = true.fraction == 1
    question.answers = [Answer("true", 1.0 if right_is_true else 0.0, true.feedback),
                        Answer("false", 0.0 if right_is_true else 1.0, false.feedback)]
    return []
