"""``--format m4b``: the whole book as an AAC M4B audiobook with chapters, tags and cover.

ffmpeg encodes the MP3 frames to AAC and writes the chapters from an
FFMETADATA1 text; mutagen then writes the tags ffmpeg cannot.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from narrate import tools
from narrate.errors import EngineError
from narrate.outdir import publish
from narrate.output.chapters import ffmetadata_chapters
from narrate.output.formats import WriteOptions
from narrate.output.tags import tag_m4b
from narrate.output.whole_book import (
    ChapterAudio,
    book_frames,
    chapter_marks,
    check_chapters,
    temp_file_beside,
)
from narrate.records import TrackMeta

# AAC at 64 kbps overshoots the MP3's peaks by ~2 dB; from 96 kbps it stays under -3 dBTP.
MIN_BITRATE = 96


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
    check_chapters(chapters)
    marks = chapter_marks(chapters)
    tagged = replace(meta, chapters=marks)
    tmp = temp_file_beside(path, ".part")
    metadata = tmp.with_suffix(".ffmeta")  # next to it, unique because tmp is
    try:
        metadata.write_text(ffmetadata_chapters(marks, tagged), encoding="utf-8")
        _encode_m4b(book_frames(chapters), metadata, tmp, bitrate)
        # mutagen writes the tags (cover, free-form atoms, media kind) ffmpeg cannot.
        tag_m4b(tmp, tagged)
        publish(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
        metadata.unlink(missing_ok=True)


def write(
    path: Path, chapters: Sequence[ChapterAudio], meta: TrackMeta, options: WriteOptions
) -> None:
    """The registry's writer (see :mod:`narrate.output.formats`)."""
    write_m4b(path, chapters, meta, bitrate=max(options.bitrate, MIN_BITRATE))
