"""What a library server sees in the output folder: each format a book of its own.

The output folder is read as Audiobookshelf's scanner reads a library folder
(its rules, not its code): every audio file belongs to the book of the
shallowest folder above it that holds audio, so a folder of audio and every
folder below it are one book; a book's details come from its metadata.json
where there is one, else from the first audio file's tags; its cover is an
image file in its folder, else the one in the tags; its chapters are
metadata.json's, else the file's own chapter marks, else one per file.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DATA, RATE, decode, make_png
from mutagen import File as MutagenFile

from narrate.cli import main

AUDIO = {".mp3", ".m4b", ".m4a"}
IMAGES = {".jpg", ".jpeg", ".png", ".webp"}
TITLES = ["Chapter 1: The Shop", "Chapter 2: The Fog", "Chapter 3: The Bell"]
COVER = make_png(6, 6, (10, 120, 200))


@dataclass
class Book:
    folder: Path
    files: list[Path]  # its audio, in name order
    title: str
    authors: list[str]
    narrators: list[str]
    series: list[str]
    chapters: list[tuple[float, float, str]]
    cover: bytes | None


def _tag(tags: object, *keys: str) -> str | None:
    for key in keys:
        value = tags.get(key) if tags is not None else None  # type: ignore[attr-defined]
        if value:
            first = value[0] if isinstance(value, list) else value
            return str(getattr(first, "text", [first])[0])
    return None


def scan(root: Path) -> list[Book]:
    """The books a library scanning ``root`` finds, one per folder of audio."""
    audio = sorted(
        (p for p in root.rglob("*") if p.suffix.lower() in AUDIO and not p.name.startswith(".")),
        key=lambda p: (len(p.relative_to(root).parts), str(p)),
    )
    groups: dict[Path, list[Path]] = {}
    for path in audio:  # shallowest first: a folder of audio claims what lies below it
        owner = next((f for f in groups if f in path.parents), path.parent)
        groups.setdefault(owner, []).append(path)
    books = []
    for folder, files in groups.items():
        files.sort()
        first = MutagenFile(files[0])
        tags = first.tags
        meta_file = folder / "metadata.json"
        meta = json.loads(meta_file.read_text()) if meta_file.exists() else {}
        title = meta.get("title") or _tag(tags, "TALB", "\xa9alb") or folder.name
        authors = meta.get("authors") or [a for a in [_tag(tags, "TPE1", "\xa9ART")] if a]
        narrators = meta.get("narrators") or [n for n in [_tag(tags, "TCOM", "\xa9wrt")] if n]
        if (folder / "reader.txt").exists() and not meta.get("narrators"):
            narrators = [(folder / "reader.txt").read_text().strip()]
        chapters = [(c["start"], c["end"], c["title"]) for c in meta.get("chapters", [])]
        if not chapters:  # one chapter per file
            start = 0.0
            for path in files:
                length = MutagenFile(path).info.length
                chapters.append((start, start + length, path.stem))
                start += length
        images = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGES)
        cover = images[0].read_bytes() if images else None
        books.append(
            Book(folder, files, title, authors, narrators, meta.get("series", []), chapters, cover)
        )
    return books


def _generate(out: Path, *extra: str) -> None:
    result = CliRunner().invoke(
        main, ["-q", "generate", str(DATA / "three-chapters.txt"), "--out", str(out), *extra]
    )
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("library")
    (work / "cover.png").write_bytes(COVER)
    voices = work / "voices.yaml"
    voices.write_text(
        "book:\n  series: Tales of the Lamp\n  series_index: 2\n"
        "  description: A clockmaker, a fog and a bell.\n"
    )
    out = work / "out"
    formats = ["--format", "mp3,mp3-single,m4b", "--layout", "library"]
    _generate(out, *formats, "--voices", str(voices), "--cover", str(work / "cover.png"))
    return out


def _played(files: list[Path]) -> float:
    return sum(len(decode(path)[0]) / 2 / RATE for path in files)


def test_each_format_is_a_book_of_its_own(library: Path) -> None:
    books = scan(library)
    assert len(books) == 3
    kinds = sorted(tuple(sorted({p.suffix for p in b.files})) for b in books)
    assert kinds == [(".m4b",), (".mp3",), (".mp3",)]
    per_file = next(b for b in books if len(b.files) == 3)
    assert per_file.folder == library / "Ada Quill" / "Tales of the Lamp" / "The Clockmaker's Lamp"
    for book in books:
        assert book.folder.parent == per_file.folder.parent  # siblings, none inside another
        assert book.title == "The Clockmaker's Lamp"
        assert book.authors == ["Ada Quill"]
        assert book.narrators == ["espeak-ng voices (narrate)"]
        assert book.series == ["Tales of the Lamp #2"]
        assert book.cover == COVER
        assert [t for _, _, t in book.chapters] == TITLES
        # The chapters cover the book's audio, back to back, as that folder plays it.
        assert book.chapters[0][0] == 0
        for (_, end, _), (start, _, _) in zip(book.chapters, book.chapters[1:], strict=False):
            assert start == pytest.approx(end, abs=0.001)
        assert book.chapters[-1][1] == pytest.approx(_played(book.files), abs=1024 / RATE)


def test_chapter_files_start_where_metadata_says(library: Path) -> None:
    per_file = next(b for b in scan(library) if len(b.files) == 3)
    start = 0.0
    for path, (begin, end, _) in zip(per_file.files, per_file.chapters, strict=True):
        length = len(decode(path)[0]) / 2 / RATE
        assert begin == pytest.approx(start, abs=0.001)
        assert end == pytest.approx(start + length, abs=0.001)
        start += length


def test_side_files_say_what_the_book_is(library: Path) -> None:
    for book in scan(library):
        assert (book.folder / "desc.txt").read_text() == "A clockmaker, a fog and a bell.\n"
        assert (book.folder / "reader.txt").read_text() == "espeak-ng voices (narrate)\n"
        meta = json.loads((book.folder / "metadata.json").read_text())
        assert meta["language"] == "en" and meta["description"].startswith("A clockmaker")


def test_a_rerun_writes_no_audio_or_side_file_again(library: Path) -> None:
    before = {p: p.stat().st_mtime_ns for p in library.rglob("*") if p.is_file()}
    voices = library.parent / "voices.yaml"
    cover = library.parent / "cover.png"
    formats = ["--format", "mp3,mp3-single,m4b", "--layout", "library"]
    _generate(library, *formats, "--voices", str(voices), "--cover", str(cover))
    after = {p: p.stat().st_mtime_ns for p in library.rglob("*") if p.is_file()}
    side = {"metadata.json", "desc.txt", "reader.txt", "cover.png"}
    kept = [p for p in before if p.suffix in AUDIO or p.name in side]
    assert len(kept) == 5 + 3 * len(side)
    assert {p: after.get(p) for p in kept} == {p: before[p] for p in kept}


def test_a_format_moves_and_narrate_removes_only_its_own_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    folder = out / "the-clockmaker-s-lamp"
    m4b = "the-clockmaker-s-lamp.m4b"
    _generate(out, "--format", "m4b", "--no-transcripts")
    assert (folder / m4b).is_file()  # alone, the M4B has the book's folder
    _generate(out, "--format", "mp3,m4b", "--no-transcripts")
    sibling = out / "the-clockmaker-s-lamp (m4b)"
    assert (sibling / m4b).is_file() and not (folder / m4b).exists()
    assert [b.files[0].suffix for b in scan(out)] in ([".mp3", ".m4b"], [".m4b", ".mp3"])
    # Back again: the sibling folder narrate made goes, but not a file of the user's.
    (sibling / "notes.txt").write_text("mine")
    _generate(out, "--format", "m4b", "--no-transcripts")
    assert (folder / m4b).is_file() and not (sibling / m4b).exists()
    assert sorted(os.listdir(sibling)) == ["notes.txt"]
    (sibling / "notes.txt").unlink()
    _generate(out, "--format", "mp3,m4b", "--no-transcripts")
    _generate(out, "--format", "m4b", "--no-transcripts")
    assert not sibling.exists()
