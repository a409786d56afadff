"""The script (who says what) as JSON, readable text or an editable YAML file.

The YAML file, once edited, is read back and applied by ``narrate.segment.corrections``.
"""

from __future__ import annotations

import json
from typing import Any

from narrate.records import Script


def script_json(script: Script) -> dict[str, Any]:
    book = script.book
    titles = {c.index: c.title for c in book.chapters}
    return {
        "book": {"title": book.title, "author": book.author},
        "characters": [
            {"name": c.name, "aliases": list(c.aliases), "gender": c.gender}
            for c in script.characters
        ],
        "segments": [
            {
                "chapter": s.chapter,
                "chapter_title": titles.get(s.chapter),
                "kind": s.kind,
                "speaker": s.speaker,
                "text": s.text,
                "start": s.start,
                "end": s.end,
                "confidence": round(s.confidence, 3),
            }
            for s in script.segments
        ],
    }


def dumps_json(script: Script) -> str:
    return json.dumps(script_json(script), ensure_ascii=False, indent=1) + "\n"


def script_text(script: Script) -> str:
    """A readable script: chapter headings, then one line per segment."""
    lines: list[str] = []
    chapter = None
    for seg in script.segments:
        if seg.chapter != chapter:
            chapter = seg.chapter
            title = next(c.title for c in script.book.chapters if c.index == chapter)
            lines.append(f"\n## {title}\n" if lines else f"## {title}\n")
        text = " ".join(seg.text.split())
        if seg.kind == "narration":
            lines.append(text)
        else:
            label = seg.speaker or "?"
            lines.append(f"[{label}{' (thinks)' if seg.kind == 'thought' else ''}] {text}")
    return "\n".join(lines) + "\n"


# --- the editable script -------------------------------------------------

_HEADER = """\
# The script of "{title}": every line spoken by a character.
# Correct a speaker (a character's name, or "narrator" to have a line narrated)
# and pass this file to `narrate generate BOOK --script FILE`. Lines are matched
# by their text, not their position, so corrections survive edits to the book.
"""


def line_key(text: str) -> str:
    return " ".join(text.split())


def script_yaml(script: Script) -> str:
    """The speech and thoughts of the script as an editable YAML file."""
    import yaml

    lines = [
        {
            "chapter": s.chapter,
            "speaker": s.speaker,
            "kind": s.kind,
            "confidence": round(s.confidence, 2),
            "text": line_key(s.text),
        }
        for s in script.segments
        if s.kind != "narration"
    ]
    body = yaml.safe_dump(
        {"book": script.book.title, "lines": lines}, allow_unicode=True, sort_keys=False, width=100
    )
    return _HEADER.format(title=script.book.title) + body
