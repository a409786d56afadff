"""The pipeline: ingest -> segment -> cast -> render -> assemble -> tag.

`prepare` runs the text stages (cheap, deterministic); `generate` renders and
writes a book's files. The CLI calls these and nothing deeper.
"""

from __future__ import annotations

import json
import logging
import os
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from narrate import __version__, mp3
from narrate.assemble import ChapterPlan, SilenceBank, Timed, plan_chapter, write_chapter
from narrate.cache import BlockCache, ScriptCache, code_fingerprint, default_cache_dir, make_key
from narrate.cast import build_cast
from narrate.config import VoiceConfig, characters_from_config, load_config
from narrate.ingest import read_book
from narrate.lexicon import apply_lexicon
from narrate.loudness import DEFAULT_TARGET, Calibration
from narrate.outdir import locked, prepare, publish, safe_name, slug, write_atomic
from narrate.records import Book, Cast, Character, Script, Segment, TrackMeta, Voice
from narrate.render import Job, RenderSettings, init_worker, render_batch
from narrate.scriptfile import dumps_json
from narrate.segment import segment
from narrate.tag import tag_mp3, write_playlist
from narrate.tts import Synthesizer, engine_info, list_voices
from narrate.tts.engine import engine_name

log = logging.getLogger("narrate")
BATCH = 48  # utterances per task: big enough to amortise IPC, small for even load


@dataclass(frozen=True)
class Prepared:
    book: Book
    config: VoiceConfig
    script: Script
    cast: Cast


def prepare_book(book_path: Path, voices: Path | None = None, *, title: str | None = None,
                 author: str | None = None, check_voices: bool = True,
                 cache_dir: Path | None = None, include_front_matter: bool = False,
                 heading_level: int | None = None) -> Prepared:
    """Read, segment and cast a book; every config problem is raised before any audio."""
    available = list_voices() if check_voices else []
    config = load_config(voices, available if check_voices else None)
    book = read_book(book_path, title=title or config.book.title,
                     author=author or config.book.author,
                     include_front_matter=include_front_matter, heading_level=heading_level)
    cast_hint = characters_from_config(config) or None
    script = _segment_cached(book, cast_hint, cache_dir or default_cache_dir())
    cast = (build_cast(script, config, available, book.language, engine=engine_name())
            if check_voices else None)
    return Prepared(book, config, script, cast)  # type: ignore[arg-type]


def _segment_cached(book: Book, cast_hint: list[Character] | None, root: Path) -> Script:
    """segment(), remembered: a re-run of an unchanged book skips the text work."""
    store = ScriptCache(root)
    key = make_key("script", code_fingerprint(), book.source, book.title, book.author,
                   [(c.index, c.title, c.paragraphs, sorted(c.scene_breaks)) for c in book.chapters],
                   cast_hint)
    saved = store.get(key)
    if saved is not None:
        return Script(
            book,
            tuple(Character(c[0], tuple(c[1]), c[2]) for c in saved["characters"]),
            tuple(Segment(*s) for s in saved["segments"]),
        )
    script = segment(book, cast_hint)
    try:
        store.put(key, {
            "characters": [[c.name, list(c.aliases), c.gender] for c in script.characters],
            "segments": [[s.chapter, s.paragraph, s.kind, s.speaker, s.text, s.start, s.end,
                          s.confidence] for s in script.segments],
        })
    except OSError as exc:  # a read-only cache only costs time
        log.debug("could not cache the script: %s", exc)
    return script


@dataclass
class Options:
    out: Path
    bitrate: int = 64
    quality: int = mp3.DEFAULT_QUALITY
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    id3v23: bool = False
    cache_dir: Path | None = None
    spoken_titles: bool = True
    timeout: float = 120.0
    loudness: float = DEFAULT_TARGET


@dataclass(frozen=True)
class Written:
    folder: Path
    files: list[Path]


Progress = Callable[[int, int], None]  # (utterances done, total)


def _engine_id() -> str:
    info = engine_info()
    return f"{info.get('engine')}-{info.get('version', '')}"


def generate(prep: Prepared, options: Options, progress: Progress | None = None,
             on_chapter: Callable[[Path], None] | None = None) -> Written:
    book, config, script, cast = prep.book, prep.config, prep.script, prep.cast
    folder = options.out / slug(book.title)
    prepare(folder)
    cache = BlockCache(options.cache_dir or default_cache_dir())
    engine_id = _engine_id()

    def speak(text: str) -> str:
        return apply_lexicon(text, config.lexicon)

    calibration = Calibration(cache.root, engine_id, options.loudness,
                              (config.pauses.sentence, config.pauses.paragraph))
    synthesizer: Synthesizer | None = None

    def gains(voice: Voice) -> float:
        nonlocal synthesizer
        if synthesizer is None:
            synthesizer = Synthesizer(timeout=options.timeout)
        return calibration.gain(voice, synthesizer.synthesize)

    plans = [
        plan_chapter(script, chapter, cast, config.pauses, speak, gains, engine_id=engine_id,
                     bitrate=options.bitrate, quality=options.quality,
                     spoken_title=options.spoken_titles)
        for chapter in book.chapters
    ]
    calibration.save()
    if synthesizer is not None:
        synthesizer.close()
    total = len(plans)
    width = max(2, len(str(total)))
    names = [f"{p.chapter.index:0{width}d} - {safe_name(p.chapter.title)}.mp3" for p in plans]
    metas = [_track_meta(book, config, p, n + 1, total) for n, p in enumerate(plans)]

    with locked(folder):
        manifest_path = folder / ".narrate.json"
        manifest = _read_manifest(manifest_path)
        chapter_keys = [p.key((m, options.id3v23)) for p, m in zip(plans, metas, strict=True)]
        todo = [i for i, key in enumerate(chapter_keys)
                if manifest.get(names[i]) != key or not (folder / names[i]).exists()]
        durations: dict[int, float] = {}
        for i in set(range(total)) - set(todo):
            durations[i] = float(manifest.get(f"{names[i]}#duration", 0.0))

        # Which blocks each pending chapter still waits for.
        pending: dict[str, Job] = {}
        waiting: dict[int, set[str]] = defaultdict(set)
        for i in todo:
            for job in plans[i].jobs():
                if job.key in pending or not cache.has(job.key):
                    pending[job.key] = job
                    waiting[i].add(job.key)
        silence = SilenceBank(options.bitrate)

        def finish(i: int) -> None:
            target = folder / names[i]
            tmp, timed, duration = write_chapter(plans[i], cache, silence, target)
            try:
                tag_mp3(tmp, metas[i], id3v23=options.id3v23)
                publish(tmp, target)
            finally:
                tmp.unlink(missing_ok=True)
            durations[i] = duration
            manifest[names[i]] = chapter_keys[i]
            manifest[f"{names[i]}#duration"] = round(duration, 3)
            write_atomic(manifest_path, json.dumps(manifest, indent=1))
            _ = timed  # transcripts use these (see the formats work)
            if on_chapter:
                on_chapter(target)

        ready = [i for i in todo if not waiting[i]]
        for i in ready:
            finish(i)
        settings = RenderSettings(cache.root, options.bitrate, options.quality, options.timeout)
        jobs = list(pending.values())
        done = 0
        if progress:
            progress(0, len(jobs))
        for keys in _render(jobs, settings, options.jobs):
            done += len(keys)
            if progress:
                progress(done, len(jobs))
            for i in todo:
                if waiting[i]:
                    waiting[i].difference_update(keys)
                    if not waiting[i]:
                        finish(i)

        _remove_stale(folder, manifest, set(names), manifest_path)
        playlist = folder / f"{slug(book.title)}.m3u8"
        write_playlist(playlist, [(names[i], durations.get(i, 0.0), plans[i].chapter.title)
                                  for i in range(total)])
        script_path = folder / "script.json"
        write_atomic(script_path, dumps_json(script))
    files = [folder / n for n in names] + [playlist, script_path]
    return Written(folder, files)


def _render(jobs: list[Job], settings: RenderSettings, workers: int):  # noqa: ANN202
    """Yield the keys of each finished batch, rendering in worker processes."""
    batches = [jobs[i : i + BATCH] for i in range(0, len(jobs), BATCH)]
    if not batches:
        return
    if workers <= 1 or len(batches) == 1:
        init_worker(settings)
        for batch in batches:
            yield [key for key, _ in render_batch(batch)]
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=init_worker,
                             initargs=(settings,)) as pool:
        futures = {pool.submit(render_batch, batch) for batch in batches}
        try:
            while futures:
                finished, futures = wait(futures, return_when=FIRST_COMPLETED)
                for future in finished:
                    yield [key for key, _ in future.result()]
        except BaseException:
            for future in futures:
                future.cancel()
            raise


def _track_meta(book: Book, config: VoiceConfig, plan: ChapterPlan, track: int,
                total: int) -> TrackMeta:
    meta = book.metadata
    return TrackMeta(
        title=plan.chapter.title,
        album=book.title,
        artist=book.author,
        track=track,
        total=total,
        language=book.language,
        narrator=config.book.narrator or "narrate",
        year=config.book.year or meta.get("year"),
        series=config.book.series,
        series_index=config.book.series_index,
        publisher=meta.get("publisher"),
        isbn=meta.get("isbn"),
        description=meta.get("description"),
        comment=f"Narrated by narrate {__version__}",
    )


def _read_manifest(path: Path) -> dict[str, object]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _remove_stale(folder: Path, manifest: dict[str, object], names: set[str],
                  manifest_path: Path) -> None:
    """Chapter files an earlier run of this book wrote that the book no longer has."""
    stale = [k for k in manifest if "#" not in k and k not in names]
    for name in stale:
        (folder / name).unlink(missing_ok=True)
        manifest.pop(name, None)
        manifest.pop(f"{name}#duration", None)
    if stale:
        write_atomic(manifest_path, json.dumps(manifest, indent=1))


__all__ = ["Options", "Prepared", "Timed", "generate", "prepare_book"]
