"""HTML/XHTML to paragraphs with the standard library's html.parser.

Keeps paragraphs, headings and scene breaks; drops scripts, images (and their alt
text), footnote markers and the footnotes themselves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from narrate.ingest.paragraphs import is_scene_break

_BLOCKS = frozenset(
    [
        "p",
        "div",
        "section",
        "article",
        "li",
        "blockquote",
        "pre",
        "tr",
        "td",
        "th",
        "dd",
        "dt",
        "header",
        "footer",
        "main",
        "body",
        "table",
        "ul",
        "ol",
        "dl",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "figure",
        "center",
        "address",
    ]
)
_SKIP = frozenset(
    [
        "script",
        "style",
        "head",
        "title",
        "svg",
        "math",
        "noscript",
        "nav",
        "figcaption",
        "iframe",
        "object",
    ]
)
_VOID = frozenset(
    ["img", "br", "hr", "meta", "link", "input", "area", "base", "col", "embed", "source", "wbr"]
)
_NOTE_TYPES = ("footnote", "endnote", "rearnote", "note", "annotation")
_MARKER = re.compile(r"\s*[\[(]?(?:\d{1,3}|[ivxlc]{1,5}|[*†‡§¶#a-z])[\])]?\s*", re.IGNORECASE)
_BREAK_CLASS = re.compile(r"scene|break|separator|ornament|divider|space|dinkus", re.IGNORECASE)
_SPACES = re.compile(r"[^\S\n]+")


@dataclass
class Block:
    kind: str  # "text", "heading", "break", "anchor"
    text: str = ""
    level: int = 0


@dataclass
class _Open:
    tag: str
    skip: bool = False
    marker_from: int | None = None  # buffer length where a possible footnote marker began
    marker_tag: bool = False
    is_break: bool = False


@dataclass
class Document:
    blocks: list[Block] = field(default_factory=list)
    types: set[str] = field(default_factory=set)  # epub:type / role values on the page


class _Extractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.doc = Document()
        self.stack: list[_Open] = []
        self.buffer: list[str] = []
        self.skipping = 0
        self.seen_text = False

    def _flush(self) -> None:
        text = "".join(self.buffer)
        self.buffer.clear()
        text = "\n".join(filter(None, (_SPACES.sub(" ", ln).strip() for ln in text.split("\n"))))
        if not text:
            return
        level = next((int(o.tag[1]) for o in reversed(self.stack) if o.tag in _HEADINGS), 0)
        if level:
            self.doc.blocks.append(Block("heading", text, level))
        elif is_scene_break(text):
            self.doc.blocks.append(Block("break"))
        else:
            self.doc.blocks.append(Block("text", text))
            self.seen_text = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: (v or "") for k, v in attrs}
        kinds = (values.get("epub:type", "") + " " + values.get("role", "")).lower()
        classes = values.get("class", "").lower()
        # Page-level types only: a notes section after the text does not make a notes page.
        seen_text = self.seen_text or any(part.strip() for part in self.buffer)
        if tag in ("html", "body", "section", "div") and kinds.strip() and not seen_text:
            self.doc.types.update(t.removeprefix("doc-") for t in kinds.split())
        if tag == "br":
            self.buffer.append("\n")
            return
        if tag == "hr":
            self._flush()
            self.doc.blocks.append(Block("break"))
            return
        if tag in _VOID:
            return  # images go with their alt text
        is_note = any(t in kinds for t in _NOTE_TYPES) and "noteref" not in kinds
        is_note |= tag in ("aside", "section", "div", "ol") and "footnote" in classes
        skip = tag in _SKIP or is_note or "noteref" in kinds or "pagebreak" in kinds
        if tag in _BLOCKS:
            self._flush()
        # Anchors mark where a chapter may start; an inline id in mid-sentence (a page
        # marker) must not split the paragraph, so only block starts count.
        at_start = tag in _BLOCKS or not any(part.strip() for part in self.buffer)
        if values.get("id") and not self.skipping and not skip and at_start:
            self._flush()
            self.doc.blocks.append(Block("anchor", values["id"]))
        marker = tag == "sup" or (tag == "a" and "#" in values.get("href", ""))
        opened = _Open(tag, skip, len("".join(self.buffer)) if marker else None, marker)
        opened.is_break = tag in ("p", "div") and bool(_BREAK_CLASS.search(classes))
        self.stack.append(opened)
        self.skipping += skip

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or not any(o.tag == tag for o in self.stack):
            return
        while self.stack:
            opened = self.stack[-1]
            if opened.marker_from is not None:
                # A superscript or in-page link holding only "1", "[2]" or "*" is a marker.
                text = "".join(self.buffer)
                if _MARKER.fullmatch(text[opened.marker_from :]):
                    self.buffer[:] = [text[: opened.marker_from]]
            if opened.tag in _BLOCKS:
                had_text = any(s.strip() for s in self.buffer)
                self._flush()
                if opened.is_break and not had_text:
                    self.doc.blocks.append(Block("break"))
            self.stack.pop()
            self.skipping -= opened.skip
            if opened.tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.buffer.append(data)


_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))


def html_to_blocks(markup: str | bytes) -> Document:
    """Paragraph, heading, scene-break and anchor blocks of an (X)HTML document."""
    if isinstance(markup, bytes):
        markup = markup.decode("utf-8", errors="replace")
    parser = _Extractor()
    parser.feed(markup)
    parser.close()
    parser.stack.clear()
    parser._flush()
    return parser.doc
