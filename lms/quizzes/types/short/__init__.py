"""Short answer: the learner types a word or a phrase, matched however it is spelt in Arabic."""
from lms.core.arabic import normalize_for_matching
from lms.core.i18n import _, _l, localize_digits, ngettext
from lms.quizzes.types.base import (
    FEEDBACK,
    MAX_TEXT_ANSWER,
    WEIGHT,
    InvalidResponse,
    TypedAnswerType,
    cell,
    clamp,
    new_id,
    pick,
)


class ShortType(TypedAnswerType):
    name = "short"
    label = _l("Short answer")
    columns = (("text_ar", _l("Accepted answer in Arabic")), ("text_en", _l("Accepted answer in English")), WEIGHT,
               *FEEDBACK)
    hint = _l("Each accepted answer with its credit (100 for full marks). Spelling variants of Arabic letters "
              "(أ/ا، ة/ه، ى/ي) are accepted anyway. To remove an answer, empty its texts.")
    moodle_qtype = "shortanswer"

    def check(self, question):
        problems = super().check(question)
        if not any(a.fraction > 0 and a.text.strip() for a in question.answers):
            problems.append(_("a short-answer question needs at least one accepted answer"))
        if any(a.fraction > 0 and len(a.text.strip()) > MAX_TEXT_ANSWER for a in question.answers):
            # The learner's box takes MAX_TEXT_ANSWER characters: a longer accepted answer can never be given.
            problems.append(ngettext("an accepted answer is longer than the %(num)s character a learner can type",
                                     "an accepted answer is longer than the %(num)s characters a learner can type",
                                     MAX_TEXT_ANSWER, num=localize_digits(MAX_TEXT_ANSWER)))
        return problems

    def moodle_check(self, question):
        if problems := super().moodle_check(question):
            return problems
        if not any(answer.fraction == 1 for answer in question.answers):
            return [_("no answer gives full marks")]  # Moodle: fractionsnomax
        return []

    def pairs_with(self, arabic, english):
        return arabic.type == english.type  # each language accepts its own words

    def to_data(self, by_lang, previous=None):
        """Each language's accepted answers, side by side: an answer is right in whichever language it is typed."""
        old_ids = [a["id"] for a in (previous or {}).get("answers", [])]
        answers = []
        for lang, question in by_lang.items():
            for answer in question.answers:
                answers.append({"text": {lang: answer.text}, "fraction": answer.fraction,
                                "feedback": {lang: answer.feedback}})
        for index, answer in enumerate(answers):
            answer["id"] = old_ids[index] if index < len(old_ids) else new_id()
        return {"answers": answers}

    def to_answers(self, data, lang):
        """The accepted answers written in `lang` (those of the other language when none is)."""
        if not any(stored["text"].get(lang) for stored in data["answers"]):
            lang = "en" if lang == "ar" else "ar"
        return [answer for answer, stored in zip(super().to_answers(data, lang), data["answers"], strict=True)
                if stored["text"].get(lang)]

    # -- the editor: a row is one accepted answer, in either language or both ----------------------------------
    def row_answer(self, row, lang, fraction, value, tolerance):
        if not cell(row, f"text_{lang}"):
            return None  # each language accepts its own words
        return super().row_answer(row, lang, fraction, value, tolerance)

    def from_rows(self, by_lang, kept, ids, known):
        """One stored answer per row, right in whichever language it is typed."""
        return {"answers": [
            {"id": i, "text": {lang: cell(row, f"text_{lang}") for lang in by_lang}, "fraction": fraction,
             "feedback": {lang: cell(row, f"feedback_{lang}") for lang in by_lang}}
            for i, (row, fraction) in zip(ids, kept, strict=True)]}

    # -- an attempt --------------------------------------------------------------------------------------------
    def clean(self, data, layout, raw):
        if raw is None:
            return None
        if not isinstance(raw, str) or len(raw) > MAX_TEXT_ANSWER:
            raise InvalidResponse(raw)
        text = " ".join(raw.split())
        return text or None

    def sample_answer(self, data, right):
        key = next(a for a in data["answers"] if a["fraction"] >= 1)
        return pick(key["text"], "ar") if right else "لا أعرف"

    def grade(self, data, response):
        if not response:
            return 0.0
        given = normalize_for_matching(response)
        credits = [a["fraction"] for a in data["answers"]
                   if any(normalize_for_matching(t) == given for t in a["text"].values() if t)]
        return clamp(max(credits, default=0.0))

    def right_answers(self, question, lang):
        answers = [a for a in question.data["answers"] if a["text"].get(lang)] or question.data["answers"]
        best = max(a["fraction"] for a in answers)
        return [pick(a["text"], lang) for a in answers if a["fraction"] == best]

    def chosen_feedback(self, question, response, lang):
        given = normalize_for_matching(response or "")
        return [text for a in question.data["answers"]
                if any(normalize_for_matching(t) == given for t in a["text"].values() if t)
                and (text := pick(a.get("feedback", {}), lang))][:1]

    def response_key(self, response):
        return normalize_for_matching(response)


TYPE = ShortType()
