"""`narrate cast --write FILE`: a starter voices.yaml, or new characters merged into one.

A new file gets the whole cast, commented. An existing file is edited as
text, never re-dumped: only characters it does not know (by name or alias)
are inserted at the end of its ``characters:`` block, so the user's values,
comments and layout stay as they wrote them. The result is re-read and
compared with the original before it replaces the file; if anything the user
wrote would change, nothing is written.
"""

from __future__ import annotations

import json
import os
import re
import shlex
from pathlib import Path

import yaml

from narrate.cast.casting import is_child, line_counts
from narrate.config import Pauses, VoiceConfig, load_config
from narrate.errors import ConfigError
from narrate.records import Cast, Character, Script, Voice
from narrate.tts.registry import get_engine
from narrate.yamldata import compose_data, load_data

_PLAIN = re.compile(r"[A-Za-z][\w .'’-]*")


# --- `narrate cast --write` ---


def _q(text: str) -> str:
    """``text`` as a YAML scalar: plain when that reads back the same, else quoted."""
    if _PLAIN.fullmatch(text) and not text.endswith(" ") and load_data(text, "a name") == text:
        return text
    return json.dumps(text, ensure_ascii=False)


def _unclaimed(character: Character, claimed: set[str]) -> tuple[str, ...]:
    """``character``'s aliases not in ``claimed`` (which gains them): a file gives each once."""
    aliases = tuple(a for a in character.aliases if a.casefold() not in claimed)
    claimed.update(a.casefold() for a in aliases)
    return aliases


def _character_lines(
    character: Character, voice: Voice, lines: int, indent: str, claimed: set[str]
) -> list[str]:
    """One character's entry; aliases already in ``claimed`` are left out (and added)."""
    sub = indent + "  "
    out = [f"{indent}{_q(character.name)}:  # {lines} line{'s' if lines != 1 else ''}"]
    aliases = _unclaimed(character, claimed)
    if aliases:
        out.append(f"{sub}aliases: [{', '.join(_q(a) for a in aliases)}]")
    if character.gender != "unknown":
        out.append(f"{sub}gender: {character.gender}")
    if is_child(character):
        out.append(f"{sub}age: child")
    out += [
        f"{sub}voice: {voice.voice_id}",
        f"{sub}rate: {voice.rate}",
        f"{sub}pitch: {voice.pitch}",
        f"{sub}volume: {float(voice.volume)!r}",
    ]
    return out


def _new_characters(script: Script, cast: Cast, config: VoiceConfig) -> list[Character]:
    """Characters with lines that the file does not know by name or alias, most lines first."""
    counts = line_counts(script)
    missing = [
        c
        for c in script.characters
        if counts[c.name]
        and c.name in cast.characters
        and config.character(c.name) is None
        and not any(config.character(a) for a in c.aliases)
    ]
    return sorted(missing, key=lambda c: (-counts[c.name], c.name))


def starter_characters(script: Script) -> list[Character]:
    """The characters a new starter file for ``script`` lists, as the file reads back.

    Every character with lines, most lines first, with its gender and age; an
    alias two characters share stays with the first.
    """
    counts = line_counts(script)
    ordered = [
        c
        for c in sorted(script.characters, key=lambda c: (-counts[c.name], c.name))
        if counts[c.name]
    ]
    claimed = {c.name.casefold() for c in ordered}
    return [Character(c.name, _unclaimed(c, claimed), c.gender, child=is_child(c)) for c in ordered]


def lists_discovery(listed: list[Character], discovered: Script) -> bool:
    """Whether a file's characters are those ``narrate cast --write`` wrote for the
    cast discovered in the book (voices, rates and other settings aside), in any order."""
    return {c.name: c for c in listed} == {c.name: c for c in starter_characters(discovered)}


def render_starter(script: Script, cast: Cast, name: str = "voices.yaml") -> str:
    """A complete, commented voices.yaml (to be called ``name``) for ``script`` cast as ``cast``."""
    counts = line_counts(script)
    n = cast.narrator
    title = script.book.title or "this book"
    out = [
        f"# voices.yaml for {title}, written by `narrate cast --write`.",
        "# Edit anything: running the command again only adds characters it does",
        "# not find here (by name or alias) and never changes what you wrote.",
        f"# Voice ids: `narrate voices`; try one with `narrate preview NAME BOOK --voices {name}`.",
        "",
        "narrator:",
        f"  voice: {n.voice_id}",
        f"  {f'rate: {n.rate}':<14}# words per minute (80-450)",
        f"  {f'pitch: {n.pitch}':<14}# 0-100; 50 is the voice's normal pitch",
        f"  {f'volume: {float(n.volume)!r}':<14}# 0-1",
        "",
        "# Single-quoted thoughts: 'character' (their voice, softer) or 'narrator'.",
        f"thoughts: {cast.thoughts}",
        "",
        "characters:",
    ]
    for character in starter_characters(script):
        voice = cast.characters[character.name]
        out += _character_lines(character, voice, counts[character.name], "  ", set())
    pauses = Pauses()
    out += [
        "",
        "# Silence between segments, in milliseconds.",
        "pauses:",
        *(f"  {key}: {getattr(pauses, key)}" for key in Pauses.__dataclass_fields__),
        "",
        f"# How words are spoken: {get_engine(n.engine).lexicon_hint()}.",
        "lexicon: {}",
        "#  Niamh: Neev",
        "",
        "# Book details the book itself lacks (uncomment to use).",
        "# book:",
        "#   narrator: Read by ...",
        "#   year: 2024",
        "#   cover: cover.jpg",
        "",
    ]
    return "\n".join(out)


def _insertion(text: str, node: yaml.Node) -> int:
    """Where text goes after the last line of a block node's content."""
    while isinstance(node, yaml.MappingNode | yaml.SequenceNode) and not node.flow_style:
        if not node.value:
            break
        last = node.value[-1]
        node = last[1] if isinstance(node, yaml.MappingNode) else last
    end = node.end_mark.index
    if node.end_mark.column == 0:
        return end
    newline = text.find("\n", end)
    return len(text) if newline < 0 else newline + 1


def _merged(text: str, block: list[str], root: yaml.Node | None) -> str:
    """``text`` with ``block`` (character entries indented by two) added."""
    found = None
    if isinstance(root, yaml.MappingNode):
        found = next(
            ((k, v) for k, v in root.value if str(k.value).strip().lower() == "characters"), None
        )
    if found is None:
        sep = "" if not text or text.endswith("\n") else "\n"
        return text + sep + "\ncharacters:\n" + "\n".join(block) + "\n"
    key, value = found
    if isinstance(value, yaml.MappingNode) and not value.flow_style and value.value:
        first = value.value[0][0]
        indent = " " * first.start_mark.column
        pos = _insertion(text, value)
    elif (isinstance(value, yaml.ScalarNode) and value.tag.endswith(":null")) or (
        isinstance(value, yaml.MappingNode) and not value.value
    ):
        # `characters:` with nothing, or `characters: {}`: drop the empty value.
        if isinstance(value, yaml.MappingNode):
            text = text[: value.start_mark.index] + text[value.end_mark.index :]
        indent = "  "
        pos = _insertion(text, key)
    else:
        line = key.start_mark.line + 1
        raise ConfigError(
            f"{line}: characters is not written as indented lines; "
            "rewrite it as one 'Name:' per line so characters can be added"
        )
    lines = [indent + row[2:] for row in block]
    prefix = "" if pos == 0 or text[pos - 1] == "\n" else "\n"
    return text[:pos] + prefix + "\n".join(lines) + "\n" + text[pos:]


def write_starter(path: Path, script: Script, cast: Cast, config: VoiceConfig) -> list[str]:
    """Write a starter voices.yaml at ``path``, or merge new characters into it.

    ``config`` is what the cast was built from; the file at ``path`` is
    re-read, since it may be another file. Returns the names of the
    characters written or added. Raises ConfigError, leaving the file
    untouched, when it is invalid or when the merge could not keep every edit
    exactly.
    """
    path = Path(path)
    # The engine the cast was made for judges the lexicon, as when the file is loaded.
    check = get_engine(cast.narrator.engine).lexicon_problem
    if not path.exists():
        text = render_starter(script, cast, shlex.quote(path.name))
        _replace(path, text)
        return list(load_config(path, check).characters)
    before = load_config(path, check)  # refuses a broken file, so there is nothing to lose
    missing = _new_characters(script, cast, before)
    if not missing:
        return []
    text = path.read_text(encoding="utf-8-sig")
    counts = line_counts(script)
    claimed = {c.name.casefold() for c in missing}
    for entry in before.characters.values():
        claimed.update(n.casefold() for n in (entry.name, *entry.aliases))
    block = [
        row
        for c in missing
        for row in _character_lines(c, cast.characters[c.name], counts[c.name], "  ", claimed)
    ]
    root = compose_data(text, str(path))
    try:
        merged = _merged(text, block, root)
    except ConfigError as exc:
        raise ConfigError(f"{path}:{exc}") from None
    temp = path.with_name(f".{path.name}.merge")
    temp.write_text(merged, encoding="utf-8")
    try:
        try:
            after = load_config(temp, check)
        except ConfigError:
            after = VoiceConfig()  # fails the comparison below
        kept = all(after.characters.get(k) == v for k, v in before.characters.items())
        same = [
            getattr(after, f) == getattr(before, f)
            for f in ("narrator", "pools", "thoughts", "pauses", "lexicon", "book")
        ]
        if (
            not kept
            or not all(same)
            or len(after.characters) != len(before.characters) + len(missing)
        ):
            raise ConfigError(
                f"{path}: could not add characters without changing your "
                "edits; nothing was written, add them by hand"
            )
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    return [c.name for c in missing]


def _replace(path: Path, text: str) -> None:
    # Write beside the target and rename, so a crash never leaves half a file.
    temp = path.with_name(f".{path.name}.new")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)
