"""The M4B through the command line: progress while it encodes; a full disk, SIGTERM.

Real processes, real ffmpeg.
The full disk is a small tmpfs mounted in a private user and mount namespace
(``unshare -rm``), so nothing outside the test's own process sees it.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DATA, decode

from narrate.cli import main
from narrate.render.progress import ProgressBar

LINUX = pytest.mark.skipif(sys.platform != "linux", reason="Linux namespaces and signals")

# Mounts a 48 kB tmpfs on $OUT (the chapters' script and manifest fit, the M4B does not),
# runs narrate, then lists what is left there before the mount goes with the namespace.
_FULL_DISK = """
mount -t tmpfs -o size=48k tmpfs "$OUT" || exit 99
"$PYTHON" -m narrate -q generate "$BOOK" --out "$OUT" --cache-dir "$CACHE" \
    --format m4b --no-transcripts
code=$?
find "$OUT" -type f
exit $code
"""


def _narrate(*args: str) -> list[str]:
    return [sys.executable, "-m", "narrate", "-q", "generate", *args]


@LINUX
def test_a_full_disk_while_writing_the_m4b_exits_6_with_disk_advice(tmp_path: Path) -> None:
    unshare = shutil.which("unshare")
    if unshare is None or subprocess.run([unshare, "-rm", "true"], check=False).returncode:
        pytest.skip("no unprivileged user and mount namespaces here")
    out, cache = tmp_path / "out", tmp_path / "cache"
    out.mkdir()
    book = DATA / "two-chapters.txt"
    # Rendered first, so the full disk meets the M4B and nothing else.
    first = subprocess.run(
        [
            *_narrate(str(book), "--out", str(tmp_path / "warm"), "--cache-dir", str(cache)),
            "--format",
            "m4b",
        ],
        capture_output=True,
        check=False,
    )
    assert first.returncode == 0, first.stderr.decode()
    env = {**os.environ, "OUT": str(out), "PYTHON": sys.executable, "BOOK": str(book)}
    env["CACHE"] = str(cache)
    done = subprocess.run(
        [unshare, "-rm", "sh", "-c", _FULL_DISK], capture_output=True, env=env, check=False
    )
    if done.returncode == 99:
        pytest.skip("cannot mount a tmpfs here")
    stderr = done.stderr.decode().strip().splitlines()
    assert done.returncode == 6, stderr
    assert len(stderr) == 1 and stderr[0].startswith("narrate: the disk is full"), stderr
    assert "free some space" in stderr[0] and "AAC" not in stderr[0]
    left = [Path(line).name for line in done.stdout.decode().split()]
    # No temporary file, no half M4B (the folder the failed run made may be gone too).
    assert set(left) <= {".narrate.json"}, left


@LINUX
def test_sigterm_while_writing_the_m4b_leaves_no_temporary_file(tmp_path: Path) -> None:
    out, cache = tmp_path / "out", tmp_path / "cache"
    cmd = _narrate(
        str(DATA / "three-chapters.txt"),
        "--out",
        str(out),
        "--cache-dir",
        str(cache),
        "--format",
        "m4b",
        "--no-transcripts",
    )
    warm = subprocess.run(cmd, capture_output=True, check=False)  # render first
    assert warm.returncode == 0, warm.stderr.decode()
    folder = out / "the-clockmaker-s-lamp"
    (folder / "the-clockmaker-s-lamp.m4b").unlink()  # so the next run writes it again
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not list(folder.glob(".*.ffmeta.part")) and proc.poll() is None:
            assert time.monotonic() < deadline, "the M4B was not started within 60 s"
            time.sleep(0.005)
        proc.send_signal(signal.SIGTERM)  # to narrate alone, as a service manager sends it
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    if proc.returncode == 0:
        pytest.skip("the M4B was finished before SIGTERM arrived")
    assert proc.returncode == 130, err.decode()
    assert err.decode().strip().splitlines() == [
        "narrate: interrupted; run the same command again to resume"
    ]
    hidden = sorted(p.name for p in folder.iterdir() if p.name.startswith("."))
    assert hidden == [".narrate.json"], hidden
    assert not (folder / "the-clockmaker-s-lamp.m4b").exists()


def test_progress_is_shown_while_the_m4b_encodes(tmp_path: Path) -> None:
    """Off a terminal: a line as the M4B starts and one when it is done, after the chapters."""
    result = CliRunner().invoke(
        main,
        ["generate", str(DATA / "two-chapters.txt"), "--out", str(tmp_path), "--format", "mp3,m4b"],
    )
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    start = lines.index("  encoding: the-red-kite.m4b")
    assert lines[start + 1] == "  done: the-red-kite.m4b"
    chapters = [n for n, line in enumerate(lines) if line.startswith("  done: 0")]
    assert len(chapters) == 2 and max(chapters) < start


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_m4b_bar_moves_with_the_audio_encoded() -> None:
    screen = _Terminal()
    now = [100.0]
    bar = ProgressBar(True, "Book", screen, clock=lambda: now[0])
    book = Path("book.m4b")
    bar.encoding(book, 0.0, 600.0)
    now[0] += 0.05
    bar.encoding(book, 100.0, 600.0)  # too soon to redraw
    now[0] += 0.2
    bar.encoding(book, 150.0, 600.0)
    bar.encoding(book, 600.0, 600.0)
    drawn = screen.getvalue().split("\r\033[K")[1:]
    assert drawn[0].startswith("Encoding book.m4b [") and " 0% 0:00:00/0:10:00 of audio" in drawn[0]
    assert " 25% 0:02:30/0:10:00 of audio ETA " in drawn[1]
    assert drawn[2] == "  done: book.m4b\n"


def test_the_chapters_aac_is_kept_and_not_encoded_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second M4B of the same book (another folder, another title) reuses the chapters' AAC."""
    from narrate.output import m4b

    encoded: list[Path] = []
    real = m4b._encode_chapter

    def counting(pcm: object, out: Path, bitrate: int, sample_rate: int) -> None:
        encoded.append(out)
        real(pcm, out, bitrate, sample_rate)  # type: ignore[arg-type]

    monkeypatch.setattr(m4b, "_encode_chapter", counting)
    book = str(DATA / "two-chapters.txt")
    args = ["-q", "generate", book, "--format", "m4b", "--no-transcripts"]
    args += ["--cache-dir", str(tmp_path / "cache")]  # its own: no other test's AAC in it
    first = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "a")])
    assert first.exit_code == 0, first.output
    assert len(encoded) == 2  # one stream per chapter
    again = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "b"), "--layout", "library"])
    assert again.exit_code == 0, again.output
    assert len(encoded) == 2  # nothing encoded again
    made = [tmp_path / "a" / "the-red-kite" / "the-red-kite.m4b"]
    made.append(tmp_path / "b" / "Ada Quill" / "The Red Kite" / "The Red Kite.m4b")
    pcm = [decode(path)[0] for path in made]
    assert len(pcm[0]) > 22050 * 2 and pcm[0] == pcm[1]  # the same audio
