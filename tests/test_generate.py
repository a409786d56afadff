"""End to end through the CLI: real espeak-ng, MP3s decoded by ffmpeg, tags read by mutagen."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import decode
from mutagen.id3 import ID3

from narrate.cli import main


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object, Path]:
    out = tmp_path_factory.mktemp("out")
    book = Path(__file__).parent / "data" / "two-chapters.txt"
    cache = tmp_path_factory.mktemp("cache")
    result = CliRunner().invoke(
        main,
        ["-q", "generate", str(book), "--out", str(out), "--cache-dir", str(cache), "--jobs", "2"],
    )
    assert result.exit_code == 0, result.output
    return out / "the-red-kite", result, cache


def test_writes_chapters_playlist_and_script(generated):
    folder, result, _ = generated
    names = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
    assert names == [
        "01 - Chapter 1 The Hill.mp3",
        "01 - Chapter 1 The Hill.srt",
        "01 - Chapter 1 The Hill.vtt",
        "02 - Chapter 2 The Sky.mp3",
        "02 - Chapter 2 The Sky.srt",
        "02 - Chapter 2 The Sky.vtt",
        "script.json",
        "the-red-kite.m3u8",
    ]
    # stdout lists exactly the files written.
    assert sorted(Path(line).name for line in result.stdout.split("\n") if line) == names
    playlist = (folder / "the-red-kite.m3u8").read_text().splitlines()
    assert playlist[0] == "#EXTM3U"
    assert [line for line in playlist if line.endswith(".mp3")] == [
        "01 - Chapter 1 The Hill.mp3",
        "02 - Chapter 2 The Sky.mp3",
    ]


def test_mp3s_decode_with_durations_that_fit_the_text(generated):
    folder, _, _ = generated
    script = json.loads((folder / "script.json").read_text())
    for n, mp3 in enumerate(sorted(folder.glob("*.mp3")), start=1):
        pcm, errors = decode(mp3)
        assert errors == ""
        seconds = len(pcm) / 2 / 22050
        words = sum(len(s["text"].split()) for s in script["segments"] if s["chapter"] == n)
        # 175 words a minute plus pauses: between 0.6x and 2x the plain reading time.
        reading = words / 175 * 60
        assert 0.6 * reading < seconds < 2.0 * reading + 6, (mp3.name, seconds, words)


def test_tags_read_back_with_mutagen(generated):
    folder, _, _ = generated
    files = sorted(folder.glob("*.mp3"))
    for n, path in enumerate(files, start=1):
        tags = ID3(path)
        assert tags.version[:2] == (2, 4)
        assert str(tags["TALB"]) == "The Red Kite"
        assert str(tags["TPE1"]) == "Ada Quill" == str(tags["TPE2"])
        assert str(tags["TRCK"]) == f"{n}/{len(files)}"
        assert str(tags["TCON"]) == "Audiobook"
        assert str(tags["TLAN"]) == "eng"
        assert not tags.getall("COMM")  # no description: no comment to pass for one
        assert str(tags["TSSE"]).startswith("narrate ")
    assert str(ID3(files[1])["TIT2"]) == "Chapter 2: The Sky"


def test_script_json_follows_the_interface(generated):
    folder, _, _ = generated
    source = (Path(__file__).parent / "data" / "two-chapters.txt").read_text(encoding="utf-8")
    script = json.loads((folder / "script.json").read_text())
    assert script["book"] == {"title": "The Red Kite", "author": "Ada Quill"}
    names = {c["name"] for c in script["characters"]}
    assert {"Tom", "Jo"} <= names
    for seg in script["segments"]:
        assert source[seg["start"] : seg["end"]] == seg["text"]
        assert seg["kind"] in ("narration", "speech", "thought")
        assert (seg["speaker"] is None) == (seg["kind"] == "narration")


def test_rerun_is_cached_and_byte_identical(generated, tmp_path):
    folder, _, cache = generated
    before = {p.name: p.read_bytes() for p in folder.glob("*.mp3")}
    blocks = sorted(cache.rglob("*.mp3"))
    stamps = [p.stat().st_mtime_ns for p in blocks]
    copy = tmp_path / "again"
    book = Path(__file__).parent / "data" / "two-chapters.txt"
    result = CliRunner().invoke(
        main,
        ["-q", "generate", str(book), "--out", str(copy), "--jobs", "1", "--cache-dir", str(cache)],
    )
    assert result.exit_code == 0, result.output
    after = {p.name: p.read_bytes() for p in (copy / "the-red-kite").glob("*.mp3")}
    assert after == before
    # Nothing was rendered again: the cache is unchanged.
    assert sorted(cache.rglob("*.mp3")) == blocks
    assert [p.stat().st_mtime_ns for p in blocks] == stamps


def test_no_temporary_files_left(generated):
    folder, _, _ = generated
    assert not [p for p in folder.iterdir() if ".part" in p.name or p.name.endswith(".tmp")]


def test_bad_input_is_one_line_and_nothing_written(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n\n")
    result = CliRunner().invoke(main, ["generate", str(empty), "--out", str(tmp_path / "o")])
    assert result.exit_code != 0
    lines = [line for line in result.stderr.splitlines() if line]
    assert len(lines) == 1 and "empty" in lines[0]
    assert "Traceback" not in result.output
    assert not (tmp_path / "o").exists()
    shutil.rmtree(tmp_path, ignore_errors=True)
