"""``--format m4b``: the whole book as an AAC M4B audiobook with chapters, tags and cover.

ffmpeg encodes the rendered PCM (kept in the cache for this: one generation
of lossy coding, not an AAC of the MP3) and writes the chapters from an
FFMETADATA1 text; the chapter track is then laid out one sample per chunk
(:mod:`narrate.output.mp4box`), and mutagen writes the tags ffmpeg cannot.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from narrate import tools
from narrate.errors import EngineError
from narrate.outdir import publish
from narrate.output.chapters import ffmetadata_chapters
from narrate.output.formats import WriteOptions
from narrate.output.mp4box import one_sample_per_chunk
from narrate.output.tags import tag_m4b
from narrate.output.whole_book import (
    ChapterAudio,
    book_pcm,
    check_chapters,
    played_marks,
    temp_file_beside,
    terminate_as_interrupt,
)
from narrate.records import TrackMeta

# AAC at 64 kbps overshoots speech's peaks by ~2 dB; from 96 kbps it stays under -3 dBTP.
MIN_BITRATE = 96
BRAND = "M4B "  # the major brand: what marks an MP4 as an audiobook to Apple's players
_FULL = tuple(os.strerror(code) for code in (errno.ENOSPC, errno.EDQUOT))

Progress = Callable[[float, float], None]  # (seconds encoded, seconds in all)


def _encode_m4b(
    pcm: Iterable[bytes], metadata: Path, out: Path, bitrate: int, sample_rate: int
) -> None:
    """Stream 16-bit mono PCM through ffmpeg into an AAC M4B with the chapters in ``metadata``."""
    cmd = [
        "-hide_banner",
        "-nostats",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "s16le",
        "-ar",
        str(sample_rate),
        "-ac",
        "1",
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
        "-brand",
        BRAND,
        # moov before mdat: players can start (and read chapters) before the whole file loads.
        "-movflags",
        "+faststart",
        "-f",
        "ipod",
        str(out),  # the .m4b muxer, whatever the temporary name ends with
    ]
    code, tail = tools.feed_ffmpeg(cmd, pcm)
    if code != 0 and any(reason in tail for reason in _FULL):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(out.parent))
    if code != 0:
        raise EngineError(
            f"ffmpeg could not make the M4B (exit status {code}): {tail}; "
            "check the bitrate (e.g. 32-128 kbps) and that ffmpeg has the AAC encoder, "
            "or choose MP3 output"
        )


def _counted(
    chunks: Iterable[bytes], sample_rate: int, total: float, progress: Progress | None
) -> Iterator[bytes]:
    done = 0
    for chunk in chunks:
        yield chunk
        done += len(chunk)
        if progress:
            progress(done / 2 / sample_rate, total)


def write_m4b(
    path: Path,
    chapters: Sequence[ChapterAudio],
    meta: TrackMeta,
    *,
    sample_rate: int,
    bitrate: int = MIN_BITRATE,
    progress: Progress | None = None,
) -> None:
    """Write the whole book as an AAC M4B audiobook with chapters and tags, atomically.

    The PCM is each chapter as its own MP3 file plays, one after another
    (:func:`narrate.output.whole_book.book_pcm`), so the M4B lasts as long as
    the chapter MP3s and each chapter starts where its file would; the AAC encoder's priming
    samples are hidden by the edit list ffmpeg writes, so decoders that honour
    it (ffmpeg, Apple's players) start each chapter where its mark says.
    ``progress`` hears (seconds encoded, seconds in all) as the audio goes in.
    """
    path = Path(path)
    check_chapters(chapters)
    marks = played_marks(chapters)
    tagged = replace(meta, chapters=marks)
    with terminate_as_interrupt():
        tmp = temp_file_beside(path, ".part")
        try:
            metadata = temp_file_beside(path, ".ffmeta.part")  # swept as any .part is
            try:
                metadata.write_text(ffmetadata_chapters(marks, tagged), encoding="utf-8")
                pcm = _counted(book_pcm(chapters), sample_rate, marks[-1].end, progress)
                _encode_m4b(pcm, metadata, tmp, bitrate, sample_rate)
            finally:
                metadata.unlink(missing_ok=True)
            one_sample_per_chunk(tmp)
            # mutagen writes the tags (cover, free-form atoms, media kind) ffmpeg cannot.
            tag_m4b(tmp, tagged)
            publish(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)


def write(
    path: Path, chapters: Sequence[ChapterAudio], meta: TrackMeta, options: WriteOptions
) -> None:
    """The registry's writer (see :mod:`narrate.output.formats`)."""
    write_m4b(
        path,
        chapters,
        meta,
        sample_rate=options.sample_rate,
        bitrate=max(options.bitrate, MIN_BITRATE),
        progress=options.progress,
    )
