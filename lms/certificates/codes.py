"""Verification codes: 120 random bits written in 24 symbols without look-alikes, read back tolerantly.

The first certificates got 80 bits in 16 symbols (four groups); they keep verifying. No other length is a code.
"""
import re
import secrets

# 32 symbols, so each carries 5 bits: no 0/O and no 1/I, which people misread on paper.
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
LENGTH = 24  # 24 x 5 = 120 bits, above ASVS's 112; printed as six groups of four
LEGACY_LENGTH = 16  # 16 x 5 = 80 bits: the codes of certificates issued before
EXAMPLE = "7F3K-9QXM-2PLA-H4TD-K8RW-6ZNB"  # as printed; for help texts and the API document
_VALID = re.compile(f"[{ALPHABET}]{{{LENGTH}}}|[{ALPHABET}]{{{LEGACY_LENGTH}}}")
# Arabic-Indic and Persian digits as typed on Arabic keyboards; dashes and spaces of every kind are ignored.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212_.\u200e\u200f\u2066-\u2069]+")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def grouped(code: str) -> str:
    """7F3K9QXM2PLAH4TDK8RW6ZNB -> 7F3K-9QXM-2PLA-H4TD-K8RW-6ZNB, as printed (an old code: four groups)."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def parse_code(text: str | None) -> str | None:
    """The code in `text` as stored, or None when it cannot be one (case, spaces, dashes and digits forgiven)."""
    if not text or len(text) > 64:
        return None
    code = _SEPARATORS.sub("", text.translate(_DIGITS)).upper()
    return code if _VALID.fullmatch(code) else None
