from hypothesis import given
from hypothesis import strategies as st

from lms.core.arabic import normalize_for_matching as norm


def test_the_spellings_people_use_match():
    assert norm("أحمد") == norm("احمد") == norm("إحمد") == norm("آحمد")
    assert norm("مصطفى") == norm("مصطفي")
    assert norm("فاطمة") == norm("فاطمه")
    assert norm("مُحَمَّد") == norm("محمد")
    assert norm("محـــمد") == norm("محمد")
    assert norm("  Sara   ALI ") == "sara ali"
    assert norm("١٢٣٤٥") == norm("۱۲۳۴۵") == "12345"


@given(st.text())
def test_normalizing_is_idempotent(text):
    assert norm(norm(text)) == norm(text)


@given(st.text(alphabet="ابتثجحخدذرسشصضطظعغفقكلمنهوي ", min_size=1))
def test_tashkeel_and_tatweel_never_change_the_match(word):
    decorated = "".join(letter + "\u064e\u0640" for letter in word)
    assert norm(decorated) == norm(word)
