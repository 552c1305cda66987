"""What every question type shares.

A question's `data` is `{"answers": [...]}`, each answer `{"id": ..., <fields>}` where text fields are
bilingual ({"ar": ..., "en": ...}) and numbers are plain. Ids are random: they say nothing about the key.
"""
import math
import random
import secrets
from dataclasses import dataclass, fields
from typing import Any, ClassVar

from lms.core.i18n import _
from lms.quizzes.formats import Answer, ParsedQuestion
from lms.quizzes.rendering import to_html

LANGS = ("ar", "en")
MAX_TEXT_ANSWER = 500


class InvalidResponse(ValueError):
    """What a learner sent is not an answer to this question (unknown ids, wrong shape): nothing is saved."""


def new_id() -> str:
    return secrets.token_hex(4)


def pick(texts: dict, lang: str) -> str:
    """The text in `lang`, else in the other language."""
    other = "en" if lang == "ar" else "ar"
    return texts.get(lang) or texts.get(other) or ""


def clamp(value: float) -> float:
    return min(1.0, max(0.0, value))


@dataclass(frozen=True)
class Presented:
    """What a learner sees of a question before review: never a key, a weight or feedback."""

    id: int
    type: str
    prompt: Any  # safe HTML
    options: list[dict]  # [{"id", "text"}] in this attempt's order (single, multiple, truefalse)
    items: list[dict]  # matching: the left side
    choices: list[dict]  # matching: the right side, shuffled

    def as_json(self, plain_text) -> dict:
        payload = {"id": self.id, "type": self.type, "prompt": plain_text(self.prompt), "options": [
            {"id": o["id"], "text": plain_text(o["text"])} for o in self.options]}
        if self.type == "matching":
            payload["items"] = [{"id": i["id"], "text": plain_text(i["text"])} for i in self.items]
            payload["choices"] = [{"id": c["id"], "text": plain_text(c["text"])} for c in self.choices]
        return payload


class QuestionType:
    name: ClassVar[str]
    label: ClassVar[Any]
    # The Answer fields this type stores; texts become bilingual, numbers stay plain.
    answer_fields: ClassVar[tuple[str, ...]] = ("text", "fraction", "feedback")

    # -- checking and storing ------------------------------------------------------------------------------
    def check(self, question: ParsedQuestion) -> list[str]:
        """What is wrong with a parsed question of this type (empty when it can be stored)."""
        if not question.text.strip():
            return [_("the question has no text")]
        return []

    def pairs_with(self, arabic: ParsedQuestion, english: ParsedQuestion) -> bool:
        """Whether two files' versions of a question are the same question in two languages."""
        return arabic.type == english.type and len(arabic.answers) == len(english.answers) and all(
            (a.fraction, a.value, a.tolerance) == (b.fraction, b.value, b.tolerance)
            for a, b in zip(arabic.answers, english.answers, strict=True))

    def to_data(self, by_lang: dict[str, ParsedQuestion], previous: dict | None = None) -> dict:
        """The stored form of the same question in one or two languages; answer ids kept from `previous`."""
        first = next(iter(by_lang.values()))
        old_ids = [a["id"] for a in (previous or {}).get("answers", [])]
        answers = []
        for index, answer in enumerate(first.answers):
            stored = {"id": old_ids[index] if index < len(old_ids) else new_id()}
            for name in self.answer_fields:
                value = getattr(answer, name)
                if isinstance(value, str):
                    stored[name] = {lang: getattr(q.answers[index], name) for lang, q in by_lang.items()}
                else:
                    stored[name] = value
            answers.append(stored)
        return {"answers": answers}

    def to_answers(self, data: dict, lang: str) -> list[Answer]:
        """The answers in one language, for export."""
        names = {f.name for f in fields(Answer)} & set(self.answer_fields)
        return [Answer(**{n: (a[n].get(lang, "") if isinstance(a[n], dict) else a[n]) for n in names})
                for a in data["answers"]]

    # -- an attempt ----------------------------------------------------------------------------------------
    def layout(self, data: dict, rng: random.Random, shuffle: bool) -> dict:
        """This attempt's order of the options, fixed when the attempt starts."""
        ids = [a["id"] for a in data["answers"]]
        if shuffle:
            rng.shuffle(ids)
        return {"options": ids}

    def present(self, question, layout: dict, lang: str) -> Presented:
        by_id = {a["id"]: a for a in question.data["answers"]}
        options = [{"id": i, "text": to_html(pick(by_id[i]["text"], lang), question.format, True)}
                   for i in layout.get("options", []) if i in by_id]
        return Presented(question.id, self.name, to_html(pick(question.prompt, lang), question.format),
                         options, [], [])

    def clean(self, data: dict, layout: dict, raw: Any) -> Any:
        """The answer to store, from what the learner sent; None clears it. InvalidResponse when it is not one."""
        raise NotImplementedError

    def grade(self, data: dict, response: Any) -> float:
        """Credit for a stored answer, 0..1."""
        raise NotImplementedError

    def right_answers(self, question, lang: str) -> list[str]:
        """The key, as texts to show in a review."""
        return [pick(a["text"], lang) for a in question.data["answers"] if a.get("fraction", 0) >= 1]

    def chosen_feedback(self, question, response: Any, lang: str) -> list[str]:
        """Feedback of the answers the learner gave."""
        return []

    def response_text(self, question, response: Any, lang: str) -> str:
        """The learner's answer as words (for reviews and the trainer's attempt view)."""
        return "" if response is None else str(response)


def _option_ids(data: dict) -> set[str]:
    return {a["id"] for a in data["answers"]}


class ChoiceType(QuestionType):
    """Shared by single choice and true/false: one option id."""

    def clean(self, data, layout, raw):
        if raw is None or raw == "":
            return None
        if not isinstance(raw, str) or raw not in _option_ids(data):
            raise InvalidResponse(raw)
        return raw

    def grade(self, data, response):
        for answer in data["answers"]:
            if answer["id"] == response:
                return clamp(answer["fraction"])
        return 0.0

    def _chosen(self, question, response) -> list[dict]:
        chosen = response if isinstance(response, list) else [response]
        return [a for a in question.data["answers"] if a["id"] in chosen]

    def chosen_feedback(self, question, response, lang):
        return [text for a in self._chosen(question, response) if (text := pick(a.get("feedback", {}), lang))]

    def response_text(self, question, response, lang):
        return "، ".join(pick(a["text"], lang) for a in self._chosen(question, response))


def is_close(value: float, target: float, tolerance: float) -> bool:
    return abs(value - target) <= abs(tolerance) + 1e-9 * max(1.0, abs(target))


def finite(value: float) -> bool:
    return not (math.isnan(value) or math.isinf(value))
