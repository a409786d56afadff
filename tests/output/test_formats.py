"""The format registry: every format complete, --format parsed from it, a new row reaches generate."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest
from click.testing import CliRunner
from mutagen.id3 import ID3

from narrate.cli import main
from narrate.errors import ConfigError
from narrate.output import formats
from narrate.output.formats import FORMATS, Format

DATA = Path(__file__).parent.parent / "data"
# What each kind of writer is called with (see formats.BookWriter / ChapterWriter).
BOOK_PARAMETERS = ["path", "chapters", "meta", "options"]
CHAPTER_PARAMETERS = ["path", "chunks", "meta", "options"]


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.name)
def test_every_format_has_a_suffix_and_a_writer(fmt: Format) -> None:
    assert fmt.suffix.startswith(".") and len(fmt.suffix) > 1 and fmt.suffix.strip() == fmt.suffix
    assert fmt.writes in ("per-chapter", "whole-book")
    module = importlib.import_module(f"narrate.output.{fmt.module}")
    assert module.__doc__, f"{fmt.module} says what it writes"
    writer = fmt.book_writer() if fmt.whole_book else fmt.chapter_writer()
    assert writer is module.write and callable(writer)
    expected = BOOK_PARAMETERS if fmt.whole_book else CHAPTER_PARAMETERS
    assert list(inspect.signature(writer).parameters) == expected


def test_names_and_files_never_collide() -> None:
    names = formats.names()
    assert len(set(names)) == len(names) == len(FORMATS)
    assert all(name and "," not in name and name == name.strip() for name in names)
    whole = [f for f in FORMATS if f.whole_book]
    # The whole-book files share the folder and the manifest: one suffix each.
    assert len({f.suffix for f in whole}) == len({f.manifest_label for f in whole}) == len(whole)
    assert [f.name for f in FORMATS if not f.whole_book] == ["mp3"]  # the pipeline writes one


def test_a_writer_of_the_other_kind_is_refused() -> None:
    single = next(f for f in FORMATS if f.whole_book)
    with pytest.raises(AssertionError):
        single.chapter_writer()


def test_parse_formats_keeps_the_order_and_drops_repeats() -> None:
    assert formats.parse_formats(" m4b, mp3 ,m4b,,") == ("m4b", "mp3")
    assert formats.parse_formats(",".join(formats.names())) == formats.names()


@pytest.mark.parametrize(
    ("value", "named"), [("ogg", "ogg"), ("mp3,ogg,flac", "ogg, flac"), (" , ", "nothing")]
)
def test_parse_formats_names_what_is_not_a_format(value: str, named: str) -> None:
    with pytest.raises(ConfigError) as caught:
        formats.parse_formats(value)
    assert str(caught.value) == (
        f"{named} is not one of {', '.join(formats.names())} (combine them with commas)"
    )


def test_chosen_formats_come_back_in_table_order() -> None:
    assert formats.chapter_format(["m4b"]) is None
    chapter = formats.chapter_format(["m4b", "mp3"])
    assert chapter is not None and chapter.name == "mp3"
    assert [f.name for f in formats.whole_book_formats(["m4b", "mp3", "mp3-single"])] == [
        "mp3-single",
        "m4b",
    ]


def test_help_lists_every_format() -> None:
    result = CliRunner().invoke(main, ["generate", "--help"])
    assert result.exit_code == 0
    flat = " ".join(result.output.split())
    assert " ".join(formats.help_text().split()) in flat
    assert all(name in formats.help_text() for name in formats.names())


def test_unknown_format_is_refused_in_one_line(tmp_path: Path) -> None:
    book = tmp_path / "b.txt"
    book.write_text("It was dark.\n")
    result = CliRunner().invoke(main, ["generate", str(book), "--format", "mp3,ogg"])
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line.startswith("Error")]
    known = ", ".join(formats.names())
    assert errors == [
        f"Error: Invalid value for '--format': ogg is not one of {known} (combine them with commas)"
    ]
    assert "Traceback" not in result.output
    assert not (tmp_path / "output").exists()  # refused before anything is written


def test_a_new_row_reaches_the_option_and_the_pipeline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A whole-book format is a writer module plus a row: reuse a writer under a new name.
    extra = Format("mp3-book", ".book.mp3", "whole-book", "single_mp3")
    monkeypatch.setattr(formats, "FORMATS", (*FORMATS, extra))
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        ["-q", "generate", str(DATA / "two-chapters.txt"), "--out", str(out)]
        + ["--format", "mp3-book", "--no-transcripts"],
    )
    assert result.exit_code == 0, result.output
    folder = out / "the-red-kite"
    book = folder / "the-red-kite.book.mp3"
    assert [Path(line) for line in result.stdout.splitlines()] == [
        book,
        folder / "the-red-kite.m3u8",
        folder / "script.json",
    ]
    assert [frame.element_id for frame in ID3(book).getall("CHAP")] == ["chp0", "chp1"]
    assert "the-red-kite.book.mp3" in (folder / "the-red-kite.m3u8").read_text()
    assert not list(folder.glob("0*"))  # no per-chapter files
