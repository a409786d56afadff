"""``--format m4b``: the whole book as an AAC M4B audiobook with chapters, tags and cover.

Each chapter is encoded to AAC from its rendered PCM (kept in the cache for
this: one generation of lossy coding, not an AAC of the MP3), on as many cores
as the run has, and kept in the cache beside the blocks; the book is then those
chapters' AAC frames joined and put in an MP4 by ffmpeg without re-encoding,
with the chapters from an FFMETADATA1 text. A re-run (another layout, a change
of tags, one chapter edited) encodes only what changed. The file is then laid
out as each chapter's title (one sample per chunk) before that chapter's audio
(one chunk), so readers that time chapters by where their titles lie
(music-metadata) find them (:mod:`narrate.output.mp4box`), and mutagen writes
the tags ffmpeg cannot.

Joining AAC streams: an encoder's stream decodes to 1024 samples of priming,
then its input, then padding to a whole frame; its first frame only overlaps
the previous stream's last frame, which holds silence (every chapter ends with
a pause), so the joins are clean. Each chapter's stream is made a whole number
of frames long (its input is its PCM with the tail pause trimmed or extended by
less than a frame), chosen so that the book's frames stay within half a frame
of the chapter MP3s' samples: the M4B lasts what the chapter files do, and each
chapter starts within 512 samples (23 ms) of where its file would.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import replace
from pathlib import Path

from narrate import tools
from narrate.errors import EngineError
from narrate.outdir import publish
from narrate.output.chapters import ffmetadata_chapters
from narrate.output.formats import WriteOptions
from narrate.output.mp4box import interleave_chapters
from narrate.output.tags import tag_m4b
from narrate.output.whole_book import (
    ChapterAudio,
    chapter_played_pcm,
    check_chapters,
    temp_file_beside,
    terminate_as_interrupt,
)
from narrate.records import ChapterMark, TrackMeta
from narrate.render.cache import BlockCache, make_key
from narrate.render.pcm import Sidecar

# AAC at 64 kbps overshoots speech's peaks by ~2 dB; from 96 kbps it stays under -3 dBTP.
MIN_BITRATE = 96
BRAND = "M4B "  # the major brand: what marks an MP4 as an audiobook to Apple's players
FRAME = 1024  # samples per AAC frame; the encoder's priming is one frame
AAC = ".aac"  # a chapter's ADTS stream, kept beside the blocks
_FULL = tuple(os.strerror(code) for code in (errno.ENOSPC, errno.EDQUOT))
_QUIET = ["-hide_banner", "-nostats", "-loglevel", "error", "-y"]

Progress = Callable[[float, float], None]  # (seconds encoded, seconds in all)


def frame_counts(chapters: Sequence[ChapterAudio], sample_rate: int) -> list[int]:
    """How many AAC frames each chapter's stream is: the book stays on the chapter files' time.

    Each chapter's stream ends where the chapter files played so far end,
    rounded to a frame, so the error never grows past half a frame.
    """
    counts, done, played = [], 0, 0
    for chapter in chapters:
        played += round(chapter.duration * sample_rate)
        frames = max(2, round(played / FRAME) - done)  # priming and at least one frame
        counts.append(frames)
        done += frames
    return counts


def marks(chapters: Sequence[ChapterAudio], sample_rate: int) -> tuple[ChapterMark, ...]:
    """The M4B's chapters: each starts where its stream does, back to back from 0 s."""
    found, start = [], 0
    for chapter, frames in zip(chapters, frame_counts(chapters, sample_rate), strict=True):
        end = start + frames * FRAME
        found.append(ChapterMark(chapter.title, start / sample_rate, end / sample_rate))
        start = end
    return tuple(found)


def _fitted(chunks: Iterable[bytes], samples: int, stop: threading.Event) -> Iterator[bytes]:
    """Exactly ``samples`` samples of the chunks: cut short, or made up with silence."""
    left = 2 * samples
    for chunk in chunks:
        if stop.is_set():
            raise KeyboardInterrupt  # the run is being stopped: ffmpeg goes with it
        if left <= 0:
            break
        yield chunk[:left]
        left -= min(len(chunk), left)
    if left > 0:
        yield bytes(left)


def _run(cmd: list[str], chunks: Iterable[bytes], out: Path) -> None:
    code, tail = tools.feed_ffmpeg(cmd, chunks)
    if code != 0 and any(reason in tail for reason in _FULL):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(out.parent))
    if code != 0:
        raise EngineError(
            f"ffmpeg could not make the M4B (exit status {code}): {tail}; "
            "check the bitrate (e.g. 32-128 kbps) and that ffmpeg has the AAC encoder, "
            "or choose MP3 output"
        )


def _encode_chapter(pcm: Iterable[bytes], out: Path, bitrate: int, sample_rate: int) -> None:
    """16-bit mono PCM through ffmpeg's AAC encoder into an ADTS stream."""
    source = ["-f", "s16le", "-ar", str(sample_rate), "-ac", "1", "-i", "pipe:0"]
    cmd = [*_QUIET, *source, "-c:a", "aac", "-b:a", f"{bitrate}k", "-f", "adts", str(out)]
    _run(cmd, pcm, out)


def _mux(streams: list[Path], metadata: Path, out: Path) -> None:
    """The chapters' ADTS streams, joined, into an M4B with the chapters in ``metadata``."""
    cmd = [
        *_QUIET,
        "-f",
        "aac",
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
        "copy",
        "-brand",
        BRAND,
        # no +faststart: interleave_chapters puts moov before mdat in its one pass
        "-f",
        "ipod",
        str(out),  # the .m4b muxer, whatever the temporary name ends with
    ]
    _run(cmd, _read_all(streams), out)


def _read_all(paths: list[Path]) -> Iterator[bytes]:
    for path in paths:
        with path.open("rb") as stream:
            yield from iter(lambda: stream.read(1 << 20), b"")


def _adts_frames(path: Path) -> int:
    """The number of frames in an ADTS stream, by their headers' lengths."""
    data, pos, count = path.read_bytes(), 0, 0
    while pos + 7 <= len(data):
        if data[pos] != 0xFF or data[pos + 1] & 0xF0 != 0xF0:
            raise EngineError(f"{path}: the AAC stream is damaged: run the same command again")
        pos += ((data[pos + 3] & 3) << 11) | (data[pos + 4] << 3) | (data[pos + 5] >> 5)
        count += 1
    return count


class _Streams:
    """Each chapter's AAC stream: from the cache, or encoded into it (or beside ``path``)."""

    def __init__(self, path: Path, cache: Path | None, bitrate: int, sample_rate: int) -> None:
        self.path, self.bitrate, self.sample_rate = path, bitrate, sample_rate
        self.store = Sidecar(BlockCache(cache), AAC) if cache is not None else None
        self.made: list[Path] = []  # temporary streams, removed when the book is written
        self.fed = 0  # samples given to the encoders so far
        self.stop = threading.Event()

    def key(self, chapter: ChapterAudio, frames: int) -> str | None:
        if self.store is None or not chapter.key:
            return None
        return make_key("aac", chapter.key, frames, self.bitrate, tools.ffmpeg_version())

    def ready(self, chapter: ChapterAudio, frames: int) -> Path | None:
        key = self.key(chapter, frames)
        if key is not None and self.store is not None and self.store.has(key):
            return self.store.path(key)
        return None

    def encode(self, chapter: ChapterAudio, frames: int) -> Path:
        key = self.key(chapter, frames)
        if key is not None and self.store is not None:
            tmp = self.store.temporary(key)
        else:
            tmp = temp_file_beside(self.path, ".aac.part")
            self.made.append(tmp)
        samples = (frames - 1) * FRAME  # the first frame is the encoder's priming
        try:
            _encode_chapter(self._counted(chapter, samples), tmp, self.bitrate, self.sample_rate)
            if _adts_frames(tmp) != frames:
                raise EngineError(
                    "ffmpeg's AAC encoder framed a chapter unexpectedly: "
                    "run `narrate doctor`, or choose MP3 output"
                )
            if key is None or self.store is None:
                return tmp
            self.store.commit(tmp, key)
            return self.store.path(key)
        finally:
            if key is not None:
                tmp.unlink(missing_ok=True)

    def _counted(self, chapter: ChapterAudio, samples: int) -> Iterator[bytes]:
        for chunk in _fitted(chapter_played_pcm(chapter), samples, self.stop):
            self.fed += len(chunk) // 2
            yield chunk


def _all_streams(
    streams: _Streams,
    chapters: Sequence[ChapterAudio],
    counts: list[int],
    workers: int,
    progress: Progress | None,
) -> list[Path]:
    """Every chapter's stream, encoding the missing ones ``workers`` at a time."""
    rate = streams.sample_rate
    total = sum(counts) * FRAME / rate
    paths: list[Path | None] = [streams.ready(c, n) for c, n in zip(chapters, counts, strict=True)]
    cached = sum(n for p, n in zip(paths, counts, strict=True) if p is not None) * FRAME
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        pending: dict[Future[Path], int] = {
            pool.submit(streams.encode, chapters[i], counts[i]): i
            for i, p in enumerate(paths)
            if p is None
        }
        try:
            while pending:
                done, _ = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
                for future in done:
                    paths[pending.pop(future)] = future.result()
                if progress:
                    progress(min(total, (cached + streams.fed) / rate), total)
        except BaseException:
            streams.stop.set()  # the encoders stop at their next chunk
            for future in pending:
                future.cancel()
            raise
    if progress:
        progress(total, total)
    return [p for p in paths if p is not None]


def write_m4b(
    path: Path,
    chapters: Sequence[ChapterAudio],
    meta: TrackMeta,
    *,
    sample_rate: int,
    bitrate: int = MIN_BITRATE,
    cache: Path | None = None,
    workers: int = 1,
    progress: Progress | None = None,
) -> None:
    """Write the whole book as an AAC M4B audiobook with chapters and tags, atomically.

    Each chapter's AAC is kept in ``cache`` (narrate's cache folder) when given,
    and encoded again only when its audio changed. ``progress`` hears (seconds
    encoded, seconds in all) while the chapters are encoded.
    """
    path = Path(path)
    check_chapters(chapters)
    counts = frame_counts(chapters, sample_rate)
    tagged = replace(meta, chapters=marks(chapters, sample_rate))
    streams = _Streams(path, cache, bitrate, sample_rate)
    with terminate_as_interrupt():
        tmp = temp_file_beside(path, ".part")
        metadata = temp_file_beside(path, ".ffmeta.part")  # swept as any .part is
        try:
            parts = _all_streams(streams, chapters, counts, workers, progress)
            metadata.write_text(ffmetadata_chapters(tagged.chapters, tagged), encoding="utf-8")
            _mux(parts, metadata, tmp)
            # moov before mdat: players can start (and read chapters) before the file loads;
            # the room is for the tags, the cover above all, written in place by mutagen.
            interleave_chapters(tmp, counts, room=len(meta.cover or b"") + 16384)
            # mutagen writes the tags (cover, free-form atoms, media kind) ffmpeg cannot.
            tag_m4b(tmp, tagged)
            publish(tmp, path)
        finally:
            for leftover in itertools.chain([tmp, metadata], streams.made):
                with contextlib.suppress(OSError):
                    leftover.unlink(missing_ok=True)


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
        cache=options.cache,
        workers=options.workers,
        progress=options.progress,
    )
