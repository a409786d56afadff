"""EPUB 2 and 3 books: spine order, navigation titles, metadata, cover.

The archive is read by ``epub_package`` (only the members narration needs, each
bounded); this module turns its pages into chapters.

``Book.source`` is the plain text extracted from the XHTML pages (each chapter's
title, then its paragraphs, joined by blank lines); chapter spans point into it.
"""

from __future__ import annotations

import html
import logging
import posixpath
import re
from pathlib import Path

from narrate.ingest.common import (
    TextBuilder,
    detect_language,
    language_code,
    require_chapters,
    tidy_title,
    title_from_stem,
)
from narrate.ingest.epub_package import Item, Package, cover_item, open_epub
from narrate.ingest.html_text import Block, html_to_blocks
from narrate.ingest.images import MAX_COVER_BYTES, cover_or_warning, too_big
from narrate.records import Book

# Pages that are not story: skipped unless include_front_matter is set.
_FRONT_TYPES = frozenset(
    [
        "cover",
        "titlepage",
        "title-page",
        "halftitlepage",
        "toc",
        "landmarks",
        "loi",
        "lot",
        "copyright-page",
        "colophon",
        "imprint",
        "dedication",
        "acknowledgments",
        "acknowledgements",
        "frontmatter",
        "backmatter",
        "index",
        "contributors",
        "other-credits",
        "endnotes",
        "footnotes",
        "rearnotes",
        "bibliography",
        "errata",
        "copyright",
    ]
)
_FRONT_TITLE = re.compile(
    r"(?:cover|title(?: page)?|half[- ]?title|(?:table of )?contents|copyright(?: page)?|"
    r"colophon|imprint|dedication|acknowledge?ments?|about the (?:author|publisher)s?|"
    r"also by\b.*|other (?:books|titles|works) by\b.*|books by\b.*|praise for\b.*|index|"
    r"landmarks|(?:end|foot)?notes|list of illustrations|credits)\.?",
    re.IGNORECASE,
)
_FRONT_FILE = re.compile(
    r"(?:^|[\W_])(?:cover|titlepage|title|halftitle|toc|contents|copyright|colophon|imprint|"
    r"dedication|acknowledg\w*|about|alsoby|also|index|nav|landmarks|endnotes|footnotes)"
    r"(?:[\W_\d]|$)",
    re.IGNORECASE,
)
_GUIDE_FRONT = frozenset(
    [
        "cover",
        "title-page",
        "toc",
        "copyright-page",
        "colophon",
        "dedication",
        "acknowledgements",
        "index",
        "loi",
        "lot",
        "bibliography",
        "notes",
    ]
)
_ISBN = re.compile(
    r"(?:urn:isbn:|isbn:?\s*)?((?:97[89][-\s]?)?(?:\d[-\s]?){9}[\dXx])", re.IGNORECASE
)
_TAGS = re.compile(r"<[^>]+>")


log = logging.getLogger("narrate")


def _split(href: str) -> tuple[str, str | None]:
    path, _, fragment = href.partition("#")
    return path, fragment or None


def _meta(package: Package, name: str) -> list[tuple[str, dict[str, str]]]:
    return package.metadata.get(name, [])


def _metadata(book: Package) -> tuple[str | None, str | None, dict[str, str]]:
    titles = _meta(book, "title")
    creators = _meta(book, "creator")
    # Prefer creators marked as authors; otherwise every creator counts.
    authors = [
        v for v, a in creators if any(k.endswith("role") and val == "aut" for k, val in a.items())
    ]
    authors = authors or [v for v, _ in creators]
    found: dict[str, str] = {}
    for key in ("language", "publisher", "date", "description"):
        values = _meta(book, key)
        if values:
            found[key] = values[0][0]
    if "description" in found:
        plain = html.unescape(_TAGS.sub(" ", found["description"]))
        found["description"] = " ".join(plain.split())
    if year := re.search(r"\b(1[5-9]\d\d|20\d\d)\b", found.get("date", "")):
        found["year"] = year.group(1)
    for value, attrs in _meta(book, "identifier"):
        scheme = " ".join(attrs.values()).lower()
        match = _ISBN.fullmatch(value.strip())
        if match and (
            "isbn" in scheme or "isbn" in value.lower() or len(re.sub(r"\D", "", value)) == 13
        ):
            found["isbn"] = re.sub(r"[-\s]", "", match.group(1))
            break
    return (titles[0][0] if titles else None), (", ".join(authors) or None), found


def _is_front(item: Item, title: str | None, types: set[str], guide: dict[str, str]) -> bool:
    if types & _FRONT_TYPES or guide.get(item.path) in _GUIDE_FRONT:
        return True
    if item.properties & {"nav", "cover"}:
        return True
    if title:
        return bool(_FRONT_TITLE.fullmatch(title.strip()))
    return bool(_FRONT_FILE.search(posixpath.splitext(posixpath.basename(item.path))[0]))


def _write(builder: TextBuilder, blocks: list[Block]) -> None:
    """Paragraphs of one chapter; leading headings are its printed title, not story."""
    leading = True
    for block in blocks:
        if block.kind == "heading" and leading:
            continue
        if block.kind in ("text", "heading"):
            leading = False
            builder.paragraph(block.text)
        elif block.kind == "break":
            builder.scene_break()


def read_epub(
    path: Path,
    *,
    title: str | None = None,
    author: str | None = None,
    include_front_matter: bool = False,
) -> Book:
    book = open_epub(path)
    book.inflated = 0  # the caps count what this reading inflates
    meta_title, meta_author, metadata = _metadata(book)
    toc = [(*_split(href), tidy_title(label or "")) for href, label in book.toc]
    builder = TextBuilder()
    current: str | None = None
    for item, linear in book.pages():
        name = item.path
        entries = [
            (frag, label)
            for file, frag, label in toc
            if file == name or posixpath.basename(file) == posixpath.basename(name)
        ]
        doc = html_to_blocks(book.read(item.path))
        first_title = entries[0][1] if entries else None
        front = linear == "no" or _is_front(item, first_title, doc.types, book.guide)
        if front and not include_front_matter:
            continue
        if not any(b.kind == "text" for b in doc.blocks):
            continue  # an image-only page, such as a cover
        heads = [b.text for b in doc.blocks if b.kind == "heading"]
        if not entries and current is not None and toc:
            # A page the navigation does not list continues the chapter before it
            # (books split into several files per chapter).
            _write(builder, doc.blocks)
            continue
        by_anchor = {frag: label for frag, label in entries[1:] if frag}
        builder.end_chapter(current or "Opening")
        current = first_title or (
            tidy_title(heads[0]) if heads else f"Chapter {len(builder.chapters) + 1}"
        )
        builder.heading(current)
        part: list[Block] = []
        for block in doc.blocks:
            if block.kind == "anchor" and block.text in by_anchor:
                _write(builder, part)
                part = []
                builder.end_chapter(current)
                current = by_anchor.pop(block.text)
                builder.heading(current)
            elif block.kind != "anchor":
                part.append(block)
        _write(builder, part)
    builder.end_chapter(current or "Opening")
    source = builder.source
    lang_value = metadata.get("language")
    language = language_code(lang_value) or detect_language(source[:20000])
    book_title = title or meta_title or title_from_stem(path.stem)
    chapters = require_chapters(builder.chapters, path.name)
    return Book(source, book_title, author or meta_author, chapters, language, metadata)


def read_epub_cover(path: Path) -> tuple[bytes, str] | None:
    """The EPUB's cover image: EPUB 3 'cover-image', EPUB 2 <meta name="cover">, or by name.

    One that is too big or not a JPEG or PNG is left out with a warning.
    """
    book = open_epub(path)
    item = cover_item(book)
    info = book.info(item.path) if item is not None else None
    if info is None:
        return None
    named = f"{book.name}: its cover {posixpath.basename(info.filename)}"
    big = too_big(info.file_size)
    if big:
        log.warning("%s %s; the audio is tagged without it (give one with --cover)", named, big)
        return None
    book.inflated = 0
    return cover_or_warning(book.read(info.filename, MAX_COVER_BYTES), named)
