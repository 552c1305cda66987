"""GIFT reading and writing, against the course banks, Moodle's documented features and a round-trip property."""
import dataclasses
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lms.quizzes.formats import BLANK, Answer, BankFileError, ParsedQuestion
from lms.quizzes.formats.gift import parse_gift, to_gift

pytestmark = pytest.mark.no_db

COURSES = Path(__file__).resolve().parents[2] / "courses"
BANKS = sorted(COURSES.glob("*/quiz*.gift"))


def unlined(questions: list[ParsedQuestion]) -> list[ParsedQuestion]:
    return [dataclasses.replace(question, line=0) for question in questions]


def only(text: str) -> ParsedQuestion:
    [question] = parse_gift(text)
    return dataclasses.replace(question, line=0)


def problems(text: str) -> list[tuple[int | None, str]]:
    with pytest.raises(BankFileError) as caught:
        parse_gift(text)
    return [(problem.line, problem.reason) for problem in caught.value.problems]


# The course banks -------------------------------------------------------------------------------------------


def test_there_are_six_banks():
    assert len(BANKS) == 6


@pytest.mark.parametrize("path", BANKS, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_a_course_bank_parses_into_its_titled_questions(path):
    text = path.read_text(encoding="utf-8")
    questions = parse_gift(text)
    titles = re.findall(r"^::(Q\d+)::", text, flags=re.MULTILINE)
    assert [question.title for question in questions] == titles
    lines = text.split("\n")
    assert all(lines[question.line - 1].startswith(f"::{question.title}::") for question in questions)
    assert {question.category for question in questions} == {path.parent.name}
    assert unlined(parse_gift(to_gift(questions))) == unlined(questions)


def test_the_banks_use_every_type():
    types = {question.type for path in BANKS for question in parse_gift(path.read_text(encoding="utf-8"))}
    assert types == {"single", "multiple", "truefalse", "short", "numeric", "matching"}


@pytest.mark.parametrize("course", sorted({path.parent for path in BANKS}), ids=lambda path: path.name)
def test_the_arabic_and_english_banks_of_a_course_match(course):
    # A short-answer question accepts the spellings of its own language (6 in Arabic, 3 in English...): only the
    # other types must have the same answers in both files.
    def shape(name):
        return [(question.title, question.type, None if question.type == "short" else len(question.answers))
                for question in parse_gift((course / name).read_text(encoding="utf-8"))]

    assert shape("quiz.gift") == shape("quiz.en.gift")


# Features ---------------------------------------------------------------------------------------------------


def choice(text, *answers, kind="single", **fields):
    return ParsedQuestion(kind, text, [Answer(*answer) for answer in answers], **fields)


FEATURES = {
    "single": ("Who is buried in Grant's tomb? {~Grant ~Jefferson =no one}",
               choice("Who is buried in Grant's tomb?", ("Grant",), ("Jefferson",), ("no one", 1))),
    "title, feedback and general feedback": (
        "::Tomb::Who? {\n=no one#Right.\n~Grant#He is not.\n####It is a trick question.\n}",
        choice("Who?", ("no one", 1, "Right."), ("Grant", 0, "He is not."), title="Tomb",
               general_feedback="It is a trick question.")),
    "partial credit": ("Pick {=best ~%50%half ~%-25%bad ~%33.33333%third}",
                       choice("Pick", ("best", 1), ("half", .5), ("bad", -.25), ("third", .3333333))),
    "arabic-indic weights": ("اختر {=أ ~%٥٠%ب ~%-٢٥٫٥%ج}", choice("اختر", ("أ", 1), ("ب", .5), ("ج", -.255))),
    "multiple (no =)": ("Pick two {~%50%a ~%50%b ~%-100%c}",
                        choice("Pick two", ("a", .5), ("b", .5), ("c", -1), kind="multiple")),
    "multiple with one right option": ("Pick {~%100%a ~b}", choice("Pick", ("a", 1), ("b",), kind="multiple")),
    "short": ("Two plus two? {=four =4 =%50%for#Nearly.}",
              choice("Two plus two?", ("four", 1), ("4", 1), ("for", .5, "Nearly."), kind="short")),
    "short without a sign": ("Capital? {Cairo}", choice("Capital?", ("Cairo", 1), kind="short")),
    "arabic short": ("ما عاصمة مصر؟ {=القاهرة#صحيح.}", choice("ما عاصمة مصر؟", ("القاهرة", 1, "صحيح."), kind="short")),
    "missing word": ("Grant is {~buried =entombed ~living} in Grant's tomb.",
                     choice(f"Grant is {BLANK} in Grant's tomb.", ("buried",), ("entombed", 1), ("living",))),
    "missing word at the start": ("{=Cairo ~Giza} is the capital.",
                                  choice(f"{BLANK} is the capital.", ("Cairo", 1), ("Giza",))),
    "multi-line": ("::M::First line\nsecond line {\n=a\n~b\n}",
                   choice("First line\nsecond line", ("a", 1), ("b",), title="M")),
    "comments": ("// a comment\n::C::Text // not a comment here\n// inside\n{=a ~b}",
                 choice("Text // not a comment here", ("a", 1), ("b",), title="C")),
    "escapes": (r"::a\:b:: 1 \= 1\: \{x\} \~ \# \\ C:\path\nnext {=a\#b\=c ~d\~e\}}",
                choice("1 = 1: {x} ~ # \\ C:\\path\nnext", ("a#b=c", 1), ("d~e}",), title="a:b")),
    "html marker": ("::H::[html]<p>Hi</p> {=a ~b}", choice("<p>Hi</p>", ("a", 1), ("b",), title="H", format="html")),
    "markdown marker": ("[markdown]*Hi* {=a ~b}", choice("*Hi*", ("a", 1), ("b",), format="markdown")),
    "plain marker": ("[plain]<b> {=a ~b}", choice("<b>", ("a", 1), ("b",), format="plain")),
    "moodle marker": ("[moodle][html] text {=a ~b}", choice("[html] text", ("a", 1), ("b",))),
    "unknown marker is text": ("[latex]x {=a ~b}", choice("[latex]x", ("a", 1), ("b",))),
}
TRUE_FALSE = {
    "{T}": (1, 0, "", ""),
    "{TRUE}": (1, 0, "", ""),
    "{F}": (0, 1, "", ""),
    "{FALSE}": (0, 1, "", ""),
    # {answer#feedback for a wrong answer#feedback for a right one}: each lands on the answer that shows it.
    "{T#wrong, false chosen#right, true chosen}": (1, 0, "right, true chosen", "wrong, false chosen"),
    "{FALSE#wrong, true chosen#right, false chosen}": (0, 1, "wrong, true chosen", "right, false chosen"),
    "{F#only the wrong one}": (0, 1, "only the wrong one", ""),
    "{TRUE##only the right one####general}": (1, 0, "only the right one", ""),
}
NUMERIC = {
    "{#5}": [(5, 0, 1, "")],
    "{#3.14:0.01}": [(3.14, .01, 1, "")],
    "{#1..5}": [(3, 2, 1, "")],
    "{#-5..-1}": [(-3, 2, 1, "")],
    "{#14#Correct.}": [(14, 0, 1, "Correct.")],
    "{#=3:0 =%50%3:1 #Close.}": [(3, 0, 1, ""), (3, 1, .5, "Close.")],
    "{#\n=1822:0#Exactly.\n=%50%1822:2#Nearly.\n}": [(1822, 0, 1, "Exactly."), (1822, 2, .5, "Nearly.")],
    "{#١٤}": [(14, 0, 1, "")],  # Arabic-Indic digits
    "{#۱۴:۱}": [(14, 1, 1, "")],  # Persian digits
    "{#٣٫٥:٠٫٥}": [(3.5, .5, 1, "")],  # the Arabic decimal separator
    "{#١..٥}": [(3, 2, 1, "")],
}


@pytest.mark.parametrize(("text", "expected"), FEATURES.values(), ids=FEATURES.keys())
def test_feature(text, expected):
    assert only(text) == expected


@pytest.mark.parametrize(("block", "expected"), TRUE_FALSE.items(), ids=TRUE_FALSE.keys())
def test_true_false(block, expected):
    true_fraction, false_fraction, true_feedback, false_feedback = expected
    question = only(f"The sky is blue. {block}")
    assert (question.type, question.text) == ("truefalse", "The sky is blue.")
    assert question.answers == [Answer("true", true_fraction, true_feedback), Answer("false", false_fraction,
                                                                                      false_feedback)]


def test_true_false_general_feedback():
    assert only("Sky? {TRUE##right####general}").general_feedback == "general"


@pytest.mark.parametrize(("block", "expected"), NUMERIC.items(), ids=NUMERIC.keys())
def test_numeric(block, expected):
    question = only(f"How many? {block}")
    assert question.type == "numeric"
    assert question.answers == [Answer(value=value, tolerance=tolerance, fraction=fraction, feedback=feedback)
                                for value, tolerance, fraction, feedback in expected]


def test_matching():
    question = only("::M::Match {\n=Egypt -> Cairo\n=France -> Paris\n= -> Rome\n####Capitals.\n}")
    assert question == ParsedQuestion("matching", "Match", [
        Answer("Egypt", match="Cairo"), Answer("France", match="Paris"), Answer("", match="Rome")],
        title="M", general_feedback="Capitals.")


def test_categories_apply_to_the_questions_after_them():
    text = "A {=a ~b}\n\n$CATEGORY: $course$/top/Part 1\n\nB {=a ~b}\n\nC {=a ~b}\n$CATEGORY: الجزء 2\nD {=a ~b}"
    assert [(question.text, question.category) for question in parse_gift(text)] == [
        ("A", ""), ("B", "$course$/top/Part 1"), ("C", "$course$/top/Part 1"), ("D", "الجزء 2")]


def test_questions_know_their_first_line():
    text = "// header\n\n::A::one {=a ~b}\n\n\n// about B\n::B::two {\n=a\n~b\n}\r\n\r\n::C::three {=a ~b}"
    assert [question.line for question in parse_gift(text)] == [3, 7, 12]


# Writing ----------------------------------------------------------------------------------------------------


def test_to_gift_writes_categories_on_change_titles_markers_and_weights():
    questions = [
        choice("One", ("a", 1), ("b", 1 / 3), ("c", -.5), title="Q1", category="Part 1"),
        choice("Two", ("a", .5), ("b", .5), kind="multiple", title="Q2", category="Part 1", format="html"),
        choice("Three", ("a", 1), ("b", 1), kind="single"),
    ]
    text = to_gift(questions)
    assert text.count("$CATEGORY:") == 2
    assert text.startswith("$CATEGORY: Part 1\n\n::Q1:: One {\n\t=a\n\t~%33.33333333333333%b\n\t~%-50%c\n}\n\n")
    assert "::Q2:: [html]Two {\n\t~%50%a\n\t~%50%b\n}" in text
    assert "$CATEGORY:\n\nThree {\n\t=a\n\t~%100%b\n}" in text  # an all-right single still reads as single
    assert unlined(parse_gift(text)) == questions


def test_to_gift_puts_a_missing_word_block_in_the_blank_and_escapes():
    question = choice(f"Cairo is {BLANK} {{really}}: #1.", ("the capital", 1, "Yes ~ sure"), ("a village",))
    text = to_gift([question])
    assert text == "Cairo is {\n\t=the capital#Yes \\~ sure\n\t~a village\n} \\{really\\}\\: \\#1.\n"
    assert only(text) == question


def test_to_gift_writes_true_false_like_moodle():
    question = only("Sky? {F#Wrong.#Right.####General.}")
    assert to_gift([question]) == "Sky? {FALSE#Wrong.#Right.####General.}\n"


@pytest.mark.parametrize("text", ["// not a comment", "[html] not a marker", "::not a title", "$CATEGORY: no"])
def test_to_gift_protects_texts_that_would_read_as_syntax(text):
    question = choice(text, ("%50%not a weight", 1), ("b", 0, "// c"))
    assert only(to_gift([question])) == question


def test_to_gift_writes_numbers_to_read_back_exactly():
    question = ParsedQuestion("numeric", "Pi?", [Answer(value=3.141592653589793, tolerance=0.1 + 0.2, fraction=1),
                                                 Answer(value=-1e-07, fraction=0.1)])
    text = to_gift([question])
    assert "=3.141592653589793:0.30000000000000004" in text and "=%10%-1e-07:0.0" in text
    assert only(text) == question


# Problems ---------------------------------------------------------------------------------------------------

PROBLEMS = {
    "unclosed brace": ("::Q1:: text\nmore {\n=a\n~b", 2, "not closed"),
    "closing brace alone": ("::Q1:: text }\n{=a ~b", 1, "without an opening"),
    "two blocks": ("A {=a ~b} and {=c ~d}", 1, "one answer block"),
    "essay": ("\n\n::E:: Write about it. {}", 3, "essay questions are not supported"),
    "essay with feedback": ("Write. {####general}", 1, "essay questions are not supported"),
    "description": ("::D:: Just some text", 1, "description items"),
    "title not closed": ("::T text {=a ~b}", 1, "title"),
    "no text": ("::T::{=a ~b}", 1, "no text"),
    "empty answer": ("Q {\n=a\n~\n~c\n}", 3, "empty"),
    "empty short answer": ("Q {=a =#feedback}", 1, "empty"),
    "weight above 100": ("Q {\n=a\n~%150%b\n}", 3, "150"),
    "weight below -100": ("Q {=a ~%-101%b}", 1, "-101"),
    "weight not a number": ("Q {=a\n~%1.2.3%b}", 2, "not a number"),
    "single without a full-marks answer": ("Q {=%50%a ~b}", 1, "full marks"),
    "choice without a right answer": ("Q {~a ~b}", 1, "marked right"),
    "weights not adding up": ("Q {~%50%a ~%20%b ~c}", 1, "70%"),
    "one option": ("Q {~%100%a}", 1, "at least 2"),
    "matching pair without arrow": ("Match {\n=a -> 1\n=b -> 2\n=c\n}", 4, "->"),
    "matching with two pairs": ("Match {=a -> 1 =b -> 2}", 1, "at least 2 items and 3"),
    "matching without choice": ("Match {=a -> 1 =b -> 2 =c ->}", 1, "empty"),
    "numeric not a number": ("How many? {\n#\n=abc\n}", 3, "not a number"),
    "numeric bad range": ("How many? {#1..x}", 1, "not a number"),
    "numeric negative tolerance": ("How many? {#5..1}", 1, "negative"),
    "numeric other-answer feedback": ("How many? {#5 ~#No.}", 1, "~"),
    "short without a full-marks answer": ("Q {=%50%a}", 1, "full marks"),
}


@pytest.mark.parametrize(("text", "line", "reason"), PROBLEMS.values(), ids=PROBLEMS.keys())
def test_problem(text, line, reason):
    [(found_line, found_reason)] = problems(text)
    assert found_line == line
    assert reason in found_reason


def test_every_problem_of_the_file_is_reported_and_nothing_is_returned():
    text = ("::Q1:: good {=a ~b}\n\n"
            "::Q2:: bad {\n=a\n~%200%b\n~\n}\n\n"
            "::Q3:: good {T}\n\n"
            "::Q4:: essay {}\n\n"
            "::Q5:: unclosed {=a ~b\n")
    found = problems(text)
    assert [line for line, _reason in found] == [5, 6, 11, 13]
    with pytest.raises(BankFileError) as caught:
        parse_gift(text)
    assert str(caught.value).splitlines()[0].startswith("line 5: ")


# Round trip -------------------------------------------------------------------------------------------------

CHARACTERS = "ab XY سؤال إجابة ~=#{}:\\%[]/->_\n09٠٣"
# Starts that mean something to a GIFT reader: a comment, a format marker, a title, a category, a weight.
TRICKY = st.sampled_from(["", "", "", "//", "[html]", "[moodle]", "::", "$CATEGORY: ", "%50%", "{", "#"])
texts = st.builds(lambda start, text: (start + text).strip(), TRICKY, st.text(CHARACTERS, max_size=12))
filled = texts.filter(bool)
weights = st.one_of(st.sampled_from([0.0, 0.5, -0.5, 1 / 3, -1.0, 0.1, 0.3333333]), st.floats(-1, 1))
RIGHT_SETS = [[1.0], [0.5, 0.5], [1 / 3] * 3, [0.3333333] * 3, [0.25] * 4, [0.2, 0.8], [0.7, 0.3]]


@st.composite
def questions(draw):
    kind = draw(st.sampled_from(["single", "multiple", "truefalse", "short", "numeric", "matching"]))
    text = draw(filled)
    if draw(st.booleans()):
        text = f"{draw(texts)} {BLANK} {draw(filled)}".strip()
    feedback = texts
    if kind == "single":
        answers = [Answer(draw(filled), 1.0, draw(feedback))] + [
            Answer(draw(filled), draw(weights), draw(feedback)) for _index in range(draw(st.integers(1, 4)))]
        answers = draw(st.permutations(answers))
    elif kind == "multiple":
        answers = [Answer(draw(filled), fraction, draw(feedback)) for fraction in draw(st.sampled_from(RIGHT_SETS))]
        answers += [Answer(draw(filled), -draw(st.floats(0, 1)), draw(feedback)) for _index in range(2)]
        answers = draw(st.permutations(answers))
    elif kind == "truefalse":
        right = draw(st.booleans())
        answers = [Answer("true", float(right), draw(feedback)), Answer("false", float(not right), draw(feedback))]
    elif kind == "short":
        short = filled.filter(lambda answer: "->" not in answer)
        answers = [Answer(draw(short), 1.0, draw(feedback))] + [
            Answer(draw(short), draw(weights), draw(feedback)) for _index in range(draw(st.integers(0, 2)))]
    elif kind == "numeric":
        numbers = st.floats(allow_nan=False, allow_infinity=False)
        answers = [Answer(value=draw(numbers), tolerance=draw(st.floats(0, 1e6)), fraction=fraction,
                          feedback=draw(feedback)) for fraction in [1.0] + draw(st.lists(weights, max_size=2))]
    else:
        items = filled.filter(lambda item: "->" not in item)
        answers = [Answer(draw(items), match=draw(filled)) for _index in range(draw(st.integers(2, 4)))]
        answers.append(Answer(draw(st.sampled_from(["", draw(items)])), match=draw(filled)))  # maybe a distractor
    return ParsedQuestion(kind, text, list(answers), title=draw(texts),
                          format=draw(st.sampled_from(["moodle", "markdown", "html", "plain"])),
                          category=draw(st.sampled_from(["", "$course$/top/Part 1", "قسم: ١"])),
                          general_feedback=draw(texts))


@settings(max_examples=100, deadline=None)
@given(st.lists(questions(), min_size=1, max_size=5))
def test_to_gift_then_parse_gift_gives_the_questions_back(generated):
    assert unlined(parse_gift(to_gift(generated))) == generated
