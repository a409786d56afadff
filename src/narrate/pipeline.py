"""The pipeline: ingest -> segment -> cast -> render -> assemble -> tag.

`prepare` runs the text stages (cheap, deterministic); `generate` renders and
writes a book's files. The CLI calls these and nothing deeper.
"""

from __future__ import annotations

import functools
import logging
import os
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path

from narrate import __version__, mp3
from narrate.assemble import (
    ChapterPlan,
    SilenceBank,
    Timed,
    chapter_chunks,
    plan_chapter,
    timeline,
    write_chapter,
)
from narrate.cache import BlockCache, ScriptCache, code_fingerprint, default_cache_dir, make_key
from narrate.cast import build_cast
from narrate.config import VoiceConfig, characters_from_config, load_config
from narrate.errors import EngineError, InputError
from narrate.formats import ChapterAudio, write_m4b, write_single_mp3
from narrate.ingest import read_book, read_cover
from narrate.lexicon import apply_lexicon
from narrate.loudness import DEFAULT_TARGET, Calibration
from narrate.outdir import Manifest, locked, prepare, publish, safe_name, slug, write_atomic
from narrate.records import Book, Cast, Character, Script, Segment, TrackMeta, Voice
from narrate.render import Job, RenderSettings, init_worker, render_batch
from narrate.scriptfile import apply_corrections, dumps_json, load_corrections
from narrate.segment import segment
from narrate.tag import tag_mp3, write_playlist
from narrate.transcripts import Cue, write_srt, write_vtt
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
    path: Path | None = None


def prepare_book(book_path: Path, voices: Path | None = None, *, title: str | None = None,
                 author: str | None = None, check_voices: bool = True,
                 cache_dir: Path | None = None, include_front_matter: bool = False,
                 heading_level: int | None = None, script_file: Path | None = None) -> Prepared:
    """Read, segment and cast a book; every config problem is raised before any audio."""
    available = list_voices() if check_voices else []
    config = load_config(voices, available if check_voices else None)
    book = read_book(book_path, title=title or config.book.title,
                     author=author or config.book.author,
                     include_front_matter=include_front_matter, heading_level=heading_level)
    cast_hint = characters_from_config(config) or None
    script = _segment_cached(book, cast_hint, cache_dir or default_cache_dir())
    if script_file is not None:
        script = apply_corrections(script, load_corrections(script_file))
    cast = (build_cast(script, config, available, book.language, engine=engine_name())
            if check_voices else None)
    return Prepared(book, config, script, cast, book_path)  # type: ignore[arg-type]


def _with_discovered(book: Book, listed: list[Character] | None) -> list[Character] | None:
    """The user's characters plus those the text shows that the file does not list.

    A voices.yaml usually names the characters whose voices the user cares
    about; the others still speak, so they are discovered as without a file.
    A listed character without a gender takes the one the text shows.
    """
    if not listed:
        return listed
    found = segment(book, None).characters
    claimed = {name.casefold(): n for n, c in enumerate(listed) for name in (c.name, *c.aliases)}
    merged = list(listed)
    for character in found:
        names = [name.casefold() for name in (character.name, *character.aliases)]
        hits = {claimed[name] for name in names if name in claimed}
        if not hits:
            merged.append(character)
        for n in hits:
            if merged[n].gender == "unknown" and character.gender != "unknown":
                merged[n] = replace(merged[n], gender=character.gender)
    return merged


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
    script = segment(book, _with_discovered(book, cast_hint))
    try:
        store.put(key, {
            "characters": [[c.name, list(c.aliases), c.gender] for c in script.characters],
            "segments": [[s.chapter, s.paragraph, s.kind, s.speaker, s.text, s.start, s.end,
                          s.confidence] for s in script.segments],
        })
    except OSError as exc:  # a read-only cache only costs time
        log.debug("could not cache the script: %s", exc)
    return script


FORMATS = ("mp3", "mp3-single", "m4b")


@dataclass
class Options:
    out: Path
    bitrate: int = 64
    quality: int = mp3.DEFAULT_QUALITY
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    id3v23: bool = False
    cache_dir: Path | None = None
    spoken_titles: bool = True
    credits: bool = True
    transcripts: bool = True
    formats: tuple[str, ...] = ("mp3",)
    cover: Path | None = None
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


def _credits(book: Book, config: VoiceConfig) -> tuple[str, str]:
    by = f", by {book.author}" if book.author else ""
    narrator = config.book.narrator or "narrate"
    return (f"{book.title}{by}. Narrated by {narrator}.",
            f"The end. You have been listening to {book.title}{by}.")


def _plans(prep: Prepared, options: Options, cache: BlockCache) -> list[ChapterPlan]:
    book, config, script, cast = prep.book, prep.config, prep.script, prep.cast
    engine_id = _engine_id()
    calibration = Calibration(cache.root, engine_id, options.loudness,
                              (config.pauses.sentence, config.pauses.paragraph))
    synthesizer: Synthesizer | None = None

    def gains(voice: Voice) -> float:
        nonlocal synthesizer
        if synthesizer is None:
            synthesizer = Synthesizer(timeout=options.timeout)
        return calibration.gain(voice, synthesizer.synthesize)

    opening, closing = _credits(book, config) if options.credits else (None, None)
    last = len(book.chapters) - 1
    try:
        return [
            plan_chapter(script, chapter, cast, config.pauses,
                         lambda text: apply_lexicon(text, config.lexicon), gains,
                         engine_id=engine_id, bitrate=options.bitrate, quality=options.quality,
                         # A book without headings is one chapter named after the
                         # book, whose title the opening credits already say.
                         spoken_title=options.spoken_titles and not (
                             opening and chapter.title == book.title),
                         opening=opening if n == 0 else None,
                         closing=closing if n == last else None)
            for n, chapter in enumerate(book.chapters)
        ]
    finally:
        calibration.save()
        if synthesizer is not None:
            synthesizer.close()


def generate(prep: Prepared, options: Options, progress: Progress | None = None,
             on_chapter: Callable[[Path], None] | None = None) -> Written:
    """Render the book and write every requested output into OUT/<book-slug>/."""
    book, config, script = prep.book, prep.config, prep.script
    folder = options.out / slug(book.title)
    cover = find_cover(options.cover, prep.path, config)
    prepare(folder)
    cache = BlockCache(options.cache_dir or default_cache_dir())
    cache.prepare()
    plans = _plans(prep, options, cache)
    total = len(plans)
    width = max(2, len(str(total)))
    stems = [f"{p.chapter.index:0{width}d} - {safe_name(p.chapter.title)}" for p in plans]
    metas = [_track_meta(book, config, p.chapter.title, n + 1, total, cover)
             for n, p in enumerate(plans)]
    silence = SilenceBank(options.bitrate)
    chapter_mp3 = "mp3" in options.formats
    written: list[Path] = []

    with locked(folder):
        manifest = Manifest(folder / ".narrate.json")
        keys = [p.key((m, options.id3v23, chapter_mp3, options.transcripts))
                for p, m in zip(plans, metas, strict=True)]

        def outputs(i: int) -> list[Path]:
            names = [f"{stems[i]}.mp3"] if chapter_mp3 else []
            if options.transcripts:
                names += [f"{stems[i]}.vtt", f"{stems[i]}.srt"]
            return [folder / name for name in names]

        todo = [i for i in range(total)
                if manifest.key(stems[i]) != keys[i] or not all(p.exists() for p in outputs(i))]

        def finish(i: int) -> None:
            _, duration = _write_chapter(plans[i], metas[i], cache, silence, folder,
                                             stems[i], options, chapter_mp3)
            manifest.record(stems[i], keys[i], duration)
            if on_chapter:
                on_chapter(outputs(i)[0] if outputs(i) else folder)

        _render_streaming(plans, todo, cache, options, finish, progress)
        for i in range(total):
            written += outputs(i)
        chapters = [ChapterAudio(p.chapter.title, manifest.duration(stems[i]),
                                 functools.partial(_chunk_data, p, cache, silence))
                    for i, p in enumerate(plans)]
        written += _write_whole_book(folder, book, config, chapters, options, manifest, cover)
        manifest.forget_except(set(stems) | {"book.mp3", "book.m4b"}, folder)
        playlist = folder / f"{slug(book.title)}.m3u8"
        if chapter_mp3:
            write_playlist(playlist, [(f"{stems[i]}.mp3", manifest.duration(stems[i]),
                                       plans[i].chapter.title) for i in range(total)])
        else:
            whole = next(p for p in written if p.suffix in (".mp3", ".m4b"))
            write_playlist(playlist, [(whole.name, sum(c.duration for c in chapters),
                                       book.title)])
        script_path = folder / "script.json"
        write_atomic(script_path, dumps_json(script))
        manifest.save()
    return Written(folder, [*written, playlist, script_path])


def _chunk_data(plan: ChapterPlan, cache: BlockCache, silence: SilenceBank) -> Iterator[bytes]:
    for data, _, _ in chapter_chunks(plan, cache, silence):
        yield data


def _write_chapter(plan: ChapterPlan, meta: TrackMeta, cache: BlockCache, silence: SilenceBank,
                   folder: Path, stem: str, options: Options,
                   chapter_mp3: bool) -> tuple[list[Timed], float]:
    if chapter_mp3:
        target = folder / f"{stem}.mp3"
        tmp, timed, duration = write_chapter(plan, cache, silence, target)
        try:
            tag_mp3(tmp, meta, id3v23=options.id3v23)
            publish(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
    else:
        timed, duration = timeline(chapter_chunks(plan, cache, silence))
    if options.transcripts:
        cues = cues_for(timed)
        write_vtt(folder / f"{stem}.vtt", cues)
        write_srt(folder / f"{stem}.srt", cues)
    return timed, duration


def cues_for(timed: list[Timed]) -> list[Cue]:
    """One cue per segment (a spoken title or credit is a cue of its own)."""
    cues: list[Cue] = []
    group: list[Timed] = []

    def flush() -> None:
        if group:
            text = " ".join(" ".join(t.utterance.text.split()) for t in group)
            cues.append(Cue(group[0].start, group[-1].end, group[0].utterance.speaker, text))
            group.clear()

    for t in timed:
        if group and (t.utterance.segment is None
                      or t.utterance.segment != group[-1].utterance.segment):
            flush()
        group.append(t)
    flush()
    return cues


def _write_whole_book(folder: Path, book: Book, config: VoiceConfig,
                      chapters: list[ChapterAudio], options: Options, manifest: Manifest,
                      cover: tuple[bytes, str] | None) -> list[Path]:
    meta = replace(_track_meta(book, config, book.title, 1, 1, cover))
    key = make_key("book", [(c.title, c.duration) for c in chapters], meta, options.id3v23,
                   options.bitrate, manifest.keys())
    written = []
    for fmt, name, write in (
        ("mp3-single", f"{slug(book.title)}.mp3",
         lambda path: write_single_mp3(path, chapters, meta, id3v23=options.id3v23)),
        ("m4b", f"{slug(book.title)}.m4b",
         # AAC at 64 kbps overshoots the MP3's peaks by ~2 dB; from 96 kbps it stays under -3 dBTP.
         lambda path: write_m4b(path, chapters, meta, bitrate=max(options.bitrate, 96))),
    ):
        if fmt not in options.formats:
            continue
        path = folder / name
        label = f"book.{path.suffix[1:]}"
        if manifest.key(label) != key or not path.exists():
            write(path)
            manifest.record(label, key, sum(c.duration for c in chapters))
        written.append(path)
    return written


def _render_streaming(plans: list[ChapterPlan], todo: list[int], cache: BlockCache,
                      options: Options, finish: Callable[[int], None],
                      progress: Progress | None) -> None:
    """Render what the pending chapters lack; finish each chapter as soon as it is whole."""
    pending: dict[str, Job] = {}
    waiting: dict[int, set[str]] = defaultdict(set)
    for i in todo:
        for job in plans[i].jobs():
            if job.key in pending or not cache.has(job.key):
                pending[job.key] = job
                waiting[i].add(job.key)
    for i in todo:
        if not waiting[i]:
            finish(i)
    jobs = list(pending.values())
    settings = RenderSettings(cache.root, options.bitrate, options.quality, options.timeout)
    done = 0
    if progress:
        progress(0, len(jobs))
    try:
        for keys in _render(jobs, settings, options.jobs):
            done += len(keys)
            if progress:
                progress(done, len(jobs))
            for i in todo:
                if waiting[i]:
                    waiting[i].difference_update(keys)
                    if not waiting[i]:
                        finish(i)
    except EngineError as exc:
        key = getattr(exc, "key", None)
        titles = [plans[i].chapter.title for i in todo if key in waiting[i]]
        if titles:
            raise EngineError(f"{titles[0]}: {exc}") from exc
        raise


def _render(jobs: list[Job], settings: RenderSettings, workers: int) -> Iterator[list[str]]:
    """Yield the keys of each finished batch, rendering in worker processes."""
    batches = [jobs[i : i + BATCH] for i in range(0, len(jobs), BATCH)]
    if not batches:
        return
    if workers <= 1 or len(batches) == 1:
        init_worker(settings)
        for batch in batches:
            yield [key for key, _ in render_batch(batch)]
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
    pool = ProcessPoolExecutor(max_workers=1, initializer=init_worker, initargs=(settings,))
    try:
        for job in jobs:
            try:
                keys = [key for key, _ in pool.submit(render_batch, [job]).result(
                    timeout=settings.timeout * 2 + 60)]
            except (BrokenProcessPool, TimeoutError):
                text = " ".join(job.text.split())[:80]
                error = EngineError(f"the speech engine stopped (its process died or hung) on: "
                                    f"{text!r}; run `narrate doctor`, or leave that text out")
                error.key = job.key  # type: ignore[attr-defined] - the caller names the chapter
                raise error from None
            yield keys
    finally:
        for process in list(getattr(pool, "_processes", {}).values()):
            process.kill()
        pool.shutdown(wait=False, cancel_futures=True)


def _render_pool(batches: list[list[Job]], settings: RenderSettings,
                 workers: int) -> Iterator[list[str]]:
    """Render batches in a pool; return the batches a dead or hung worker left unfinished."""
    # The engine bounds each synthesis; this bounds a batch whose worker stopped answering.
    bound = settings.timeout * 2 + 60
    pool = ProcessPoolExecutor(max_workers=workers, initializer=init_worker,
                               initargs=(settings,))
    futures = {pool.submit(render_batch, batch): batch for batch in batches}
    try:
        while futures:
            finished, _ = wait(futures, timeout=bound, return_when=FIRST_COMPLETED)
            if not finished:  # hung: stop the workers, hand back what is left
                for process in list(getattr(pool, "_processes", {}).values()):
                    process.kill()
                return list(futures.values())
            for future in finished:
                batch = futures.pop(future)
                try:
                    keys = [key for key, _ in future.result()]
                except BrokenProcessPool:
                    return [batch, *futures.values()]
                yield keys
        return []
    finally:
        for future in futures:
            future.cancel()
        pool.shutdown(wait=False, cancel_futures=True)


def _track_meta(book: Book, config: VoiceConfig, title: str, track: int, total: int,
                cover: tuple[bytes, str] | None) -> TrackMeta:
    meta = book.metadata
    return TrackMeta(
        title=title,
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
        cover=cover[0] if cover else None,
        cover_mime=cover[1] if cover else None,
    )


def find_cover(given: Path | None, book_path: Path | None,
               config: VoiceConfig) -> tuple[bytes, str] | None:
    """The cover image: --cover, else the book's own, else voices.yaml's, else one beside it."""
    if given is not None:
        return _image(given)
    if book_path is not None:
        own = read_cover(book_path)
        if own:
            return own
    if config.book.cover is not None:
        return _image(config.book.cover)
    if book_path is not None:
        for name in (f"{book_path.stem}.jpg", f"{book_path.stem}.png", "cover.jpg", "cover.png"):
            beside = book_path.parent / name
            if beside.is_file():
                return _image(beside)
    return None


def _image(path: Path) -> tuple[bytes, str]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the cover {path} ({exc.strerror}): check the path") from exc
    if data.startswith(b"\x89PNG"):
        return data, "image/png"
    if data.startswith(b"\xff\xd8"):
        return data, "image/jpeg"
    raise InputError(f"the cover {path} is not a PNG or JPEG image: convert it first")


__all__ = ["FORMATS", "Options", "Prepared", "generate", "prepare_book"]
