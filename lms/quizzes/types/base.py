"""What every question type shares, and the way of doing each thing that a type may do its own way.

A question's `data` is `{"answers": [...]}`, each answer `{"id": ..., <fields>}` where text fields are
bilingual ({"ar": ..., "en": ...}) and numbers are plain. Ids are random: they say nothing about the key.
"""
import math
import random
import secrets
from collections import Counter
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any, ClassVar
from xml.etree.ElementTree import Element

from lms.core.i18n import _, _l
from lms.quizzes.formats import Answer, ParsedQuestion, percent_to_fraction
from lms.quizzes.formats.moodle_parts import add_answer, add_value, read_answer
from lms.quizzes.rendering import to_html

LANGS = ("ar", "en")
MAX_TEXT_ANSWER = 500
NEW_ROWS = 4  # the empty rows of a new question's editor
EXTRA_ROWS = 3  # empty rows after a question's answers, to add more
TOP_RESPONSES = 5  # the most frequent answers that item statistics show

# Cells of the editor's answer rows that several types show (the form's AnswerRow has them all).
WEIGHT = ("weight", _l("Weight (%)"))
FEEDBACK = (("feedback_ar", _l("Feedback in Arabic")), ("feedback_en", _l("Feedback in English")))


class InvalidResponse(ValueError):
    """What a learner sent is not an answer to this question (unknown ids, wrong shape): nothing is saved.

    `message` tells the learner what to do, where the type can say better than "not an answer"."""

    def __init__(self, raw: Any, message: str | None = None):
        super().__init__(raw)
        self.message = message


def new_id() -> str:
    return secrets.token_hex(4)


def pick(texts: dict, lang: str) -> str:
    """The text in `lang`, else in the other language."""
    other = "en" if lang == "ar" else "ar"
    return texts.get(lang) or texts.get(other) or ""


def clamp(value: float) -> float:
    return min(1.0, max(0.0, value))


def cell(values: dict, key: str) -> str:
    """A form value, stripped ("" when missing)."""
    return (values.get(key) or "").strip()


def number_text(number: float | None) -> str:
    return "" if number is None else format(Decimal(repr(float(number))).normalize(), "f")


def weight_text(fraction: float) -> str:
    return format((Decimal(repr(float(fraction))) * 100).normalize(), "f")


def prefixed(form, name: str) -> dict[str, str]:
    """The form's fields named `<name>-<key>` (the question's own `-kind` field aside), by key."""
    prefix = name + "-"
    return {key[len(prefix):]: value for key, value in form.items()
            if key.startswith(prefix) and key != name + "-kind"}


@dataclass(frozen=True)
class Presented:
    """What a learner sees of a question before review: never a key, a weight or feedback."""

    id: int
    type: str
    prompt: Any  # safe HTML
    options: list[dict]  # [{"id", "text"}] in this attempt's order (single, multiple, truefalse)
    items: list[dict]  # matching: the left side; ordering: the items, shuffled
    choices: list[dict]  # matching: the right side, shuffled

    def as_json(self, plain_text) -> dict:
        payload = {"id": self.id, "type": self.type, "prompt": plain_text(self.prompt), "options": [
            {"id": o["id"], "text": plain_text(o["text"])} for o in self.options]}
        for part in ("items", "choices"):  # only the types that have them
            if shown := getattr(self, part):
                payload[part] = [{"id": i["id"], "text": plain_text(i["text"])} for i in shown]
        return payload


class QuestionType:
    """One kind of question: its class says how it is checked, stored, edited, shown, answered, graded and counted,
    and how it travels in Moodle XML. Its folder holds the rest: the learner's partial (question.html) and any
    static files it needs (static/, served by the registry)."""

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

    def moodle_check(self, question: ParsedQuestion) -> list[str]:
        """Reasons a whole question is unusable, with the rules of Moodle's question edit forms: every bank file
        must pass them (the formats check them with their lines), and so must the editor, so the bank exports."""
        return [_("the question has no text")] if not question.text.strip() else []

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

    # -- the trainer's editor ------------------------------------------------------------------------------
    # The answers table's columns (cells of the form's AnswerRow) and the hint above it.
    columns: ClassVar[tuple[tuple[str, Any], ...]] = ()
    hint: ClassVar[Any] = None
    # A row is kept when one of these is filled; emptying them removes the answer.
    keep: ClassVar[tuple[str, ...]] = ("text_ar", "text_en")
    # The editor's part for the answers; a type with a form of its own has it in its folder.
    editor: ClassVar[str] = "quizzes/manage/_answers.html"

    def form_rows(self, answers: list[dict] | None) -> list[dict]:
        """The editor's rows: one per stored answer, then empty ones to add more (None: a new question)."""
        if answers is None:
            return [{} for _n in range(NEW_ROWS)]
        return [self.form_row(a) for a in answers] + [{} for _n in range(EXTRA_ROWS)]

    def form_row(self, answer: dict) -> dict:
        text, match, feedback = answer.get("text") or {}, answer.get("match") or {}, answer.get("feedback") or {}
        row = {"id": answer["id"]}
        for lang in LANGS:
            row |= {f"text_{lang}": text.get(lang, ""), f"match_{lang}": match.get(lang, ""),
                    f"feedback_{lang}": feedback.get(lang, "")}
        if "weight" in self._cells():
            row["weight"] = weight_text(answer.get("fraction", 0))
        return row

    def form_values(self, answers: list[dict]) -> dict:
        """What the editor shows besides the rows (true/false: which answer is right)."""
        return {}

    def _cells(self) -> set[str]:
        return {name for name, _label in self.columns}

    def read_row(self, index: int, row: dict, cells: dict) -> tuple[float, float | None, float]:
        """(credit, value, tolerance) of a row; what cannot be read goes into `cells`, by field name."""
        fraction = 0.0
        if "weight" in self._cells() and (typed := cell(row, "weight")):
            fraction = percent_to_fraction(typed)
            if fraction is None or not -1 <= fraction <= 1:
                cells[f"answers-{index}-weight"], fraction = _("Give a percentage from -100 to 100."), 0.0
        return fraction, None, 0.0

    def row_answer(self, row: dict, lang: str, fraction: float, value: float | None, tolerance: float
                   ) -> Answer | None:
        """A kept row's answer in `lang` (None: the row has none in that language)."""
        return Answer(text=cell(row, f"text_{lang}"), fraction=fraction, feedback=cell(row, f"feedback_{lang}"),
                      value=value, tolerance=tolerance, match=cell(row, f"match_{lang}"))

    def read_form(self, values: dict, cells: dict) -> tuple[dict[str, list[Answer]], list[tuple[dict, float]]]:
        """Each language's answers from the editor's rows, and the kept rows with their credit."""
        answers: dict[str, list[Answer]] = {lang: [] for lang in LANGS}
        kept = []
        for index, row in enumerate(values.get("answers") or []):
            if not any(cell(row, key) for key in self.keep):
                continue
            fraction, value, tolerance = self.read_row(index, row, cells)
            kept.append((row, fraction))
            for lang in LANGS:
                if (answer := self.row_answer(row, lang, fraction, value, tolerance)) is not None:
                    answers[lang].append(answer)
        return answers, kept

    def has_english(self, kept: list[tuple[dict, float]]) -> bool:
        """Whether the kept rows say anything in English (then the question has an English version)."""
        english = [name for name in self._cells() if name.endswith("_en")]
        return any(cell(row, key) for row, _f in kept for key in english)

    def from_rows(self, by_lang: dict[str, ParsedQuestion], kept: list[tuple[dict, float]], ids: list[str],
                  known: dict[str, dict]) -> dict:
        """The stored answers of an edited question: row n keeps id n (`known`: the question's stored answers)."""
        # to_data takes ids by position from `previous`: give it the rows' answers in the rows' order.
        return self.to_data(by_lang, {"answers": [known.get(i) or {"id": i} for i in ids]})

    def authored_layout(self, data: dict) -> dict:
        """Options, items and choices in the order the trainer wrote them (the editor's preview)."""
        return {"options": [a["id"] for a in data["answers"]]}

    # -- an attempt ----------------------------------------------------------------------------------------
    # Files of the type's static/ folder that a page showing the type links (scripts and stylesheets).
    assets: ClassVar[tuple[str, ...]] = ()

    @property
    def template(self) -> str:
        """The partial that shows the question's controls (the registry's loader finds it in the type's folder)."""
        return f"qtypes/{self.name}/question.html"

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

    def from_form(self, form, name: str) -> Any:
        """The answer as the page's form sends it (its fields are named after `name`), for `clean` to check."""
        return form.get(name, "")

    def clean(self, data: dict, layout: dict, raw: Any) -> Any:
        """The answer to store, from what the learner sent (the form's or JSON); None clears it.
        InvalidResponse when it is not one."""
        raise NotImplementedError

    def grade(self, data: dict, response: Any) -> float:
        """Credit for a stored answer, 0..1."""
        raise NotImplementedError

    def sample_answer(self, data: dict, right: bool) -> Any:
        """What a learner could send (as clean() takes it): the key, or a wrong answer. The demo's attempts."""
        raise NotImplementedError

    def right_answers(self, question, lang: str) -> list[str]:
        """The key, as texts to show in a review."""
        return [pick(a["text"], lang) for a in question.data["answers"] if a.get("fraction", 0) >= 1]

    def chosen_feedback(self, question, response: Any, lang: str) -> list[str]:
        """Feedback of the answers the learner gave."""
        return []

    def is_complete(self, layout: dict, response: Any) -> bool:
        """Whether a saved answer answers the whole question (a matching question: every item)."""
        return response is not None

    def response_text(self, question, response: Any, lang: str) -> str:
        """The learner's answer as words (for reviews and the trainer's attempt view)."""
        return "" if response is None else str(response)

    # -- item statistics -----------------------------------------------------------------------------------
    statistics_heading: ClassVar[Any] = _l("Answer")

    def response_key(self, response: Any) -> Any:
        """What makes two answers the same answer, for counting them."""
        return response

    def tally(self, question, responses: list[Any], lang: str) -> list[tuple[Any, int, float | None]]:
        """What learners answered (None: no answer): (label, how many, its credit), the most frequent first.
        A credit of None says the row has none of its own (a matching item)."""
        groups: Counter = Counter()
        shown: dict = {}
        for response in filter(lambda r: r is not None, responses):
            key = self.response_key(response)
            groups[key] += 1
            shown.setdefault(key, response)
        return [(self.response_text(question, shown[key], lang), count, self.grade(question.data, shown[key]))
                for key, count in groups.most_common(TOP_RESPONSES)]

    # -- Moodle XML ----------------------------------------------------------------------------------------
    # The `<question type="...">` this type reads and writes (None: Moodle has no such type).
    moodle_qtype: ClassVar[str | None] = None

    def reads_moodle(self, element: Element) -> bool:
        """Whether this type reads a <question> of its `moodle_qtype` (multichoice: single or multiple answers)."""
        return True

    def read_moodle_xml(self, element: Element, question: ParsedQuestion) -> list[str]:
        """Fill `question.answers` from a <question> element; returns what is wrong with them."""
        reasons: list[str] = []
        for answer_element in element.findall("answer"):
            answer = read_answer(answer_element, reasons)
            if self.take_moodle_answer(answer_element, answer, reasons):
                question.answers.append(answer)
        return reasons

    def take_moodle_answer(self, element: Element, answer: Answer, reasons: list[str]) -> bool:
        """Finish reading one <answer> (its text read as the answer's); False leaves it out."""
        if not answer.text:
            reasons.append(_("an answer is empty"))
        return True

    def write_moodle_xml(self, question: ParsedQuestion, element: Element) -> None:
        """Write the question's own parts (after its name, text and general feedback) into `element`."""
        for answer in question.answers:
            add_answer(element, answer, question.format)


def _option_ids(data: dict) -> set[str]:
    return {a["id"] for a in data["answers"]}


OPTION_COLUMNS = (("text_ar", _l("Option in Arabic")), ("text_en", _l("Option in English")), WEIGHT, *FEEDBACK)


class TypedAnswerType(QuestionType):
    """A type whose learner types the answer (short answer, numeric): no options to lay out or show."""

    def authored_layout(self, data):
        return {}

    def layout(self, data, rng, shuffle):
        return {}

    def present(self, question, layout, lang):
        return super().present(question, {}, lang)


class ChoiceType(QuestionType):
    """Shared by single choice, multiple response and true/false: the learner picks among options."""

    columns = OPTION_COLUMNS
    moodle_qtype = "multichoice"
    is_single = True  # Moodle's <single>: one answer, or several

    def moodle_check(self, question):
        if problems := super().moodle_check(question):
            return problems
        if len(question.answers) < 2:
            return [_("a multiple-choice question needs at least 2 answers")]
        return []

    def reads_moodle(self, element):
        return ((element.findtext("single") or "true").strip().lower() in ("true", "1")) == self.is_single

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

    def sample_answer(self, data, right):
        best = max if right else min
        return best(data["answers"], key=lambda a: a["fraction"])["id"]

    def _chosen(self, question, response) -> list[dict]:
        chosen = response if isinstance(response, list) else [response]
        return [a for a in question.data["answers"] if a["id"] in chosen]

    def chosen_feedback(self, question, response, lang):
        return [text for a in self._chosen(question, response) if (text := pick(a.get("feedback", {}), lang))]

    def response_text(self, question, response, lang):
        return ("، " if lang == "ar" else ", ").join(pick(a["text"], lang) for a in self._chosen(question, response))

    def option_label(self, answer: dict, question, lang: str) -> Any:
        return to_html(pick(answer["text"], lang), question.format, True)

    def tally(self, question, responses, lang):
        """Every option, in the authored order, with how many chose it."""
        chosen: Counter = Counter()
        for response in responses:
            chosen.update(response if isinstance(response, list) else [response])
        return [(self.option_label(a, question, lang), chosen[a["id"]], a["fraction"])
                for a in question.data["answers"]]

    def write_moodle_xml(self, question, element):
        super().write_moodle_xml(question, element)
        add_value(element, "single", "true" if self.is_single else "false")
        add_value(element, "shuffleanswers", "true")


def is_close(value: float, target: float, tolerance: float) -> bool:
    return abs(value - target) <= abs(tolerance) + 1e-9 * max(1.0, abs(target))


def finite(value: float) -> bool:
    return not (math.isnan(value) or math.isinf(value))
