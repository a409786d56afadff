"""Shared fixtures: real espeak-ng and ffmpeg, a private cache per test session."""

from __future__ import annotations

import array
import math
import re
import struct
import subprocess
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import Result

from narrate.records import Book, Chapter, Character, Script
from narrate.segment.ages import find_children
from narrate.segment.attribution import attribute
from narrate.segment.characters import discover
from narrate.segment.mentions import find_mentions
from narrate.segment.quotes import find_quotes
from narrate.segment.reading import Reading
from narrate.segment.segmenter import segment
from narrate.segment.sieve import read_paragraph, resolve_narration
from narrate.tools import decode_pcm, ffmpeg_exe

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).parent.parent


@pytest.fixture(autouse=True)
def _private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Never touch the user's real cache from a test.
    monkeypatch.setenv("NARRATE_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))


def decode(path: Path) -> tuple[bytes, str]:
    """Decode any audio file with ffmpeg to 22,050 Hz mono s16le; (pcm, stderr)."""
    result = decode_pcm(path, 22050)
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout, result.stderr.decode()


@pytest.fixture
def data_dir() -> Path:
    return DATA


def make_png(width: int = 1, height: int = 1, rgb: tuple[int, int, int] = (255, 0, 0)) -> bytes:
    """A real PNG of one colour, small enough to write in a test, valid for any decoder."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


RATE = 22050


def sine(seconds: float = 2.0, amplitude: float = 0.5, freq: float = 1000.0) -> bytes:
    """s16le mono PCM at 22,050 Hz: a sine at ``amplitude`` of full scale (0 gives silence)."""
    peak = amplitude * 32767
    n = int(RATE * seconds)
    return array.array(
        "h", (int(peak * math.sin(2 * math.pi * freq * i / RATE)) for i in range(n))
    ).tobytes()


def encode_mp3(path: Path, pcm: bytes) -> Path:
    """Encode mono 22,050 Hz PCM to a 64 kbps MP3 with LAME, as narrate's blocks are."""
    import lameenc

    enc = lameenc.Encoder()
    enc.set_bit_rate(64)
    enc.set_in_sample_rate(RATE)
    enc.set_channels(1)
    enc.set_quality(2)
    path.write_bytes(enc.encode(pcm) + enc.flush())
    return path


def make_book(text: str) -> Book:
    """One chapter; paragraphs are the blank-line-separated blocks."""
    paras = tuple(
        (m.start(), m.end()) for m in re.finditer(r"\S(?:.*\S)?(?:\n(?![ \t]*\n).*\S)*", text)
    )
    return Book(text, "Test", None, (Chapter(1, "One", paras),))


def speakers(text: str, cast: list[Character] | None = None) -> list[str | None]:
    """Who speaks each speech segment of ``text``, its segments checked to cover it."""
    sc = segment(make_book(text), cast)
    check_cover(sc)
    return [s.speaker for s in sc.segments if s.kind == "speech"]


def reading_at(text: str, pi: int, cast: list[Character] | None = None) -> Reading:
    """The attribution sieve's reading of ``text`` as far as paragraph ``pi``: the
    paragraphs before it attributed, its own narration resolved, its quotes not yet.
    With ``pi`` past the last paragraph, the whole book read (but not re-read)."""
    book = make_book(text)
    source, spans = book.source, list(book.chapters[0].paragraphs)
    quotes = find_quotes(source, spans)
    table = discover(source, cast or None)
    mentions = find_mentions(source, table)
    find_children(source, table, mentions)
    ahead = attribute(source, spans, quotes, table, mentions, {}).lines
    r = Reading(source, spans, quotes, table, mentions, ahead)
    for p in range(min(pi, len(spans))):
        read_paragraph(r, p)
    if pi < len(spans):
        resolve_narration(r, *spans[pi], quotes[pi])
    return r


def check_cover(script: Script) -> None:
    """Segments in order, not overlapping, covering every non-space char once."""
    book = script.book
    for ch in book.chapters:
        for k, (lo, hi) in enumerate(ch.paragraphs):
            segs = [s for s in script.segments if s.chapter == ch.index and s.paragraph == k]
            covered = [False] * (hi - lo)
            last = lo
            for s in segs:
                assert s.text == book.source[s.start : s.end]
                assert lo <= s.start < s.end <= hi and s.start >= last
                last = s.end
                for i in range(s.start, s.end):
                    covered[i - lo] = True
            for i in range(lo, hi):
                assert covered[i - lo] or book.source[i].isspace(), (i, book.source[i])


GUTENBERG = """\ufeffThe Project Gutenberg eBook of The Salt Road, by Ada Quill

This eBook may be copied and given away under the terms of the Project
Gutenberg License included with it.

Title: The Salt Road
       and Other Journeys

Author: Ada Quill

Release Date: March 3, 2004 [EBook #99999]

Language: English

*** START OF THE PROJECT GUTENBERG EBOOK THE SALT ROAD ***




Produced by a team of volunteer readers




THE SALT ROAD

By Ada Quill


CONTENTS

 {first}
 {second}


{first}
THE WELL


The well at the end of the salt road had been dry for
eleven summers, and still the caravans stopped there.

"Water is a rumour," said the old driver, "and rumours travel."


{second}

The Market

At the market they sold the salt by the cupful and the
stories by the hour.

THE END


*** END OF THE PROJECT GUTENBERG EBOOK THE SALT ROAD ***

Updated editions will replace the previous one. The full License
is included below. Section 1. General Terms of Use: by reading or
using any part of this Project Gutenberg work you agree to it.
"""


EPUB_CHAPTERS = [("The Tide Turns", "Maren"), ("A Light in Fog", "Elias"), ("Home Again", "Wren")]


def make_epub(path: Path, *, nav: bool = True, split: bool = False) -> Path:
    epub = pytest.importorskip("ebooklib.epub")
    book = epub.EpubBook()
    book.set_identifier("urn:isbn:9780000000002")
    book.set_title("The Glass Harbour")
    book.set_language("en-GB")
    book.add_author("Ada Quill")
    book.add_metadata("DC", "publisher", "Quill Press")
    book.add_metadata("DC", "date", "2021-05-04")
    book.add_metadata("DC", "description", "<p>A small <b>test</b> book.</p>")
    book.set_cover("cover.png", make_png(1, 1, (255, 0, 0)))
    front = epub.EpubHtml(title="Copyright", file_name="copyright.xhtml")
    front.content = (
        "<html><body><p>Copyright 2021 Ada Quill. All rights reserved.</p></body></html>"
    )
    book.add_item(front)
    pages = []
    for number, (name, speaker) in enumerate(EPUB_CHAPTERS, 1):
        page = epub.EpubHtml(title=name, file_name=f"ch{number}.xhtml")
        page.content = (
            f"<html><body><h1>{number}</h1><p>The first words of {name.lower()}."
            f'<sup><a href="#n{number}" epub:type="noteref">{number}</a></sup></p>'
            f'<p><img src="cover.png" alt="A drawing of gulls"/>“Hello,” said {speaker}.</p>'
            f'<hr/><p>After the break &amp; all.</p><aside epub:type="footnote" id="n{number}">'
            "<p>A footnote nobody should hear.</p></aside></body></html>"
        )
        book.add_item(page)
        pages.append(page)
    if split:
        extra = epub.EpubHtml(title="", file_name="ch3b.xhtml")
        extra.content = "<html><body><p>The third chapter goes on here.</p></body></html>"
        book.add_item(extra)
        pages.append(extra)
    book.toc = [epub.Link("copyright.xhtml", "Copyright", "copyright")] + [
        epub.Link(f"ch{n}.xhtml", name, f"c{n}") for n, (name, _) in enumerate(EPUB_CHAPTERS, 1)
    ]
    book.add_item(epub.EpubNcx())
    if nav:
        book.add_item(epub.EpubNav())
    book.spine = ["cover", *(["nav"] if nav else []), front, *pages]
    epub.write_epub(str(path), book)
    return path


TEMP_PATTERNS = ("*.part*", ".tmp-*", "*.tmp")


def assert_no_temp_files(*folders: Path) -> None:
    for folder in folders:
        for pattern in TEMP_PATTERNS:
            left = [p for p in folder.rglob(pattern)] if folder.exists() else []
            assert not left, f"temporary files left behind: {left}"


def decodes_cleanly(path: Path) -> float:
    """Decode an MP3 fully with ffmpeg, not a word on stderr; return its length in seconds."""
    pcm, stderr = decode(path)
    assert stderr == "", (path, stderr)
    return len(pcm) / 2 / RATE


def loudness(path: Path) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) of an audio file, by ffmpeg's ebur128 meter."""
    err = subprocess.run(
        [ffmpeg_exe(), "-nostats", "-i", str(path)]
        + ["-af", "ebur128=peak=true:framelog=verbose", "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    summary = err.rpartition("Summary:")[2]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))  # type: ignore[union-attr]
    peak = float(re.search(r"Peak:\s+(-?[\d.]+) dBFS", summary).group(1))  # type: ignore[union-attr]
    return integrated, peak


def assert_cues_at_onsets(path: Path, tolerance: float = 0.05) -> int:
    """Every WebVTT cue beside the MP3 starts where its speech is first heard; the cue count."""
    pcm, _ = decode(path)
    samples = np.abs(np.frombuffer(pcm, dtype="<i2").astype(np.int32))
    text = path.with_suffix(".vtt").read_text()
    starts = [seconds_of(m) for m in re.findall(r"^([\d:.]+) --> ", text, re.MULTILINE)]
    assert len(starts) >= 3
    for start in starts:
        lo = max(int((start - tolerance) * RATE), 0)
        loud = np.nonzero(samples[lo:] > 150)[0]
        onset = (lo + loud[0]) / RATE
        assert abs(onset - start) <= tolerance, (path.name, start, onset)
    return len(starts)


def seconds_of(stamp: str) -> float:
    h, m, s = stamp.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


@dataclass(frozen=True)
class Run:
    """A finished `python -m narrate` run: its exit code and what it printed."""

    code: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


def run_narrate(*args: str, timeout: float = 300, **popen: Any) -> Run:
    """Run `python -m narrate ARGS` as a user does (stderr is what they would see)."""
    done = subprocess.run(
        [sys.executable, "-m", "narrate", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        **popen,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def error_line(result: Result, code: int, *words: str) -> str:
    """The run failed with ``code`` and said so in exactly one line, no traceback."""
    assert result.exit_code == code, (result.exit_code, result.output, result.exception)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("narrate: ") and "Traceback" not in result.output
    for word in words:
        assert word.lower() in lines[0].lower(), (word, lines[0])
    return lines[0]
