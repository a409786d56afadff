"""Turning a book file into a :class:`~narrate.records.Book`.

Plain text, Markdown, Project Gutenberg texts and EPUB are recognised by extension
and content. For plain and Gutenberg text ``Book.source`` is the file's text as
decoded (only a BOM dropped, CRLF and CR line endings read as LF); for Markdown
and EPUB it is the plain text extracted from the markup, paragraphs joined by blank lines. Either way every chapter
paragraph is a ``(start, end)`` span with ``source[start:end]`` the paragraph.
"""

from __future__ import annotations

from pathlib import Path

from narrate.errors import InputError
from narrate.ingest import epub, gutenberg, markdown
from narrate.ingest.common import title_from_stem
from narrate.ingest.decode import load_text, normalize_newlines
from narrate.ingest.epub_package import is_epub_archive
from narrate.ingest.plain import build_book
from narrate.records import Book

__all__ = ["parse_text", "read_book", "read_cover"]

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkd", ".mkdn"})


def parse_text(
    text: str,
    *,
    fallback_title: str = "Untitled",
    title: str | None = None,
    author: str | None = None,
) -> Book:
    """Parse plain text (a Gutenberg text is recognised and its licence stripped)."""
    if not text.strip():
        raise InputError("the text is empty: give a text with the story")
    # A BOM is dropped and line endings made LF; nothing else of the text changes.
    text = normalize_newlines(text.removeprefix("\ufeff"))
    if gutenberg.is_gutenberg(text):
        return gutenberg.parse_gutenberg(
            text, fallback_title=fallback_title, title=title, author=author
        )
    return build_book(
        text, fallback_title=fallback_title, title=title, author=author, name="the text"
    )


def read_book(
    path: Path,
    *,
    title: str | None = None,
    author: str | None = None,
    include_front_matter: bool = False,
    heading_level: int | None = None,
) -> Book:
    """Read a book file: plain text, Project Gutenberg text, Markdown or EPUB.

    ``include_front_matter`` keeps an EPUB's cover, title page, contents and similar
    pages; ``heading_level`` picks the Markdown heading level that starts chapters.
    """
    path = Path(path)
    fallback = title_from_stem(path.stem)
    suffix = path.suffix.lower()
    if suffix == ".epub" or (path.is_file() and _zip_epub(path)):
        return epub.read_epub(
            path, title=title, author=author, include_front_matter=include_front_matter
        )
    text = load_text(path)
    if suffix in MARKDOWN_SUFFIXES:
        return markdown.parse_markdown(
            text,
            fallback_title=fallback,
            title=title,
            author=author,
            heading_level=heading_level,
            name=path.name,
        )
    if gutenberg.is_gutenberg(text):
        return gutenberg.parse_gutenberg(
            text, fallback_title=fallback, title=title, author=author, name=path.name
        )
    return build_book(text, fallback_title=fallback, title=title, author=author, name=path.name)


def _zip_epub(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(4)
    return head == b"PK\x03\x04" and is_epub_archive(path)


def read_cover(path: Path) -> tuple[bytes, str] | None:
    """The book's own cover image as (bytes, mime type), or None if it has none.

    EPUB: the manifest's cover image. Markdown: an image named by the front matter's
    ``cover`` key, relative to the file and inside its folder. A cover that is too
    big or not a JPEG or PNG is left out with a warning.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".epub" or (path.is_file() and _zip_epub(path)):
        return epub.read_epub_cover(path)
    if suffix in MARKDOWN_SUFFIXES:
        return markdown.markdown_cover(load_text(path), path.parent, path.name)
    return None
