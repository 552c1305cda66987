"""The ordering type: graded by pairs on the server, shown shuffled (never right), answers read from forms and JSON,
and carried by Moodle XML (GIFT has no syntax for it)."""
import random
from dataclasses import replace
from itertools import permutations

import pytest
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict

from lms.quizzes.formats import Answer, BankFileError, ParsedQuestion
from lms.quizzes.formats.gift import parse_gift, to_gift
from lms.quizzes.formats.moodle_xml import parse_moodle_xml, to_moodle_xml
from lms.quizzes.types import InvalidResponse, type_of
from tests.quizzes.conftest import ordering_question, sample_questions

pytestmark = pytest.mark.no_db
ORDERING = type_of("ordering")


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context(), force_locale("en"):  # messages are translated
        yield


def _data(*texts: str) -> dict:
    return ORDERING.to_data({"ar": ParsedQuestion("ordering", "رتب", [Answer(t) for t in texts])})


def _ids(data: dict) -> list[str]:
    return [a["id"] for a in data["answers"]]


def test_the_exact_order_earns_full_marks_and_the_reverse_none():
    data = _data("أ", "ب", "ج", "د")
    a, b, c, d = _ids(data)
    assert ORDERING.grade(data, [a, b, c, d]) == 1
    assert ORDERING.grade(data, [d, c, b, a]) == 0


@pytest.mark.parametrize("order, credit", [
    ("bacd", 5 / 6),  # one pair of six out of order
    ("abdc", 5 / 6),
    ("badc", 4 / 6),
    ("dabc", 3 / 6),  # the last item first: it is before the three it should follow
    ("cdab", 2 / 6),
])
def test_credit_is_the_share_of_pairs_in_the_right_order(order, credit):
    data = _data("أ", "ب", "ج", "د")
    ids = dict(zip("abcd", _ids(data), strict=True))
    assert ORDERING.grade(data, [ids[letter] for letter in order]) == pytest.approx(credit)


def test_only_the_exact_order_earns_full_marks():
    data = _data("أ", "ب", "ج", "د")
    right = _ids(data)
    credits = {tuple(order): ORDERING.grade(data, list(order)) for order in permutations(right)}
    assert [order for order, credit in credits.items() if credit == 1] == [tuple(right)]
    assert all(0 <= credit <= 1 for credit in credits.values())


@pytest.mark.parametrize("count", [2, 3, 4, 6])
def test_the_attempt_order_is_shuffled_and_never_the_right_one(count):
    data = _data(*(f"خطوة {n}" for n in range(count)))
    right = _ids(data)
    orders = [ORDERING.layout(data, random.Random(seed), shuffle=seed % 2 == 0)["items"] for seed in range(400)]
    assert all(order != right and sorted(order) == sorted(right) for order in orders)
    if count > 2:
        assert len({tuple(order) for order in orders}) > 1  # not one fixed wrong order either


def test_what_a_learner_receives_says_nothing_of_the_order():
    data = _data("أ", "ب", "ج")
    layout = ORDERING.layout(data, random.Random(3), shuffle=False)
    question = type("Row", (), {"id": 7, "data": data, "format": "plain", "prompt": {"ar": "رتب"}})
    presented = ORDERING.present(question, layout, "ar")
    assert [item["id"] for item in presented.items] == layout["items"] != _ids(data)
    payload = presented.as_json(str)
    assert payload == {"id": 7, "type": "ordering", "prompt": "رتب", "options": [],
                       "items": [{"id": i["id"], "text": i["text"]} for i in presented.items]}


def test_a_list_of_every_item_once_is_an_answer():
    data = _data("أ", "ب", "ج")
    a, b, c = _ids(data)
    assert ORDERING.clean(data, {}, [c, a, b]) == [c, a, b]
    for empty in (None, "", []):
        assert ORDERING.clean(data, {}, empty) is None


@pytest.mark.parametrize("bad", [
    "not a list", {"a": 1}, 3, True, ["x", "y", "z"],  # not ids at all
    "UNKNOWN", "DUPLICATE", "MISSING", "EXTRA", "NOT_TEXT", "NESTED",
])
def test_anything_else_is_refused_with_a_message(bad):
    data = _data("أ", "ب", "ج")
    a, b, c = _ids(data)
    raw = {"UNKNOWN": [a, b, "ffffffff"], "DUPLICATE": [a, a, b], "MISSING": [a, b], "EXTRA": [a, b, c, c],
           "NOT_TEXT": [a, b, 3], "NESTED": [[a, b, c]]}.get(bad, bad) if isinstance(bad, str) else bad
    with pytest.raises(InvalidResponse) as refused:
        ORDERING.clean(data, {}, raw)
    assert refused.value.message == "Give each item its own position, from 1 to 3."


def _form(**positions: str) -> MultiDict:
    return MultiDict({"q-9-kind": "ordering", **{f"q-9-{item}": value for item, value in positions.items()}})


def test_the_form_sends_each_items_position():
    assert ORDERING.from_form(_form(a="2", b="3", c="1"), "q-9") == ["c", "a", "b"]
    assert ORDERING.from_form(_form(a="", b="", c=""), "q-9") == ""  # nothing chosen: no answer
    for partial in (_form(a="1", b="", c="2"), _form(a="1", b="1", c="2"), _form(a="1", b="2", c="4"),
                    _form(a="1", b="2", c="x"), _form(a="١", b="2", c="3")):
        raw = ORDERING.from_form(partial, "q-9")
        assert isinstance(raw, dict)  # as typed: shown again, and refused by clean
        with pytest.raises(InvalidResponse):
            ORDERING.clean(_data("أ", "ب", "ج"), {}, raw)


def test_the_page_shows_the_learners_order_once_given_else_the_attempts():
    items = [{"id": i, "text": i} for i in ("b", "c", "a")]
    assert [(item["id"], n) for item, n in ORDERING.arrangement(items, ["a", "b", "c"])] == [
        ("a", 1), ("b", 2), ("c", 3)]
    assert [(item["id"], n) for item, n in ORDERING.arrangement(items, {"b": "2", "c": "", "a": "x"})] == [
        ("b", 2), ("c", None), ("a", None)]
    assert [n for _item, n in ORDERING.arrangement(items, None)] == [None, None, None]


def test_the_review_numbers_the_right_order_and_the_learners():
    data = _data("أ", "ب", "ج")
    a, b, c = _ids(data)
    question = type("Row", (), {"data": data})
    assert ORDERING.right_answers(question, "ar") == ["١. أ", "٢. ب", "٣. ج"]
    assert ORDERING.response_text(question, [c, a, b], "en") == "1. ج; 2. أ; 3. ب"


@pytest.mark.parametrize("texts, problem", [
    (["أ"], "at least two items"),
    (["أ", " "], "an item has no text"),
    (["أ", "ب", "أ"], "the same text"),
])
def test_a_question_that_cannot_be_ordered_is_refused(texts, problem):
    question = ParsedQuestion("ordering", "رتب", [Answer(t) for t in texts])
    found = ORDERING.check(question) or ORDERING.moodle_check(question)
    assert any(problem in p for p in found)


# --- files ------------------------------------------------------------------------------------------------------

MOODLE_ORDERING = b"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="ordering">
    <name><text>Steps</text></name>
    <questiontext format="html"><text><![CDATA[<p>Order the steps.</p>]]></text></questiontext>
    <generalfeedback format="html"><text>First things first.</text></generalfeedback>
    <layouttype>HORIZONTAL</layouttype>
    <selecttype>ALL</selecttype>
    <selectcount>0</selectcount>
    <gradingtype>ABSOLUTE_POSITION</gradingtype>
    <answer fraction="1" format="moodle_auto_format"><text>Plough</text></answer>
    <answer fraction="2" format="moodle_auto_format"><text>Harrow</text></answer>
    <answer fraction="3" format="moodle_auto_format"><text></text></answer>
    <answer fraction="4" format="moodle_auto_format"><text>Sow</text></answer>
  </question>
</quiz>
"""


def test_moodle_xml_ordering_questions_are_read_in_the_files_order():
    (question,) = parse_moodle_xml(MOODLE_ORDERING)
    assert question == ParsedQuestion("ordering", "<p>Order the steps.</p>", [
        Answer("Plough"), Answer("Harrow"), Answer("Sow")],  # a blank item is dropped, as Moodle does
        title="Steps", format="html", general_feedback="First things first.", line=3)


def test_a_moodle_xml_ordering_question_needs_two_items():
    one = MOODLE_ORDERING.replace(b"<text>Harrow</text>", b"<text></text>").replace(b"<text>Sow</text>",
                                                                                    b"<text></text>")
    with pytest.raises(BankFileError) as error:
        parse_moodle_xml(one)
    (problem,) = error.value.problems
    assert problem.line == 3 and "at least two items" in problem.reason


def _unlined(questions):
    return [replace(q, line=0) for q in questions]


def test_every_type_goes_through_moodle_xml_and_back():
    # Matching pairs have no weight in Moodle XML (nor in GIFT): the sample's are 1.
    sample = [replace(q, answers=[replace(a, fraction=0.0) for a in q.answers]) if q.type == "matching" else q
              for q in sample_questions()]
    questions = [*sample, ordering_question()["ar"], replace(ordering_question("Q8")["en"], category="$course$/top/B")]
    written = to_moodle_xml(questions)
    assert '<question type="ordering">' in written and '<answer fraction="2" format="moodle_auto_format">' in written
    assert _unlined(parse_moodle_xml(written.encode())) == _unlined(questions)


def test_gift_leaves_an_ordering_question_out_and_says_so():
    questions = [sample_questions()[0], ordering_question()["ar"], sample_questions()[2]]
    text = to_gift(questions)
    assert "// “Q7” (Ordering) is left out: GIFT has no syntax for this type of question." in text
    assert "استلام الطلب" not in text
    assert [q.title for q in parse_gift(text)] == ["Q1", "Q3"]
