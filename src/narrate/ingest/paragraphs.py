"""Splitting text into paragraphs and recognising chapter headings and scene breaks."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from narrate.ingest.common import tidy_title

# A line break followed by one or more blank lines (any mix of \r\n, \r, \n).
_BLANK_RUN = re.compile(r"(?:\r\n|\r|\n)(?:[^\S\r\n]*(?:\r\n|\r|\n))+")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

_UNITS = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
)
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety"
_ORDINALS = (
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
    "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth last"
)
_UNIT = "|".join(_UNITS.split())
_TEN = "|".join(_TENS.split())
_WORD_NUMBER = (
    rf"(?:(?:{_TEN})(?:[- ](?:{_UNIT}))?|(?:{_UNIT})|hundred|"
    rf"(?:the\s+)?(?:{'|'.join(_ORDINALS.split())}))"
)
_ROMAN = r"(?=[ivxlcdm])m{0,4}(?:cm|cd|d?c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})"
# Up to five digits: serials and web novels run past chapter 9999.
_NUMBER = rf"(?:\d{{1,5}}|{_ROMAN}|{_WORD_NUMBER})"

_KEYWORDS = {
    "chapter": "Chapter",
    "chap.": "Chapter",
    "chap": "Chapter",
    "part": "Part",
    "book": "Book",
    "volume": "Volume",
    "vol.": "Volume",
    "stave": "Stave",
    "letter": "Letter",
    # The same headings in the other languages narrate reads most.
    "chapitre": "Chapitre",
    "partie": "Partie",
    "livre": "Livre",
    "kapitel": "Kapitel",
    "teil": "Teil",
    "capítulo": "Capítulo",
    "capitulo": "Capítulo",
    "capitolo": "Capitolo",
    "hoofdstuk": "Hoofdstuk",
}
_PART_WORDS = frozenset(("Part", "Book", "Volume", "Partie", "Livre", "Teil"))
_NUMBERED = re.compile(
    rf"({'|'.join(re.escape(k) for k in _KEYWORDS)})\s+({_NUMBER})(?![\w’'])(.*)",
    re.IGNORECASE | re.DOTALL,
)
_NAMED = re.compile(
    r"(?:the\s+)?(prologue|epilogue|preface|foreword|introduction|interlude|afterword|postscript)"
    r"(?![\w’'])(.*)",
    re.IGNORECASE | re.DOTALL,
)
_MARKDOWN = re.compile(r"(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*", re.DOTALL)
_BARE = re.compile(rf"({_ROMAN}|\d{{1,3}})\.?", re.IGNORECASE)
_SEPARATORS = ".:-–—)"
_QUOTES = "\"“”‘’'«»„"
_FANCY_BREAK = re.compile(r"[-~=*_.\s]*(?:o0o|oOo|0o0)[-~=*_.\s]*")
_WORD_CHAR = re.compile(r"[^\W_]")
MAX_HEADING = 120


@dataclass(frozen=True, slots=True)
class Heading:
    title: str  # normalised, e.g. "Chapter 12: The Ship"
    has_title: bool  # True when a name follows the number ("The Ship")
    bare: bool = False  # a lone numeral ("IV."): trusted only when the book has several
    part: bool = False  # Part/Book/Volume: a grouping heading, not a chapter itself
    level: int = 0  # Markdown heading level, 0 for plain headings


def split_paragraphs(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of the blank-line separated paragraphs of text[start:end], whitespace trimmed."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    pos = start
    for match in _BLANK_RUN.finditer(text, start, end):
        _trimmed(text, pos, match.start(), spans)
        pos = match.end()
    _trimmed(text, pos, end, spans)
    return spans


def _trimmed(text: str, a: int, b: int, spans: list[tuple[int, int]]) -> None:
    chunk = text[a:b]
    stripped = chunk.strip()
    if stripped:
        a += len(chunk) - len(chunk.lstrip())
        spans.append((a, a + len(stripped)))


def lines(text: str) -> list[str]:
    return [line.strip() for line in _LINE_BREAK.split(text)]


def _number(raw: str) -> str:
    raw = " ".join(raw.split())
    if raw.isdigit():
        return raw
    if re.fullmatch(_ROMAN, raw, re.IGNORECASE):
        return raw.upper()
    return "-".join(w.capitalize() for w in raw.replace(" ", "-").split("-")).replace(
        "The-", "the "
    )


def _rest_title(rest: str) -> str | None:
    """The name after a heading's number; None if the rest reads like prose instead."""
    rest = rest.strip()
    if not rest:
        return ""
    if rest[0] in _SEPARATORS:
        return rest.lstrip(_SEPARATORS + " \t")
    # Without a separator the name must look like a title, not a sentence.
    if rest[0].isupper() and not rest.endswith((".", "!", "?", ",", ";")) or rest.isupper():
        return rest
    return None


def parse_heading(line: str) -> Heading | None:
    """Recognise one line as a chapter heading; None if it is not one."""
    if not line or len(line) > MAX_HEADING or "\n" in line or "\r" in line:
        return None
    if line.startswith("#"):
        md = _MARKDOWN.fullmatch(line)
        if not md or not md.group(2):
            return None
        inner = parse_heading(md.group(2))
        title = inner.title if inner else tidy_title(md.group(2))
        return Heading(title, True, level=len(md.group(1)))
    numbered = _NUMBERED.fullmatch(line)
    if numbered:
        rest = _rest_title(numbered.group(3))
        if rest is None:
            return None
        keyword = _KEYWORDS[numbered.group(1).lower()]
        title = f"{keyword} {_number(numbered.group(2))}"
        rest = tidy_title(rest)
        part = keyword in _PART_WORDS
        return Heading(f"{title}: {rest}" if rest else title, bool(rest), part=part)
    named = _NAMED.fullmatch(line)
    if named:
        rest = _rest_title(named.group(2))
        if rest is None or (rest and not named.group(2).strip()[0] in _SEPARATORS):
            return None
        title = named.group(1).capitalize()
        rest = tidy_title(rest)
        return Heading(f"{title}: {rest}" if rest else title, True)
    bare = _BARE.fullmatch(line)
    if bare:
        return Heading(f"Chapter {_number(bare.group(1))}", False, bare=True)
    return None


def block_heading(rows: list[str]) -> Heading | None:
    """A heading written over up to three lines: 'CHAPTER' / '1' / 'The Ship'."""
    head = parse_heading(rows[0])
    used = 1
    if head is None and len(rows) > 1 and rows[0].lower().rstrip(".") in _KEYWORDS:
        head, used = parse_heading(f"{rows[0]} {rows[1]}"), 2
    if head is None:
        return None
    rest = rows[used:]
    if not rest:
        return head
    if len(rest) == 1 and not head.has_title and title_line(rest[0]):
        title = f"{head.title}: {tidy_title(rest[0])}"
        return Heading(title, True, bare=head.bare, part=head.part)
    return None


def title_line(line: str) -> bool:
    """A short line that can name the chapter whose numbered heading precedes it."""
    if not line or len(line) > 80 or any(q in line for q in '"“”«»'):
        return False
    if line.endswith(("!", "?", ",", ";", ":")) or parse_heading(line) is not None:
        return False
    if line.endswith(".") and not line.isupper():
        return False
    return any(c.isalpha() for c in line)


def is_scene_break(text: str) -> bool:
    """'* * *', '***', '#', '~~~', '—', 'o0o': a separator paragraph, never narrated."""
    if len(text) > 80:
        return False
    if _WORD_CHAR.search(text):
        return _FANCY_BREAK.fullmatch(text) is not None
    if any(q in text for q in _QUOTES):
        return False
    seen = False
    for c in text:
        cat = unicodedata.category(c)
        if cat[0] in "PS":
            seen = True
        elif not (cat[0] == "Z" or c.isspace() or cat == "Cf"):
            return False
    return seen
