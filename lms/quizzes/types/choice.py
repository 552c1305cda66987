"""Single choice, multiple response and true/false: the learner picks among options."""
from lms.core.i18n import _, _l
from lms.quizzes.types.base import ChoiceType, InvalidResponse, Presented, clamp, pick


def _options_problems(question) -> list[str]:
    """What single choice and multiple response both require of their options."""
    problems = []
    if len(question.answers) < 2:
        problems.append(_("a choice question needs at least two options"))
    if any(not a.text.strip() for a in question.answers):
        problems.append(_("an option has no text"))
    return problems


class SingleType(ChoiceType):
    name = "single"
    label = _l("Single choice")

    def check(self, question):
        problems = super().check(question) + _options_problems(question)
        if not any(a.fraction >= 1 for a in question.answers):
            problems.append(_("no option is marked right (=)"))
        return problems


class MultipleType(ChoiceType):
    """Several options may be right; credit is the sum of the chosen options' weights, never below 0."""

    name = "multiple"
    label = _l("Multiple response")

    def check(self, question):
        problems = super().check(question) + _options_problems(question)
        if sum(a.fraction for a in question.answers if a.fraction > 0) < 0.99:
            problems.append(_("the weights of the right options must add up to 100%"))
        return problems

    def clean(self, data, layout, raw):
        if raw is None or raw == []:
            return None
        if isinstance(raw, str):
            raw = [raw]
        known = {a["id"] for a in data["answers"]}
        if not isinstance(raw, list) or not all(isinstance(i, str) and i in known for i in raw):
            raise InvalidResponse(raw)
        return sorted(set(raw))

    def grade(self, data, response):
        chosen = set(response or [])
        return clamp(sum(a["fraction"] for a in data["answers"] if a["id"] in chosen))

    def right_answers(self, question, lang):
        return [pick(a["text"], lang) for a in question.data["answers"] if a["fraction"] > 0]


class TrueFalseType(ChoiceType):
    """Two answers, "true" and "false"; their ids are those words, which say nothing about the key."""

    name = "truefalse"
    label = _l("True/false")

    def check(self, question):
        problems = super().check(question)
        texts = [a.text for a in question.answers]
        if texts != ["true", "false"] or sorted(a.fraction for a in question.answers) != [0, 1]:
            problems.append(_("a true/false question needs one right answer, true or false"))
        return problems

    def to_data(self, by_lang, previous=None):
        data = super().to_data(by_lang, previous)
        for answer in data["answers"]:
            answer["id"] = answer["text"]["ar"] if "ar" in answer["text"] else answer["text"]["en"]
        return data

    def layout(self, data, rng, shuffle):
        return {"options": ["true", "false"]}  # always in this order: shuffling true/false only confuses

    def present(self, question, layout, lang):
        labels = {"true": _("True"), "false": _("False")}
        return Presented(question.id, self.name, super().present(question, layout, lang).prompt,
                         [{"id": i, "text": labels[i]} for i in ("true", "false")], [], [])

    def right_answers(self, question, lang):
        right = next(a["id"] for a in question.data["answers"] if a["fraction"] >= 1)
        return [_("True") if right == "true" else _("False")]

    def response_text(self, question, response, lang):
        return {"true": _("True"), "false": _("False")}.get(response, "")
