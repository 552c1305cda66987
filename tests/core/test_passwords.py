"""The password policy: one table of what may and may not be chosen."""
import pytest
from flask_babel import force_locale

from lms.core.passwords import password_problem, personal_words

SHORT = "Use at least 12 characters."
LONG = "Use at most 128 characters."
PERSONAL = "Do not build your password from your name, username or employee number."
COMMON = "This is one of the most common passwords, or too close to one. Choose another."
PATTERN = ("Repeated characters, sequences such as 1234 and rows of keyboard keys are easy to guess. "
           "Choose another password.")
GUESSABLE = "This password is too easy to guess. Add a few uncommon words."

MONA = personal_words("mona.salem", "20417", "Mona Salem", "mona.salem@example.gov.eg")


@pytest.mark.no_db
@pytest.mark.parametrize("password,problem", [
    ("demo1234", SHORT),
    ("Tr0ub4dor&3", SHORT),                 # 11 characters, however mixed
    ("a" * 129, LONG),
    ("password1234", COMMON),
    ("iloveyou1234", COMMON),
    ("Passw0rd!234", COMMON),               # substitutions do not hide it
    ("123456789012", COMMON),
    ("qwertyuiop12", COMMON),
    ("aaaaaaaaaaaa", PATTERN),
    ("abcabcabcabc", PATTERN),
    ("mona.salem20417", PERSONAL),
    ("20417204172041", PERSONAL),
    ("salem salem salem", PERSONAL),
    ("correct horse 42", None),
    ("browser journey 42", None),
    ("qalyubia-demo", None),                # the demo password
    ("شباك الخدمة رقم ٧", None),            # Arabic letters and digits
    ("x" * 60 + "ZQ7#vr29!kLm" * 5 + "abcdefgh", None),  # 128 characters: scored on its first 72
])
def test_the_policy(app, password, problem):
    with app.test_request_context(), force_locale("en"):
        assert password_problem(password, MONA) == problem


@pytest.mark.no_db
def test_the_problem_is_told_in_arabic_with_arabic_digits(app):
    with app.test_request_context(), force_locale("ar"):
        assert password_problem("قصيرة") == "يجب ألا تقل كلمة المرور عن ١٢ حرفًا."


@pytest.mark.no_db
def test_personal_words_split_names_and_addresses():
    assert personal_words("Mona.Salem", None, "  ", "mo@x.eg") == ["mo@x.eg", "mona", "mona.salem", "salem"]
