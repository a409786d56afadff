"""Reading a finished file back: stream facts, tags and chapters, as mutagen sees them.

``narrate inspect`` shows this. Tags are named by the same table the writers
use (:data:`narrate.output.tag_fields.FIELDS`); anything else the file holds
is shown under its container's own key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, cast

import mutagen
from mutagen import id3 as _id3
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4, MP4Cover

from narrate.output.chapters import mp3_lead, read_id3_chapters, read_mp4_chapters
from narrate.output.tag_fields import FIELDS, TagError, mutagen_errors
from narrate.records import ChapterMark


@dataclass(frozen=True, slots=True)
class Probe:
    """What mutagen can tell about an audio file."""

    format: str
    codec: str | None
    duration: float
    bitrate: int | None  # bits per second
    sample_rate: int | None
    channels: int | None
    tags: dict[str, str]
    chapters: tuple[ChapterMark, ...] | None  # None when mutagen cannot read them


class _Picture(Protocol):
    # mutagen sets an APIC frame's attributes from its frame spec at run time.
    mime: str
    data: bytes


def _id3_text(frame: _id3.Frame) -> str:
    if isinstance(frame, _id3.APIC):
        picture = cast(_Picture, frame)
        return f"{picture.mime}, {len(picture.data)} bytes"
    text = getattr(frame, "text", None)
    if text is not None:
        return "; ".join(str(t) for t in text)
    return str(frame)


def _id3_read(
    tags: _id3.ID3, duration: float, lead: float
) -> tuple[dict[str, str], tuple[ChapterMark, ...]]:
    found: dict[str, str] = {}
    used: set[str] = set()
    for spec in FIELDS:
        key = "COMM::eng" if spec.id3 == "COMM" else spec.id3
        if key and key in tags:
            found[spec.name] = _id3_text(tags[key])
            used.add(key)
    for key, frame in tags.items():
        if isinstance(frame, (_id3.CHAP, _id3.CTOC)) or key in used:
            continue
        found["cover" if isinstance(frame, _id3.APIC) else key] = _id3_text(frame)
    return found, read_id3_chapters(tags, duration, lead)


def _as_text(value: object) -> str:
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, MP4Cover):
            kind = "image/png" if item.imageformat == MP4Cover.FORMAT_PNG else "image/jpeg"
            out.append(f"{kind}, {len(item)} bytes")
        elif isinstance(item, bytes):
            out.append(item.decode("utf-8", "replace"))
        elif isinstance(item, tuple):
            out.append("/".join(str(i) for i in item))
        else:
            out.append(str(item))
    return "; ".join(out)


def _mp4_read(audio: MP4, duration: float) -> tuple[dict[str, str], tuple[ChapterMark, ...] | None]:
    tags: Mapping[str, Any] = audio.tags or {}
    found = {
        spec.name: _as_text(tags[spec.mp4]) for spec in FIELDS if spec.mp4 and spec.mp4 in tags
    }
    known = {spec.mp4 for spec in FIELDS}
    for key, value in tags.items():
        if key == "stik":
            found["media_kind"] = "Audiobook" if value == [2] else _as_text(value)
        elif key not in known:
            found["cover" if key == "covr" else key] = _as_text(value)
    return found, read_mp4_chapters(audio, duration)


def probe(path: Path) -> Probe:
    """Read stream facts, tags and chapters; TagError when mutagen cannot read the file."""
    path = Path(path)
    with mutagen_errors(
        path, "reading the file", "check that it is a complete, undamaged MP3, M4B or M4A file"
    ):
        audio = mutagen.File(path)
    if audio is None:
        raise TagError(path, "not an audio file narrate can read", "pass an MP3, M4B or M4A file")
    info = audio.info
    duration = float(getattr(info, "length", 0.0) or 0.0)
    tags: dict[str, str]
    chapters: tuple[ChapterMark, ...] | None = None
    if isinstance(audio, MP3):
        fmt = "MP3"
        lead = mp3_lead(path)
        tags, chapters = _id3_read(audio.tags, duration, lead) if audio.tags else ({}, ())
    elif isinstance(audio, MP4):
        fmt = path.suffix.lstrip(".").upper() or "MP4"
        tags, chapters = _mp4_read(audio, duration)
    else:
        fmt = type(audio).__name__
        raw = audio.tags
        # keys() rather than iteration: Vorbis comments iterate as (key, value) pairs.
        names = list(raw.keys()) if raw else []
        tags = {str(k): _as_text(raw[k]) for k in names}
    return Probe(
        fmt,
        getattr(info, "codec", None),
        duration,
        getattr(info, "bitrate", None),
        getattr(info, "sample_rate", None),
        getattr(info, "channels", None),
        tags,
        chapters,
    )
