"""Scale behaviour: resume after a kill, the output lock, re-rendering only what changed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner
from conftest import DATA, decode

from narrate.cli import main
from narrate.errors import OutputError
from narrate.folderlock import locked


def long_book(path: Path, chapters: int = 8) -> Path:
    parts = ["The Long Road\n\nby Ada Quill\n"]
    for n in range(1, chapters + 1):
        parts.append(f"Chapter {n}: Mile {n}\n")
        for m in range(6):
            parts.append(
                f"The road ran on past hedge {m} and field {n}, and the walkers "
                f"counted {n * 10 + m} stones before the light went grey.\n"
            )
            parts.append(f"“Are we nearly there?” asked Tam. “We passed {m} gates.”\n")
            parts.append(f"“Not yet,” said Bree. “Mile {n} is longer than it looks.”\n")
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def test_killed_run_leaves_no_broken_file_and_resumes(tmp_path):
    book = long_book(tmp_path / "road.txt")
    out, cache = tmp_path / "out", tmp_path / "cache"
    cmd = [
        sys.executable,
        "-m",
        "narrate",
        "-q",
        "generate",
        str(book),
        "--out",
        str(out),
        "--cache-dir",
        str(cache),
        "--jobs",
        "1",
        "--no-transcripts",
    ]
    proc = subprocess.Popen(
        cmd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    folder = out / "the-long-road"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list(folder.glob("0*.mp3")):
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # killed outright, mid-run
    proc.wait()
    finished = sorted(folder.glob("*.mp3"))
    assert 1 <= len(finished) < 8, "the kill should land mid-book"
    for path in finished:  # whatever is there is whole
        assert decode(path)[1] == ""
    # A kill can leave a temporary file, but only a hidden one no player takes for audio.
    for leftover in (p for p in folder.iterdir() if ".part" in p.name):
        assert leftover.name.startswith(".") and leftover.suffix == ".part"
    blocks_before = set(cache.rglob("*.mp3"))

    result = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    assert len(list(folder.glob("0*.mp3"))) == 8
    assert not [p for p in folder.iterdir() if ".part" in p.name]  # swept by the re-run
    # What the killed run rendered was kept and reused, not rendered again.
    assert blocks_before <= set(cache.rglob("*.mp3"))
    for path in blocks_before:
        assert path.stat().st_size > 0


def test_second_run_on_a_locked_folder_is_refused(tmp_path):
    folder = tmp_path / "out" / "the-clockmaker-s-lamp"
    folder.mkdir(parents=True)
    with locked(folder):
        result = CliRunner().invoke(
            main,
            [
                "generate",
                str(DATA / "three-chapters.txt"),
                "--out",
                str(tmp_path / "out"),
                "--cache-dir",
                str(tmp_path / "cache"),
            ],
        )
    assert result.exit_code == 5
    assert "another narrate run is writing" in result.stderr
    assert not list(folder.glob("*.mp3"))


def test_the_lock_is_gone_after_a_run_and_a_run_with_nothing_to_do_says_so(tmp_path):
    args = ["generate", str(DATA / "two-chapters.txt"), "--out", str(tmp_path / "out")]
    args += ["--cache-dir", str(tmp_path / "cache"), "--jobs", "1"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    folder = tmp_path / "out" / "the-red-kite"
    assert not (folder / ".narrate.lock").exists()
    assert "Narrated The Red Kite: 2 chapter(s) written" in first.stderr
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 0, again.output
    assert again.stderr.strip().splitlines()[-1] == (
        "The Red Kite is up to date: nothing to narrate again"
    )
    assert not (folder / ".narrate.lock").exists()


def test_the_lock_is_removed_when_released_and_stays_exclusive(tmp_path):
    # Removing the lock file must not let two runs hold the folder: the next run
    # locks a fresh file, and one more is still refused while it holds it.
    folder = tmp_path / "book"
    folder.mkdir()
    with locked(folder):
        assert (folder / ".narrate.lock").exists()
    assert not (folder / ".narrate.lock").exists()
    with locked(folder):
        try:
            with locked(folder):
                raise AssertionError("two runs held one folder")
        except OutputError as exc:
            assert "another narrate run is writing" in str(exc)


def test_changing_one_voice_renders_only_that_characters_lines(tmp_path):
    book = DATA / "three-chapters.txt"
    cache = tmp_path / "cache"
    voices = tmp_path / "voices.yaml"
    cast = "characters:\n  Nell:\n    gender: female\n    voice: {}\n  Peter: [Old Peter]\n"
    voices.write_text(cast.format("en-us+f3"))
    args = [
        "-q",
        "generate",
        str(book),
        "--out",
        str(tmp_path / "out"),
        "--cache-dir",
        str(cache),
        "--jobs",
        "1",
        "--no-credits",
        "--voices",
        str(voices),
    ]
    assert CliRunner().invoke(main, args).exit_code == 0
    before = set(cache.rglob("*.mp3"))
    script = (
        CliRunner()
        .invoke(main, ["script", str(book), "--format", "json", "--voices", str(voices)])
        .stdout
    )
    import json

    segments = json.loads(script)["segments"]
    nell_lines = sum(
        len([s for s in seg["text"].split(". ") if s.strip()])
        for seg in segments
        if seg["speaker"] == "Nell"
    )
    assert 0 < nell_lines < len(segments)
    voices.write_text(cast.format("en-gb+f4"))
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    new = set(cache.rglob("*.mp3")) - before
    # One new block per sentence Nell speaks, none for anyone else.
    assert 0 < len(new) <= nell_lines + 1
    assert len(new) < len(before) / 2
