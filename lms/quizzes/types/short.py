"""Short answer: the learner types a word or a phrase, matched however it is spelt in Arabic."""
from lms.core.arabic import normalize_for_matching
from lms.core.i18n import _, _l
from lms.quizzes.types.base import MAX_TEXT_ANSWER, InvalidResponse, QuestionType, clamp, new_id, pick


class ShortType(QuestionType):
    name = "short"
    label = _l("Short answer")

    def check(self, question):
        problems = super().check(question)
        if not any(a.fraction > 0 and a.text.strip() for a in question.answers):
            problems.append(_("a short-answer question needs at least one accepted answer"))
        return problems

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

    def layout(self, data, rng, shuffle):
        return {}

    def present(self, question, layout, lang):
        return super().present(question, {}, lang)

    def clean(self, data, layout, raw):
        if raw is None:
            return None
        if not isinstance(raw, str) or len(raw) > MAX_TEXT_ANSWER:
            raise InvalidResponse(raw)
        text = " ".join(raw.split())
        return text or None

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
