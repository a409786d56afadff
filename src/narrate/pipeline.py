"""The pipeline: ingest -> segment -> cast -> render -> assemble -> tag.

`prepare_book` runs the text stages (read the book, find who says what, cast
the voices): cheap and deterministic next to rendering; `narrate script` and
`narrate cast` stop there (`script_listing`; `narrate.cast.report.cast_listing`).
`generate` renders a prepared book (render/) and writes every file the chosen
formats ask for (output/, through the registry in output/formats.py).
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import astuple, dataclass, replace
from pathlib import Path

from narrate.cast.casting import build_cast
from narrate.cast.starter import lists_discovery
from narrate.cast.voices import characters_from_config, load_voices
from narrate.config import VoiceConfig
from narrate.ingest import read_book
from narrate.outdir import safe_name, slug, write_if_changed
from narrate.output import formats, layout
from narrate.output.folder import book_identity, choose_folder, claim_folders
from narrate.output.metadata import find_cover, narrator_credit, track_meta
from narrate.output.playlist import write_playlist
from narrate.output.transcripts import cues_for, write_srt, write_vtt
from narrate.output.whole_book import ChapterAudio
from narrate.records import Book, Cast, Character, Script, Segment, TrackMeta
from narrate.render import mp3
from narrate.render.assemble import (
    ChapterPlan,
    Chunk,
    Layout,
    SilenceBank,
    chapter_chunks,
    chapter_pcm,
    timeline,
)
from narrate.render.book_plan import book_plans
from narrate.render.cache import (
    BlockCache,
    ScriptCache,
    code_fingerprint,
    default_cache_dir,
    make_key,
)
from narrate.render.executors import get_executor
from narrate.render.loudness import DEFAULT_TARGET
from narrate.render.streaming import render_pending
from narrate.render.workers import RenderSettings
from narrate.segment.corrections import apply_corrections, load_corrections
from narrate.segment.given import segment_given
from narrate.segment.runs import follow_runs
from narrate.segment.scriptfile import dumps_json, script_text, script_yaml
from narrate.tts import MixedEngine, default_engine

log = logging.getLogger("narrate")


@dataclass(frozen=True)
class Prepared:
    book: Book
    config: VoiceConfig
    script: Script
    cast: Cast | None  # None when the voices were not checked (`narrate script`)
    path: Path | None = None

    @property
    def voiced(self) -> Cast:
        """The cast, for the commands that speak or list voices (all but `narrate script`)."""
        if self.cast is None:
            raise ValueError("the book was prepared without checking its voices")
        return self.cast


def prepare_book(
    book_path: Path,
    voices: Path | None = None,
    *,
    title: str | None = None,
    author: str | None = None,
    check_voices: bool = True,
    cache_dir: Path | None = None,
    include_front_matter: bool = False,
    heading_level: int | None = None,
    script_file: Path | None = None,
    force: bool = False,
) -> Prepared:
    """Read, segment and cast a book; every config problem is raised before any audio.

    ``script_file`` is an edited script whose speakers win; a correction that cannot
    be applied is a ConfigError, or with ``force`` a warning.
    """
    engine = default_engine()
    config = load_voices(voices, engine, check_voices=check_voices)
    book = read_book(
        book_path,
        title=title or config.book.title,
        author=author or config.book.author,
        include_front_matter=include_front_matter,
        heading_level=heading_level,
    )
    root = cache_dir or default_cache_dir()
    script = _segment_cached(book, None, root)
    listed = characters_from_config(config)
    # A file `narrate cast --write` wrote for this cast, unedited or with only
    # voices changed, means the cast that was discovered: the same script.
    if listed and not lists_discovery(listed, script):
        script = _segment_cached(book, listed, root, script)
    if script_file is not None:
        corrections = load_corrections(script_file)
        corrected = apply_corrections(script, corrections, listed=listed, force=force)
        # correcting the first line of a run that hangs on one choice corrects the run
        script = follow_runs(script, corrected)
    cast = build_cast(script, config, engine, book.language) if check_voices else None
    return Prepared(book, config, script, cast, book_path)


def script_listing(prep: Prepared, fmt: str) -> str:
    """What `narrate script` prints: the script as "json", readable "text" or editable "yaml"."""
    render = {"json": dumps_json, "text": script_text, "yaml": script_yaml}[fmt]
    return render(prep.script)


def _segment_cached(
    book: Book, cast_hint: list[Character] | None, root: Path, found: Script | None = None
) -> Script:
    """segment(), remembered: a re-run of an unchanged book skips the text work.

    ``found`` is the book segmented without a cast (what discovery found)."""
    store = ScriptCache(root)
    key = make_key(
        "script",
        code_fingerprint(),
        book.source,
        book.title,
        book.author,
        [(c.index, c.title, c.paragraphs, sorted(c.scene_breaks)) for c in book.chapters],
        cast_hint,
    )
    saved = store.get(key)
    if saved is not None:  # every field of the records, so none is lost on a re-run
        return Script(
            book,
            tuple(
                # JSON gives lists: the spans where the text first names them are pairs
                Character(c[0], tuple(c[1]), c[2], c[3], tuple(tuple(x) for x in c[4]), *c[5:])
                for c in saved["characters"]
            ),
            tuple(Segment(*s) for s in saved["segments"]),
        )
    script = segment_given(book, cast_hint, found)
    try:
        store.put(
            key,
            {
                "characters": [astuple(c) for c in script.characters],
                "segments": [astuple(s) for s in script.segments],
            },
        )
    except OSError as exc:  # a read-only cache only costs time
        log.debug("could not cache the script: %s", exc)
    return script


@dataclass
class Options:
    out: Path
    bitrate: int = 64
    quality: int = mp3.DEFAULT_QUALITY
    jobs: int | None = None  # worker processes; None: one per core
    id3v23: bool = False
    cache_dir: Path | None = None
    spoken_titles: bool = True
    credits: bool = True
    transcripts: bool = True
    formats: tuple[str, ...] = ("mp3",)
    cover: Path | None = None
    timeout: float = 120.0
    loudness: float = DEFAULT_TARGET
    force: bool = False  # overwrite files in the book's folder that narrate did not write
    layout: str = "folder"  # or "library": OUT/Author/[Series/]Title/ with its side files
    name: str | None = None  # the book's folder is named as a book of this title would be
    executor: str = "local"  # where lines are rendered (render/executors/)
    ray_address: str | None = None  # --executor ray: the cluster (None: a local Ray)


@dataclass(frozen=True)
class Written:
    folder: Path
    files: list[Path]


# (file being written, seconds written, seconds in all) while a whole-book file is encoded
Encoding = Callable[[Path, float, float], None]
Progress = Callable[[int, int], None]  # (utterances done, total)


def _settings(
    prep: Prepared, options: Options, cache: BlockCache, engine: MixedEngine
) -> RenderSettings:
    pauses = prep.config.pauses
    return RenderSettings(
        cache.root,
        engine.key_id(prep.voiced),  # in every block's cache key
        options.bitrate,
        options.quality,
        options.timeout,
        options.loudness,
        (pauses.sentence, pauses.paragraph),
        engine.sample_rate,
        keep_pcm=any(f.from_pcm for f in formats.whole_book_formats(options.formats)),
    )


def generate(
    prep: Prepared,
    options: Options,
    progress: Progress | None = None,
    on_chapter: Callable[[Path], None] | None = None,
    on_encode: Encoding | None = None,
) -> Written:
    """Render the book and write every requested output into OUT/<book-slug>/.

    (Or OUT/Author/[Series/]Title/ with --layout library; each format other
    than the first in a sibling folder: :mod:`narrate.output.layout`.)

    Each folder is the book's own: a name whose folders hold another book's
    files is passed over for OUT/<book-slug>-2 (output/folder.py), and a run
    that fails before writing anything leaves no folder behind.
    """
    cover = find_cover(options.cover, prep.path, prep.config)
    cache = BlockCache(options.cache_dir or default_cache_dir())
    cache.ensure_writable()  # before the book's folder is made: a refused cache leaves none
    identity = book_identity(prep.book, prep.path)
    named = replace(prep.book, title=options.name) if options.name else prep.book
    parent, name = layout.book_place(options.out, named, prep.config.book.series, options.layout)
    folder = choose_folder(parent, name, identity, layout.further_formats(options.formats))
    return _generate_into(
        folder, identity, prep, options, cache, cover, progress, on_chapter, on_encode
    )


def _generate_into(
    folder: Path,
    identity: dict[str, str],
    prep: Prepared,
    options: Options,
    cache: BlockCache,
    cover: tuple[bytes, str] | None,
    progress: Progress | None,
    on_chapter: Callable[[Path], None] | None,
    on_encode: Encoding | None,
) -> Written:
    book, config, script = prep.book, prep.config, prep.script
    run = get_executor(options.executor, options.ray_address).render  # where lines render
    engine = default_engine()  # one for the run: its id, rate, markup and credit
    info = engine.info()
    cache.note_engine(f"{info.get('engine')} {info.get('version', '')}".strip())
    narrator = narrator_credit(config, engine.info_for(prep.voiced.narrator))
    settings = _settings(prep, options, cache, engine)
    plans = book_plans(
        prep.script,
        prep.voiced,
        prep.config,
        engine,
        settings,
        narrator,
        options.credits,
        options.spoken_titles,
    )
    total = len(plans)
    width = max(2, len(str(total)))
    stems = [f"{p.chapter.index:0{width}d} - {safe_name(p.chapter.title)}" for p in plans]
    metas = [
        track_meta(book, config, p.chapter.title, n + 1, total, cover, narrator=narrator)
        for n, p in enumerate(plans)
    ]
    silence = SilenceBank(options.bitrate, settings.sample_rate)
    workers = options.jobs or os.cpu_count() or 1
    per_chapter = formats.chapter_format(options.formats)
    encoding: list[Path] = []  # the whole-book file being written, for on_encode

    def encoded(done: float, total: float) -> None:
        if on_encode and encoding:
            on_encode(encoding[-1], done, total)

    writing = formats.WriteOptions(
        options.bitrate,
        options.id3v23,
        settings.sample_rate,
        progress=encoded,
        cache=cache.root,
        workers=workers,
    )
    name = slug(book.title)
    places = layout.plan_places(folder, book.title, options.formats, options.layout)
    book_meta = track_meta(book, config, book.title, 1, 1, cover, narrator=narrator)
    book_files = [
        (fmt, places.whole_book(fmt)) for fmt in formats.whole_book_formats(options.formats)
    ]
    playlist, script_path = folder / f"{name}.m3u8", folder / "script.json"

    def outputs(i: int) -> list[Path]:
        names = [f"{stems[i]}{per_chapter.suffix}"] if per_chapter else []
        if options.transcripts:
            names += [f"{stems[i]}.vtt", f"{stems[i]}.srt"]
        return [folder / name for name in names]

    folders = layout.folder_files(places, book_meta, identity)
    folders[folder] += [p.name for i in range(total) for p in outputs(i)]
    folders[folder] += [playlist.name, script_path.name]
    written: list[Path] = []
    with claim_folders(folders, identity, options.force) as manifests:
        manifest = manifests[folder]
        keys = [
            p.key((m, options.id3v23, per_chapter is not None, options.transcripts))
            for p, m in zip(plans, metas, strict=True)
        ]
        todo = [
            i
            for i in range(total)
            if manifest.key(stems[i]) != keys[i] or not all(p.exists() for p in outputs(i))
        ]

        def chapters() -> list[ChapterAudio]:
            return [
                ChapterAudio(
                    p.chapter.title,
                    manifest.duration(stems[i]),
                    manifest.span(stems[i]),
                    functools.partial(_chunk_data, p, cache, silence),
                    functools.partial(chapter_pcm, p, cache, silence)
                    if settings.keep_pcm
                    else None,
                    p.key("audio"),
                )
                for i, p in enumerate(plans)
            ]

        # A whole-book file reads every chapter's blocks: when one is to be written, all
        # of them are checked (and any damaged rendered again) with the pending chapters'.
        book_due = bool(book_files) and (
            bool(todo) or layout.books_stale(places, chapters(), book_meta, writing, manifests)
        )

        def finish(i: int) -> None:
            chunks = chapter_chunks(plans[i], cache, silence)
            laid = _write_chapter(chunks, metas[i], folder, stems[i], options, writing, per_chapter)
            manifest.record(stems[i], keys[i], laid.duration, laid.span)
            if on_chapter:
                on_chapter(outputs(i)[0] if outputs(i) else folder)

        try:
            also = range(total) if book_due else ()
            render_pending(plans, todo, cache, settings, workers, finish, progress, also, run)
        finally:
            cache.sweep()  # what workers killed mid-write left behind
        for i in range(total):
            written += outputs(i)
        laid_out = chapters()
        written += layout.write_whole_books(
            places, laid_out, book_meta, writing, manifests, options.formats, encoding.append
        )
        labels = {f.manifest_label for f in formats.FORMATS if f.whole_book}
        manifest.forget_except(set(stems) | labels | {layout.LIBRARY_LABEL}, folder)
        if places.library:
            written += layout.write_library(places, laid_out, book_meta, writing, manifests)
        if per_chapter:
            write_playlist(
                playlist,
                [
                    (
                        f"{stems[i]}{per_chapter.suffix}",
                        manifest.duration(stems[i]),
                        plans[i].chapter.title,
                    )
                    for i in range(total)
                ],
            )
        else:
            length = book_files[0][0].marks(laid_out, settings.sample_rate)[-1].end
            write_playlist(playlist, [(book_files[0][1].name, length, book.title)])
        write_if_changed(script_path, dumps_json(script))
        manifest.save()
    return Written(folder, [*written, playlist, script_path])


def _chunk_data(plan: ChapterPlan, cache: BlockCache, silence: SilenceBank) -> Iterator[mp3.Block]:
    for block, _ in chapter_chunks(plan, cache, silence):
        yield block


def _write_chapter(
    chunks: Iterator[Chunk],
    meta: TrackMeta,
    folder: Path,
    stem: str,
    options: Options,
    writing: formats.WriteOptions,
    per_chapter: formats.Format | None,
) -> Layout:
    """Write one chapter's audio file (if a per-chapter format is chosen) and transcripts."""
    if per_chapter:
        target = folder / f"{stem}{per_chapter.suffix}"
        laid = per_chapter.chapter_writer()(target, chunks, meta, writing)
    else:
        laid = timeline(chunks, writing.sample_rate)
    if options.transcripts:
        cues = cues_for(laid.timed)
        write_vtt(folder / f"{stem}.vtt", cues)
        write_srt(folder / f"{stem}.srt", cues)
    return laid


__all__ = ["Options", "Prepared", "generate", "prepare_book", "script_listing"]
