"""What `narrate cast` prints: ``cast_listing``, from ``cast_report`` (its JSON) and
``format_cast`` (its text).

``lookup_voice`` finds a role's voice for `narrate preview`. Writing a starter
voices.yaml (``--write``) is ``narrate.cast.starter``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from typing import Any

from narrate.cast.casting import is_child, line_counts
from narrate.records import Cast, Character, Script, Voice
from narrate.segment.runs import Run, decision_runs


def cast_report(script: Script | None, cast: Cast) -> dict[str, object]:
    """``narrate cast --format json``: {"narrator": VOICE, "characters": [...]}.

    Characters come most lines first, each {"name", "aliases", "gender", "age"
    ("child" or "adult"), "lines", "voice", "seen"}; VOICE is {"engine", "id", "rate", "pitch", "volume"};
    "seen" lists the first mentions that made the character ``add_seen``.
    """
    rows = _rows(script, cast)
    if script is not None:
        add_seen(rows, script)
    return {"narrator": cast.narrator.as_json(), "characters": rows}


def _rows(script: Script | None, cast: Cast) -> list[dict[str, Any]]:
    characters = (
        list(script.characters)
        if script is not None
        else [Character(name) for name in cast.characters]
    )
    counts = line_counts(script) if script is not None else Counter()
    return [
        {
            "name": c.name,
            "aliases": list(c.aliases),
            "gender": c.gender,
            "age": "child" if is_child(c) else "adult",
            "lines": counts[c.name],
            "voice": cast.characters.get(c.name, cast.narrator).as_json(),
        }
        for c in sorted(characters, key=lambda c: (-counts[c.name], c.name))
    ]


HEADERS = ("character", "gender", "lines", "voice", "rate", "pitch", "volume")


def _voice_cells(voice: Voice) -> tuple[str, ...]:
    return voice.voice_id, str(voice.rate), str(voice.pitch), f"{voice.volume:g}"


def format_cast(script: Script | None, cast: Cast) -> str:
    """``narrate cast --format text``: a header, then one aligned row per role, narrator first.

    "lines" counts the script's lines as `narrate script` lists them (and generate's
    progress counts them): the narrator's are the narration and the lines nobody is
    known to say.
    """
    narrated = "" if script is None else str(sum(1 for s in script.segments if not s.speaker))
    rows = [HEADERS, ("Narrator", "", narrated, *_voice_cells(cast.narrator))]
    for row in _rows(script, cast):
        voice = cast.characters.get(str(row["name"]), cast.narrator)
        lines = str(row["lines"]) if script is not None else ""
        rows.append((str(row["name"]), str(row["gender"]), lines, *_voice_cells(voice)))
    widths = [max(len(r[k]) for r in rows) for k in range(len(HEADERS))]
    right = {2, 4, 5}  # numbers
    return "\n".join(
        "  ".join(
            cell.rjust(widths[k]) if k in right else cell.ljust(widths[k])
            for k, cell in enumerate(r)
        ).rstrip()
        for r in rows
    )


def lookup_voice(cast: Cast, name: str, characters: Iterable[Character] = ()) -> Voice | None:
    """The voice of ``name`` ("narrator", a character's name or alias; any case)."""
    key = name.strip().casefold()
    if key == "narrator":
        return cast.narrator
    for known, voice in sorted(cast.characters.items()):
        if known.casefold() == key:
            return voice
    for character in characters:
        if key in (a.casefold() for a in character.aliases):
            return cast.characters.get(character.name)
    return None


def check_items(script: Script, check: int) -> list[Run]:
    """The ``check`` choices most worth a look: runs of lines hanging on one choice (a
    line alone is a run of one), the most lines likely in the wrong voice first
    ((1 - confidence) x lines: for single lines, the least certain first)."""
    runs = [r for r in decision_runs(script) if r.first.speaker]
    return sorted(runs, key=lambda r: (-r.doubt, r.confidence))[:check]


def _item_json(run: Run) -> dict[str, object]:
    first = run.first
    return {
        "chapter": first.chapter,
        "lines": len(run.lines),
        "confidence": round(run.confidence, 3),
        "speaker": first.speaker,
        "text": " ".join(first.text.split()),
    }


def cast_listing(script: Script, cast: Cast, fmt: str, check: int) -> str:
    """What `narrate cast` prints: the cast as "json", or as "text" with lines to check.

    Both end with the ``check`` choices most worth a look before rendering: a line, or
    the first line of a run that hangs on one choice, with the run's chapter and length
    (JSON: "check", each {"chapter", "lines", "confidence", "speaker", "text"}).
    """
    items = check_items(script, check)
    if fmt == "json":
        report = cast_report(script, cast) | {"check": [_item_json(r) for r in items]}
        return json.dumps(report, ensure_ascii=False, indent=1)
    text = format_cast(script, cast)
    seen = format_seen(script)
    if seen:
        text += "\n\n" + seen
    if items:
        choices = sum(1 for r in decision_runs(script) if r.first.speaker)
        text += (
            f"\n\nLeast certain choices ({len(items)} of {choices}; fix them with "
            "`narrate script --format yaml`):"
        )
        for run in items:
            seg = run.first
            line = " ".join(seg.text.split())
            line = line if len(line) <= 70 else line[:67] + "..."
            text += f"\n  {run.confidence:.2f}  ch {seg.chapter}  [{seg.speaker}] {line}"
            if len(run.lines) > 1:
                text += (
                    f"\n        {len(run.lines)} lines in chapter {seg.chapter} hang on this "
                    "choice: correct this first one and the rest follow"
                )
    return text


SEEN_CONTEXT = 32  # characters of text shown on each side of a first mention


def _paragraph_of(script: Script, at: int) -> tuple[int | None, int, int]:
    """The chapter and the paragraph span holding offset ``at`` (the whole text if none)."""
    for chapter in script.book.chapters:
        for lo, hi in chapter.paragraphs:
            if lo <= at < hi:
                return chapter.index, lo, hi
    return None, 0, len(script.book.source)


def _context(source: str, start: int, end: int, bounds: tuple[int, int]) -> str:
    """The mention in brackets with a few words of its paragraph on each side, one line."""
    lo, hi = max(bounds[0], start - SEEN_CONTEXT), min(bounds[1], end + SEEN_CONTEXT)
    before, after = source[lo:start], source[end:hi]
    if lo > bounds[0]:
        before = "..." + (before.split(None, 1)[-1] if " " in before.strip() else before)
    if hi < bounds[1]:
        after = (after.rsplit(None, 1)[0] if " " in after.strip() else after) + "..."
    return " ".join(f"{before}[{source[start:end]}]{after}".split())


def seen_rows(script: Script) -> dict[str, list[dict[str, Any]]]:
    """Per character, where the text first names them: {"chapter", "start", "end",
    "text", "context"} for each first mention, "context" with the mention in brackets."""
    source = script.book.source
    rows: dict[str, list[dict[str, Any]]] = {}
    for c in script.characters:
        rows[c.name] = []
        for s, e in c.seen:
            chapter, lo, hi = _paragraph_of(script, s)
            rows[c.name].append(
                {
                    "chapter": chapter,
                    "start": s,
                    "end": e,
                    "text": source[s:e],
                    "context": _context(source, s, e, (lo, hi)),
                }
            )
    return rows


def add_seen(rows: list[dict[str, Any]], script: Script) -> None:
    """Each row of the JSON cast with its character's first mentions ("seen")."""
    seen = seen_rows(script)
    for row in rows:
        row["seen"] = seen.get(str(row["name"]), [])


def format_seen(script: Script) -> str:
    """Why each character is in the cast: where the text first names them, most lines
    first, so a place or a thing taken for a person shows at a glance."""
    seen = seen_rows(script)
    counts = line_counts(script)
    names = sorted(seen, key=lambda n: (-counts[n], n))
    if not any(seen[n] for n in names):
        return ""
    children = {c.name for c in script.characters if is_child(c)}
    labels = {n: f"{n} (child)" if n in children else n for n in names}
    width = max(len(label) for label in labels.values())
    out = ["Why each is a character (where the text first names them):"]
    for name in names:
        for k, row in enumerate(seen[name] or [{"chapter": None, "context": "(never named)"}]):
            where = f"ch {row['chapter']}" if row["chapter"] is not None else ""
            label = labels[name] if k == 0 else ""
            out.append(f"  {label:<{width}}  {where:<6} {row['context']}".rstrip())
    return "\n".join(out)
