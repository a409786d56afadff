"""The text stages: read the book, find who says what, cast the voices.

Cheap and deterministic next to rendering; `narrate script` and `narrate cast`
stop here, `narrate generate` goes on with the result.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path

from narrate.cache import ScriptCache, code_fingerprint, default_cache_dir, make_key
from narrate.cast import build_cast
from narrate.config import VoiceConfig, characters_from_config, load_config
from narrate.ingest import read_book
from narrate.records import Book, Cast, Character, Script, Segment
from narrate.scriptfile import apply_corrections, load_corrections
from narrate.segment import segment
from narrate.tts import list_voices
from narrate.tts.engine import engine_name

log = logging.getLogger("narrate")


@dataclass(frozen=True)
class Prepared:
    book: Book
    config: VoiceConfig
    script: Script
    cast: Cast
    path: Path | None = None


def prepare_book(book_path: Path, voices: Path | None = None, *, title: str | None = None,
                 author: str | None = None, check_voices: bool = True,
                 cache_dir: Path | None = None, include_front_matter: bool = False,
                 heading_level: int | None = None, script_file: Path | None = None) -> Prepared:
    """Read, segment and cast a book; every config problem is raised before any audio."""
    available = list_voices() if check_voices else []
    config = load_config(voices, available if check_voices else None)
    book = read_book(book_path, title=title or config.book.title,
                     author=author or config.book.author,
                     include_front_matter=include_front_matter, heading_level=heading_level)
    cast_hint = characters_from_config(config) or None
    script = _segment_cached(book, cast_hint, cache_dir or default_cache_dir())
    if script_file is not None:
        script = apply_corrections(script, load_corrections(script_file))
    cast = (build_cast(script, config, available, book.language, engine=engine_name())
            if check_voices else None)
    return Prepared(book, config, script, cast, book_path)  # type: ignore[arg-type]


def _with_discovered(book: Book, listed: list[Character] | None) -> list[Character] | None:
    """The user's characters plus those the text shows that the file does not list.

    A voices.yaml usually names the characters whose voices the user cares
    about; the others still speak, so they are discovered as without a file.
    A listed character without a gender takes the one the text shows.
    """
    if not listed:
        return listed
    found = segment(book, None).characters
    claimed = {name.casefold(): n for n, c in enumerate(listed) for name in (c.name, *c.aliases)}
    merged = list(listed)
    for character in found:
        names = [name.casefold() for name in (character.name, *character.aliases)]
        hits = {claimed[name] for name in names if name in claimed}
        if not hits:
            merged.append(character)
        for n in hits:
            if merged[n].gender == "unknown" and character.gender != "unknown":
                merged[n] = replace(merged[n], gender=character.gender)
    return merged


def _segment_cached(book: Book, cast_hint: list[Character] | None, root: Path) -> Script:
    """segment(), remembered: a re-run of an unchanged book skips the text work."""
    store = ScriptCache(root)
    key = make_key("script", code_fingerprint(), book.source, book.title, book.author,
                   [(c.index, c.title, c.paragraphs, sorted(c.scene_breaks)) for c in book.chapters],
                   cast_hint)
    saved = store.get(key)
    if saved is not None:
        return Script(
            book,
            tuple(Character(c[0], tuple(c[1]), c[2]) for c in saved["characters"]),
            tuple(Segment(*s) for s in saved["segments"]),
        )
    script = segment(book, _with_discovered(book, cast_hint))
    try:
        store.put(key, {
            "characters": [[c.name, list(c.aliases), c.gender] for c in script.characters],
            "segments": [[s.chapter, s.paragraph, s.kind, s.speaker, s.text, s.start, s.end,
                          s.confidence] for s in script.segments],
        })
    except OSError as exc:  # a read-only cache only costs time
        log.debug("could not cache the script: %s", exc)
    return script
