"""Rendering: utterances -> encoded blocks in the cache, in worker processes.

Each worker process owns one pyttsx3 engine (espeak-ng is process-global) and
renders batches of utterances: synthesize, check, encode, store. Only keys and
sample counts travel back to the parent, never audio.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
import unicodedata
from collections.abc import Generator, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from narrate.errors import EngineError
from narrate.records import Voice
from narrate.render import loudness, mp3
from narrate.render.cache import BlockCache, make_key
from narrate.render.pcm import Sidecar
from narrate.tts import Engine, default_engine

# Characters that must never reach the engine as text: control and format
# characters (zero-width spaces, bidi marks) are dropped from what is spoken.
_DROP_CATEGORIES = {"Cc", "Cf", "Cs", "Co"}


class BlockError(EngineError):
    """The engine failed on one block; ``key`` lets the caller say which chapter it is in."""

    def __init__(self, message: str, key: str) -> None:
        super().__init__(message)
        self.key = key

    def __reduce__(self) -> tuple[type[BlockError], tuple[str, str]]:
        # Raised in a worker process, it is pickled back to the parent with its key.
        return BlockError, (str(self), self.key)


@dataclass(frozen=True, slots=True)
class Job:
    key: str
    text: str  # the spoken text: cleaned, lexicon applied
    voice: Voice


def spoken_text(text: str) -> str:
    """What the engine is given for a stretch of the book: one line, no control characters.

    The engine's own markup is made plain by ``Engine.escape`` (only the lexicon may use it).
    """
    cleaned = "".join(
        " " if ch in "\r\n\t" else ch
        for ch in text
        if ch in "\r\n\t" or unicodedata.category(ch) not in _DROP_CATEGORIES
    )
    return " ".join(cleaned.split())


def job_key(text: str, voice: Voice, settings: RenderSettings) -> str:
    """What a block's bytes depend on: the words, the voice, loudness and encoding."""
    return make_key(
        settings.engine_id,
        voice.engine,
        voice.voice_id,
        voice.rate,
        voice.pitch,
        voice.volume,
        settings.loudness,
        settings.pauses_ms,
        loudness.CEILING_DBFS,
        loudness.LIMITER_VERSION,
        text,
        settings.sample_rate,
        "s16le-mono",
        settings.bitrate,
        settings.quality,
    )


@dataclass(frozen=True, slots=True)
class RenderSettings:
    cache_root: Path
    engine_id: str
    bitrate: int
    quality: int
    timeout: float
    loudness: float  # target LUFS
    pauses_ms: tuple[int, int]  # (sentence, paragraph): the calibration reads as a book does
    sample_rate: int  # the engine's: every block and pause is encoded at it
    keep_pcm: bool = False  # keep each block's PCM too, for a format encoded from it (M4B)


def is_rendered(cache: BlockCache, key: str, settings: RenderSettings) -> bool:
    """Whether the cache holds all a run needs of a block: its MP3, and its PCM if kept."""
    return cache.has(key) and (not settings.keep_pcm or Sidecar(cache).has(key))


_worker: tuple[Engine, BlockCache, loudness.Calibration, RenderSettings] | None = None


def die_with_parent() -> None:
    """End this worker process when the process that started it ends, however it ends.

    A worker left behind by a parent killed outright (SIGKILL, SIGTERM) would go
    on rendering into the cache for minutes. On Linux the kernel sends it SIGKILL
    when its parent dies (PR_SET_PDEATHSIG); everywhere, a thread waits on the
    parent's sentinel (a pipe or handle that closes when the parent is gone).
    """
    parent = multiprocessing.parent_process()
    if parent is None:
        return
    if sys.platform.startswith("linux") and os.getppid() == parent.pid:
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if not parent.is_alive():  # gone before the watch began
        os._exit(1)

    def watch() -> None:
        parent.join()
        os._exit(1)

    threading.Thread(target=watch, name="narrate-parent-watch", daemon=True).start()


_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def init_pool_worker(settings: RenderSettings) -> None:
    """Process-pool initializer: a worker that dies with its parent, then init_worker."""
    die_with_parent()
    init_worker(settings)


def init_worker(settings: RenderSettings) -> None:
    """One engine, cache handle and calibration for this process."""
    global _worker
    engine = default_engine(timeout=settings.timeout)
    engine.start()  # a broken engine fails the worker here, before any batch
    calibration = loudness.Calibration(
        settings.cache_root, settings.engine_id, settings.loudness, settings.pauses_ms
    )
    _worker = (
        engine,
        BlockCache(settings.cache_root),
        calibration,
        settings,
    )


def current_settings() -> RenderSettings | None:
    """The settings this process was set up to render with (None: not set up yet)."""
    return _worker[3] if _worker is not None else None


def render_batch(jobs: list[Job]) -> list[str]:
    """Render the jobs missing from the cache into it; return every job's key."""
    assert _worker is not None, "init_worker must run first"
    synth, cache, calibration, settings = _worker
    for job in jobs:
        # another worker or run may have made it meanwhile
        if not is_rendered(cache, job.key, settings):
            # The engine always speaks at full volume; volume is part of the gain.
            plain = Voice(
                job.voice.engine, job.voice.voice_id, job.voice.rate, job.voice.pitch, 1.0
            )
            try:
                pcm = synth.synthesize(job.text, plain)
            except EngineError as exc:
                raise BlockError(str(exc), job.key) from exc
            gain = calibration.gain(job.voice, synth.synthesize)
            pcm = loudness.shape(pcm, gain)
            if settings.keep_pcm:  # first: a block without its PCM is rendered again
                Sidecar(cache).put(job.key, pcm.samples)
            cache.put(job.key, mp3.encode(pcm, settings.bitrate, settings.quality).tagged())
    return [job.key for job in jobs]


# --- the parent's side: batches across worker processes ---------------------

BATCH = 48  # utterances per task: big enough to amortise IPC, small for even load
HEARTBEAT = 5.0  # seconds between the parent's reports while batches are rendering


def render_all(jobs: list[Job], settings: RenderSettings, workers: int) -> Iterator[list[str]]:
    """Yield the keys of each finished batch, rendering in worker processes.

    While a batch is still being rendered, an empty list comes every ``HEARTBEAT``
    seconds, so the caller can show progress during a long chapter."""
    batches = [jobs[i : i + BATCH] for i in range(0, len(jobs), BATCH)]
    if not batches:
        return
    if workers <= 1 or len(batches) == 1:
        init_worker(settings)
        for job in jobs:  # in this process there is no IPC to amortise: report each line
            yield render_batch([job])
        return
    left = yield from _render_pool(batches, settings, workers)
    if left:
        # A worker died or hung: retry what it left unfinished once.
        left = yield from _render_pool(left, settings, workers)
    if left:
        # It happened again: go through those lines one at a time to find the culprit.
        yield from _render_singly([job for batch in left for job in batch], settings)


def _render_singly(jobs: list[Job], settings: RenderSettings) -> Iterator[list[str]]:
    """Render jobs one at a time in one worker, so the line that kills it is known."""
    pool = ProcessPoolExecutor(max_workers=1, initializer=init_pool_worker, initargs=(settings,))
    try:
        for job in jobs:
            try:
                keys = pool.submit(render_batch, [job]).result(timeout=settings.timeout * 2 + 60)
            except (BrokenProcessPool, TimeoutError):
                text = " ".join(job.text.split())[:80]
                raise BlockError(
                    f"the speech engine stopped (its process died or hung) on: "
                    f"{text!r}; run `narrate doctor`, or leave that text out",
                    job.key,
                ) from None
            yield keys
    finally:
        for process in list(getattr(pool, "_processes", {}).values()):
            process.kill()
        pool.shutdown(wait=False, cancel_futures=True)


def _render_pool(
    batches: list[list[Job]], settings: RenderSettings, workers: int
) -> Generator[list[str], None, list[list[Job]]]:
    """Render batches in a pool; return the batches a dead or hung worker left unfinished."""
    # The engine bounds each synthesis; this bounds a batch whose worker stopped answering.
    bound = settings.timeout * 2 + 60
    pool = ProcessPoolExecutor(
        max_workers=workers, initializer=init_pool_worker, initargs=(settings,)
    )
    futures = {pool.submit(render_batch, batch): batch for batch in batches}
    try:
        last = time.monotonic()  # when a batch last finished
        while futures:
            finished, _ = wait(futures, timeout=HEARTBEAT, return_when=FIRST_COMPLETED)
            if not finished and time.monotonic() - last < bound:
                yield []  # still working: a heartbeat
                continue
            if not finished:  # hung: stop the workers, hand back what is left
                for process in list(getattr(pool, "_processes", {}).values()):
                    process.kill()
                return list(futures.values())
            last = time.monotonic()
            for future in finished:
                batch = futures.pop(future)
                try:
                    keys = future.result()
                except BrokenProcessPool:
                    return [batch, *futures.values()]
                yield keys
        return []
    finally:
        for future in futures:
            future.cancel()
        pool.shutdown(wait=False, cancel_futures=True)
