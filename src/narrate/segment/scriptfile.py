"""The script (who says what) as JSON or readable text."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from narrate.records import Character, Script
from narrate.segment.runs import decision_runs, recast


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


def _line_key(text: str) -> str:
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
            "text": _line_key(s.text),
        }
        for s in script.segments
        if s.kind != "narration"
    ]
    body = yaml.safe_dump(
        {"book": script.book.title, "lines": lines}, allow_unicode=True, sort_keys=False, width=100
    )
    return _HEADER.format(title=script.book.title) + body


def load_corrections(path: Path) -> dict[tuple[str, int], str | None]:
    """(line text, occurrence) -> speaker (None: narrated) from an edited script file."""
    import yaml

    from narrate.errors import ConfigError

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(
            f"cannot read the script {path} ({exc.strerror}): check the path"
        ) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ConfigError(
            f"{where}: not valid YAML; write it again with `narrate script BOOK --format yaml`"
        ) from exc
    lines = data.get("lines") if isinstance(data, dict) else None
    if not isinstance(lines, list):
        raise ConfigError(
            f"{path}: no 'lines:' list; write it with `narrate script BOOK --format yaml`"
        )
    seen: dict[str, int] = {}
    corrections: dict[tuple[str, int], str | None] = {}
    for n, entry in enumerate(lines, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("text"), str):
            raise ConfigError(f"{path}: line entry {n} has no text; each entry needs 'text:'")
        key = _line_key(entry["text"])
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        speaker = entry.get("speaker")
        if speaker is not None and not isinstance(speaker, str):
            raise ConfigError(f"{path}: line entry {n} has a speaker that is not a name")
        name = None if speaker is None else speaker.strip()
        narrated = name is None or name.casefold() == "narrator"
        corrections[(key, occurrence)] = None if narrated else name
    return corrections


def apply_corrections(script: Script, corrections: dict[tuple[str, int], str | None]) -> Script:
    """The script with the user's speakers; new names become characters."""
    known = {c.name for c in script.characters}
    added: list[Character] = []
    seen: dict[str, int] = {}
    segments = []
    for seg in script.segments:
        if seg.kind == "narration":
            segments.append(seg)
            continue
        key = _line_key(seg.text)
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        if (key, occurrence) not in corrections:
            segments.append(seg)
            continue
        speaker = corrections[(key, occurrence)]
        if speaker is None:
            segments.append(replace(seg, kind="narration", speaker=None, confidence=1.0))
            continue
        if speaker not in known:
            known.add(speaker)
            added.append(Character(speaker))
        segments.append(replace(seg, speaker=speaker, confidence=1.0))
    return Script(script.book, (*script.characters, *added), tuple(segments))


def follow_runs(
    script: Script, corrections: dict[tuple[str, int], str | None]
) -> dict[tuple[str, int], str | None]:
    """The corrections, and for each run of lines hanging on one choice whose first line
    the user gave to someone else, the rest of the run recast to follow it
    (``narrate.segment.runs.recast``); a line the user changed too keeps the user's speaker."""
    keys: dict[int, tuple[str, int]] = {}
    seen: dict[str, int] = {}
    for seg in script.segments:
        if seg.kind != "narration":
            text = _line_key(seg.text)
            keys[id(seg)] = (text, seen.get(text, 0))
            seen[text] = keys[id(seg)][1] + 1
    out = dict(corrections)
    for run in decision_runs(script):
        first = run.first
        new = corrections.get(keys[id(first)], first.speaker)
        if len(run.lines) < 2 or first.speaker is None or new is None or new == first.speaker:
            continue
        for seg, who in zip(run.lines[1:], recast(run.lines, new)[1:], strict=True):
            line = keys[id(seg)]
            if who is not None and corrections.get(line, seg.speaker) == seg.speaker:
                out[line] = who
    return out
