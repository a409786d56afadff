"""Rendering a book's pending chapters: the blocks they lack, in worker processes.

Every chapter whose files are out of date lists its blocks; those missing from
the cache are rendered once each (a line shared by chapters is one job), and a
chapter is handed back for writing the moment its last block is in, so output
files appear while the rest of the book is still rendering.

Every block is checked against its checksum on the way (render/cache.py), and
every stored gain of a voice still to be rendered: what is damaged is dropped,
rendered again, and reported in one line.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable

from narrate.errors import EngineError
from narrate.render import loudness
from narrate.render.assemble import ChapterPlan
from narrate.render.cache import BlockCache
from narrate.render.workers import BlockError, Job, RenderSettings, render_all

log = logging.getLogger("narrate")


def render_pending(
    plans: list[ChapterPlan],
    todo: list[int],
    cache: BlockCache,
    settings: RenderSettings,
    workers: int,
    finish: Callable[[int], None],
    progress: Callable[[int, int], None] | None,
    also: Iterable[int] = (),
) -> None:
    """Render what the pending chapters (``todo``) lack; finish each as soon as it is whole.

    ``finish(i)`` is called once per pending chapter, in the order their last
    blocks arrive (at once for a chapter the cache already holds); ``progress``
    gets (blocks done, blocks to render). The chapters in ``also`` get their
    missing blocks too, but no ``finish`` (a whole-book file reads them). An
    engine failure names the chapter.
    """
    pending: dict[str, Job] = {}
    waiting: dict[int, set[str]] = defaultdict(set)
    checked: set[str] = set()
    for i in dict.fromkeys([*todo, *also]):
        for job in plans[i].jobs():
            if job.key in pending or (job.key not in checked and not cache.has(job.key)):
                pending[job.key] = job
                waiting[i].add(job.key)
            checked.add(job.key)
    _check_gains(pending.values(), cache, settings)
    for i in todo:
        if not waiting[i]:
            finish(i)
    jobs = list(pending.values())
    done = 0
    if progress:
        progress(0, len(jobs))
    try:
        for keys in render_all(jobs, settings, workers):
            done += len(keys)
            if progress:
                progress(done, len(jobs))
            for i in todo:
                if waiting[i]:
                    waiting[i].difference_update(keys)
                    if not waiting[i]:
                        finish(i)
    except BlockError as exc:
        titles = [plans[i].chapter.title for i in waiting if exc.key in waiting[i]]
        if titles:
            raise EngineError(f"{titles[0]}: {exc}") from exc
        raise


def _check_gains(jobs: Iterable[Job], cache: BlockCache, settings: RenderSettings) -> None:
    """Drop damaged stored gains of the voices to render; report all damage found in one line."""
    calibration = loudness.Calibration(
        settings.cache_root, settings.engine_id, settings.loudness, settings.pauses_ms
    )
    for voice in {job.voice for job in jobs}:
        calibration.stored(voice)
    damaged = len(cache.damaged) + len(calibration.damaged)
    if damaged:
        log.warning(
            "%d damaged %s in the cache %s: dropped, rendered again",
            damaged,
            "entry" if damaged == 1 else "entries",
            cache.root,
        )
