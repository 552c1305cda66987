"""Arabic-aware text matching: what a person types should find what was written, however it was spelt."""
import re
import unicodedata

_TASHKEEL_AND_TATWEEL = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_LETTERS = str.maketrans({
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا",  # alef forms
    "ى": "ي", "ی": "ي",  # alef maqsura and Persian ya
    "ة": "ه",  # ta marbuta
    "ؤ": "و", "ئ": "ي",  # hamza on a carrier
    "ک": "ك",
})
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def normalize_for_matching(text: str) -> str:
    """Fold the spellings people use for the same word: tashkeel, tatweel, alef, ya, ta marbuta, digits, case."""
    text = unicodedata.normalize("NFKC", text)
    text = _TASHKEEL_AND_TATWEEL.sub("", text).translate(_LETTERS).translate(_DIGITS)
    return " ".join(text.casefold().split())
