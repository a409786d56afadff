"""Issue "players respect": every format, cover, loudness and transcripts, checked with
ffmpeg and mutagen rather than narrate's own readers."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DATA, assert_cues_at_onsets, decode, loudness, make_png
from mutagen.id3 import ID3
from mutagen.mp3 import MP3
from mutagen.mp3._util import XingHeader
from mutagen.mp4 import MP4

from narrate.cli import main
from narrate.tools import ffmpeg_exe

TITLES = ["Chapter 1: The Shop", "Chapter 2: The Fog", "Chapter 3: The Bell"]


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("book")
    cover = work / "cover.png"
    cover.write_bytes(make_png(8, 8, (200, 80, 40)))
    result = CliRunner().invoke(
        main,
        [
            "-q",
            "generate",
            str(DATA / "three-chapters.txt"),
            "--out",
            str(work / "out"),
            "--format",
            "mp3,mp3-single,m4b",
            "--cover",
            str(cover),
            "--cache-dir",
            str(work / "cache"),
        ],
    )
    assert result.exit_code == 0, result.output
    return work / "out" / "the-clockmaker-s-lamp"


def _beside(book: Path, fmt: str) -> Path:
    """The folder of a format other than the book folder's own: one book per folder."""
    return book.with_name(f"{book.name} ({fmt})")


def ffmetadata_chapters(path: Path) -> list[tuple[float, str]]:
    out = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "ffmetadata", "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    chapters = []
    for block in out.split("[CHAPTER]")[1:]:
        base = re.search(r"TIMEBASE=(\d+)/(\d+)", block)
        start = int(re.search(r"START=(\d+)", block).group(1))
        title = re.search(r"title=(.*)", block).group(1)
        chapters.append((start * int(base.group(1)) / int(base.group(2)), title))
    return chapters


def test_three_chapter_mp3s_with_cover_and_transcripts(book):
    chapters = sorted(book.glob("0*.mp3"))
    assert len(chapters) == 3
    for path, title in zip(chapters, TITLES, strict=True):
        _, errors = decode(path)
        assert errors == ""
        tags = ID3(path)
        assert str(tags["TIT2"]) == title
        assert tags.getall("APIC")[0].data == make_png(8, 8, (200, 80, 40))
        assert path.with_suffix(".vtt").read_text().startswith("WEBVTT")
        assert " --> " in path.with_suffix(".srt").read_text()


def test_single_mp3_lists_the_chapters(book):
    single = _beside(book, "mp3-single") / "the-clockmaker-s-lamp.mp3"
    _, errors = decode(single)
    assert errors == ""
    found = ffmetadata_chapters(single)
    assert [title for _, title in found] == TITLES
    # Each chapter starts where the previous chapter files' frames end: what their
    # players play plus the encoder delay and padding their Info tags trim.
    spans = []
    for path in sorted(book.glob("0*.mp3")):
        with path.open("rb") as file:
            file.seek(ID3(path).size)
            file.seek(XingHeader.get_offset(MP3(path).info), 1)
            lame = XingHeader(file).lame_header
        assert lame is not None
        trimmed = lame.encoder_delay_start + lame.encoder_padding_end
        spans.append((len(decode(path)[0]) / 2 + trimmed) / 22050)
    expected = [0.0, spans[0], spans[0] + spans[1]]
    for (start, _), want in zip(found, expected, strict=True):
        assert abs(start - want) < 0.05
    toc = ID3(single).getall("CTOC")[0]
    assert toc.flags & 1 and toc.flags & 2  # ordered, top level
    assert ID3(single).getall("APIC")[0].data == make_png(8, 8, (200, 80, 40))


def test_m4b_lists_the_chapters_with_cover(book):
    m4b = _beside(book, "m4b") / "the-clockmaker-s-lamp.m4b"
    _, errors = decode(m4b)
    assert errors == ""
    assert [title for _, title in ffmetadata_chapters(m4b)] == TITLES
    tags = MP4(m4b).tags
    assert bytes(tags["covr"][0]) == make_png(8, 8, (200, 80, 40))
    assert tags["©alb"] == ["The Clockmaker's Lamp"] and tags["©gen"] == ["Audiobook"]


def test_loudness_on_target_with_headroom(book):
    for path in [
        *sorted(book.glob("0*.mp3")),
        _beside(book, "mp3-single") / "the-clockmaker-s-lamp.mp3",
        _beside(book, "m4b") / "the-clockmaker-s-lamp.m4b",
    ]:
        integrated, peak = loudness(path)
        assert abs(integrated - -18.0) <= 1.0, (path.name, integrated)
        assert peak <= -3.0, (path.name, peak)


def test_cues_start_where_their_speech_starts(book):
    for path in sorted(book.glob("0*.mp3")):
        assert_cues_at_onsets(path)


# ---------------------------------------------------------------- the M4B, box by box


def _boxes(data: bytes, start: int, end: int) -> dict[bytes, list[tuple[int, int]]]:
    """The boxes in data[start:end]: kind -> [(payload start, end)], 32-bit sizes only."""
    found: dict[bytes, list[tuple[int, int]]] = {}
    while start + 8 <= end:
        size = int.from_bytes(data[start : start + 4], "big")
        assert size >= 8, "a damaged box"
        found.setdefault(data[start + 4 : start + 8], []).append((start + 8, start + size))
        start += size
    return found


def _child(data: bytes, box: tuple[int, int], *path: bytes) -> tuple[int, int]:
    for kind in path:
        (box,) = _boxes(data, *box)[kind]
    return box


def _table(data: bytes, box: tuple[int, int], width: int) -> list[tuple[int, ...]]:
    """A full box's entry count and its entries of ``width`` 32-bit numbers."""
    count = int.from_bytes(data[box[0] + 4 : box[0] + 8], "big")
    words = [
        int.from_bytes(data[box[0] + 8 + 4 * i : box[0] + 12 + 4 * i], "big")
        for i in range(count * width)
    ]
    return [tuple(words[i : i + width]) for i in range(0, len(words), width)]


def test_m4b_is_branded_and_each_chapter_title_is_a_chunk_before_its_audio(book):
    """The layout music-metadata reads chapters from: a title sample per chunk, placed
    in the file before its chapter's audio, whose chunks before it say when it starts."""
    m4b = _beside(book, "m4b") / "the-clockmaker-s-lamp.m4b"
    data = m4b.read_bytes()
    assert data[4:8] == b"ftyp" and data[8:12] == b"M4B "  # the major brand
    top = _boxes(data, 0, len(data))
    (moov,) = top[b"moov"]
    (mdat,) = top[b"mdat"]
    assert moov[0] < mdat[0]  # faststart: players read the chapters before the audio
    tracks = {}
    for trak in _boxes(data, *moov)[b"trak"]:
        hdlr = _child(data, trak, b"mdia", b"hdlr")
        tracks[data[hdlr[0] + 8 : hdlr[0] + 12]] = _boxes(
            data, *_child(data, trak, b"mdia", b"minf", b"stbl")
        )
    text, audio = tracks[b"text"], tracks[b"soun"]
    assert _table(data, text[b"stsc"][0], 3) == [(1, 1, 1)]  # every chunk holds one sample
    offsets = [o for (o,) in _table(data, text[b"stco"][0], 1)]
    sizes_box = text[b"stsz"][0]
    sizes = [s for (s,) in _table(data, (sizes_box[0] + 4, sizes_box[1]), 1)]
    assert len(offsets) == len(sizes) == len(TITLES)
    titles = []
    for offset, size in zip(offsets, sizes, strict=True):
        assert mdat[0] <= offset and offset + size <= mdat[1]
        length = int.from_bytes(data[offset : offset + 2], "big")
        titles.append(data[offset + 2 : offset + 2 + length].decode())
    assert titles == TITLES
    # Audio chunks: one per chapter, each right after its title.
    chunks = [o for (o,) in _table(data, audio[b"stco"][0], 1)]
    assert [o + s for o, s in zip(offsets, sizes, strict=True)] == chunks
    runs = _table(data, audio[b"stsc"][0], 3)
    per_chunk = [
        next(n for first, n, _ in reversed(runs) if first <= chunk)
        for chunk in range(1, len(chunks) + 1)
    ]
    ((count, duration),) = _table(data, audio[b"stts"][0], 2)
    assert sum(per_chunk) == count and duration == 1024
    mdhd = _child(data, _trak(data, moov, b"soun"), b"mdia", b"mdhd")
    scale = int.from_bytes(data[mdhd[0] + 12 : mdhd[0] + 16], "big")
    # Where a reader that times a title by the audio chunks before it puts each chapter.
    by_position = [sum(per_chunk[:k]) * duration / scale for k in range(len(TITLES))]
    ffmpeg = [start for start, _ in ffmetadata_chapters(m4b)]
    assert by_position == pytest.approx(ffmpeg, abs=0.001)


def _trak(data: bytes, moov: tuple[int, int], kind: bytes) -> tuple[int, int]:
    for trak in _boxes(data, *moov)[b"trak"]:
        hdlr = _child(data, trak, b"mdia", b"hdlr")
        if data[hdlr[0] + 8 : hdlr[0] + 12] == kind:
            return trak
    raise AssertionError(f"no {kind!r} track")


def test_m4b_lasts_as_long_as_the_chapter_mp3s(book):
    """Encoded from the PCM: as long as the chapter files, each chapter where its file starts."""
    m4b = _beside(book, "m4b") / "the-clockmaker-s-lamp.m4b"
    lengths = [len(decode(path)[0]) // 2 for path in sorted(book.glob("0*.mp3"))]
    assert abs(len(decode(m4b)[0]) // 2 - sum(lengths)) <= 1024  # one AAC frame
    starts = [start for start, _ in ffmetadata_chapters(m4b)]
    expected = [0, lengths[0], lengths[0] + lengths[1]]
    for start, want in zip(starts, expected, strict=True):
        # within half an AAC frame (each chapter a whole number of frames), and a millisecond
        assert abs(start - want / 22050) <= (512 + 22) / 22050
