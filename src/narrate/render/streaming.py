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
from collections.abc import Callable, Iterable, Iterator

from narrate.errors import EngineError
from narrate.render import loudness
from narrate.render.assemble import ChapterPlan
from narrate.render.cache import BlockCache
from narrate.render.workers import BlockError, Job, RenderSettings, is_rendered, render_all

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
    render: Callable[[list[Job], RenderSettings, int], Iterator[list[str]]] = render_all,
) -> None:
    """Render what the pending chapters (``todo``) lack; finish each as soon as it is whole.

    ``finish(i)`` is called once per pending chapter, in the order their last
    blocks arrive (at once for a chapter the cache already holds); ``progress``
    gets (lines done, lines to render), a line being one of the script's (or a
    spoken title or credit), as `narrate cast` counts them, done when its last
    block is in. The chapters in ``also`` get their missing blocks too, but no
    ``finish`` (a whole-book file reads them). An engine failure names the chapter.
    ``render`` is the executor's (render/executors/): this machine's workers by default.
    """
    pending: dict[str, Job] = {}
    waiting: dict[int, set[str]] = defaultdict(set)
    lines: dict[tuple[int, int], set[str]] = defaultdict(set)  # (chapter, line) -> blocks
    checked: set[str] = set()
    for i in dict.fromkeys([*todo, *also]):
        for n, u in enumerate(plans[i].utterances):
            if u.key and (
                u.key in pending
                or (u.key not in checked and not is_rendered(cache, u.key, settings))
            ):
                pending[u.key] = Job(u.key, u.spoken, u.voice)
                waiting[i].add(u.key)
                lines[(i, u.segment if u.segment is not None else -1 - n)].add(u.key)
            checked.add(u.key)
    _check_gains(pending.values(), cache, settings)
    for i in todo:
        if not waiting[i]:
            finish(i)
    of_block: dict[str, list[set[str]]] = defaultdict(list)
    for blocks in lines.values():
        for key in blocks:
            of_block[key].append(blocks)
    jobs = list(pending.values())
    done = 0
    if progress:
        progress(0, len(lines))
    try:
        for keys in render(jobs, settings, workers):
            for key in keys:
                for blocks in of_block[key]:
                    blocks.discard(key)
                    done += not blocks
            if progress:
                progress(done, len(lines))
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
