"""Chapter headings as a listener expects to hear them: "Chapter IV" read "Chapter Four".

espeak-ng reads a Roman numeral letter by letter or as "roman four"; the spoken
title says the number in words instead. Only the spoken text changes: tags, file
names and transcripts keep the book's own heading.
"""

from __future__ import annotations

import re

# Words that head a numbered division of a book ("Chapter IV", "BOOK II", "Stave III").
HEADING_WORDS = (
    "chapter",
    "part",
    "book",
    "volume",
    "vol",
    "section",
    "act",
    "scene",
    "canto",
    "stave",
    "letter",
    "epistle",
)
# A canonical Roman numeral from 1 to 3999, and nothing else ("IIII" and "VX" are not).
ROMAN = re.compile(r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})", re.IGNORECASE)
_HEADED = re.compile(
    r"\b(" + "|".join(HEADING_WORDS) + r")(\.?\s+)([A-Za-z]+)\b(?![\w'\u2019-])", re.IGNORECASE
)
# A heading that is a numeral alone: "IV", "XII.", "II: The Road"
_BARE = re.compile(r"^(\s*)([IVXLCDM]+)(?=\s*(?:[.:\u2014-]|$))")

_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


def roman_value(token: str) -> int | None:
    """The number a canonical Roman numeral stands for; None for anything else."""
    if not token or not ROMAN.fullmatch(token):
        return None
    total = 0
    digits = [_VALUES[ch] for ch in token.upper()]
    for value, following in zip(digits, [*digits[1:], 0], strict=True):
        total += -value if value < following else value
    return total


def number_words(n: int) -> str:
    """1 -> "one", 42 -> "forty-two", 1215 -> "one thousand two hundred and fifteen"."""
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{_ONES[hundreds]} hundred" + (f" and {number_words(rest)}" if rest else "")
    thousands, rest = divmod(n, 1000)
    words = f"{number_words(thousands)} thousand"
    if rest:
        words += (" and " if rest < 100 else " ") + number_words(rest)
    return words


def _cased(words: str, like: str) -> str:
    """The number in the heading word's case: "FOUR" after "CHAPTER", "four" after "chapter"."""
    if like.isupper() and len(like) > 1:
        return words.upper()
    if like.islower():
        return words
    return words[:1].upper() + words[1:]


def spoken_heading(title: str) -> str:
    """The heading with its Roman numerals said as numbers.

    After a heading word a numeral in capitals or in lower case counts ("Chapter
    IV", "chapter iv"), not a capitalised word that only looks like one ("Chapter
    Liv" may be a name); a heading that is a numeral alone must be in capitals.
    """

    def headed(m: re.Match[str]) -> str:
        word, gap, token = m.groups()
        if not (token.isupper() or token.islower()):
            return m.group(0)
        value = roman_value(token)
        if value is None:
            return m.group(0)
        return f"{word}{gap}{_cased(number_words(value), word)}"

    spoken = _HEADED.sub(headed, title)
    bare = _BARE.match(spoken)
    if bare and (value := roman_value(bare.group(2))) is not None:
        spoken = bare.group(1) + number_words(value).capitalize() + spoken[bare.end() :]
    return spoken
