"""Chapter headings spoken as a listener expects ("Chapter Four"), written as the book has them."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import decode

from narrate.cli import main
from narrate.pipeline import prepare_book
from narrate.render.assemble import plan_chapter
from narrate.render.headings import number_words, roman_value, spoken_heading
from narrate.render.workers import RenderSettings
from narrate.tts import default_engine


@pytest.mark.parametrize(
    ("token", "value"),
    [
        ("I", 1),
        ("IV", 4),
        ("ix", 9),
        ("XLII", 42),
        ("XCIX", 99),
        ("MCMXC", 1990),
        ("MMMCMXCIX", 3999),
    ],
)
def test_roman_numerals_read_as_numbers(token: str, value: int) -> None:
    assert roman_value(token) == value


@pytest.mark.parametrize("token", ["", "IIII", "VX", "IC", "MMMM", "Liv1", "ABC"])
def test_what_is_not_a_canonical_numeral_is_left_alone(token: str) -> None:
    assert roman_value(token) is None


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (1, "one"),
        (13, "thirteen"),
        (40, "forty"),
        (42, "forty-two"),
        (100, "one hundred"),
        (115, "one hundred and fifteen"),
        (2005, "two thousand and five"),
        (1215, "one thousand two hundred and fifteen"),
    ],
)
def test_number_words(n: int, words: str) -> None:
    assert number_words(n) == words


@pytest.mark.parametrize(
    ("title", "spoken"),
    [
        ("Chapter IV", "Chapter Four"),
        ("CHAPTER XLII.", "CHAPTER FORTY-TWO."),
        ("Chapter IV: The Storm", "Chapter Four: The Storm"),
        ("chapter iv", "chapter four"),
        ("BOOK II. CHAPTER I.", "BOOK TWO. CHAPTER ONE."),
        ("Stave III", "Stave Three"),
        ("XII. The Road", "Twelve. The Road"),
        ("IV", "Four"),
        # names and words that only look like numerals, and headings already in words
        ("Chapter Liv", "Chapter Liv"),
        ("Chapter Civil", "Chapter Civil"),
        ("I Remember", "I Remember"),
        ("Mix", "Mix"),
        ("Part One", "Part One"),
        ("Chapter 1: The Storm", "Chapter 1: The Storm"),
    ],
)
def test_spoken_heading(title: str, spoken: str) -> None:
    assert spoken_heading(title) == spoken


BOOK = (
    "The Numbers\nby Ada Quill\n\nCHAPTER IV\n\nThe tide came in.\n\nCHAPTER XLII\n\nIt went out.\n"
)


def test_the_engine_is_given_the_number_in_words(tmp_path: Path) -> None:
    book = tmp_path / "numbers.txt"
    book.write_text(BOOK, encoding="utf-8")
    prep = prepare_book(book, cache_dir=tmp_path / "c")
    engine = default_engine()
    settings = RenderSettings(tmp_path, "test", 64, 5, 60.0, -18.0, (250, 600), engine.sample_rate)
    titles = []
    for chapter in prep.book.chapters:
        plan = plan_chapter(
            prep.script, chapter, prep.voiced, prep.config.pauses, engine.escape, settings
        )
        titles.append((plan.utterances[0].text, plan.utterances[0].spoken))
    assert titles == [("Chapter IV", "Chapter Four"), ("Chapter XLII", "Chapter Forty-two")]


def test_files_and_transcripts_keep_the_books_heading(tmp_path: Path) -> None:
    book = tmp_path / "numbers.txt"
    book.write_text(BOOK, encoding="utf-8")
    out = tmp_path / "out"
    args = ["-q", "generate", str(book), "--out", str(out), "--no-credits", "--jobs", "1"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    first, second = sorted((out / "the-numbers").glob("*.mp3"))
    assert "IV" in first.name and "XLII" in second.name
    vtt = first.with_suffix(".vtt").read_text(encoding="utf-8")
    assert "IV" in vtt and "FOUR" not in vtt.upper()
    for mp3 in (first, second):
        assert decode(mp3)[1] == ""  # decodes without a word from ffmpeg
