"""True/false: two answers, "true" and "false"; their ids are those words, which say nothing about the key."""
from lms.core.i18n import _, _l
from lms.quizzes.formats import Answer
from lms.quizzes.formats.moodle_parts import add_answer
from lms.quizzes.types.base import FEEDBACK, LANGS, ChoiceType, Presented, cell

WORDS = ("true", "false")


class TrueFalseType(ChoiceType):
    name = "truefalse"
    label = _l("True/false")
    columns = FEEDBACK  # beside the right answer, which has a field of its own
    editor = "qtypes/truefalse/editor.html"
    moodle_qtype = "truefalse"

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

    # -- the editor: which answer is right, and the feedback of each ------------------------------------------
    def form_rows(self, answers):
        if answers is None:
            return [{"id": word} for word in WORDS]
        by_id = {a["id"]: a for a in answers}
        return [self.form_row(by_id.get(word, {"id": word})) for word in WORDS]

    def form_values(self, answers):
        return {"right": next((a["id"] for a in answers if a["fraction"] >= 1), "true")}

    def read_form(self, values, cells):
        right = values.get("right")
        if right not in WORDS:
            cells["right"], right = _("Choose true or false."), "true"
        rows = (list(values.get("answers") or []) + [{}, {}])[:2]
        kept = [(row, 1.0 if word == right else 0.0) for word, row in zip(WORDS, rows, strict=True)]
        return {lang: [Answer(word, credit, cell(row, f"feedback_{lang}"))
                       for word, (row, credit) in zip(WORDS, kept, strict=True)] for lang in LANGS}, kept

    # -- an attempt --------------------------------------------------------------------------------------------
    def layout(self, data, rng, shuffle):
        return {"options": list(WORDS)}  # always in this order: shuffling true/false only confuses

    def present(self, question, layout, lang):
        labels = {"true": _("True"), "false": _("False")}
        return Presented(question.id, self.name, super().present(question, layout, lang).prompt,
                         [{"id": i, "text": labels[i]} for i in WORDS], [], [])

    def right_answers(self, question, lang):
        right = next(a["id"] for a in question.data["answers"] if a["fraction"] >= 1)
        return [_("True") if right == "true" else _("False")]

    def response_text(self, question, response, lang):
        return {"true": _("True"), "false": _("False")}.get(response, "")

    def option_label(self, answer, question, lang):
        return self.response_text(question, answer["id"], lang) or super().option_label(answer, question, lang)

    # -- Moodle XML --------------------------------------------------------------------------------------------
    def reads_moodle(self, element):
        return True

    def read_moodle_xml(self, element, question):
        reasons = super().read_moodle_xml(element, question)
        return reasons + _normalise(question)

    def write_moodle_xml(self, question, element):
        for answer in question.answers:
            add_answer(element, answer, question.format)


def _normalise(question) -> list[str]:
    """Two answers "true" and "false"; like Moodle, answers with other texts are taken as true then false."""
    if len(question.answers) != 2:
        return [_("a true/false question needs exactly 2 answers")]
    texts = [answer.text.lower() for answer in question.answers]
    if sorted(texts) != ["false", "true"]:
        texts = ["true", "false"]
    true, false = (question.answers[texts.index(word)] for word in WORDS)
    right_is_true = true.fraction == 1
    question.answers = [Answer("true", 1.0 if right_is_true else 0.0, true.feedback),
                        Answer("false", 0.0 if right_is_true else 1.0, false.feedback)]
    return []


TYPE = TrueFalseType()
