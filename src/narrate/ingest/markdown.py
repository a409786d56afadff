"""Markdown books: YAML front matter, headings as chapters, inline markup removed.

``Book.source`` is the plain text extracted from the Markdown (headings and
paragraphs joined by blank lines), so emphasis and link syntax are never spoken.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from narrate.errors import InputError
from narrate.ingest.common import (
    TextBuilder,
    detect_language,
    language_code,
    require_chapters,
    tidy_title,
)
from narrate.ingest.images import cover_or_warning, read_limited, too_big
from narrate.ingest.paragraphs import is_scene_break, parse_heading
from narrate.records import Book
from narrate.yamldata import NotYaml, load_data

_FRONT = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_ATX = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*")
_SETEXT = re.compile(r" {0,3}(=+|-+)[ \t]*")
_RULE = re.compile(r" {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,}|~{3,})")
_FENCE = re.compile(r" {0,3}(`{3,})")
_LIST = re.compile(r" {0,3}(?:[-*+]|\d{1,9}[.)])[ \t]+")
_QUOTE = re.compile(r" {0,3}>[ \t]?")
_DEFINITION = re.compile(r" {0,3}\[[^\]]+\]:[ \t]*\S")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>~|])")
_INLINE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"!\[[^\]]*\](?:\([^)]*\)|\[[^\]]*\])"), ""),  # images and their alt text
    (re.compile(r"\[\^[^\]]+\]"), ""),  # footnote markers
    (re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\[[^\]]*\])"), r"\1"),  # links keep their text
    (re.compile(r"<(?:https?://|mailto:)[^>]+>"), ""),  # bare autolinks
    (re.compile(r"</?[A-Za-z][^>]*>"), ""),  # inline HTML tags
    (re.compile(r"`+([^`]+)`+"), r"\1"),
    (re.compile(r"(\*{1,3}|_{1,3})(?=\S)(.+?)(?<=\S)\1(?!\w)"), r"\2"),
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), r"\1"),
)
log = logging.getLogger("narrate")


@dataclass
class _Block:
    kind: str  # "heading", "text", "break"
    text: str
    level: int = 0


def clean_inline(text: str) -> str:
    """Remove emphasis, link, image and HTML markup; keep the words."""
    # Escaped characters are parked in the private-use area so no rule touches them.
    text = _ESCAPE.sub(lambda m: chr(0xE000 + ord(m.group(1))), text)
    for _ in range(2):  # twice, for emphasis nested inside emphasis
        for pattern, repl in _INLINE:
            text = pattern.sub(repl, text)
    text = re.sub("[\ue000-\ue07f]", lambda m: chr(ord(m.group(0)) - 0xE000), text)
    return " ".join(html.unescape(text).split())


def front_matter(text: str, name: str = "the text") -> tuple[dict[str, object], str]:
    """The YAML front matter's values and the text after it.

    Front matter that is not YAML is left in the text; YAML that would grow past
    its bounds (an alias bomb, nesting hundreds deep) refuses the book.
    """
    match = _FRONT.match(text)
    if not match:
        return {}, text
    # A leading newline stands for the opening '---', so lines are the file's lines.
    where = f"{name} (front matter)"
    try:
        data = load_data("\n" + match.group(1), where, error=InputError, not_yaml=NotYaml)
    except NotYaml:
        return {}, text
    return (data if isinstance(data, dict) else {}), text[match.end() :]


def _blocks(body: str) -> list[_Block]:
    blocks: list[_Block] = []
    para: list[str] = []
    fence: str | None = None

    def flush() -> None:
        if para:
            blocks.append(_Block("text", " ".join(para)))
            para.clear()

    for raw in _COMMENT.sub("", body).splitlines():
        line = raw.rstrip()
        if fence is not None:  # inside a code block: keep the text, skip the fences
            if line.strip().startswith(fence):
                fence = None
                flush()
            elif line.strip():
                para.append(line.strip())
            continue
        if (m := _FENCE.match(line)) is not None:
            flush()
            fence = m.group(1)
        elif not line.strip():
            flush()
        elif para and len(para) == 1 and (m := _SETEXT.fullmatch(line)) is not None:
            blocks.append(_Block("heading", para.pop(), 1 if m.group(1)[0] == "=" else 2))
        elif _RULE.fullmatch(line) or (
            not para and is_scene_break(line.strip()) and not line.lstrip().startswith("#")
        ):
            flush()
            blocks.append(_Block("break", ""))
        elif (m := _ATX.fullmatch(line)) is not None:
            flush()
            blocks.append(
                _Block("heading", m.group(2) or "", len(m.group(1)))
                if m.group(2)
                else _Block("break", "")
            )
        elif _DEFINITION.match(line) or line.lstrip().startswith("[^"):
            flush()  # link and footnote definitions are not story
        else:
            line = _QUOTE.sub("", line, count=1)
            if (m := _LIST.match(line)) is not None:
                flush()
                line = line[m.end() :]
            para.append(line.strip())
    flush()
    return blocks


def _meta(data: dict[str, object], *keys: str) -> str | None:
    for key in keys:
        value = data.get(key)
        if isinstance(value, list) and value:
            return ", ".join(str(v) for v in value)
        if value not in (None, ""):
            return str(value)
    return None


def parse_markdown(
    text: str,
    *,
    fallback_title: str = "Untitled",
    title: str | None = None,
    author: str | None = None,
    heading_level: int | None = None,
    name: str = "the text",
) -> Book:
    """Parse a Markdown book; chapters start at ``heading_level`` (default: top level used)."""
    data, body = front_matter(text, name)
    blocks = _blocks(body)
    levels = sorted({b.level for b in blocks if b.kind == "heading"})
    book_title = title or _meta(data, "title")
    by = author or _meta(data, "author", "authors", "creator")
    level = heading_level or (levels[0] if levels else 0)
    tops = [i for i, b in enumerate(blocks) if b.kind == "heading" and b.level == level]
    if (
        heading_level is None
        and len(tops) == 1
        and len(levels) > 1
        and tops[0] == next(i for i, b in enumerate(blocks) if b.kind != "break")
    ):
        # A lone top heading above deeper ones is the book's title, not a chapter.
        book_title = book_title or tidy_title(clean_inline(blocks[tops[0]].text))
        blocks[tops[0]].kind = "skip"
        level = levels[1]
    builder = TextBuilder()
    current: str | None = None
    started = False
    for i, block in enumerate(blocks):
        if block.kind == "heading" and block.level <= level:
            if block.level == level:
                builder.end_chapter(current or "Opening")
                heading = clean_inline(block.text)
                parsed = parse_heading(heading)
                current = parsed.title if parsed else tidy_title(heading)
                builder.heading(current)
                started = True
        elif block.kind == "heading" or block.kind == "text":
            words = clean_inline(block.text)
            by_line = re.fullmatch(r"by\s+(\S.{0,80})", words, re.IGNORECASE)
            if by_line and not started and not builder.chapters and i <= 2 and by is None:
                by = by_line.group(1).strip(" .")
            else:
                builder.paragraph(words)
        elif block.kind == "break":
            builder.scene_break()
    book_title = book_title or fallback_title
    builder.end_chapter(current or book_title)
    source = builder.source
    lang_value = _meta(data, "language", "lang")
    language = language_code(lang_value) or detect_language(source[:20000])
    metadata = {
        k: v
        for k, v in (
            ("publisher", _meta(data, "publisher")),
            ("date", _meta(data, "date")),
            ("year", _meta(data, "year")),
            ("isbn", _meta(data, "isbn")),
            ("description", _meta(data, "description", "summary")),
            ("language", lang_value),
        )
        if v
    }
    if "year" not in metadata and (year := re.search(r"\b\d{4}\b", metadata.get("date", ""))):
        metadata["year"] = year.group(0)
    return Book(
        source, book_title, by, require_chapters(builder.chapters, name), language, metadata
    )


def markdown_cover(text: str, base: Path, name: str = "the book") -> tuple[bytes, str] | None:
    """The image named by the front matter's ``cover`` key, inside the book's folder ``base``.

    The book is a file someone sent: its cover may not name an image elsewhere on
    the machine (it would be copied into the tags), so one outside ``base`` is left
    out with a warning, as is one that is too big or not a JPEG or PNG.
    """
    data, _ = front_matter(text)  # read_book has read it first, so it is not a bomb
    value = _meta(data, "cover", "cover-image", "cover_image", "image")
    if not value:
        return None
    folder = base.resolve()
    path = (base / value).resolve()
    named = f"{name}: the front matter's cover '{value}'"
    if not path.is_relative_to(folder):
        log.warning(
            "%s is outside the book's folder, so it is not used; put the image beside the "
            "book or give it with --cover",
            named,
        )
        return None
    if not path.is_file():
        return None
    big = too_big(path.stat().st_size)
    if big:
        log.warning("%s %s; the audio is tagged without it (give one with --cover)", named, big)
        return None
    return cover_or_warning(read_limited(path), named)
