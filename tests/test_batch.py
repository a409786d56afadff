"""`narrate batch`: many books in one run, a broken one reported, finished ones skipped."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import DATA, decodes_cleanly, error_line

from narrate.cli import main


def _batch(*args: str | Path) -> Result:
    return CliRunner().invoke(main, ["batch", *map(str, args)])


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three books in a manifest (one with a voices.yaml narrate refuses) and two in a folder."""
    root = tmp_path_factory.mktemp("library")
    shelf = root / "shelf"
    shelf.mkdir()
    shutil.copy(DATA / "two-chapters.txt", shelf / "kite.txt")
    shutil.copy(DATA / "no-headings.txt", shelf / "short.txt")
    (shelf / "broken.txt").write_text("The Broken Book\n\nIt was a quiet night.\n")
    (shelf / "broken.yaml").write_text("narrator:\n  voice: xx-nowhere\n  rate: fast\n")
    (shelf / "notes.pdf").write_bytes(b"%PDF-1.4")  # not a book: a folder source skips it
    (root / "books.csv").write_text(
        "book,voices,name\n"
        "# a comment line\n"
        "shelf/kite.txt\n"
        "shelf/broken.txt,shelf/broken.yaml\n"
        "shelf/short.txt,,The Short One\n",
        encoding="utf-8",
    )
    return root


@pytest.fixture(scope="module")
def first(library: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    out, cache = library / "out", library / "cache"
    result = _batch(library / "books.csv", "--out", out, "--cache-dir", cache, "--no-credits")
    return out, result


def test_a_broken_book_is_reported_and_the_others_finish(first: tuple[Path, Result]) -> None:
    out, result = first
    assert result.exit_code == 7, result.output
    lines = result.stderr.splitlines()
    failed = [line for line in lines if line.startswith("narrate: failed: broken.txt: ")]
    # every problem of its voices.yaml, each line naming the book
    assert len(failed) == 2 and "xx-nowhere" in failed[0] and "rate" in failed[1], lines
    assert "narrate: done: kite.txt -> " in result.stderr
    assert "narrate: done: The Short One -> " in result.stderr
    assert "narrate: 3 books: 2 done, 1 failed, 0 skipped (up to date)" in lines
    assert lines[-1] == "narrate: 1 of 3 books failed: broken.txt"
    assert "Traceback" not in result.output
    # the finished books' folders on stdout; the manifest's name names the second
    assert result.stdout.split() == [str(out / "the-red-kite"), str(out / "the-short-one")]
    kite = sorted((out / "the-red-kite").glob("*.mp3"))
    assert len(kite) == 2 and all(decodes_cleanly(p) > 2.0 for p in kite)
    assert decodes_cleanly(out / "the-short-one" / "01 - Short.mp3") > 2.0
    assert not (out / "the-broken-book").exists()  # nothing half-written for it


def test_a_second_run_skips_what_is_finished(library: Path, first: tuple[Path, Result]) -> None:
    out, _ = first
    mp3s = sorted(out.rglob("*.mp3"))
    stamps = [p.stat().st_mtime_ns for p in mp3s]
    again = _batch(
        library / "books.csv", "--out", out, "--cache-dir", library / "cache", "--no-credits"
    )
    assert again.exit_code == 7, again.output
    assert "narrate: 3 books: 0 done, 1 failed, 2 skipped (up to date)" in again.stderr
    assert "narrate: up to date: kite.txt -> " in again.stderr
    assert again.stdout == ""  # nothing was written
    assert [p.stat().st_mtime_ns for p in sorted(out.rglob("*.mp3"))] == stamps
    # A file of a finished book gone: that book is narrated again, the other still skipped.
    mp3s[0].unlink()
    mended = _batch(
        library / "books.csv", "--out", out, "--cache-dir", library / "cache", "--no-credits"
    )
    assert "narrate: 3 books: 1 done, 1 failed, 1 skipped (up to date)" in mended.stderr
    assert mp3s[0].is_file()


def test_a_folder_of_books_all_finished_exits_0(library: Path, first: tuple[Path, Result]) -> None:
    shelf = library / "folder"
    shelf.mkdir()
    shutil.copy(library / "shelf" / "kite.txt", shelf / "kite.txt")
    (shelf / "notes.pdf").write_bytes(b"%PDF-1.4")
    out = library / "out-folder"
    args = (shelf, "--out", out, "--cache-dir", library / "cache", "--no-credits", "-q")
    done = _batch(*args)
    assert done.exit_code == 0, done.output
    assert done.stderr.splitlines() == ["narrate: 1 book: 1 done, 0 failed, 0 skipped (up to date)"]
    assert len(list((out / "the-red-kite").glob("*.mp3"))) == 2
    again = _batch(*args)
    assert again.exit_code == 0
    assert "1 book: 0 done, 0 failed, 1 skipped" in again.stderr


def test_a_manifest_row_narrate_cannot_use_is_one_line_naming_it(tmp_path: Path) -> None:
    manifest = tmp_path / "books.list"
    manifest.write_text("a.txt\na.txt, v.yaml, name, extra\n", encoding="utf-8")
    result = _batch(manifest, "--out", tmp_path / "out")
    line = error_line(result, 3, f"{manifest}:2:", "4 columns", "book[, voices.yaml[, name]]")
    assert line.startswith("narrate: ")
    assert not (tmp_path / "out").exists()
