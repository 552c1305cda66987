"""Ordering (Moodle's qtype_ordering): the learner puts items in order.

The trainer writes the items in the right order; learners see them shuffled, never in that order. Credit is the
share of pairs of items in the right relative order (Moodle's "relative to all the previous and next items"):
full marks only for the exact order, a swap of two neighbours costs one pair in n(n-1)/2.
"""
from itertools import combinations
from xml.etree.ElementTree import Element

from lms.core.i18n import _, _l, localize_digits
from lms.quizzes.formats import Answer, ParsedQuestion
from lms.quizzes.formats.moodle_parts import add_answer, add_value, text_of
from lms.quizzes.rendering import to_html
from lms.quizzes.types.base import InvalidResponse, Presented, QuestionType, pick, prefixed


class OrderingType(QuestionType):
    name = "ordering"
    label = _l("Ordering")
    answer_fields = ("text",)
    columns = (("text_ar", _l("Item in Arabic")), ("text_en", _l("Item in English")))
    hint = _l("The items in the right order, at least two. Learners see them shuffled, never in this order. "
              "To remove an item, empty its texts.")
    statistics_heading = _l("Placed right")
    moodle_qtype = "ordering"
    assets = ("ordering.css", "ordering.js")

    def check(self, question):
        problems = super().check(question)
        texts = [a.text.strip() for a in question.answers]
        if any(not text for text in texts):
            problems.append(_("an item has no text"))
        elif len(set(texts)) < len(texts):
            problems.append(_("two items have the same text: learners could not tell which goes first"))
        return problems

    def moodle_check(self, question):
        if problems := super().moodle_check(question):
            return problems
        if len(question.answers) < 2:
            return [_("an ordering question needs at least two items")]  # Moodle: notenoughanswers
        return []

    @staticmethod
    def _right(data: dict) -> list[str]:
        return [a["id"] for a in data["answers"]]

    def authored_layout(self, data):
        return {"items": self._right(data)}

    # -- an attempt --------------------------------------------------------------------------------------------
    def layout(self, data, rng, shuffle):
        right = self._right(data)
        items = list(right)
        while len(items) > 1 and items == right:  # always shuffled, and never into the right order
            rng.shuffle(items)
        return {"items": items}

    def present(self, question, layout, lang):
        by_id = {a["id"]: a for a in question.data["answers"]}
        fmt = question.format
        return Presented(question.id, self.name, to_html(pick(question.prompt, lang), fmt), [],
                         [{"id": i, "text": to_html(pick(by_id[i]["text"], lang), fmt, True)}
                          for i in layout.get("items", []) if i in by_id], [])

    def arrangement(self, items: list[dict], value) -> list[tuple[dict, int | None]]:
        """The page's items with the position each has: in the learner's order once they gave one, else in the
        attempt's order (never the right one) with the positions they chose, if any."""
        if isinstance(value, list):
            by_id = {item["id"]: item for item in items}
            ordered = [by_id[i] for i in value if i in by_id] + [item for item in items if item["id"] not in value]
            return [(item, n) for n, item in enumerate(ordered, 1)]
        chosen = value if isinstance(value, dict) else {}
        return [(item, _position(chosen.get(item["id"]))) for item in items]

    def from_form(self, form, name):
        """Each item's position (a select named `<name>-<item id>`): the items in that order when each has its
        own; none chosen clears the answer; anything else goes as it is, for `clean` to refuse."""
        chosen = prefixed(form, name)
        if not any(chosen.values()):
            return ""
        positions = {item: _position(value) for item, value in chosen.items()}
        if None not in positions.values() and sorted(positions.values()) == list(range(1, len(positions) + 1)):
            return sorted(positions, key=positions.__getitem__)
        return chosen

    def clean(self, data, layout, raw):
        """Every item id once, in the learner's order."""
        if raw is None or raw == "" or raw == []:
            return None
        right = self._right(data)
        if not isinstance(raw, list) or not all(isinstance(i, str) for i in raw) or sorted(raw) != sorted(right):
            raise InvalidResponse(raw, self.instruction(len(right)))
        return list(raw)

    def instruction(self, count: int) -> str:
        """What the learner is asked, and told again when the positions are not an order."""
        # Not in the partial: Jinja would fold `1|digits` into the template in the language it was first shown in.
        return _("Give each item its own position, from %(first)s to %(last)s.", first=localize_digits(1),
                 last=localize_digits(count))

    def sample_answer(self, data, right):
        order = self._right(data)
        return order if right else order[::-1]

    def grade(self, data, response):
        rank = {item: n for n, item in enumerate(self._right(data))}
        if not response or len(rank) < 2:
            return 0.0
        order = [rank[item] for item in response if item in rank]
        return sum(1 for a, b in combinations(order, 2) if a < b) / (len(rank) * (len(rank) - 1) / 2)

    def _numbered(self, question, ids: list[str], lang: str) -> list[str]:
        by_id = {a["id"]: a for a in question.data["answers"]}
        return [f"{localize_digits(n, lang)}. {pick(by_id[i]['text'], lang)}"
                for n, i in enumerate((i for i in ids if i in by_id), 1)]

    def right_answers(self, question, lang):
        return self._numbered(question, self._right(question.data), lang)

    def response_text(self, question, response, lang):
        return ("؛ " if lang == "ar" else "; ").join(self._numbered(question, response or [], lang))

    def tally(self, question, responses, lang):
        """Each item (numbered, in the right order) with how many put it in its place."""
        return [(label, sum(1 for r in responses if isinstance(r, list) and n < len(r) and r[n] == item), None)
                for n, (item, label) in enumerate(zip(self._right(question.data),
                                                      self.right_answers(question, lang), strict=True))]

    # -- Moodle XML: the items are the <answer>s, in the right order ------------------------------------------------
    def read_moodle_xml(self, element: Element, question: ParsedQuestion) -> list[str]:
        # As Moodle's importer: the order is the file's, `fraction` (the position) is not read, blank items go.
        question.answers = [Answer(text=text) for answer in element.findall("answer") if (text := text_of(answer))]
        return []

    def write_moodle_xml(self, question, element):
        # Every item shown, graded as here (Moodle's "relative to all the previous and next items").
        for tag, value in (("layouttype", "VERTICAL"), ("selecttype", "ALL"),
                           ("selectcount", str(len(question.answers))),
                           ("gradingtype", "RELATIVE_ALL_PREVIOUS_AND_NEXT")):
            add_value(element, tag, value)
        for position, answer in enumerate(question.answers, 1):  # Moodle's `fraction` is the position
            add_answer(element, answer, question.format, fraction=str(position))


def _position(value) -> int | None:
    return int(value) if isinstance(value, str) and value.isascii() and value.isdigit() else None


TYPE = OrderingType()
