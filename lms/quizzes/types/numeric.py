"""Numeric: a number, right when it falls within an answer's tolerance (exact, value ± tolerance, or a range)."""
from lms.core.i18n import _, _l
from lms.quizzes.types.base import MAX_TEXT_ANSWER, InvalidResponse, QuestionType, clamp, finite, is_close, pick

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


class NumericType(QuestionType):
    name = "numeric"
    label = _l("Numeric")
    answer_fields = ("value", "tolerance", "fraction", "feedback")

    def check(self, question):
        problems = super().check(question)
        if not any(a.fraction > 0 and a.value is not None for a in question.answers):
            problems.append(_("a numeric question needs at least one accepted number"))
        return problems

    def layout(self, data, rng, shuffle):
        return {}

    def present(self, question, layout, lang):
        return super().present(question, {}, lang)

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
        return shown

    def chosen_feedback(self, question, response, lang):
        if response is None:
            return []
        return [text for a in question.data["answers"]
                if a["value"] is not None and is_close(response, a["value"], a["tolerance"])
                and (text := pick(a.get("feedback", {}), lang))][:1]

    def response_text(self, question, response, lang):
        return "" if response is None else _plain(response)


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else repr(number)
