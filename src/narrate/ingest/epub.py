"""EPUB 2 and 3 books via ebooklib: spine order, navigation titles, metadata, cover.

``Book.source`` is the plain text extracted from the XHTML pages (each chapter's
title, then its paragraphs, joined by blank lines); chapter spans point into it.
"""

from __future__ import annotations

import html
import posixpath
import re
import warnings
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from narrate.errors import InputError
from narrate.ingest.common import (
    TextBuilder,
    detect_language,
    language_code,
    require_chapters,
    tidy_title,
    title_from_stem,
)
from narrate.ingest.decode import is_epub, read_bytes
from narrate.ingest.html_text import Block, html_to_blocks
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


def _open(path: Path) -> Any:
    """Open an EPUB with ebooklib, turning every failure into an InputError."""
    data = read_bytes(path)
    name = path.name
    if not is_epub(data):
        raise InputError(f"{name} is not a valid EPUB (not an EPUB ZIP archive): check the file")
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            encryption = (
                archive.read("META-INF/encryption.xml")
                if "META-INF/encryption.xml" in names
                else b""
            )
    except zipfile.BadZipFile:
        raise InputError(
            f"{name} is a damaged EPUB (bad ZIP archive): re-download or re-export it"
        ) from None
    if "META-INF/rights.xml" in names or re.search(rb"\.x?html?\"", encryption):
        raise InputError(f"{name} is DRM-protected: use a DRM-free copy of the book")
    try:
        from ebooklib import epub
    except ImportError:  # pragma: no cover - a packaging problem, not the user's file
        raise InputError("reading EPUB needs the ebooklib package: pip install ebooklib") from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return epub.read_epub(str(path), {"ignore_ncx": True})
    # ebooklib reports broken books with its own error, KeyError, or lxml's syntax errors.
    except (
        epub.EpubException,
        KeyError,
        ValueError,
        AttributeError,
        IndexError,
        TypeError,
        OSError,
        SyntaxError,
    ) as exc:
        raise InputError(
            f"{name} is not a readable EPUB ({exc}): re-export it or convert it to text"
        ) from None


def _flatten(toc: Any, out: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(href, title) pairs of the navigation tree, in reading order."""
    for entry in toc or ():
        if isinstance(entry, tuple) and len(entry) == 2:
            section, children = entry
            if getattr(section, "href", None):
                out.append((section.href, section.title))
            _flatten(children, out)
        elif getattr(entry, "href", None):
            out.append((entry.href, entry.title))
    return out


def _split_href(href: str) -> tuple[str, str | None]:
    path, _, fragment = unquote(href).partition("#")
    return posixpath.normpath(path), fragment or None


def _meta(book: Any, name: str) -> list[tuple[str, dict[str, str]]]:
    return [(str(v).strip(), attrs or {}) for v, attrs in book.get_metadata("DC", name) if v]


def _metadata(book: Any) -> tuple[str | None, str | None, dict[str, str]]:
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


def _is_front(item: Any, title: str | None, types: set[str], guide: dict[str, str]) -> bool:
    if types & _FRONT_TYPES or guide.get(posixpath.normpath(item.get_name())) in _GUIDE_FRONT:
        return True
    if "nav" in (getattr(item, "properties", None) or []) or type(item).__name__ in (
        "EpubNav",
        "EpubCoverHtml",
    ):
        return True
    if title:
        return bool(_FRONT_TITLE.fullmatch(title.strip()))
    return bool(_FRONT_FILE.search(posixpath.splitext(posixpath.basename(item.get_name()))[0]))


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
    book = _open(path)
    meta_title, meta_author, metadata = _metadata(book)
    toc = [(*_split_href(href), tidy_title(label or "")) for href, label in _flatten(book.toc, [])]
    guide = {
        _split_href(g.get("href") or "")[0]: (g.get("type") or "").lower()
        for g in getattr(book, "guide", []) or []
    }
    builder = TextBuilder()
    current: str | None = None
    for idref, linear in book.spine:
        item = book.get_item_with_id(idref)
        if item is None or not item.get_name().lower().endswith(
            (".xhtml", ".html", ".htm", ".xml")
        ):
            continue
        name = posixpath.normpath(item.get_name())
        entries = [
            (frag, label)
            for file, frag, label in toc
            if file == name or posixpath.basename(file) == posixpath.basename(name)
        ]
        doc = html_to_blocks(item.get_content())
        first_title = entries[0][1] if entries else None
        front = linear == "no" or _is_front(item, first_title, doc.types, guide)
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
    """The EPUB's cover image: EPUB 3 'cover-image', EPUB 2 <meta name="cover">, or by name."""
    book = _open(path)
    images = [
        i for i in book.get_items() if (getattr(i, "media_type", "") or "").startswith("image/")
    ]
    chosen = next((i for i in images if type(i).__name__ == "EpubCover"), None)
    if chosen is None:
        for _, attrs in book.get_metadata("OPF", "meta"):
            if (attrs or {}).get("name") == "cover":
                item = book.get_item_with_id(attrs.get("content", ""))
                if item is not None and item in images:
                    chosen = item
                    break
    if chosen is None:
        chosen = next(
            (
                i
                for i in images
                if "cover" in (i.get_id() or "").lower() or "cover" in i.get_name().lower()
            ),
            None,
        )
    if chosen is None:
        return None
    content = chosen.get_content()
    return (content, chosen.media_type) if content else None
