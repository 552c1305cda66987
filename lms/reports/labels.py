"""Chart labels people can read whole: the words every label shares said once, the rest wrapped at spaces.

Widths are estimated from the characters (the server has no font metrics): generous for Latin capitals and
digits, narrower for joined Arabic letters, nothing for Arabic vowel marks, so that a line estimated to fit does.
"""
import unicodedata

# Word-joining marks left at the cut between a shared beginning and the rest ("رقم ١ - القليوبية").
SEPARATORS = frozenset("-–—:،,؛;/|")
MIN_PREFIX_CHARS = 8  # a shorter shared beginning ("Center") is not worth a caption


def common_prefix(labels: list[str]) -> tuple[str, list[str]]:
    """The whole words every label starts with, and each label without them.

    ("", labels) when there are fewer than two labels, when the shared words are short, or when dropping them
    would leave a label empty: a label is never cut inside a word.
    """
    if len(labels) < 2:
        return "", list(labels)
    split = [label.split() for label in labels]
    shared = 0
    for words in zip(*split, strict=False):
        if any(word != words[0] for word in words):
            break
        shared += 1
    # "No. 1" and "رقم ١" read as one: a number keeps the word before it.
    while shared and any(len(words) > shared and _is_number(words[shared]) for words in split):
        shared -= 1
    while shared and split[0][shared - 1] in SEPARATORS:  # "Center -": the dash belongs to neither part
        shared -= 1
    prefix = " ".join(split[0][:shared])
    rests = [_strip_separators(words[shared:]) for words in split]
    if len(prefix) < MIN_PREFIX_CHARS or not all(rests):
        return "", list(labels)
    return prefix, [" ".join(words) for words in rests]


def _is_number(word: str) -> bool:
    return any(char.isdigit() for char in word)


def _strip_separators(words: list[str]) -> list[str]:
    start = 0
    while start < len(words) and words[start] in SEPARATORS:
        start += 1
    return words[start:]


def char_width(char: str) -> float:
    """A character's advance in em, rounded up for the fonts the app names."""
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Cf"):
        return 0.0
    if char.isspace():
        return 0.3
    if "\u0600" <= char <= "\u06ff" or "\u0750" <= char <= "\u077f" or "\ufb50" <= char <= "\ufeff":
        return 0.6 if char.isdigit() else 0.5
    if char.isdigit():
        return 0.64
    if char.isupper() or char in "mwMW@%":
        return 0.78
    if char in "il.,:;'!|":
        return 0.32
    return 0.62


def text_width(text: str, font_size: float, bold: bool = False) -> float:
    """Estimated advance of `text` at `font_size` units."""
    return sum(map(char_width, text)) * font_size * (1.08 if bold else 1.0)


def wrap(text: str, width: float, font_size: float) -> list[str]:
    """Lines of whole words, each estimated to fit `width`; a word longer than a line keeps a line to itself and is
    never split."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if line and text_width(candidate, font_size) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    if line:
        lines.append(line)
    return lines or [""]
