"""The pipeline: ingest -> segment -> cast (prepare.py) -> render -> assemble -> tag.

`generate` renders a prepared book and writes its files; the CLI calls
`prepare_book` and `generate` and nothing deeper.
"""

from __future__ import annotations

import functools
import logging
import os
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from narrate import mp3
from narrate.assemble import (
    ChapterPlan,
    SilenceBank,
    Timed,
    chapter_chunks,
    plan_chapter,
    timeline,
    write_chapter,
)
from narrate.cache import BlockCache, default_cache_dir, make_key
from narrate.config import VoiceConfig
from narrate.errors import EngineError
from narrate.formats import ChapterAudio, write_m4b, write_single_mp3
from narrate.lexicon import apply_lexicon
from narrate.loudness import DEFAULT_TARGET
from narrate.meta import find_cover, track_meta
from narrate.outdir import (
    Manifest,
    locked,
    prepare,
    publish,
    safe_name,
    slug,
    sweep_partials,
    write_atomic,
)
from narrate.prepare import Prepared, prepare_book
from narrate.records import Book, TrackMeta
from narrate.render import Job, RenderSettings, render_all
from narrate.scriptfile import dumps_json
from narrate.tag import tag_mp3, write_playlist
from narrate.transcripts import Cue, write_srt, write_vtt
from narrate.tts import engine_info

log = logging.getLogger("narrate")
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


def _settings(prep: Prepared, options: Options, cache: BlockCache) -> RenderSettings:
    pauses = prep.config.pauses
    return RenderSettings(cache.root, _engine_id(), options.bitrate, options.quality,
                          options.timeout, options.loudness, (pauses.sentence, pauses.paragraph))


def _plans(prep: Prepared, options: Options, settings: RenderSettings) -> list[ChapterPlan]:
    book, config, script, cast = prep.book, prep.config, prep.script, prep.cast
    opening, closing = _credits(book, config) if options.credits else (None, None)
    last = len(book.chapters) - 1
    return [
        plan_chapter(script, chapter, cast, config.pauses,
                     lambda text: apply_lexicon(text, config.lexicon), settings,
                     # A book without headings is one chapter named after the
                     # book, whose title the opening credits already say.
                     spoken_title=options.spoken_titles and not (
                         opening and chapter.title == book.title),
                     opening=opening if n == 0 else None,
                     closing=closing if n == last else None)
        for n, chapter in enumerate(book.chapters)
    ]


def generate(prep: Prepared, options: Options, progress: Progress | None = None,
             on_chapter: Callable[[Path], None] | None = None) -> Written:
    """Render the book and write every requested output into OUT/<book-slug>/."""
    book, config, script = prep.book, prep.config, prep.script
    folder = options.out / slug(book.title)
    cover = find_cover(options.cover, prep.path, config)
    prepare(folder)
    cache = BlockCache(options.cache_dir or default_cache_dir())
    cache.prepare()
    settings = _settings(prep, options, cache)
    plans = _plans(prep, options, settings)
    total = len(plans)
    width = max(2, len(str(total)))
    stems = [f"{p.chapter.index:0{width}d} - {safe_name(p.chapter.title)}" for p in plans]
    metas = [track_meta(book, config, p.chapter.title, n + 1, total, cover)
             for n, p in enumerate(plans)]
    silence = SilenceBank(options.bitrate)
    chapter_mp3 = "mp3" in options.formats
    written: list[Path] = []

    with locked(folder):
        sweep_partials(folder)
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

        try:
            _render_streaming(plans, todo, cache, settings, options.jobs, finish, progress)
        finally:
            cache.sweep()  # what workers killed mid-write left behind
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
    meta = replace(track_meta(book, config, book.title, 1, 1, cover))
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
                      settings: RenderSettings, workers: int, finish: Callable[[int], None],
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
    except EngineError as exc:
        key = getattr(exc, "key", None)
        titles = [plans[i].chapter.title for i in todo if key in waiting[i]]
        if titles:
            raise EngineError(f"{titles[0]}: {exc}") from exc
        raise


__all__ = ["FORMATS", "Options", "Prepared", "generate", "prepare_book"]
