"""Chapter marks in each container: ID3 CHAP/CTOC frames, FFMETADATA sections, MP4 lists.

Whole-book files carry one mark per chapter. An MP3 holds them as ID3 CHAP
frames under a top-level CTOC; an M4B holds them in its chapter track and
Nero list (:mod:`narrate.output.mp4mux`). ffmpeg's FFMETADATA1 text (with the
book's global tags) is written here for MP4s made by ffmpeg, and read back when
a file is inspected.

A mark is in played time: seconds from the first sample a player plays. ID3
CHAP times are on the decoder's own timeline, which starts before the
encoder delay the MP3's Info tag trims (ffmpeg, and the players built on it,
give the first played sample the time of that delay), so they are written and
read shifted by it (:func:`mp3_lead`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mutagen import id3 as _id3
from mutagen.mp4 import MP4

from narrate.output.tag_fields import present_fields
from narrate.records import ChapterMark, TrackMeta
from narrate.render import gapless
from narrate.render.mp3 import DECODING_DELAY

_UTF8 = _id3.Encoding.UTF8
_TOC_ID = "toc"


def _ms(seconds: float) -> int:
    return max(0, round(seconds * 1000))


def _check_marks(marks: Sequence[ChapterMark]) -> None:
    for mark in marks:
        if mark.start < 0 or mark.end < mark.start:
            raise ValueError(f"chapter {mark.title!r} has bad times {mark.start}..{mark.end}")


# ---------------------------------------------------------------- ID3 (MP3)


def mp3_lead(path: Path) -> float:
    """Seconds of decoded audio a player drops before the first sample it plays.

    The encoder delay in the MP3's Info tag plus the decoder's own delay; 0 for
    an MP3 without the tag, whose decoded audio is all played.
    """
    with Path(path).open("rb") as file:
        head = file.read(10)
        skip = 0
        if head[:3] == b"ID3" and len(head) == 10:
            size = 0
            for byte in head[6:10]:  # "synchsafe": 7 bits a byte
                size = (size << 7) | (byte & 0x7F)
            skip = 10 + size + (10 if head[5] & 0x10 else 0)
        file.seek(skip)
        frame = file.read(1024)
    found = gapless.read_info(frame)
    header = gapless.read_header(frame)
    if found is None or header is None:
        return 0.0
    return (found[0].delay + DECODING_DELAY) / header.sample_rate


def add_id3_chapters(tags: _id3.ID3, meta: TrackMeta, lead: float = 0.0) -> None:
    """Add a top-level, ordered CTOC and one CHAP (titled) per mark of ``meta``.

    ``lead`` is the file's :func:`mp3_lead`, by which the CHAP times follow the marks.
    """
    _check_marks(meta.chapters)
    ids = [f"chp{i}" for i in range(len(meta.chapters))]
    flags = _id3.CTOCFlags.TOP_LEVEL | _id3.CTOCFlags.ORDERED
    tags.add(
        _id3.CTOC(
            element_id=_TOC_ID,
            flags=flags,
            child_element_ids=ids,
            sub_frames=[_id3.TIT2(encoding=_UTF8, text=[meta.title])],
        )
    )
    for element_id, mark in zip(ids, meta.chapters, strict=True):
        tags.add(
            _id3.CHAP(
                element_id=element_id,
                start_time=_ms(mark.start + lead),
                end_time=_ms(mark.end + lead),
                sub_frames=[_id3.TIT2(encoding=_UTF8, text=[mark.title])],
            )
        )


def read_id3_chapters(
    tags: _id3.ID3, duration: float, lead: float = 0.0
) -> tuple[ChapterMark, ...]:
    """The marks in the top-level CTOC's order, or in time order when there is none.

    In played time: ``lead`` (the file's :func:`mp3_lead`) is taken off the CHAP times.
    """
    chaps = {f.element_id: f for f in tags.getall("CHAP")}
    tocs = [t for t in tags.getall("CTOC") if t.flags & _id3.CTOCFlags.TOP_LEVEL]
    order = [c for c in tocs[0].child_element_ids if c in chaps] if tocs else []
    if not order:  # no usable table of contents: fall back to time order
        order = sorted(chaps, key=lambda c: chaps[c].start_time)
    marks = []
    for element_id in order:
        chap = chaps[element_id]
        title = chap.sub_frames["TIT2"].text[0] if "TIT2" in chap.sub_frames else element_id
        end = chap.end_time / 1000 - lead if chap.end_time else duration
        start = max(0.0, chap.start_time / 1000 - lead)
        marks.append(ChapterMark(str(title), start, min(max(start, end), duration or end)))
    return tuple(marks)


# ---------------------------------------------------------------- MP4 (M4B)


def read_mp4_chapters(audio: MP4, duration: float) -> tuple[ChapterMark, ...] | None:
    """The marks of mutagen's Nero chapter list; None when it finds none."""
    chapters: Any = getattr(audio, "chapters", None)
    if not chapters:
        return None
    starts = [(float(c.start), str(c.title)) for c in chapters]
    ends = [s for s, _ in starts[1:]] + [duration]
    return tuple(ChapterMark(t, s, e) for (s, t), e in zip(starts, ends, strict=True))


# ---------------------------------------------------------------- FFMETADATA (for ffmpeg)


def _ffescape(text: str) -> str:
    # FFMETADATA: '=', ';', '#', '\' and newlines must be backslash-escaped.
    return re.sub(r"([=;#\\\n])", r"\\\1", text)


def ffmetadata_chapters(marks: Sequence[ChapterMark], meta: TrackMeta) -> str:
    """An ffmpeg FFMETADATA1 text: ``meta``'s global tags plus one [CHAPTER] per mark."""
    _check_marks(marks)
    lines = [";FFMETADATA1"]
    for spec, value in present_fields(meta):
        if spec.ffmeta:
            lines.append(f"{spec.ffmeta}={_ffescape(value)}")
    for mark in marks:
        lines += [
            "",
            "[CHAPTER]",
            "TIMEBASE=1/1000",
            f"START={_ms(mark.start)}",
            f"END={_ms(mark.end)}",
            f"title={_ffescape(mark.title)}",
        ]
    return "\n".join(lines) + "\n"


def _ffunescape_lines(text: str) -> list[str]:
    # Undo FFMETADATA escaping; an escaped newline continues the same logical line.
    lines, current, chars = [], [], iter(text)
    for char in chars:
        if char == "\\":
            current.append(next(chars, ""))
        elif char == "\n":
            lines.append("".join(current))
            current = []
        else:
            current.append(char)
    if current:
        lines.append("".join(current))
    return lines


def parse_ffmetadata(text: str) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """(global tags, chapters as {title, start, end} in seconds) from FFMETADATA1 text."""
    tags: dict[str, str] = {}
    chapters: list[dict[str, str]] = []
    section: dict[str, str] | None = tags
    for line in _ffunescape_lines(text):
        if not line or line.startswith((";", "#")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = {} if line == "[CHAPTER]" else None  # streams etc.: not needed
            if section is not None:
                chapters.append(section)
            continue
        key, sep, value = line.partition("=")
        if sep and section is not None:
            section[key.lower() if section is not tags else key] = value
    marks = []
    for chap in chapters:
        num, _, den = chap.get("timebase", "1/1000").partition("/")
        scale = int(num) / int(den or 1)
        marks.append(
            {
                "title": chap.get("title", ""),
                "start": int(chap.get("start", 0)) * scale,
                "end": int(chap.get("end", 0)) * scale,
            }
        )
    return tags, marks
