"""Quote detection: where speech and thoughts start and end inside paragraphs.

The book's dominant style is decided first (double quotes as in most books, or
single quotes as in many British ones); the other kind then nests inside it.
In a double-quoted book, single-quoted stretches of narration are thoughts.
Apostrophes (can't, the '90s, rock 'n' roll, the boys' room) are told apart
from single quote marks by their neighbours.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from narrate.segment.wordlists import SPEECH_VERB_ALT, VERB_RE, words

DOUBLE_MARKS = '"\u201c\u201d\u00ab\u00bb'
SINGLE_MARKS = "'\u2018\u2019"
OPEN_BEFORE = " \t\n\r([{\u2014\u2013-/\u201c\u2018\"'"
# Word-initial elisions: an apostrophe before these opens no quote.
ELISIONS = words(
    "tis twas twere twill twould em n cause cos til till round bout ere im er ave un ow nuff neath gainst fore prentice scuse e s d ll re ve t"
)
WORD_RE = re.compile(r"[A-Za-z]+")
# the said-tag closing a dash-introduced speech: ", Stephen said." / "! he said in a kind voice."
DASH_TAG_RE = re.compile(
    r"[,.!?]\s+(?:he|she|I|they|[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)\s+(?:[a-z]+ly\s+)?(?:"
    + SPEECH_VERB_ALT
    + r")\b[^.!?:]*[.!?:]"
)
END_PUNCT = ".,!?;:\u2014\u2013-\u2026"


@dataclass(slots=True)
class Quote:
    """One quoted stretch, offsets absolute into the source, marks included."""

    start: int
    end: int
    para: int  # global paragraph number (over all chapters)
    kind: str = "speech"  # speech | thought
    continues: bool = False  # carries on an unclosed quote of the previous paragraph
    closed: bool = True


def _find_either(text: str, chars: str, start: int, end: int) -> int:
    """The first position in [start, end) of any of chars, or -1."""
    found = [k for k in (text.find(c, start, end) for c in chars) if k >= 0]
    return min(found) if found else -1


def dominant_style(source: str) -> str:
    """'double' or 'single': which marks carry the book's dialogue."""
    doubles = sum(source.count(c) for c in DOUBLE_MARKS)
    singles = 0
    for m in re.finditer("['\u2018]", source):
        i = m.start()
        if _single_opener(source, i, 0, len(source)):
            singles += 1
    # doubles counts marks (two a quote), singles counts openers (one a quote)
    return "single" if singles >= 2 and 2 * singles > doubles else "double"


def _single_opener(text: str, i: int, lo: int, hi: int) -> bool:
    before = text[i - 1] if i > lo else " "
    after = text[i + 1] if i + 1 < hi else " "
    if before not in OPEN_BEFORE or after.isspace() or after in "'\u2019":
        return False
    if after.isdigit():  # the '90s
        return False
    w = WORD_RE.match(text, i + 1, hi)
    if w and w.group().lower() in ELISIONS:
        nxt = text[w.end()] if w.end() < hi else " "
        # 'tis / 'n' / 'em: an elision unless the word ends the quote right away.
        return nxt in ",.!?" and w.group().lower() not in ("n", "em", "tis", "twas")
    return True


def _single_closers(text: str, i: int, hi: int) -> int | None:
    """End (exclusive) of the single quote opened at i, or None."""
    first_letter: int | None = None
    j = i + 1
    while True:
        k = _find_either(text, "'\u2019", j, hi)
        if k < 0:
            break
        j = k + 1
        before = text[k - 1]
        after = text[k + 1] if k + 1 < hi else " "
        if before.isspace() or after.isalnum():
            continue  # an opener or an inner apostrophe (can't)
        if before in END_PUNCT:
            return k + 1
        if first_letter is not None:
            continue
        plural_possessive = before == "s" and after == " "  # the boys' room
        elision = text[k - 2 : k] == "'n" or (before == "o" and text[k - 2 : k - 1] == " ")
        if after in "!?.,;:" or not (plural_possessive or elision):
            first_letter = k + 1
    return first_letter


def _double_spans(text: str, lo: int, hi: int) -> tuple[list[tuple[int, int, bool]], bool]:
    """Double-quoted spans in [lo, hi): (start, end, closed); and whether it opened at lo."""
    spans: list[tuple[int, int, bool]] = []
    open_at: int | None = None
    for m in re.finditer('["\u201c\u201d\u00ab\u00bb]', text[lo:hi]):
        i = lo + m.start()
        c = text[i]
        before = text[i - 1] if i > lo else " "
        after = text[i + 1] if i + 1 < hi else " "
        if open_at is None:
            if c in "\u201d\u00bb" and not spans and _first_char(text, lo, i) == i:
                open_at = i  # a stray closer opening a paragraph: treat as opener
                continue
            if c in "\u201d\u00bb":
                continue
            open_at = i
            continue
        opener_like = c in "\u201c\u00ab" or (c == '"' and before.isspace() and not after.isspace())
        if opener_like and text[open_at + 1 : i].strip():
            # the previous quote was left open: it ends before this new one
            e = i
            while e > open_at and text[e - 1].isspace():
                e -= 1
            spans.append((open_at, e, False))
            open_at = i
            continue
        spans.append((open_at, i + 1, True))
        open_at = None
    if open_at is not None:
        e = hi
        while e > open_at and text[e - 1].isspace():
            e -= 1
        if e - open_at > 1:
            spans.append((open_at, e, False))
    return spans, bool(spans) and spans[0][0] == _first_char(text, lo, hi)


def _single_spans(text: str, lo: int, hi: int) -> list[tuple[int, int, bool]]:
    spans: list[tuple[int, int, bool]] = []
    i = lo
    while i < hi:
        k = _find_either(text, "'\u2018", i, hi)
        if k < 0:
            break
        if _single_opener(text, k, lo, hi):
            e = _single_closers(text, k, hi)
            if e is None:
                # unclosed: runs to the paragraph end only if it opens the paragraph
                if _first_char(text, lo, k) == k:
                    e2 = hi
                    while e2 > k and text[e2 - 1].isspace():
                        e2 -= 1
                    spans.append((k, e2, False))
                    break
                i = k + 1
                continue
            spans.append((k, e, True))
            i = e
        else:
            i = k + 1
    return spans


# "(smiling,)", "(turning to Ada)", "(she might well say this)": the narrator's aside
ASIDE_RE = re.compile(r"\((?:[^()]{0,300})\)")
ASIDE_OPEN = re.compile(
    r"\(\s*(?:[a-z]+ing\b|with\b|in\s+a\b|aside\b|to\s+[A-Z]|here\s+)"
    r"|\(\s*[^()]*\b(?:he|she|they)\s+[a-z]+(?:ed|ew|ook|aid|ade|ave)\b"
)
FIRST_SECOND = re.compile(r"\b(?:I|me|my|we|us|our|you|your)\b")


def _pieces(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """A quote [s, e) cut around the narrator's asides in it.

    An aside in parentheses that reads as narration ("(smiling,)", "(turning
    to her)") is left out of the speech, so the narrator reads it; one that
    speaks in the first or second person ("(I hope)") is the speaker's own.
    """
    cuts = [
        (m.start(), m.end())
        for m in ASIDE_RE.finditer(text, s + 1, e)
        if ASIDE_OPEN.search(m.group()) and not FIRST_SECOND.search(m.group())
    ]
    if not cuts:
        return [(s, e)]
    pieces: list[tuple[int, int]] = []
    cur = s
    for a, b in cuts:
        _add_piece(text, pieces, cur, a)
        cur = b
    _add_piece(text, pieces, cur, e)
    return pieces or [(s, e)]


def _add_piece(text: str, pieces: list[tuple[int, int]], a: int, b: int) -> None:
    """Append [a, b) trimmed of spaces, if any words are in it."""
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    if any(c.isalnum() for c in text[a:b]):
        pieces.append((a, b))


def nested_quotes(text: str, q: Quote) -> list[tuple[int, int]]:
    """The single-quoted stretches inside a double-quoted quote ("she told me, 'Go.'")."""
    if text[q.start] not in DOUBLE_MARKS:
        return []
    end = q.end - 1 if text[q.end - 1] in DOUBLE_MARKS else q.end
    return [(s, e) for s, e, _closed in _single_spans(text, q.start + 1, end)]


def _first_char(text: str, lo: int, hi: int) -> int:
    i = lo
    while i < hi and text[i].isspace():
        i += 1
    return i


def _is_title_like(text: str, s: int, e: int, lo: int) -> bool:
    """A quoted name or title inside a sentence (the sign read "EXIT"), not speech."""
    inner = text[s + 1 : e - 1].strip()
    if not inner or len(inner.split()) > 6:
        return False
    # the narration before the quote, read back from it (not the whole paragraph)
    j = s
    while j > lo and text[j - 1].isspace():
        j -= 1
    if j == lo or not (text[j - 1].isalpha() or text[j - 1] in "')"):
        return False  # opens a paragraph or follows punctuation: speech
    i = j - 1
    while i > lo and not text[i - 1].isspace():
        i -= 1
    word = text[i:j].lower().strip("'")
    if VERB_RE.fullmatch(word):
        return False  # he said "yes"
    if inner[-1] in "?!" and len(inner.split()) > 1:
        return False  # as she entered "is she ill?": a question or a cry is speech
    if inner[0].islower() or inner.isupper():
        return True  # called "the girl's room," / a "back hall."
    return len(inner.split()) <= 5 and inner[-1] not in END_PUNCT + "'\u2019"


def _dash_style(source: str, paragraphs: Sequence[tuple[int, int]]) -> bool:
    """Dialogue set off by a dash opening the paragraph (as in Joyce), not quote marks."""
    dashes = sum(
        1 for lo, hi in paragraphs if source[_first_char(source, lo, hi) : hi][:1] == "\u2014"
    )
    quoted = sum(
        1 for lo, hi in paragraphs if source[_first_char(source, lo, hi) : hi][:1] in DOUBLE_MARKS
    )
    return dashes >= 5 and dashes > 2 * quoted


def _dash_spans(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """—Yes, he said. Come in.  -> the speech before the said-tag and the speech after it."""
    start = _first_char(text, lo, hi)
    m = DASH_TAG_RE.search(text, start, hi)
    if not m:
        end = hi
        while end > start and text[end - 1].isspace():
            end -= 1
        return [(start, end)]
    spans = [(start, m.start() + 1)]
    rest = _first_char(text, m.end(), hi)
    end = hi
    while end > rest and text[end - 1].isspace():
        end -= 1
    if end > rest:
        spans.append((rest, end))
    return spans


def find_quotes(source: str, paragraphs: Sequence[tuple[int, int]]) -> list[list[Quote]]:
    """The quotes of each paragraph (paragraphs in global reading order)."""
    style = dominant_style(source)
    dashed = _dash_style(source, paragraphs)
    out: list[list[Quote]] = []
    prev_open = False
    for pi, (lo, hi) in enumerate(paragraphs):
        quotes: list[Quote] = []
        if dashed and source[_first_char(source, lo, hi)] == "\u2014":
            out.append([Quote(s, e, pi) for s, e in _dash_spans(source, lo, hi)])
            continue
        if style == "double":
            spans, _ = _double_spans(source, lo, hi)
            first = _first_char(source, lo, hi)
            outside: list[tuple[int, int]] = []
            cur = lo
            for s, e, _c in spans:
                outside.append((cur, s))
                cur = e
            outside.append((cur, hi))
            for s, e, closed in spans:
                if _is_title_like(source, s, e, lo):
                    continue
                cont = prev_open and s == first
                for k, (a, b) in enumerate(_pieces(source, s, e)):
                    quotes.append(Quote(a, b, pi, "speech", cont and not k, closed))
            for a, b in outside:
                for s, e, closed in _single_spans(source, a, b):
                    inner = source[s + 1 : e - 1].strip()
                    if len(inner.split()) < 2 and not (inner and inner[-1] in END_PUNCT):
                        continue
                    if _is_title_like(source, s, e, lo):
                        continue
                    quotes.append(Quote(s, e, pi, "thought", False, closed))
            quotes.sort(key=lambda q: q.start)
        else:
            spans = _single_spans(source, lo, hi)
            first = _first_char(source, lo, hi)
            for s, e, closed in spans:
                if _is_title_like(source, s, e, lo):
                    continue
                quotes.append(Quote(s, e, pi, "speech", prev_open and s == first, closed))
        # An unclosed final quote carries on only if the next paragraph opens with a mark.
        last = quotes[-1] if quotes else None
        if last and not last.closed:
            nxt = paragraphs[pi + 1] if pi + 1 < len(paragraphs) else None
            prev_open = bool(
                nxt
                and source[_first_char(source, nxt[0], nxt[1]) : nxt[1]][:1]
                in (DOUBLE_MARKS if style == "double" else SINGLE_MARKS)
            )
        else:
            prev_open = False
        out.append(quotes)
    return out
