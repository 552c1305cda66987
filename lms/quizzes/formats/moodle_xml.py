"""Moodle XML question files to and from `ParsedQuestion`, after Moodle's reader and writer (question/format/xml).

The file is parsed by defusedxml with DTDs forbidden: a DOCTYPE (and so any entity, the stuff of XML bombs
and of reading the server's files) is refused with a problem, never expanded. Each question's own parts (its
answers, subquestions, items) are its type's to read and write (lms.quizzes.types: `moodle_qtype`).
"""
from xml.etree.ElementTree import Comment, Element, SubElement, TreeBuilder, indent, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from lms.core.i18n import _, localize_digits
from lms.quizzes.formats import BankFileError, ParsedQuestion, Problem, question_name
from lms.quizzes.formats.moodle_parts import FORMAT_NAMES, add_text, text_of
from lms.quizzes.types import moodle_reader, type_of

_FORMATS = {name: ours for ours, name in FORMAT_NAMES.items()}


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
    category, number = "", 0
    for element in root.findall("question"):
        kind = element.get("type", "")
        if kind == "category":  # not a question: not counted (the first question was called "question 3")
            category = text_of(element.find("category"))
            continue
        number += 1
        question, reasons = _question(element, kind)
        line = builder.lines.get(element)
        name = text_of(element.find("name"))
        for reason in reasons:
            shown = localize_digits(number)
            reason = (_("question %(number)s (%(name)s): %(problem)s", number=shown, name=name, problem=reason)
                      if name else _("question %(number)s: %(problem)s", number=shown, problem=reason))
            problems.append(Problem(line, reason))
        if question and not reasons:
            question.category, question.line = category, line or 0
            questions.append(question)
    if problems:
        raise BankFileError(problems)
    return questions


def _question(element: Element, kind: str) -> tuple[ParsedQuestion | None, list[str]]:
    reader = moodle_reader(element)
    if reader is None:
        return None, [_("the question type “%(type)s” is not supported", type=kind)]
    body = element.find("questiontext")
    question_format = body.get("format", "moodle_auto_format") if body is not None else "moodle_auto_format"
    question = ParsedQuestion(type=reader.name, text=text_of(body), answers=[], title=text_of(element.find("name")),
                              format=_FORMATS.get(question_format, "moodle"),  # Moodle: unknown -> moodle
                              general_feedback=text_of(element.find("generalfeedback")))
    reasons = reader.read_moodle_xml(element, question)
    return question, reasons or type_of(question.type).moodle_check(question)


# Writing ----------------------------------------------------------------------------------------------------


def to_moodle_xml(questions: list[ParsedQuestion]) -> str:
    """A Moodle XML file of `questions` (assumed valid) that `parse_moodle_xml` reads back equal, lines aside."""
    root = Element("quiz")
    category = ""
    for question in questions:
        kind = type_of(question.type)
        if kind.moodle_qtype is None:
            reason = _("“%(title)s” (%(type)s) is left out: Moodle has no such type of question.",
                       title=question_name(question), type=kind.label)
            root.append(Comment(" " + reason.replace("--", "—") + " "))
            continue
        if question.category != category:
            category = question.category
            add_text(SubElement(root, "question", type="category"), "category", category)
        element = SubElement(root, "question", type=kind.moodle_qtype)
        add_text(element, "name", question.title)
        add_text(element, "questiontext", question.text, question.format)
        add_text(element, "generalfeedback", question.general_feedback, question.format)
        kind.write_moodle_xml(question, element)
    indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="unicode") + "\n"
