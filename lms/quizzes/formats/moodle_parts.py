"""The parts of a Moodle XML question that every type reads and writes alike (after question/format/xml/format.php).

The question types use them for their own parts of a question; the file itself is moodle_xml.py's.
"""
import re
from decimal import Decimal
from xml.etree.ElementTree import Element, SubElement

from lms.core.i18n import _
from lms.quizzes.formats import Answer, percent_to_fraction

# Characters XML 1.0 cannot carry (control characters): written, they would make the file unreadable.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
FORMAT_NAMES = {"html": "html", "moodle": "moodle_auto_format", "markdown": "markdown", "plain": "plain_text"}


def text_of(element: Element | None) -> str:
    """The <text> of an element (CDATA or escaped; either way ElementTree gives the characters)."""
    text = element.find("text") if element is not None else None
    return "".join(text.itertext()).strip() if text is not None else ""


def add_text(parent: Element, tag: str, text: str, text_format: str | None = None) -> Element:
    """`<tag format="..."><text>text</text></tag>` under `parent`; `text_format` is one of ours (TEXT_FORMATS)."""
    element = SubElement(parent, tag, {"format": FORMAT_NAMES[text_format]} if text_format else {})
    SubElement(element, "text").text = _NOT_XML.sub("", text)
    return element


def add_value(parent: Element, tag: str, value: str) -> Element:
    element = SubElement(parent, tag)
    element.text = value
    return element


def percent(fraction: float) -> str:
    """A fraction as Moodle's percentage, "33.33333333333333": shifted two places without rounding, so that
    percent_to_fraction reads the same fraction back."""
    return format((Decimal(repr(float(fraction))) * 100).normalize(), "f")


def read_answer(element: Element, reasons: list[str]) -> Answer:
    """An <answer>'s text, weight and feedback; a weight that is not one goes into `reasons` (and counts as 0)."""
    weight = element.get("fraction", "0")
    fraction = percent_to_fraction(weight)
    if fraction is None:
        reasons.append(_("the weight “%(weight)s” is not a number", weight=weight))
    elif not -1 <= fraction <= 1:
        reasons.append(_("the weight %(weight)s%% is not between -100%% and 100%%", weight=weight))
    return Answer(text=text_of(element), fraction=fraction or 0.0, feedback=text_of(element.find("feedback")))


def add_answer(parent: Element, answer: Answer, text_format: str, text: str | None = None,
               fraction: str | None = None) -> Element:
    """`<answer fraction="...">` with its text and its feedback; `text` and `fraction` when the type writes its own
    (a number, a position) instead of the answer's."""
    element = SubElement(parent, "answer", {"fraction": fraction or percent(answer.fraction),
                                            "format": FORMAT_NAMES[text_format]})
    SubElement(element, "text").text = _NOT_XML.sub("", answer.text if text is None else text)
    if answer.feedback:
        add_text(element, "feedback", answer.feedback, text_format)
    return element
