"""Plain text books: header (title, by-line, notes), chapter headings, scene breaks.

Offsets always point into the decoded text itself, so ``source[start:end]`` gives
every paragraph back exactly as it appears in the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from narrate.ingest.common import detect_language, is_invisible, require_chapters, tidy_title
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
_END_PUNCT = (".", "!", "?", "…", '"', "”", "’", ",", ";")


@dataclass
class _Para:
    span: tuple[int, int]
    text: str
    kind: str = "text"  # "text", "heading", "break", "skip"
    heading: Heading | None = None


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


def _find_header(paras: list[_Para]) -> _Header:
    """Title line + 'by Author' (or 'Title:'/'Author:' fields) at the very start."""
    texts = [p.text for p in paras[:6]]
    if not texts:
        return _Header()
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


def _classify(paras: list[_Para]) -> None:
    in_contents = False
    for i, para in enumerate(paras):
        text = para.text
        if is_invisible(text) or _ILLUSTRATION.fullmatch(text):
            para.kind = "skip"
        elif is_scene_break(text):
            para.kind = "break"
        elif len(text) <= 400 and _CONTENTS.fullmatch(text):
            para.kind, in_contents = "skip", True
            continue
        elif len(text) <= 400:
            rows = [row for row in lines(text) if row]
            head = block_heading(rows) if len(rows) <= 3 else None
            if head:
                para.kind, para.heading = "heading", head
            elif len(rows) > 1 and all(parse_heading(r) for r in rows):
                para.kind = "skip"  # a table of contents written as one block
        if in_contents:
            # Contents entries are short lines; the real text starts at the first
            # heading that is followed by prose, or at the first prose paragraph.
            nxt = paras[i + 1].text if i + 1 < len(paras) else ""
            toc_like = all(len(r) <= 100 for r in lines(text))
            real = para.kind == "heading" and not (toc_like and _toc_entry(nxt))
            if toc_like and not real:
                para.kind = "skip"
            else:
                in_contents = False


def _toc_entry(text: str) -> bool:
    return (
        bool(text)
        and all(len(r) <= 100 for r in lines(text))
        and not text.endswith((".", "!", "?", "”", '"'))
        or parse_heading(text) is not None
    )


def _resolve_bare(paras: list[_Para]) -> None:
    """Lone numerals ('IV.') count as headings only when the book has several."""
    bare = [p for p in paras if p.heading and p.heading.bare]
    if len(bare) < 2:
        for p in bare:
            p.kind, p.heading = "text", None


def _merge_titles(paras: list[_Para]) -> None:
    """'CHAPTER I.' then a short title line as its own paragraph: one heading."""
    for i, para in enumerate(paras[:-2]):
        head = para.heading
        if para.kind != "heading" or head is None or head.has_title or head.part:
            continue
        nxt, after = paras[i + 1], paras[i + 2]
        if nxt.kind == "text" and title_line(nxt.text) and after.kind in ("text", "break"):
            para.heading = Heading(f"{head.title}: {tidy_title(nxt.text)}", True)
            nxt.kind = "skip"


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
    paras = [
        _Para(span, source[span[0] : span[1]]) for span in split_paragraphs(source, start, end)
    ]
    header = _find_header(paras)
    for p in paras[: header.end]:
        p.kind = "skip"
    _classify(paras)
    _resolve_bare(paras)
    _merge_titles(paras)
    body = paras[header.end :]
    first_heading = next((i for i, p in enumerate(body) if p.kind == "heading"), None)
    head_title = header.title
    lead = body[:first_heading] if first_heading is not None else body
    if header.found or front_matter:
        # Author's notes, dedications, years and credits right after the header.
        for p in lead[:4]:
            if p.kind == "text" and not _note_like(p.text):
                break
            p.kind = "skip"
        if first_heading is not None:
            texts = [p for p in lead if p.kind == "text"]
            if all(not _prose(p.text) for p in texts) or (front_matter and len(texts) <= 4):
                for p in texts:
                    p.kind = "skip"
    elif first_heading == 1 and body[0].kind == "text" and _title_like(body[0].text):
        head_title = tidy_title(body[0].text)  # a title line with no by-line
        body[0].kind = "skip"
    book_title = title or head_title or fallback_title
    chapters: list[Chapter] = []
    current = "Opening" if first_heading is not None else book_title
    spans: list[tuple[int, int]] = []
    breaks: set[int] = set()
    pending = False

    def close() -> None:
        if spans:
            chapters.append(Chapter(len(chapters) + 1, current, tuple(spans), frozenset(breaks)))

    for p in body:
        if p.kind == "heading" and p.heading is not None:
            close()
            current, spans, breaks, pending = p.heading.title, [], set(), False
        elif p.kind == "break":
            pending = bool(spans)
        elif p.kind == "text":
            if pending:
                breaks.add(len(spans))
            pending = False
            spans.append(p.span)
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
