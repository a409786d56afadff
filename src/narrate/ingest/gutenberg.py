"""Project Gutenberg plain text: licence header and footer stripped, metadata kept.

``Book.source`` stays the whole decoded file; chapters only ever point into the
body between the START and END markers, so no word of the licence is narrated.
"""

from __future__ import annotations

import re

from narrate.ingest.common import language_code, tidy_title
from narrate.ingest.plain import build_book
from narrate.records import Book

_START = re.compile(
    r"^[ \t]*\*{3}[ \t]*START OF (?:THE|THIS) PROJECT GUTENBERG E-?(?:BOOK|TEXT)[^\r\n]*$"
    r"|^[ \t]*\*END\*THE SMALL PRINT![^\r\n]*$",
    re.IGNORECASE | re.MULTILINE,
)
_END = re.compile(
    r"^[ \t]*\*{3}[ \t]*END OF (?:THE|THIS) PROJECT GUTENBERG E-?(?:BOOK|TEXT)"
    r"|^[ \t]*End of (?:the )?Project Gutenberg(?:['’]s)?\b"
    r"|^[ \t]*\*{3}[ \t]*START: FULL LICENSE",
    re.IGNORECASE | re.MULTILINE,
)
_HEADER_FIELD = re.compile(
    r"^(Title|Author|Language|Release Date|Posting Date|Translator|Editor)[ \t]*:[ \t]*(.*)$",
    re.IGNORECASE | re.MULTILINE,
)
_FIRST_LINE = re.compile(
    r"Project Gutenberg(?:['’]s)? E-?(?:Book|text) of (.+?)(?:,\s+by\s+(.+))?$",
    re.IGNORECASE,
)
_CONTINUATION = re.compile(r"(?:\r\n|\r|\n)[ \t]+(\S[^\r\n]*)")


def is_gutenberg(text: str) -> bool:
    """True when the text carries a Project Gutenberg START marker near its top."""
    head = text[:60000]
    return "gutenberg" in head.lower() and _START.search(head) is not None


def gutenberg_metadata(header: str) -> dict[str, str]:
    """Title, author, language and date from the licence header's 'Field: value' lines."""
    found: dict[str, str] = {}
    for match in _HEADER_FIELD.finditer(header):
        key = match.group(1).lower()
        value = match.group(2).strip()
        # Long titles continue on indented lines below the field.
        rest = header[match.end() :]
        while (cont := _CONTINUATION.match(rest)) is not None:
            value += " " + cont.group(1).strip()
            rest = rest[cont.end() :]
        if value and key not in found:
            found[key] = value
    first = header.lstrip("\ufeff \t\r\n").splitlines()[0] if header.strip() else ""
    line = _FIRST_LINE.search(first)
    if line:
        found.setdefault("title", line.group(1).strip())
        if line.group(2):
            found.setdefault("author", line.group(2).strip())
    return found


def parse_gutenberg(
    text: str,
    *,
    fallback_title: str = "Untitled",
    title: str | None = None,
    author: str | None = None,
    name: str = "the text",
) -> Book:
    start_match = _START.search(text[:60000])
    body_start = start_match.end() if start_match else 0
    end_match = _END.search(text, body_start)
    body_end = end_match.start() if end_match else len(text)
    fields = gutenberg_metadata(text[:body_start])
    metadata: dict[str, str] = {}
    date = fields.get("release date") or fields.get("posting date")
    if date:
        date = re.sub(r"\s*\[.*?\]\s*", " ", date).strip()  # drop "[EBook #11]"
        metadata["date"] = date
        if year := re.search(r"\b(1[5-9]\d\d|20\d\d)\b", date):
            metadata["year"] = year.group(1)
    if "translator" in fields:
        metadata["translator"] = fields["translator"]
    language = language_code(fields.get("language"))
    if language:
        metadata["language"] = language
    return build_book(
        text,
        body_start,
        body_end,
        fallback_title=fallback_title,
        title=title or (tidy_title(fields["title"]) if "title" in fields else None),
        author=author or fields.get("author"),
        language=language,
        metadata=metadata,
        front_matter=True,
        name=name,
    )
