"""`narrate inspect`: real files made here, tagged with narrate.output.tags, then inspected."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import encode_mp3, sine

from narrate.errors import InputError, NarrateError
from narrate.output.chapters import ffmetadata_chapters, parse_ffmetadata
from narrate.output.inspection import inspect_file, render_inspection
from narrate.output.tags import tag_m4b, tag_mp3
from narrate.records import ChapterMark, TrackMeta
from narrate.tools import ffmpeg_exe

RATE = 22050
MARKS = (ChapterMark("Opening", 0.0, 1.0), ChapterMark("Closing", 1.0, 2.0))
META = TrackMeta(
    title="Chapter 2",
    album="The Book",
    artist="Ada Writer",
    track=2,
    total=9,
    narrator="Nell Reader",
    language="en",
    year="2001",
    chapters=MARKS,
)


def make_mp3(path: Path, amplitude: float = 0.5) -> Path:
    return encode_mp3(path, sine(amplitude=amplitude))


def make_m4b(path: Path, metadata: Path, *extra: str) -> Path:
    subprocess.run(
        [
            ffmpeg_exe(),
            "-hide_banner",
            "-y",
            "-v",
            "error",
            "-f",
            "s16le",
            "-ar",
            str(RATE),
            "-ac",
            "1",
            "-i",
            "-",
            "-i",
            str(metadata),
            "-map",
            "0",
            "-map_metadata",
            "1",
            "-map_chapters",
            "1",
            "-c:a",
            "aac",
            "-b:a",
            "64k",
            *extra,
            str(path),
        ],
        input=sine(),
        capture_output=True,
        check=True,
    )
    return path


def test_inspect_tagged_mp3(tmp_path: Path) -> None:
    path = make_mp3(tmp_path / "ch02.mp3")
    tag_mp3(path, META)
    info = inspect_file(path)
    assert info["format"] == "MP3"
    assert info["duration"] == pytest.approx(2.0, abs=0.1)
    assert (info["sample_rate"], info["channels"], info["bitrate"]) == (22050, 1, 64000)
    tags = info["tags"]
    assert tags["title"] == "Chapter 2" and tags["album"] == "The Book"
    assert tags["narrator"] == tags["composer"] == "Nell Reader"
    assert tags["track"] == "2/9" and tags["year"] == "2001" and tags["language"] == "eng"
    assert info["chapters"] == [
        {"title": "Opening", "start": 0.0, "end": 1.0},
        {"title": "Closing", "start": 1.0, "end": 2.0},
    ]
    loud = info["loudness"]
    # A -6 dBFS sine in mono: about -9 LUFS (plus the MP3's ripple), peak about -6 dBTP.
    assert -12.0 < loud["integrated_lufs"] < -6.0
    assert -8.0 < loud["true_peak_dbtp"] < -4.0
    assert 0.0 <= loud["lra_lu"] < 3.0


def test_quieter_file_measures_quieter(tmp_path: Path) -> None:
    loud = inspect_file(make_mp3(tmp_path / "loud.mp3", 0.5))["loudness"]
    soft = inspect_file(make_mp3(tmp_path / "soft.mp3", 0.05))["loudness"]
    # 20 dB lower amplitude: 20 LU quieter, within the encoder's error.
    assert loud["integrated_lufs"] - soft["integrated_lufs"] == pytest.approx(20.0, abs=1.0)


def test_silence_has_no_peak(tmp_path: Path) -> None:
    loud = inspect_file(make_mp3(tmp_path / "quiet.mp3", 0.0))["loudness"]
    assert loud["true_peak_dbtp"] is None  # -inf
    assert loud["integrated_lufs"] is None or loud["integrated_lufs"] <= -70.0


@pytest.mark.parametrize(
    "movflags", [[], ["-movflags", "+disable_chpl"]], ids=["nero-chapters", "quicktime-only"]
)
def test_inspect_m4b(tmp_path: Path, movflags: list[str]) -> None:
    metafile = tmp_path / "meta.txt"
    metafile.write_text(ffmetadata_chapters(MARKS, META), encoding="utf-8")
    path = make_m4b(tmp_path / "book.m4b", metafile, *movflags)
    tag_m4b(path, META)
    info = inspect_file(path)
    assert info["format"] == "M4B" and info["codec"] == "mp4a.40.2"
    assert info["tags"]["narrator"] == "Nell Reader" and info["tags"]["track"] == "2/9"
    assert info["tags"]["media_kind"] == "Audiobook"
    # Without a Nero list mutagen sees no chapters: they come from ffmpeg instead.
    assert [c["title"] for c in info["chapters"]] == ["Opening", "Closing"]
    assert [c["start"] for c in info["chapters"]] == pytest.approx([0.0, 1.0], abs=1e-3)
    assert info["chapters"][-1]["end"] == pytest.approx(2.0, abs=0.1)
    assert -12.0 < info["loudness"]["integrated_lufs"] < -6.0


def test_render(tmp_path: Path) -> None:
    path = make_mp3(tmp_path / "ch02.mp3")
    tag_mp3(path, META)
    text = render_inspection(inspect_file(path))
    lines = text.splitlines()
    assert lines[0] == f"File:      {path}"
    assert lines[1] == "Format:    MP3, 64 kbps, 22050 Hz, mono"
    assert lines[2].startswith("Duration:  0:00:02.")
    assert lines[3].startswith("Loudness:  -") and "LUFS integrated" in lines[3]
    assert "  title         Chapter 2" in lines
    assert "Chapters (2):" in lines
    assert "    1. 0:00:00.000 - 0:00:01.000  Opening" in lines
    bare = render_inspection({"path": "x.mp3", "format": "MP3", "duration": 1.0})
    assert "Tags:      none" in bare and "Chapters:  none" in bare


def test_parse_ffmetadata() -> None:
    text = (
        ";FFMETADATA1\ntitle=a\\=b\\\nc\n[STREAM]\ntitle=ignored\n"
        "[CHAPTER]\nTIMEBASE=1/44100\nSTART=44100\nEND=88200\ntitle=x\\;y\n"
    )
    assert parse_ffmetadata(text) == (
        {"title": "a=b\nc"},
        [{"title": "x;y", "start": 1.0, "end": 2.0}],
    )


def test_errors_name_the_file_and_fix(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist; pass the path"):
        inspect_file(tmp_path / "nope.mp3")
    with pytest.raises(InputError, match="is a folder"):
        inspect_file(tmp_path)
    text = tmp_path / "notes.txt"
    text.write_text("hello\n" * 100)
    with pytest.raises(NarrateError, match=r"notes\.txt: not an audio file.*MP3, M4B"):
        inspect_file(text)
    fake = tmp_path / "fake.mp3"
    fake.write_bytes(b"\x00garbage" * 500)
    with pytest.raises(NarrateError, match=r"fake\.mp3"):
        inspect_file(fake)
