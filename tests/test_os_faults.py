"""Faults from outside: the parent killed under its workers, a cache the system refuses,
a dangling link in the cache; and what reaches the transcripts. Through the CLI.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import decodes_cleanly, error_line, run_narrate

from narrate.cli import main

WAVES = (
    "Chapter 1\n\n"
    + " ".join(f"Wave {n} broke on the rocks." for n in range(120))
    + "\n\nChapter 2\n\nThe keeper slept at midnight.\n"
)


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_workers_die_with_their_parent_and_the_next_run_proceeds(
    tmp_path: Path, sig: signal.Signals
) -> None:
    book = tmp_path / "waves.txt"
    book.write_text(WAVES, encoding="utf-8")
    out, cache = tmp_path / "out", tmp_path / "cache"
    cmd = [sys.executable, "-m", "narrate", "-q", "generate", str(book)]
    cmd += ["--out", str(out), "--cache-dir", str(cache), "--jobs", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 120
        while proc.poll() is None and not list(cache.glob("blocks/*/*.mp3")):
            assert time.monotonic() < deadline, "no audio rendered within 120 s"
            time.sleep(0.02)
        workers = _children(proc.pid)
        if proc.poll() is not None or len(workers) < 2:
            pytest.skip("the run finished before the signal could land")
        os.kill(proc.pid, sig)  # the parent alone, not its process group
        proc.wait(timeout=60)
        deadline = time.monotonic() + 30  # a bound for a stuck worker, not a speed target
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [w for w in workers if _alive(w)], "workers outlived their parent"
    finally:
        if proc.poll() is None:
            proc.kill()
        for worker in workers:
            if _alive(worker):
                os.kill(worker, signal.SIGKILL)
    # The lock went with the parent: the same command resumes at once and finishes.
    done = run_narrate(*cmd[3:])
    assert done.code == 0, done.stderr
    chapters = sorted((out / "waves").glob("*.mp3"))
    assert len(chapters) == 2 and all(decodes_cleanly(mp3) > 1.0 for mp3 in chapters)


def _refused_under(root: Path) -> Any:
    """os.mkdir / os.open that fail as a read-only file system does, under ``root``."""
    real_mkdir, real_open = os.mkdir, os.open

    def mkdir(path: Any, *args: Any, **kwargs: Any) -> None:
        if Path(path).is_relative_to(root):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        real_mkdir(path, *args, **kwargs)

    def open_(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT) and Path(path).is_relative_to(root):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_open(path, flags, *args, **kwargs)

    return mkdir, open_


def test_a_read_only_cache_exits_6_and_leaves_no_book_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = tmp_path / "lamp.txt"
    book.write_text("The lamp was lit at dusk.\n", encoding="utf-8")
    cache, out = tmp_path / "cache", tmp_path / "out"
    (cache / "blocks").mkdir(parents=True)
    mkdir, open_ = _refused_under(cache)
    monkeypatch.setattr(os, "mkdir", mkdir)
    monkeypatch.setattr(os, "open", open_)
    args = ["generate", str(book), "--out", str(out), "--cache-dir", str(cache), "-j", "1"]
    error_line(CliRunner().invoke(main, args), 6, str(cache), "--cache-dir")
    assert not out.exists() or not any(out.iterdir())


def test_cache_info_with_a_dangling_link_prints_a_size(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    (cache / "blocks" / "ab").mkdir(parents=True)
    (cache / "blocks" / "ab" / "real.mp3").write_bytes(b"\xff" * 3000)
    (cache / "blocks" / "ab" / "gone.mp3").symlink_to(tmp_path / "nowhere.mp3")
    info = CliRunner().invoke(main, ["cache", "info", "--cache-dir", str(cache)])
    assert info.exit_code == 0, info.output
    assert info.output.startswith(f"{cache}: 2 blocks, 0.0 MB") and "Traceback" not in info.output


def test_control_characters_never_reach_the_transcripts(tmp_path: Path) -> None:
    book = tmp_path / "bell.txt"
    book.write_text(
        "The bell\x07 rang \x1b[31mred\x1b[0m at dusk.\x01 "
        '"Ring\x85 it\x9b again," said Maren\x0b.\x7f\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    args = ["-q", "generate", str(book), "--out", str(out), "-j", "1", "--no-credits"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    transcripts = sorted(out.rglob("*.vtt")) + sorted(out.rglob("*.srt"))
    assert len(transcripts) == 2
    for path in transcripts:
        text = path.read_text(encoding="utf-8")
        assert "Ring it" in text.replace("  ", " ") and "[31mred" in text, text
        bad = [ch for ch in text if ch != "\n" and (ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F)]
        assert not bad, (path.name, bad)


@pytest.mark.parametrize("command", ["script", "cast"])
def test_script_and_cast_keep_their_work_in_the_cache_given(tmp_path: Path, command: str) -> None:
    book = tmp_path / "lamp.txt"
    book.write_text('"Keep it burning," said Maren.\n', encoding="utf-8")
    cache = tmp_path / "elsewhere"
    result = CliRunner().invoke(main, [command, str(book), "--cache-dir", str(cache)])
    assert result.exit_code == 0, result.output
    assert len(list((cache / "scripts").glob("*.json"))) == 1
