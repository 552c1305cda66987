"""Multiple response: several options may be right; credit is the sum of the chosen options' weights, never below 0."""
from lms.core.i18n import _, _l
from lms.quizzes.types.base import ChoiceType, InvalidResponse, clamp, pick
from lms.quizzes.types.single import options_problems


class MultipleType(ChoiceType):
    name = "multiple"
    label = _l("Multiple response")
    hint = _l("The weights of the right options add up to 100; a wrong option may have a negative weight. "
              "To remove an option, empty its texts.")
    is_single = False

    def check(self, question):
        problems = super().check(question) + options_problems(question)
        if sum(a.fraction for a in question.answers if a.fraction > 0) < 0.99:
            problems.append(_("the weights of the right options must add up to 100%"))
        return problems

    def moodle_check(self, question):
        if problems := super().moodle_check(question):
            return problems
        total = round(sum(answer.fraction for answer in question.answers if answer.fraction > 0), 2)
        if total == 0:
            return [_("no answer is marked right")]
        if total != 1:  # Moodle: errfractionsaddwrong, on the total rounded to 2 decimals as Moodle does
            return [_("the positive weights add up to %(total)s%%, not 100%%", total=f"{total * 100:g}")]
        return []

    def from_form(self, form, name):
        return form.getlist(name)

    def clean(self, data, layout, raw):
        if raw is None or raw == []:
            return None
        if isinstance(raw, str):
            raw = [raw]
        known = {a["id"] for a in data["answers"]}
        if not isinstance(raw, list) or not all(isinstance(i, str) and i in known for i in raw):
            raise InvalidResponse(raw)
        return sorted(set(raw))

    def sample_answer(self, data, right):
        answers = data["answers"]
        return [a["id"] for a in answers if (a["fraction"] > 0) is right] or [answers[0]["id"]]

    def grade(self, data, response):
        chosen = set(response or [])
        return clamp(sum(a["fraction"] for a in data["answers"] if a["id"] in chosen))

    def right_answers(self, question, lang):
        return [pick(a["text"], lang) for a in question.data["answers"] if a["fraction"] > 0]


TYPE = MultipleType()
