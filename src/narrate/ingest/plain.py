"""Plain text books: header (title, by-line, notes), chapter headings, scene breaks.

Offsets always point into the decoded text itself, so ``source[start:end]`` gives
every paragraph back exactly as it appears in the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from narrate.ingest.common import detect_language, require_chapters, tidy_title
from narrate.ingest.paragraphs import (
    Heading,
    block_heading,
    is_scene_break,
    lines,
    parse_heading,
    split_paragraphs,
    title_line,
)
from narrate.records import Book, Chapter

_BY = re.compile(r"by[ \t]+(\S.{0,80})", re.IGNORECASE)
_FIELD = re.compile(r"(title|author)\s*:\s*(\S.*)", re.IGNORECASE)
_NOTE = re.compile(
    r"(?:a\s+)?(?:note\b|author['’]?s\s+note|a/n\b|dedicat|disclaimer|summary\s*:|rating\s*:|"
    r"warnings?\s*:|translated\b|edited\b|illustrated\b|with illustrations|written\b|copyright|"
    r"©|\(c\)|first published|produced by|transcribed|e-?text prepared|transcriber)",
    re.IGNORECASE,
)
_DEDICATION = re.compile(r"(?:for|to|in memory of)\s", re.IGNORECASE)
_CONTENTS = re.compile(r"(?:table\s+of\s+)?contents\.?:?", re.IGNORECASE)
_ILLUSTRATION = re.compile(r"\[(?:illustration|image|picture)[^\]]*\]", re.IGNORECASE)
_HEADING_STARTS = ("#", "[")
# fmt: off
_WORD_STARTS = (
    "chap", "part", "book", "vol", "stave", "letter", "the pr", "the ep", "the fo", "the in",
    "the af", "the po", "prolog", "epilog", "preface", "foreword", "introduction", "interlude",
    "afterword", "postscript", "contents", "table of", "kapitel", "capít", "capit", "teil",
    "livre", "hoofdstuk",
)
# fmt: on
_COMMON_BREAK = re.compile(r"[*#~=_•·.\s-]{1,40}")  # "* * *", "***", "#", "~~~"
_WORD_CHAR = re.compile(r"[^\W_]")
# Any character that is not whitespace, a control or a zero-width format character.
_VISIBLE = re.compile(r"[^\s\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_END_PUNCT = (".", "!", "?", "…", '"', "”", "’", ",", ";")


class _Paras:
    """Paragraphs as parallel lists (no object per paragraph: big books stay fast)."""

    __slots__ = ("heads", "kinds", "spans", "texts")

    def __init__(self, source: str, spans: list[tuple[int, int]]) -> None:
        self.spans = spans
        self.texts = [source[a:b] for a, b in spans]
        self.kinds = ["text"] * len(spans)  # "text", "heading", "break" or "skip"
        self.heads: dict[int, Heading] = {}


@dataclass
class _Header:
    title: str | None = None
    author: str | None = None
    end: int = 0  # index of the first paragraph after the header
    found: bool = False


def _short_line(text: str, limit: int = 100) -> bool:
    return "\n" not in text and "\r" not in text and len(text) <= limit


def _title_like(text: str) -> bool:
    return (
        _short_line(text)
        and not any(q in text for q in '"“”')
        and (not text.endswith(_END_PUNCT) or text.isupper())
        and parse_heading(text) is None
        and any(c.isalpha() for c in text)
    )


def _note_like(text: str) -> bool:
    if _NOTE.match(text) and len(text) <= 600:
        return True
    if _DEDICATION.match(text) and _short_line(text, 60) and len(text.split()) <= 6:
        return True  # "For my sister."
    return (
        _short_line(text, 80)
        and not text.endswith(_END_PUNCT)
        and not any(q in text for q in '"“”')
    )


def _find_header(paras: _Paras) -> _Header:
    """Title line + 'by Author' (or 'Title:'/'Author:' fields) at the very start."""
    texts = paras.texts[:6]
    if not texts:
        return _Header()
    if texts[0].startswith("# ") and len(texts) > 1 and _BY.fullmatch(texts[1]):
        texts[0] = texts[0].lstrip("# ")  # a Markdown title heading above the by-line
    first = lines(texts[0])
    fields = {}
    for text in texts[:2]:
        for line in lines(text):
            m = _FIELD.fullmatch(line)
            if m:
                fields[m.group(1).lower()] = m.group(2).strip()
    if "title" in fields and "author" in fields:
        end = 1 if _FIELD.fullmatch(lines(texts[0])[-1]) and len(first) > 1 else 2
        return _Header(fields["title"], fields["author"], end, True)
    if len(first) == 2 and _title_like(first[0]) and (by := _BY.fullmatch(first[1])):
        return _Header(tidy_title(first[0]), by.group(1).strip(" ."), 1, True)
    if len(first) != 1 or not _title_like(texts[0]):
        return _Header()
    # Allow a short subtitle or a year between the title and the by-line.
    for i in range(1, min(4, len(texts))):
        by = _BY.fullmatch(texts[i]) if _short_line(texts[i]) else None
        if by:
            return _Header(tidy_title(texts[0]), by.group(1).strip(" ."), i + 1, True)
        if texts[i].lower() == "by" and i + 1 < len(texts) and _short_line(texts[i + 1], 60):
            return _Header(tidy_title(texts[0]), texts[i + 1].strip(" ."), i + 2, True)
        if not _short_line(texts[i], 40) or parse_heading(texts[i]):
            break
    return _Header()


def _might_be_special(text: str) -> bool:
    """Could this paragraph be a heading, break, contents or picture? (fast pre-check)"""
    if len(text) > 400:
        return False
    if not _WORD_CHAR.search(text) or len(text) <= 12:
        return True
    return text.startswith(_HEADING_STARTS) or text[:12].lower().startswith(_WORD_STARTS)


def _classify(paras: _Paras) -> None:
    texts, kinds = paras.texts, paras.kinds
    in_contents = False
    for i, text in enumerate(texts):
        # Cheap tests first: most paragraphs are prose and need no closer look.
        if not in_contents and not _might_be_special(text):
            if not _VISIBLE.search(text):
                kinds[i] = "skip"
            continue
        if not _VISIBLE.search(text) or _ILLUSTRATION.fullmatch(text):
            kinds[i] = "skip"
        elif _COMMON_BREAK.fullmatch(text) or is_scene_break(text):
            kinds[i] = "break"
        elif len(text) <= 400 and _CONTENTS.fullmatch(text):
            kinds[i], in_contents = "skip", True
            continue
        elif len(text) <= 400:
            rows = [row for row in lines(text) if row]
            head = block_heading(rows) if len(rows) <= 3 else None
            if head:
                kinds[i], paras.heads[i] = "heading", head
            elif len(rows) > 1 and all(parse_heading(r) for r in rows):
                kinds[i] = "skip"  # a table of contents written as one block
        if in_contents:
            # Contents entries are short lines; the real text starts at the first
            # heading that is followed by prose, or at the first prose paragraph.
            nxt = texts[i + 1] if i + 1 < len(texts) else ""
            toc_like = all(len(r) <= 100 for r in lines(text))
            real = kinds[i] == "heading" and not (toc_like and _toc_entry(nxt))
            if toc_like and not real:
                kinds[i] = "skip"
                paras.heads.pop(i, None)
            else:
                in_contents = False


def _toc_entry(text: str) -> bool:
    return (
        bool(text)
        and all(len(r) <= 100 for r in lines(text))
        and not text.endswith((".", "!", "?", "”", '"'))
        or parse_heading(text) is not None
    )


def _resolve_bare(paras: _Paras) -> None:
    """Lone numerals ('IV.') count as headings only when the book has several."""
    bare = [i for i, head in paras.heads.items() if head.bare]
    if len(bare) < 2:
        for i in bare:
            paras.kinds[i] = "text"
            del paras.heads[i]


def _merge_titles(paras: _Paras) -> None:
    """'CHAPTER I.' then a short title line as its own paragraph: one heading."""
    kinds, texts = paras.kinds, paras.texts
    for i, head in list(paras.heads.items()):
        if head.has_title or i + 2 >= len(kinds) or kinds[i] != "heading":
            continue
        # A part's name may sit right above its first chapter heading.
        follows = ("text", "break", "heading") if head.part else ("text", "break")
        if kinds[i + 1] == "text" and title_line(texts[i + 1]) and kinds[i + 2] in follows:
            title = f"{head.title}: {tidy_title(texts[i + 1])}"
            paras.heads[i] = Heading(title, True, part=head.part)
            kinds[i + 1] = "skip"


def _prose(text: str) -> bool:
    return (
        len(text) >= 150
        or any(q in text for q in '"“”')
        or (len(text.split()) >= 8 and text.endswith(_END_PUNCT))
    )


def build_book(
    source: str,
    start: int = 0,
    end: int | None = None,
    *,
    fallback_title: str = "Untitled",
    title: str | None = None,
    author: str | None = None,
    language: str | None = None,
    metadata: dict[str, str] | None = None,
    front_matter: bool = False,
    name: str = "the book",
) -> Book:
    """Parse source[start:end] into chapters; ``front_matter`` marks a Gutenberg body."""
    paras = _Paras(source, split_paragraphs(source, start, end))
    kinds, texts = paras.kinds, paras.texts
    header = _find_header(paras)
    _classify(paras)
    kinds[: header.end] = ["skip"] * header.end
    _resolve_bare(paras)
    _merge_titles(paras)
    body = range(header.end, len(kinds))
    first_heading = next((i for i in body if kinds[i] == "heading"), None)
    head_title = header.title
    lead = range(header.end, len(kinds) if first_heading is None else first_heading)
    if header.found or front_matter:
        # Author's notes, dedications, years and credits right after the header.
        for i in lead[:4]:
            if kinds[i] == "text" and not _note_like(texts[i]):
                break
            kinds[i] = "skip"
        if first_heading is not None:
            prose = [i for i in lead if kinds[i] == "text"]
            if all(not _prose(texts[i]) for i in prose) or (front_matter and len(prose) <= 4):
                for i in prose:
                    kinds[i] = "skip"
    elif first_heading == header.end + 1 and _title_like(texts[header.end]):
        head_title = tidy_title(texts[header.end])  # a title line with no by-line
        kinds[header.end] = "skip"
    book_title = title or head_title or fallback_title
    chapters: list[Chapter] = []
    current = "Opening" if first_heading is not None else book_title
    spans: list[tuple[int, int]] = []
    breaks: set[int] = set()
    pending = False

    def close() -> None:
        if spans:
            chapters.append(Chapter(len(chapters) + 1, current, tuple(spans), frozenset(breaks)))

    for i in body:
        kind = kinds[i]
        if kind == "text":
            if pending:
                breaks.add(len(spans))
            pending = False
            spans.append(paras.spans[i])
        elif kind == "heading":
            close()
            current, spans, breaks, pending = paras.heads[i].title, [], set(), False
        elif kind == "break":
            pending = bool(spans)
    close()
    sample = (
        source[start : start + 20000] if end is None else source[start : min(end, start + 20000)]
    )
    return Book(
        source=source,
        title=book_title,
        author=author or header.author,
        chapters=require_chapters(chapters, name),
        language=language or detect_language(sample),
        metadata=dict(metadata or {}),
    )
