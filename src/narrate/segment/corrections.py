"""An edited `narrate script --format yaml` file (`generate --script FILE`) applied to a script.

No correction is dropped in silence: an entry whose text no longer matches a line
of the book, a speaker who is not in the cast, a kind or a key the file does not
know and a chapter the book does not have are each a problem reported as
``FILE:LINE: ...``. The file is refused as a whole (ConfigError, exit code 3)
unless the caller forces it, when the problems are logged as warnings and the
rest of the file is used (a speaker not in the cast then becomes a character).
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from narrate.errors import ConfigError
from narrate.records import Character, Kind, Script
from narrate.segment.scriptfile import line_key
from narrate.yamldata import compose_data, node_value

log = logging.getLogger("narrate")

TOP_KEYS = ("book", "lines")
ENTRY_KEYS = ("chapter", "speaker", "kind", "confidence", "text")
KINDS: dict[str, Kind] = {"speech": "speech", "thought": "thought"}
_REWRITE = "write it again with `narrate script BOOK --format yaml`"
_SKIPPED = "this entry is not used"


@dataclass(frozen=True)
class Problem:
    line: int
    message: str
    forced: str = _SKIPPED  # what --force does about it


@dataclass(frozen=True)
class Correction:
    line: int  # where the entry's text is written in the file (1-based)
    text: str  # the line's text, its spaces normalised
    occurrence: int  # 0 for the first entry with this text, 1 for the next, ...
    speaker: str | None  # None: as the script has it
    speaker_line: int
    kind: Kind | None  # None: as the script has it
    chapter: int | None
    chapter_line: int
    usable: bool = True  # False: a key of the entry is unknown, so it may mean something else


@dataclass(frozen=True)
class Corrections:
    path: Path
    entries: tuple[Correction, ...]
    problems: tuple[Problem, ...]  # found while reading: unknown keys, kinds, values


NARRATOR = "narrator"  # the speaker that has a line narrated


def _near(word: str, choices: Iterable[str]) -> str:
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{found[0]}'?" if found else ""


def _value(node: yaml.Node, where: str) -> object:
    return node_value(node, where)  # ConfigError with the line for "!!int abc" and the like


def _mapping(node: yaml.Node) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    """key text -> (key node, value node) of a mapping node ({} for any other node)."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): (k, v) for k, v in node.value}


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _unknown_keys(
    fields: dict[str, tuple[yaml.Node, yaml.Node]], known: tuple[str, ...]
) -> list[Problem]:
    return [
        Problem(_line(node), f"unknown key '{key}'{_near(key, known)}")
        for key, (node, _) in fields.items()
        if key not in known
    ]


def load_corrections(path: Path) -> Corrections:
    """Read an edited script file; ConfigError when it cannot be read as one at all."""
    where = str(path)
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ConfigError(
            f"cannot read the script {path} ({exc.strerror}): check the path"
        ) from exc
    except UnicodeDecodeError:
        raise ConfigError(f"{where}: not UTF-8 text; {_REWRITE}") from None
    root = compose_data(raw, where)
    top = _mapping(root) if root is not None else {}
    lines = top.get("lines", (None, None))[1]
    if not isinstance(lines, yaml.SequenceNode):
        raise ConfigError(f"{where}: no 'lines:' list; {_REWRITE}")
    problems = [replace(p, forced="the key is not used") for p in _unknown_keys(top, TOP_KEYS)]
    seen: dict[str, int] = {}
    entries: list[Correction] = []
    for entry in lines.value:
        fields = _mapping(entry)
        text_node = fields.get("text", (None, entry))[1]
        text = _value(text_node, where) if "text" in fields else None
        if not isinstance(text, str):
            problems.append(
                Problem(_line(entry), "this entry has no text; each entry needs 'text:'")
            )
            continue
        key = line_key(text)
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        unknown = _unknown_keys(fields, ENTRY_KEYS)
        problems += unknown
        usable = not unknown
        nodes = {k: fields.get(k, (None, text_node))[1] for k in ("speaker", "kind", "chapter")}
        speaker = _value(nodes["speaker"], where) if "speaker" in fields else None
        if speaker is not None and (not isinstance(speaker, str) or not speaker.strip()):
            problems.append(
                Problem(
                    _line(nodes["speaker"]),
                    f"the speaker {speaker!r} is not a name; write a character's name, "
                    f"or {NARRATOR} to have the line narrated",
                )
            )
            usable, speaker = False, None
        kind = _value(nodes["kind"], where) if "kind" in fields else None
        if kind is not None and kind not in KINDS:
            problems.append(
                Problem(
                    _line(nodes["kind"]),
                    f"kind {kind!r} is not one of {', '.join(KINDS)}{_near(str(kind), KINDS)}"
                    f" (to have a line narrated, write speaker: {NARRATOR})",
                )
            )
            usable = False
        chapter = _value(nodes["chapter"], where) if "chapter" in fields else None
        if chapter is not None and (not isinstance(chapter, int) or isinstance(chapter, bool)):
            problems.append(
                Problem(_line(nodes["chapter"]), f"chapter {chapter!r} is not a number")
            )
            usable, chapter = False, None
        entries.append(
            Correction(
                _line(text_node),
                key,
                occurrence,
                speaker.strip() if isinstance(speaker, str) else None,
                _line(nodes["speaker"]),
                KINDS.get(kind) if isinstance(kind, str) else None,
                chapter if isinstance(chapter, int) else None,
                _line(nodes["chapter"]),
                usable,
            )
        )
    return Corrections(path, tuple(entries), tuple(problems))


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


def apply_corrections(
    script: Script,
    corrections: Corrections,
    *,
    listed: Iterable[Character] = (),
    force: bool = False,
) -> Script:
    """The script with the file's speakers and kinds.

    The cast is the script's characters and ``listed`` (the voices file's). Every
    problem is raised at once as a ConfigError ("FILE:LINE: ..."), or with
    ``force`` logged as a warning, the entries that have one left out, except that
    a speaker not in the cast then joins it as a new character.
    """
    where = str(corrections.path)
    problems = list(corrections.problems)
    cast = [*script.characters, *listed]
    names: dict[str, str] = {}  # name or alias, casefolded -> the character's name
    for who in cast:
        names.setdefault(who.name.casefold(), who.name)
    for who in cast:
        for alias in who.aliases:
            names.setdefault(alias.casefold(), who.name)
    chapters = sorted(c.index for c in script.book.chapters)
    spoken: dict[tuple[str, int], int] = {}  # (text, occurrence) -> index of the segment
    seen: dict[str, int] = {}
    for i, seg in enumerate(script.segments):
        if seg.kind != "narration":
            key = line_key(seg.text)
            spoken[(key, seen.get(key, 0))] = i
            seen[key] = seen.get(key, 0) + 1
    fixes: dict[int, tuple[str | None, Kind | None]] = {}
    present = {c.name for c in script.characters}
    added: list[Character] = []
    for c in corrections.entries:
        usable = c.usable
        if c.chapter is not None and c.chapter not in chapters:
            problems.append(
                Problem(
                    c.chapter_line,
                    f"chapter {c.chapter} does not exist; the book's chapters are "
                    f"{chapters[0]} to {chapters[-1]}",
                )
            )
            usable = False
        at = spoken.get((c.text, c.occurrence))
        if at is None:
            again = " again" if c.occurrence else ""
            problems.append(
                Problem(
                    c.line,
                    f"no line of the book reads{again} {_short(c.text)}; correct the text "
                    f"as the book has it, or {_REWRITE} and redo the correction",
                )
            )
            continue
        speaker = c.speaker
        if speaker is not None and speaker.casefold() != NARRATOR:
            known = names.get(speaker.casefold())
            if known is None:
                choices = sorted({n for who in cast for n in (who.name, *who.aliases)})
                near = _near(speaker, choices) or "; `narrate cast BOOK` lists the cast"
                problems.append(
                    Problem(
                        c.speaker_line,
                        f"the speaker '{speaker}' is not in the cast{near} (a new character "
                        "goes under characters: in voices.yaml)",
                        f"'{speaker}' is a new character",
                    )
                )
                if not force or not usable:
                    continue
                names[speaker.casefold()] = known = speaker
            if known not in present:  # a character the voices file lists, or a new one
                present.add(known)
                added.append(next((w for w in cast if w.name == known), Character(known)))
            speaker = known
        if usable and (speaker is not None or c.kind is not None):
            fixes[at] = (speaker, c.kind)
    problems.sort(key=lambda p: p.line)
    if problems and not force:
        lines = [f"{where}:{p.line}: {p.message}" for p in problems]
        fix = f"{where}: fix the lines above, or pass --force to use the rest of the file"
        raise ConfigError("\n".join([*lines, fix]))
    for p in problems:
        log.warning("%s:%s: %s (--force: %s)", where, p.line, p.message, p.forced)
    segments = list(script.segments)
    for i, (speaker, kind) in fixes.items():
        seg = segments[i]
        if speaker is not None and speaker.casefold() == NARRATOR:
            segments[i] = replace(seg, kind="narration", speaker=None, confidence=1.0)
        else:
            name = speaker or seg.speaker
            segments[i] = replace(seg, kind=kind or seg.kind, speaker=name, confidence=1.0)
    return Script(script.book, (*script.characters, *added), tuple(segments))
