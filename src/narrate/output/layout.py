"""Where each format's files go: one book per folder, as a library scanner reads a folder.

Audiobookshelf (and the servers that copy its rules) takes every audio file
in a folder, and in the folders below it, as the tracks of one book. So each
audio format gets a folder of its own: the first chosen (in the order of
:data:`narrate.output.formats.FORMATS`) shares the book's folder with the
transcripts, the playlist and the script; each other one has a sibling folder
named after it, ``<book folder> (m4b)``. Nothing is nested inside a folder
that holds audio.

The book's folder is ``OUT/<book-slug>/``, or with ``--layout library``
``OUT/Author/[Series/]Title/`` (the shape libraries expect), where each audio
folder also gets what a library reads beside the audio: ``cover.jpg`` (or
``.png``), ``desc.txt``, ``reader.txt`` and an Audiobookshelf ``metadata.json``
(title, authors, narrators, series, description, language and the chapters
as that folder's audio has them).

Every one of these folders is claimed for the book through the one guard,
:func:`narrate.output.folder.claim_folders` (which book it holds, no file of
the user's overwritten), and each folder's manifest says what narrate wrote
there: a format that moved (another was added or dropped) is removed from
where it was only if that manifest lists its file, and a sibling folder left
empty is removed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from narrate.outdir import Manifest, safe_name, slug, write_if_changed
from narrate.output import formats
from narrate.output.folder import holds_other, sibling
from narrate.output.whole_book import ChapterAudio
from narrate.records import Book, ChapterMark, TrackMeta
from narrate.render.cache import make_key

LAYOUTS = ("folder", "library")
UNKNOWN_AUTHOR = "Unknown Author"  # the library layout's author folder for a book without one
LIBRARY_LABEL = "library"  # the manifest entry that says narrate wrote the side files
SIDE_FILES = ("cover.jpg", "cover.png", "desc.txt", "reader.txt", "metadata.json")


@dataclass(frozen=True)
class Places:
    book: Path  # the book's folder: manifest, lock, transcripts, playlist, script
    audio: dict[str, Path]  # each chosen format's name -> the folder its audio goes in
    stem: str  # a whole-book file's name, less its suffix
    library: bool  # --layout library: side files beside the audio

    def whole_book(self, fmt: formats.Format) -> Path:
        return self.audio[fmt.name] / f"{self.stem}{fmt.suffix}"


Manifests = Mapping[Path, Manifest]  # each claimed folder's manifest


def further_formats(chosen: Sequence[str]) -> list[str]:
    """The chosen formats that get a sibling folder: all but the first in table order."""
    return [f.name for f in formats.FORMATS if f.name in set(chosen)][1:]


def book_place(out: Path, book: Book, series: str | None, layout: str) -> tuple[Path, str]:
    """(the folder the book's folder goes in, its name) for the layout."""
    if layout != "library":
        return out, slug(book.title)
    parent = out / safe_name(book.author or UNKNOWN_AUTHOR)
    if series:
        parent /= safe_name(series)
    return parent, safe_name(book.title)


def plan_places(folder: Path, title: str, chosen: Sequence[str], layout: str) -> Places:
    """Where each chosen format's audio goes, beside or in the book's ``folder``."""
    library = layout == "library"
    wanted = [f for f in formats.FORMATS if f.name in set(chosen)]
    audio = {f.name: folder if n == 0 else sibling(folder, f.name) for n, f in enumerate(wanted)}
    return Places(folder, audio, safe_name(title) if library else slug(title), library)


def side_names(meta: TrackMeta) -> list[str]:
    """The side files the library layout writes beside a folder's audio."""
    cover = (
        ["cover.png" if meta.cover.startswith(b"\x89PNG") else "cover.jpg"] if meta.cover else []
    )
    return [
        *cover,
        *(["desc.txt"] if meta.description else []),
        *(["reader.txt"] if meta.narrator else []),
        "metadata.json",
    ]


def folder_files(
    places: Places, meta: TrackMeta, identity: dict[str, str]
) -> dict[Path, list[str]]:
    """Each folder this run writes in, with the names of the audio and side files it gets.

    The book's folder comes first (the caller adds its chapter files); then each
    sibling; then, with nothing to be written, a folder a chosen format may be
    leaving (a sibling of the book's folder narrate wrote for this book).
    """
    files: dict[Path, list[str]] = {places.book: []}
    for fmt in formats.FORMATS:
        if fmt.name in places.audio:
            names = files.setdefault(places.audio[fmt.name], [])
            names += [places.whole_book(fmt).name] if fmt.whole_book else []
            names += side_names(meta) if places.library else []
    for fmt in formats.whole_book_formats(places.audio):
        old = sibling(places.book, fmt.name)
        if old not in files and old.is_dir() and not holds_other(old, identity):
            files[old] = []
    return files


def _book_key(
    fmt: formats.Format,
    chapters: Sequence[ChapterAudio],
    meta: TrackMeta,
    writing: formats.WriteOptions,
) -> str:
    """Everything a whole-book file's bytes depend on."""
    return make_key(
        "book",
        fmt.name,
        fmt.revision,
        [(c.title, c.duration, c.span, c.key) for c in chapters],
        meta,
        writing.id3v23,
        writing.bitrate,
    )


def books_stale(
    places: Places,
    chapters: Sequence[ChapterAudio],
    meta: TrackMeta,
    writing: formats.WriteOptions,
    manifests: Manifests,
) -> bool:
    """Whether a chosen whole-book file is missing or would come out different."""
    for name in places.audio:
        fmt = next(f for f in formats.FORMATS if f.name == name)
        if not fmt.whole_book:
            continue
        path = places.whole_book(fmt)
        manifest = manifests[path.parent]
        if manifest.key(fmt.manifest_label) != _book_key(fmt, chapters, meta, writing):
            return True
        if not path.exists():
            return True
    return False


def write_whole_books(
    places: Places,
    chapters: Sequence[ChapterAudio],
    meta: TrackMeta,
    writing: formats.WriteOptions,
    manifests: Manifests,
    chosen: Sequence[str],
    before: Callable[[Path], None] | None = None,
) -> list[Path]:
    """Write each chosen whole-book format in its folder, unless it is there as it would come out.

    ``before(path)`` is told of each file about to be written.
    """
    written = []
    for fmt in formats.whole_book_formats(chosen):
        path = places.whole_book(fmt)
        manifest = manifests[path.parent]
        fmt_key = _book_key(fmt, chapters, meta, writing)
        if manifest.key(fmt.manifest_label) != fmt_key or not path.exists():
            if before:
                before(path)
            fmt.book_writer()(path, chapters, meta, writing)
            length = fmt.marks(chapters, writing.sample_rate)[-1].end
            manifest.record(fmt.manifest_label, fmt_key, length)
        _leave_old_place(places, fmt, manifests)
        written.append(path)
    return written


def _leave_old_place(places: Places, fmt: formats.Format, manifests: Manifests) -> None:
    """Remove ``fmt``'s file from the folder it went to before, if narrate wrote it there."""
    for folder in (places.book, sibling(places.book, fmt.name)):
        if folder == places.audio[fmt.name] or folder not in manifests:
            continue
        manifest = manifests[folder]
        if manifest.key(fmt.manifest_label) is None:
            continue
        manifest.delete(f"{places.stem}{fmt.suffix}")
        manifest.forget(fmt.manifest_label)
        if folder != places.book:
            _remove_if_done(folder, manifest)


def _remove_if_done(folder: Path, manifest: Manifest) -> None:
    """A sibling folder whose audio is gone loses narrate's side files, and goes if empty."""
    if manifest.names() - {LIBRARY_LABEL}:
        manifest.save()
        return
    for name in SIDE_FILES:
        manifest.delete(name)
    manifest.path.unlink(missing_ok=True)
    try:
        folder.rmdir()  # only if nothing of the user's is left in it
    except OSError:
        pass


# ---------------------------------------------------------------- the library's side files


def library_metadata(meta: TrackMeta, marks: Sequence[ChapterMark]) -> dict[str, object]:
    """Audiobookshelf's metadata.json for a book folder: its details and chapters."""
    series = meta.series and (
        f"{meta.series} #{meta.series_index}" if meta.series_index else meta.series
    )
    return {
        "title": meta.album,
        "authors": [meta.artist] if meta.artist else [],
        "narrators": [meta.narrator] if meta.narrator else [],
        "series": [series] if series else [],
        "publishedYear": meta.year[:4] if meta.year and meta.year[:4].isdigit() else None,
        "publisher": meta.publisher,
        "description": meta.description,
        "isbn": meta.isbn,
        "language": meta.language,
        "genres": [meta.genre] if meta.genre else [],
        "chapters": [
            {"id": n, "start": round(m.start, 3), "end": round(m.end, 3), "title": m.title}
            for n, m in enumerate(marks)
        ],
    }


def write_library_files(
    folder: Path, meta: TrackMeta, marks: Sequence[ChapterMark], manifest: Manifest
) -> list[Path]:
    """Write the side files a library reads beside the audio; those no longer wanted go."""
    data = json.dumps(library_metadata(meta, marks), ensure_ascii=False, indent=2) + "\n"
    contents = {
        "desc.txt": f"{(meta.description or '').strip()}\n".encode(),
        "reader.txt": f"{(meta.narrator or '').strip()}\n".encode(),
        "metadata.json": data.encode(),
    }
    files = {name: contents.get(name, meta.cover or b"") for name in side_names(meta)}
    for name in sorted(set(SIDE_FILES) - set(files)):  # no longer wanted: gone if narrate's
        manifest.delete(name)
    for name, content in files.items():
        write_if_changed(folder / name, content)
    manifest.record(LIBRARY_LABEL, make_key(sorted(files)), 0.0)
    return [folder / name for name in files]


def write_library(
    places: Places,
    chapters: Sequence[ChapterAudio],
    meta: TrackMeta,
    writing: formats.WriteOptions,
    manifests: Manifests,
) -> list[Path]:
    """The side files of every format's folder, each with the chapters as its audio has them."""
    written = []
    for fmt in formats.FORMATS:
        if fmt.name in places.audio:
            where = places.audio[fmt.name]
            marks = fmt.marks(chapters, writing.sample_rate)
            written += write_library_files(where, meta, marks, manifests[where])
    return written
