"""Whole-book output files: one chaptered MP3, or an M4B audiobook.

Chapters arrive as streams of narrate's MP3 blocks with exact durations (from
frame counts), so chapter marks are computed, never measured. Both writers
stream the audio through a temporary file in the target folder and rename it
into place when it is complete: memory stays bounded however long the book
is, and a failure or interruption leaves no partial file behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from narrate import tools
from narrate.errors import EngineError
from narrate.outdir import publish
from narrate.output.chapters import ffmetadata_chapters
from narrate.output.tags import tag_m4b, tag_mp3
from narrate.records import ChapterMark, TrackMeta


@dataclass(frozen=True)
class ChapterAudio:
    """One chapter's audio, ready to be joined into a whole-book file."""

    title: str
    duration: float  # exact seconds, from frame counts
    chunks: Callable[[], Iterable[bytes]]  # yields the chapter's MP3 frames (no tags), in order


def chapter_marks(chapters: Sequence[ChapterAudio]) -> tuple[ChapterMark, ...]:
    """One mark per chapter, back to back from 0 s.

    Summing the exact durations (rather than rounding each chapter) keeps the
    error from growing with the chapter count.
    """
    marks = []
    start = 0.0
    for chapter in chapters:
        if chapter.duration < 0:
            raise ValueError(f"chapter {chapter.title!r} has a negative duration")
        end = start + chapter.duration
        marks.append(ChapterMark(chapter.title, start, end))
        start = end
    return tuple(marks)


def _check(chapters: Sequence[ChapterAudio]) -> None:
    if not chapters:
        raise ValueError("a whole-book file needs at least one chapter")


def _temp_file(path: Path, suffix: str) -> Path:
    # In the target folder so the final rename never crosses file systems;
    # hidden so a half-written file is never mistaken for a finished one.
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
    os.close(fd)
    return Path(name)


def _frames(chapters: Sequence[ChapterAudio]) -> Iterator[bytes]:
    for chapter in chapters:
        for chunk in chapter.chunks():
            if chunk:
                yield chunk


# ---------------------------------------------------------------- single MP3


def write_single_mp3(
    path: Path, chapters: Sequence[ChapterAudio], meta: TrackMeta, *, id3v23: bool = False
) -> None:
    """Write the whole book as one MP3 with ID3 chapters (CTOC + CHAP), atomically.

    narrate's blocks are self-contained LAME streams without a gapless
    (Xing/LAME) header, so the concatenation decodes to exactly the sum of the
    chapters' durations and each mark lands on the first sample of its chapter.
    """
    path = Path(path)
    _check(chapters)
    tagged = replace(meta, chapters=chapter_marks(chapters))
    tmp = _temp_file(path, ".part")
    try:
        with tmp.open("wb") as out:
            for chunk in _frames(chapters):
                out.write(chunk)
        tag_mp3(tmp, tagged, id3v23=id3v23)
        publish(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)  # a no-op once published


# ---------------------------------------------------------------- M4B


def _encode_m4b(frames: Iterable[bytes], metadata: Path, out: Path, bitrate: int) -> None:
    """Stream MP3 frames through ffmpeg into an AAC M4B with the chapters in ``metadata``."""
    cmd = [
        "-hide_banner",
        "-nostats",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "mp3",
        "-i",
        "pipe:0",
        # FFMETADATA input: the chapters (and provisional global tags) come from here.
        "-f",
        "ffmetadata",
        "-i",
        str(metadata),
        "-map",
        "0:a",
        "-map_metadata",
        "1",
        "-map_chapters",
        "1",
        "-c:a",
        "aac",
        "-b:a",
        f"{bitrate}k",
        # moov before mdat: players can start (and read chapters) before the whole file loads.
        "-movflags",
        "+faststart",
        "-f",
        "ipod",
        str(out),  # the .m4b muxer, whatever the temporary name ends with
    ]
    code, tail = tools.feed_ffmpeg(cmd, frames)
    if code != 0:
        raise EngineError(
            f"ffmpeg could not make the M4B (exit status {code}): {tail}; "
            "check the bitrate (e.g. 32-128 kbps) and that ffmpeg has the AAC encoder, "
            "or choose MP3 output"
        )


def write_m4b(
    path: Path, chapters: Sequence[ChapterAudio], meta: TrackMeta, *, bitrate: int = 64
) -> None:
    """Write the whole book as an AAC M4B audiobook with chapters and tags, atomically.

    The AAC encoder's priming samples are hidden by the edit list ffmpeg
    writes, so decoders that honour it (ffmpeg, Apple's players) start each
    chapter where its mark says.
    """
    path = Path(path)
    _check(chapters)
    marks = chapter_marks(chapters)
    tagged = replace(meta, chapters=marks)
    tmp = _temp_file(path, ".part")
    metadata = tmp.with_suffix(".ffmeta")  # next to it, unique because tmp is
    try:
        metadata.write_text(ffmetadata_chapters(marks, tagged), encoding="utf-8")
        _encode_m4b(_frames(chapters), metadata, tmp, bitrate)
        # mutagen writes the tags (cover, free-form atoms, media kind) ffmpeg cannot.
        tag_m4b(tmp, tagged)
        publish(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
        metadata.unlink(missing_ok=True)


__all__ = ["ChapterAudio", "chapter_marks", "write_m4b", "write_single_mp3"]
