"""Chart labels: the words every label shares are said once, the rest wraps at spaces, no word is ever cut."""
import pytest

from lms.reports.labels import common_prefix, text_width, wrap

DEMO_AR = ["المركز التكنولوجي رقم ١ - القليوبية", "المركز التكنولوجي رقم ٢ - القليوبية",
           "المركز التكنولوجي المتنقل رقم ١"]


@pytest.mark.parametrize(("labels", "prefix", "rests"), [
    (DEMO_AR, "المركز التكنولوجي", ["رقم ١ - القليوبية", "رقم ٢ - القليوبية", "المتنقل رقم ١"]),
    # "No." keeps its number: the shared words stop before it
    (["Technology Center No. 1, Qalyubia", "Technology Center No. 2, Qalyubia"], "Technology Center",
     ["No. 1, Qalyubia", "No. 2, Qalyubia"]),
    # a separator at the cut belongs to neither part
    (["Qalyubia Technology Center - Banha", "Qalyubia Technology Center - Toukh"], "Qalyubia Technology Center",
     ["Banha", "Toukh"]),
    # whole words only: "Centre" and "Center" share letters, not a word
    (["Banha Center One", "Banha Centre Two"], "", ["Banha Center One", "Banha Centre Two"]),
    # a short shared word is not worth a caption
    (["Center A", "Center B"], "", ["Center A", "Center B"]),
    # a label that would be left empty keeps everything
    (["Technology Center Banha", "Technology Center Banha Station"], "",
     ["Technology Center Banha", "Technology Center Banha Station"]),
    (["Only one technology center"], "", ["Only one technology center"]),
    ([], "", []),
])
def test_common_prefix(labels, prefix, rests):
    assert common_prefix(labels) == (prefix, rests)


@pytest.mark.parametrize("text", [
    "المركز التكنولوجي رقم ١٢ - القليوبية بجوار مجلس مدينة شبرا الخيمة وموقف السيارات",
    "Technology Center of the Qalyubia Governorate at the Banha Railway Station Square",
])
def test_wrap_keeps_every_word_whole_and_each_line_within_the_width(text):
    lines = wrap(text, 150, 13)
    assert len(lines) > 1
    assert " ".join(lines) == text  # nothing lost, nothing cut: the words are the same words
    assert [w for line in lines for w in line.split()] == text.split()
    assert all(text_width(line, 13) <= 150 for line in lines)


def test_a_word_wider_than_a_line_keeps_a_line_to_itself_unbroken():
    word = "الاستقبالاتوالتسجيلاتالإلكترونيةالمتكاملة"
    assert wrap(f"مركز {word} بنها", 100, 13) == ["مركز", word, "بنها"]


def test_arabic_vowel_marks_take_no_room_and_capitals_more_than_arabic_letters():
    assert text_width("مُدَرِّب", 13) == text_width("مدرب", 13)
    assert text_width("WWWW", 13) > text_width("بنها", 13)


def test_a_short_label_stays_on_one_line():
    assert wrap("مركز بنها", 300, 13) == ["مركز بنها"]
    assert wrap("", 300, 13) == [""]
