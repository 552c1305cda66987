"""Matching: each item on one side goes with a choice on the other; credit is the share of items matched."""
from lms.core.i18n import _, _l
from lms.quizzes.formats import Answer
from lms.quizzes.formats.moodle_parts import add_text, add_value, text_of
from lms.quizzes.rendering import to_html
from lms.quizzes.types.base import InvalidResponse, Presented, QuestionType, new_id, pick, prefixed


class MatchingType(QuestionType):
    name = "matching"
    label = _l("Matching")
    answer_fields = ("text", "match", "fraction", "feedback")
    columns = (("text_ar", _l("Item in Arabic")), ("text_en", _l("Item in English")),
               ("match_ar", _l("Its match in Arabic")), ("match_en", _l("Its match in English")))
    hint = _l("Each item with its match; a match without an item is an extra, wrong choice. "
              "To remove a pair, empty its texts.")
    keep = ("text_ar", "text_en", "match_ar", "match_en")
    statistics_heading = _l("Matched right")
    moodle_qtype = "matching"

    def check(self, question):
        problems = super().check(question)
        items = [a for a in question.answers if a.text.strip()]
        if len(items) < 2:
            problems.append(_("a matching question needs at least two pairs"))
        if any(not a.match.strip() for a in question.answers):
            problems.append(_("a matching pair has no answer after ->"))
        return problems

    def moodle_check(self, question):
        if problems := super().moodle_check(question):
            return problems
        if sum(1 for answer in question.answers if answer.text) < 2 or len(question.answers) < 3:
            return [_("a matching question needs at least 2 items and 3 choices")]  # Moodle: notenoughqsandas
        return []

    def to_data(self, by_lang, previous=None):
        data = super().to_data(by_lang, previous)
        # Items with the same answer share one choice; the choice ids are their own, not the items'.
        old = {a["id"]: a.get("choice_id") for a in (previous or {}).get("answers", [])}
        by_text: dict[tuple, str] = {}
        for answer in data["answers"]:
            key = tuple(sorted(answer["match"].items()))
            answer["choice_id"] = by_text.setdefault(key, old.get(answer["id"]) or new_id())
        return data

    @staticmethod
    def _items(data):
        return [a for a in data["answers"] if any(a["text"].values())]

    @staticmethod
    def _choices(data) -> dict[str, dict]:
        return {a["choice_id"]: a["match"] for a in data["answers"]}

    def authored_layout(self, data):
        return {"items": [a["id"] for a in self._items(data)],
                "choices": list(dict.fromkeys(a["choice_id"] for a in data["answers"]))}

    def layout(self, data, rng, shuffle):
        items = [a["id"] for a in self._items(data)]
        choices = list(self._choices(data))
        rng.shuffle(choices)  # always: in the authored order, item n would go with choice n
        if shuffle:
            rng.shuffle(items)
        return {"items": items, "choices": choices}

    def present(self, question, layout, lang):
        by_id = {a["id"]: a for a in question.data["answers"]}
        choices = self._choices(question.data)
        fmt = question.format
        return Presented(
            question.id, self.name, to_html(pick(question.prompt, lang), fmt), [],
            [{"id": i, "text": to_html(pick(by_id[i]["text"], lang), fmt, True)}
             for i in layout["items"] if i in by_id],
            [{"id": c, "text": to_html(pick(choices[c], lang), fmt, True)} for c in layout["choices"] if c in choices],
        )

    def is_complete(self, layout, response):
        return isinstance(response, dict) and all(item in response for item in layout.get("items", []))

    def from_form(self, form, name):
        return {item: choice for item, choice in prefixed(form, name).items() if choice}

    def clean(self, data, layout, raw):
        if raw is None or raw == {}:
            return None
        items = {a["id"] for a in self._items(data)}
        choices = set(self._choices(data))
        if not isinstance(raw, dict) or not all(k in items and (v in choices or v in ("", None))
                                                for k, v in raw.items()):
            raise InvalidResponse(raw)
        cleaned = {k: v for k, v in raw.items() if v}
        return cleaned or None

    def sample_answer(self, data, right):
        items = self._items(data)
        choices = [a["choice_id"] for a in items]  # each item's own choice, or the next item's
        return {a["id"]: choices[n if right else (n + 1) % len(choices)] for n, a in enumerate(items)}

    def grade(self, data, response):
        items = self._items(data)
        if not items or not response:
            return 0.0
        return sum(response.get(a["id"]) == a["choice_id"] for a in items) / len(items)

    def right_answers(self, question, lang):
        return [f"{pick(a['text'], lang)} ← {pick(a['match'], lang)}" if lang == "ar"
                else f"{pick(a['text'], lang)} → {pick(a['match'], lang)}" for a in self._items(question.data)]

    def response_text(self, question, response, lang):
        choices = self._choices(question.data)
        arrow = "←" if lang == "ar" else "→"
        return "؛ ".join(f"{pick(a['text'], lang)} {arrow} {pick(choices[response[a['id']]], lang)}"
                         for a in self._items(question.data) if response and a["id"] in response)

    def tally(self, question, responses, lang):
        """Each item ("item → its match", in the items' order) with how many matched it right."""
        items = self._items(question.data)
        labels = self.right_answers(question, lang)
        return [(label, sum(1 for r in responses if isinstance(r, dict) and r.get(item["id"]) == item["choice_id"]),
                 None) for item, label in zip(items, labels, strict=True)]

    # -- Moodle XML: <subquestion>s, each an item and its <answer> ----------------------------------------------
    def read_moodle_xml(self, element, question):
        reasons = []
        for sub in element.findall("subquestion"):
            question.answers.append(Answer(text=text_of(sub), match=text_of(sub.find("answer"))))
            if not question.answers[-1].match:
                reasons.append(_("an answer is empty"))
        return reasons

    def write_moodle_xml(self, question, element):
        for answer in question.answers:
            sub = add_text(element, "subquestion", answer.text, question.format)
            add_text(sub, "answer", answer.match)
        add_value(element, "shuffleanswers", "true")


TYPE = MatchingType()
