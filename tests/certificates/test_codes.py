import math

from hypothesis import given
from hypothesis import strategies as st

from lms.certificates.codes import ALPHABET, EXAMPLE, LEGACY_LENGTH, LENGTH, grouped, new_code, parse_code

codes = st.text(alphabet=ALPHABET, min_size=LENGTH, max_size=LENGTH)
old_codes = st.text(alphabet=ALPHABET, min_size=LEGACY_LENGTH, max_size=LEGACY_LENGTH)


def test_a_new_code_carries_at_least_112_random_bits_without_look_alikes():
    """ASVS asks 112 bits of a secret that cannot be rate-limited away; 24 symbols of 32 carry 120."""
    code = new_code()
    assert len(code) == LENGTH and set(code) <= set(ALPHABET)
    assert len(code) * math.log2(len(ALPHABET)) >= 112
    assert not set("01OI") & set(ALPHABET)
    assert len({new_code() for _ in range(1000)}) == 1000


def test_codes_are_printed_in_groups_of_four():
    assert grouped("7F3K9QXM2PLAH4TDK8RW6ZNB") == "7F3K-9QXM-2PLA-H4TD-K8RW-6ZNB" == EXAMPLE
    assert grouped("7F3K9QXM2PLAH4TD") == "7F3K-9QXM-2PLA-H4TD"  # a code issued before: four groups


@given(st.one_of(codes, old_codes))
def test_a_printed_code_reads_back(code):
    assert parse_code(grouped(code)) == code


@given(st.one_of(codes, old_codes), st.sampled_from([" ", "-", "–", "  ", "\u200f"]))
def test_reading_forgives_case_separators_and_arabic_digits(code, separator):
    typed = separator.join(code[i:i + 4] for i in range(0, len(code), 4)).lower()
    typed = typed.translate(str.maketrans("23456789", "٢٣٤٥٦٧٨٩"))
    assert parse_code(f" {typed} ") == code


def test_what_cannot_be_a_code_reads_as_none():
    for text in ("", None, "7F3K-9QXM-2PLA", "7F3K-9QXM-2PLA-H4TDX", "0F3K-9QXM-2PLA-H4TD", "7F3K/9QXM/2PLA/H4TD",
                 "' OR 1=1 --", "x" * 1000):
        assert parse_code(text) is None


@given(st.integers(1, 40).filter(lambda n: n not in (LENGTH, LEGACY_LENGTH)))
def test_only_the_two_lengths_are_codes(length):
    assert parse_code("A" * length) is None
