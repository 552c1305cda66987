"""Numeric: a number, right when it falls within an answer's tolerance (exact, value ± tolerance, or a range)."""
from lms.core.i18n import _, _l, localize_digits
from lms.quizzes.formats import to_number
from lms.quizzes.formats.moodle_parts import add_answer, add_value
from lms.quizzes.types.base import (
    FEEDBACK,
    MAX_TEXT_ANSWER,
    WEIGHT,
    InvalidResponse,
    TypedAnswerType,
    cell,
    clamp,
    finite,
    is_close,
    number_text,
    pick,
)

_TO_ASCII = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫٬", "01234567890123456789.,")


def parse_number(text: str) -> float | None:
    """A number as people type it: Arabic-Indic or Persian digits, the Arabic decimal separator (٫)."""
    cleaned = text.translate(_TO_ASCII).strip().replace("\u2212", "-")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")  # 2,5 is two and a half where a comma is the decimal separator
    if "_" in cleaned:  # float() reads "5_5" as 55: people do not
        return None
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if finite(value) else None


class NumericType(TypedAnswerType):
    name = "numeric"
    label = _l("Numeric")
    answer_fields = ("value", "tolerance", "fraction", "feedback")
    columns = (("value", _l("Accepted number")), ("tolerance", _l("Tolerance (±)")), WEIGHT, *FEEDBACK)
    hint = _l("Each accepted number with its tolerance: 5 with tolerance 0.5 accepts 4.5 to 5.5. "
              "To remove an answer, empty its number.")
    keep = ("value",)
    moodle_qtype = "numerical"

    def check(self, question):
        problems = super().check(question)
        if not any(a.fraction > 0 and a.value is not None for a in question.answers):
            problems.append(_("a numeric question needs at least one accepted number"))
        return problems

    def moodle_check(self, question):
        if problems := super().moodle_check(question):
            return problems
        if not any(answer.fraction == 1 for answer in question.answers):
            return [_("no answer gives full marks")]  # Moodle: fractionsnomax
        return []

    # -- the editor: a number and its tolerance, as people type them ---------------------------------------------
    def form_row(self, answer):
        return super().form_row(answer) | {"value": number_text(answer.get("value")),
                                           "tolerance": number_text(answer.get("tolerance"))}

    def read_row(self, index, row, cells):
        fraction, _value, _tolerance = super().read_row(index, row, cells)
        name = f"answers-{index}-"
        value, tolerance = parse_number(cell(row, "value")), 0.0
        if value is None:
            cells[name + "value"] = _("This is not a number.")
        if typed := cell(row, "tolerance"):
            tolerance = parse_number(typed)
            if tolerance is None:
                cells[name + "tolerance"], tolerance = _("This is not a number."), 0.0
            elif tolerance < 0:
                cells[name + "tolerance"], tolerance = _("The tolerance cannot be negative."), 0.0
        return fraction, value, tolerance

    # -- an attempt --------------------------------------------------------------------------------------------
    def clean(self, data, layout, raw):
        if raw is None or raw == "":
            return None
        if isinstance(raw, bool):
            raise InvalidResponse(raw)
        if isinstance(raw, int | float):
            value = float(raw)
            if not finite(value):
                raise InvalidResponse(raw)
            return value
        if not isinstance(raw, str) or len(raw) > MAX_TEXT_ANSWER:
            raise InvalidResponse(raw)
        value = parse_number(raw)
        if value is None:
            raise InvalidResponse(raw)
        return value

    def sample_answer(self, data, right):
        value = float(next(a["value"] for a in data["answers"] if a["fraction"] >= 1))
        return value if right else value + 1000

    def grade(self, data, response):
        if response is None:
            return 0.0
        return clamp(max((a["fraction"] for a in data["answers"]
                          if a["value"] is not None and is_close(response, a["value"], a["tolerance"])), default=0.0))

    def right_answers(self, question, lang):
        shown = []
        for answer in question.data["answers"]:
            if answer["fraction"] >= 1:
                value, tolerance = _plain(answer["value"]), answer["tolerance"]
                shown.append(f"{value} ± {_plain(tolerance)}" if tolerance else value)
        return [localize_digits(text, lang) for text in shown]

    def chosen_feedback(self, question, response, lang):
        if response is None:
            return []
        return [text for a in question.data["answers"]
                if a["value"] is not None and is_close(response, a["value"], a["tolerance"])
                and (text := pick(a.get("feedback", {}), lang))][:1]

    def response_text(self, question, response, lang):
        return "" if response is None else localize_digits(_plain(response), lang)

    def response_key(self, response):
        return float(response)

    # -- Moodle XML: the number in the answer's text, its tolerance beside it ----------------------------------------
    def take_moodle_answer(self, element, answer, reasons):
        if answer.text == "*":
            reasons.append(_("feedback for any other answer (*) is not supported in numeric questions; "
                             "use the general feedback"))
            return False
        answer.value, tolerance = to_number(answer.text), to_number(element.findtext("tolerance") or "0")
        if answer.value is None or tolerance is None or tolerance < 0:
            reasons.append(_("“%(answer)s” is not a number with a tolerance of 0 or more", answer=answer.text))
            return False
        answer.text, answer.tolerance = "", tolerance
        return True

    def write_moodle_xml(self, question, element):
        for answer in question.answers:
            written = add_answer(element, answer, question.format, text=repr(float(answer.value)))
            add_value(written, "tolerance", repr(float(answer.tolerance)))


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else repr(number)


TYPE = NumericType()
