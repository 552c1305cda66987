"""Moodle XML reading: each supported type, refused types, and hostile files (DTDs, entities)."""
import dataclasses

import pytest

from lms.quizzes.formats import Answer, BankFileError, ParsedQuestion
from lms.quizzes.formats.moodle_xml import parse_moodle_xml

pytestmark = pytest.mark.no_db

SAMPLE = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
<!-- question: 0  -->
  <question type="category">
    <category><text>$course$/top/الجزء الأول</text></category>
    <info format="html"><text></text></info>
  </question>
  <question type="multichoice">
    <name><text>Q1</text></name>
    <questiontext format="html"><text><![CDATA[<p>Which <b>one</b>?</p>]]></text></questiontext>
    <generalfeedback format="html"><text><![CDATA[<p>Because.</p>]]></text></generalfeedback>
    <defaultgrade>1.0000000</defaultgrade>
    <single>true</single>
    <shuffleanswers>true</shuffleanswers>
    <answer fraction="100" format="html">
      <text>a &amp; b</text><feedback format="html"><text>Yes.</text></feedback>
    </answer>
    <answer fraction="33.33333" format="html"><text>c</text><feedback format="html"><text></text></feedback></answer>
    <answer fraction="0" format="html"><text>d</text></answer>
  </question>
  <question type="multichoice">
    <name><text>Q2</text></name>
    <questiontext format="moodle_auto_format"><text>Pick two</text></questiontext>
    <single>false</single>
    <answer fraction="50"><text>a</text></answer>
    <answer fraction="50"><text>b</text></answer>
    <answer fraction="-100"><text>c</text></answer>
  </question>
  <question type="truefalse">
    <name><text>Q3</text></name>
    <questiontext format="plain_text"><text>The sky is green.</text></questiontext>
    <answer fraction="0"><text>true</text><feedback><text>Look up.</text></feedback></answer>
    <answer fraction="100"><text>false</text><feedback><text>Right.</text></feedback></answer>
  </question>

  <question type="shortanswer">
    <name><text>Q4</text></name>
    <questiontext format="markdown"><text>ما عاصمة مصر؟</text></questiontext>
    <usecase>0</usecase>
    <answer fraction="100"><text>القاهرة</text><feedback><text>صحيح.</text></feedback></answer>
    <answer fraction="50"><text>مصر</text></answer>
  </question>
  <question type="numerical">
    <name><text>Q5</text></name>
    <questiontext format="html"><text>Pi?</text></questiontext>
    <answer fraction="100"><text>3.14</text><tolerance>0.01</tolerance><feedback><text>Good.</text></feedback></answer>
    <answer fraction="50"><text>٣</text><tolerance>0</tolerance></answer>
    <units><unit><multiplier>1</multiplier><unit_name>m</unit_name></unit></units>
  </question>
  <question type="matching">
    <name><text>Q6</text></name>
    <questiontext format="html"><text>Match the capitals.</text></questiontext>
    <subquestion format="html"><text>Egypt</text><answer><text>Cairo</text></answer></subquestion>
    <subquestion format="html"><text>France</text><answer><text>Paris</text></answer></subquestion>
    <subquestion format="html"><text></text><answer><text>Rome</text></answer></subquestion>
  </question>
</quiz>
"""

PART = "$course$/top/الجزء الأول"
# Each question knows the line of its <question> tag.
LINES = [number for number, line in enumerate(SAMPLE.split("\n"), 1) if "<question type=" in line][1:]
EXPECTED = [
    ParsedQuestion("single", "<p>Which <b>one</b>?</p>", [Answer("a & b", 1, "Yes."), Answer("c", .3333333),
                                                           Answer("d", 0)],
                   title="Q1", format="html", category=PART, general_feedback="<p>Because.</p>"),
    ParsedQuestion("multiple", "Pick two", [Answer("a", .5), Answer("b", .5), Answer("c", -1)], title="Q2",
                   category=PART),
    ParsedQuestion("truefalse", "The sky is green.", [Answer("true", 0, "Look up."), Answer("false", 1, "Right.")],
                   title="Q3", format="plain", category=PART),
    ParsedQuestion("short", "ما عاصمة مصر؟", [Answer("القاهرة", 1, "صحيح."), Answer("مصر", .5)], title="Q4",
                   format="markdown", category=PART),
    ParsedQuestion("numeric", "Pi?", [Answer(fraction=1, feedback="Good.", value=3.14, tolerance=.01),
                                      Answer(fraction=.5, value=3, tolerance=0)],
                   title="Q5", format="html", category=PART),
    ParsedQuestion("matching", "Match the capitals.", [Answer("Egypt", match="Cairo"), Answer("France", match="Paris"),
                                                       Answer("", match="Rome")],
                   title="Q6", format="html", category=PART),
]


def problems(data: bytes) -> list[tuple[int | None, str]]:
    with pytest.raises(BankFileError) as caught:
        parse_moodle_xml(data)
    return [(problem.line, problem.reason) for problem in caught.value.problems]


def quiz(*questions: str) -> bytes:
    return ("<?xml version='1.0'?>\n<quiz>\n" + "\n".join(questions) + "\n</quiz>\n").encode()


def test_each_supported_type():
    assert len(LINES) == len(EXPECTED) == 6
    expected = [dataclasses.replace(question, line=line) for question, line in zip(EXPECTED, LINES, strict=True)]
    assert parse_moodle_xml(SAMPLE.encode()) == expected


def test_true_false_answers_are_read_by_their_text_whatever_their_order():
    [question] = parse_moodle_xml(quiz("""<question type="truefalse"><questiontext><text>Q</text></questiontext>
        <answer fraction="100"><text>false</text><feedback><text>F</text></feedback></answer>
        <answer fraction="0"><text>true</text><feedback><text>T</text></feedback></answer></question>"""))
    assert question.answers == [Answer("true", 0, "T"), Answer("false", 1, "F")]


@pytest.mark.parametrize("kind", ["essay", "description", "multianswer", "calculated", "ddwtos", "random"])
def test_an_unsupported_type_is_refused_by_name(kind):
    data = quiz(f"""<question type="{kind}">\n<name><text>Q9</text></name>
        <questiontext><text>x</text></questiontext></question>""")
    [(line, reason)] = problems(data)
    assert line == 3
    assert kind in reason and "Q9" in reason and "1" in reason


def test_every_bad_question_is_reported():
    data = quiz(
        '<question type="multichoice"><name><text>A</text></name><questiontext><text>x</text></questiontext>'
        '<answer fraction="0"><text>a</text></answer><answer fraction="0"><text>b</text></answer></question>',
        '<question type="shortanswer"><questiontext><text>x</text></questiontext>'
        '<answer fraction="150"><text>a</text></answer></question>',
        '<question type="numerical"><questiontext><text>x</text></questiontext>'
        '<answer fraction="100"><text>many</text></answer></question>',
        '<question type="numerical"><questiontext><text>x</text></questiontext>'
        '<answer fraction="100"><text>*</text></answer></question>',
        '<question type="matching"><questiontext><text>x</text></questiontext>'
        '<subquestion><text>a</text><answer><text>1</text></answer></subquestion></question>',
        '<question type="multichoice"><questiontext><text>x</text></questiontext>'
        '<answer fraction="100"><text></text></answer><answer fraction="0"><text>b</text></answer></question>',
        '<question type="essay"><questiontext><text>x</text></questiontext></question>',
    )
    found = problems(data)
    assert [line for line, _reason in found] == [3, 4, 5, 6, 7, 8, 9]
    assert "question 1 (A): " in found[0][1] and "full marks" in found[0][1]
    assert found[1][1].startswith("question 2: ") and "150" in found[1][1]
    assert "many" in found[2][1]
    assert "*" in found[3][1]
    assert "matching" in found[4][1]
    assert "empty" in found[5][1]
    assert "essay" in found[6][1]


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<quiz><question type="shortanswer"><questiontext><text>&lol3;</text></questiontext></question></quiz>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<quiz><question type="shortanswer"><questiontext><text>&secret;</text></questiontext></question></quiz>"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE quiz SYSTEM "http://example.com/quiz.dtd">
<quiz/>"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD], ids=["bomb", "entity", "dtd"])
def test_doctypes_and_entities_are_refused_not_expanded(data):
    [(line, reason)] = problems(data)
    assert line == 2
    assert "DTD" in reason


def test_malformed_xml_is_a_problem_with_its_line():
    [(line, reason)] = problems(b"<quiz>\n<question type='truefalse'>\n</quiz>")
    assert line == 3
    assert "XML" in reason


def test_a_file_that_is_not_a_moodle_quiz_is_refused():
    [(_line, reason)] = problems(b"<html><body/></html>")
    assert "<quiz>" in reason


def test_a_problem_names_the_question_by_its_place_among_questions_not_categories():
    data = quiz('<question type="category"><category><text>$course$/top/Part 1</text></category></question>',
                '<question type="shortanswer"><questiontext><text>x</text></questiontext>'
                '<answer fraction="150"><text>a</text></answer></question>')
    [(_line, reason)] = problems(data)
    assert reason.startswith("question 1: ")  # it was "question 2": the category was counted
