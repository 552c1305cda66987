"""People's names as they enter the app (forms, roster files, the HR API) and as certificates print them: one
line, no invisible characters, no direction controls that could make a certificate show a name other than the
one stored (U+202E turns "nahmA" into "Ahman" on paper)."""
import re
import unicodedata

# Letters that draw nothing (Hangul fillers, the braille blank) and the combining grapheme joiner: the usual
# stuff of names that look empty. Format characters (category Cf: bidi controls, LRM/RLM/ALM, zero-width
# space, BOM, tag characters) are dropped wholesale below.
_BLANKS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f")
# ZWNJ and ZWJ shape letters in Persian and Urdu names (می‌خواهم): kept between two letters, dropped elsewhere.
_JOINERS = frozenset("\u200c\u200d")
_SPACES = re.compile(r"\s+")


def _kept(text: str, index: int) -> bool:
    char = text[index]
    if char in _BLANKS:
        return False
    if char in _JOINERS:
        return 0 < index < len(text) - 1 and text[index - 1].isalpha() and text[index + 1].isalpha()
    return unicodedata.category(char) not in ("Cc", "Cf", "Co", "Cs") or char.isspace()


def clean_name(text: object) -> str:
    """`text` as a name: NFC, without control, format and blank characters, spaces collapsed; "" when nothing
    readable is left (no letter or digit), so that the caller's "required" check refuses it."""
    text = unicodedata.normalize("NFC", str(text if text is not None else ""))
    text = "".join(char for index, char in enumerate(text) if _kept(text, index))
    text = _SPACES.sub(" ", text).strip()
    return text if any(char.isalnum() for char in text) else ""
