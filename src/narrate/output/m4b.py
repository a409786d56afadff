"""``--format m4b``: the whole book as an AAC M4B audiobook with chapters, tags and cover.

ffmpeg encodes the MP3 frames to AAC and writes the chapters from an
FFMETADATA1 text; mutagen then writes the tags ffmpeg cannot.
"""

from __future__ import annotations

import itertools
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
    book_blocks,
    chapter_marks,
    check_chapters,
    temp_file_beside,
)
from narrate.records import TrackMeta
from narrate.render import gapless, mp3

# AAC at 64 kbps overshoots the MP3's peaks by ~2 dB; from 96 kbps it stays under -3 dBTP.
MIN_BITRATE = 96


def _encode_m4b(
    frames: Iterable[bytes], metadata: Path, out: Path, bitrate: int, keep: tuple[int, int]
) -> None:
    """Stream MP3 frames through ffmpeg into an AAC M4B with the chapters in ``metadata``.

    ``keep`` is the (first, last + 1) decoded sample to keep: what a player of
    the MP3 with its Info tag would play.
    """
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
        "-af",
        f"atrim=start_sample={keep[0]}:end_sample={keep[1]},asetpts=PTS-STARTPTS",
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

    The MP3 blocks' encoder delay is trimmed as an MP3 player trims it; the
    AAC encoder's priming samples are hidden by the edit list ffmpeg writes, so decoders that honour it (ffmpeg, Apple's players) start each
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
        blocks = book_blocks(chapters)
        first = next(blocks)
        header = gapless.read_header(first.data)
        if header is None:
            raise EngineError("MP3 block damaged: clear the cache (`narrate cache clear`)")
        # The frames go to ffmpeg bare; trim them as the MP3's Info tag has players do,
        # so the M4B plays what the MP3 does and the same marks fit it.
        lead = first.delay + mp3.DECODING_DELAY
        keep = (lead, lead + round(marks[-1].end * header.sample_rate))
        frames = (b.data for b in itertools.chain([first], blocks))
        _encode_m4b(frames, metadata, tmp, bitrate, keep)
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
