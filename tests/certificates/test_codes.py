from hypothesis import given
from hypothesis import strategies as st

from lms.certificates.codes import ALPHABET, LENGTH, grouped, new_code, parse_code

codes = st.text(alphabet=ALPHABET, min_size=LENGTH, max_size=LENGTH)


def test_a_new_code_carries_80_random_bits_without_look_alikes():
    code = new_code()
    assert len(code) == LENGTH and set(code) <= set(ALPHABET)
    assert len(ALPHABET) ** LENGTH >= 2 ** 80
    assert not set("01OI") & set(ALPHABET)
    assert len({new_code() for _ in range(1000)}) == 1000


def test_codes_are_printed_in_groups_of_four():
    assert grouped("7F3K9QXM2PLAH4TD") == "7F3K-9QXM-2PLA-H4TD"


@given(codes)
def test_a_printed_code_reads_back(code):
    assert parse_code(grouped(code)) == code


@given(codes, st.sampled_from([" ", "-", "–", "  ", "\u200f"]))
def test_reading_forgives_case_separators_and_arabic_digits(code, separator):
    typed = separator.join(code[i:i + 4] for i in range(0, LENGTH, 4)).lower()
    typed = typed.translate(str.maketrans("23456789", "٢٣٤٥٦٧٨٩"))
    assert parse_code(f" {typed} ") == code


def test_what_cannot_be_a_code_reads_as_none():
    for text in ("", None, "7F3K-9QXM-2PLA", "7F3K-9QXM-2PLA-H4TDX", "0F3K-9QXM-2PLA-H4TD", "7F3K/9QXM/2PLA/H4TD",
                 "' OR 1=1 --", "x" * 1000):
        assert parse_code(text) is None
