"""The password policy: the one place that says whether a password may be chosen (and whether an old one still
passes, at sign-in).

At least 12 and at most 128 characters, and not easy to guess. "Easy to guess" is zxcvbn's estimate, offline:
besides its list of the 30,000 most common passwords it sees what a plain list misses once 12 characters are
required: a common password with digits added ("password1234"), sequences and keyboard rows ("123456789012",
"qwertyuiop12"), repeats ("aaaaaaaaaaaa") and the holder's own name, username or employee number. Passwords in
Arabic letters are judged as random characters by it, which they mostly are to an attacker's word lists.
"""
import re
from collections.abc import Iterable

from zxcvbn import zxcvbn

from lms.core.i18n import _, _l, localize_digits, ngettext

MIN_LENGTH = 12
MAX_LENGTH = 128
# zxcvbn's scores: 3 is "safely unguessable" (10^8 guesses and more); 0 to 2 fall to an online or a quick offline
# attack. zxcvbn refuses to score more than 72 characters: what follows them only adds to the strength.
MIN_SCORE = 3
_SCORED_LENGTH = 72
_PATTERNS = {"repeat", "sequence", "spatial", "date"}
# Shown under every field that sets a password.
PASSWORD_RULES = _l("At least 12 characters: a few uncommon words, not a common password, nor your name, username "
                    "or employee number.")


def personal_words(*values: str | None) -> list[str]:
    """The words of a person's names, username, employee number and e-mail that their password must not lean on."""
    words = set()
    for value in values:
        text = (value or "").strip().lower()
        if text:
            words.add(text)
            words.update(w for w in re.split(r"[\s@._-]+", text) if len(w) >= 3)
    return sorted(words)


def password_problem(password: str, personal: Iterable[str] = ()) -> str | None:
    """Why this password may not be chosen, as a translated sentence; None when it may."""
    if len(password) < MIN_LENGTH:
        return ngettext("Use at least %(num)s character.", "Use at least %(num)s characters.", MIN_LENGTH,
                        num=localize_digits(MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        return ngettext("Use at most %(num)s character.", "Use at most %(num)s characters.", MAX_LENGTH,
                        num=localize_digits(MAX_LENGTH))
    personal = list(personal)
    result = zxcvbn(password[:_SCORED_LENGTH], user_inputs=personal)
    if result["score"] >= MIN_SCORE:
        return None
    matches, lowered = result["sequence"], password.lower()
    if any(m.get("dictionary_name") == "user_inputs" for m in matches) \
            or any(len(word) >= 4 and word in lowered for word in personal):
        return _("Do not build your password from your name, username or employee number.")
    if any(m.get("dictionary_name") == "passwords" for m in matches):
        return _("This is one of the most common passwords, or too close to one. Choose another.")
    if any(m["pattern"] in _PATTERNS for m in matches):
        return _("Repeated characters, sequences such as 1234 and rows of keyboard keys are easy to guess. "
                 "Choose another password.")
    return _("This password is too easy to guess. Add a few uncommon words.")
