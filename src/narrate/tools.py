"""ffmpeg, the one external program narrate runs, and everything that talks to it directly.

What belongs here: finding ffmpeg (the system's or imageio-ffmpeg's) and its
version; running it on a file or streaming bytes through it, with its errors
turned into one clear message; and reading what it prints (the EBU R128 meter's
summary). What ffmpeg is asked to make (an M4B, a loudness figure) belongs to
the module that needs it; this module knows the program, not the formats.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import re
import shutil
import subprocess
import threading
from collections import deque
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from narrate.errors import EngineError, InputError

_STDERR_LINES = 50  # lines of ffmpeg's stderr kept for an error message
_TAIL = 300  # characters of it quoted to the user


@functools.cache
def ffmpeg_source() -> tuple[str, str]:
    """(path, where from): the system's ffmpeg when present, else imageio-ffmpeg's."""
    forced = os.environ.get("NARRATE_FFMPEG")
    if forced:
        return forced, "NARRATE_FFMPEG"
    if os.environ.get("NARRATE_BUNDLED_ONLY") != "1":
        system = shutil.which("ffmpeg")
        if system:
            return system, "system"
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe(), "imageio-ffmpeg"
    except (ImportError, RuntimeError) as exc:
        raise EngineError(
            "ffmpeg not found: install it, or reinstall narrate so imageio-ffmpeg is present"
        ) from exc


def ffmpeg_exe() -> str:
    return ffmpeg_source()[0]


@functools.cache
def ffmpeg_version() -> str:
    out = subprocess.run([ffmpeg_exe(), "-version"], capture_output=True, text=True, check=False)
    match = re.search(r"ffmpeg version (\S+)", out.stdout)
    return match.group(1) if match else "unknown"


def describe_ffmpeg() -> str:
    """The `narrate doctor` line: which ffmpeg, which version, from where."""
    path, source = ffmpeg_source()
    return f"ffmpeg: {ffmpeg_version()} from {source} ({path})"


# ---------------------------------------------------------------- running it


def run_ffmpeg_on(path: Path, args: list[str]) -> subprocess.CompletedProcess[str]:
    """Run ffmpeg with ``path`` as its input; InputError when it cannot decode the file."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path), *args]
    try:
        done = subprocess.run(
            cmd, capture_output=True, text=True, encoding="utf-8", errors="replace", check=False
        )
    except OSError as exc:
        raise EngineError(f"cannot run ffmpeg ({exc}); reinstall ffmpeg or imageio-ffmpeg") from exc
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise InputError(
            f"{path}: ffmpeg cannot decode it ({last}); check the file is a complete audio file"
        )
    return done


def decode_pcm(path: Path, sample_rate: int) -> subprocess.CompletedProcess[bytes]:
    """ffmpeg's decoding of any audio file: 16-bit mono PCM at ``sample_rate`` on stdout."""
    cmd = [ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1"]
    return subprocess.run([*cmd, "-ar", str(sample_rate), "-"], capture_output=True, check=False)


def _drain(stream: IO[bytes], keep: deque[bytes]) -> None:
    # ffmpeg blocks once its stderr pipe fills; reading it on a thread lets the
    # main thread keep feeding stdin without a deadlock.
    for line in iter(stream.readline, b""):
        keep.append(line[-_TAIL * 4 :])  # the deque's maxlen bounds the line count


def _tail(keep: deque[bytes]) -> str:
    text = b"".join(keep).decode("utf-8", "replace").strip()
    text = " ".join(text.split())
    if not text:
        return "no message"
    return text if len(text) <= _TAIL else "..." + text[-_TAIL:]


def feed_ffmpeg(args: list[str], chunks: Iterable[bytes]) -> tuple[int, str]:
    """Run ffmpeg with ``args``, streaming ``chunks`` into its stdin.

    Returns (exit status, the tail of its stderr); memory stays bounded however
    much is streamed. An interrupt or a failing chunk source stops ffmpeg first.
    """
    cmd = [ffmpeg_exe(), *args]
    try:
        proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
    except OSError as exc:
        raise EngineError(
            f"cannot run ffmpeg ({exc}): reinstall ffmpeg or imageio-ffmpeg, "
            "or point NARRATE_FFMPEG at a working ffmpeg"
        ) from exc
    assert proc.stdin is not None and proc.stderr is not None
    keep: deque[bytes] = deque(maxlen=_STDERR_LINES)
    reader = threading.Thread(target=_drain, args=(proc.stderr, keep), daemon=True)
    reader.start()
    try:
        try:
            for chunk in chunks:
                proc.stdin.write(chunk)
        except BrokenPipeError:
            pass  # ffmpeg quit early; its exit status and stderr say why
        finally:
            with contextlib.suppress(BrokenPipeError):
                proc.stdin.close()
        code = proc.wait()
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    finally:
        reader.join(timeout=10)
        proc.stderr.close()
    return code, _tail(keep)


# ---------------------------------------------------------------- loudness (EBU R128)


def _number(text: str) -> float | None:
    # ebur128 prints "-inf" for silence; JSON and comparisons are simpler with None.
    value = float(text)
    return value if math.isfinite(value) else None


_SUMMARY = {
    "integrated_lufs": r"^\s*I:\s*(\S+)\s+LUFS",
    "lra_lu": r"^\s*LRA:\s*(\S+)\s+LU\b",
    "true_peak_dbtp": r"^\s*Peak:\s*(\S+)\s+dBFS",
}


def parse_ebur128(stderr: str) -> dict[str, float | None]:
    """Integrated loudness, loudness range and true peak from ebur128's summary."""
    _, found, summary = stderr.rpartition("Summary:")
    if not found:
        raise ValueError("no ebur128 summary in ffmpeg's output")
    out: dict[str, float | None] = {}
    for key, pattern in _SUMMARY.items():
        match = re.search(pattern, summary, re.MULTILINE)
        out[key] = _number(match.group(1)) if match else None
    return out


def measure_loudness(path: Path) -> dict[str, float | None]:
    """EBU R128 figures for the first audio stream of ``path``."""
    # framelog=verbose keeps the per-100ms lines out of the (info-level) summary output.
    done = run_ffmpeg_on(
        path, ["-map", "0:a:0", "-af", "ebur128=peak=true:framelog=verbose", "-f", "null", "-"]
    )
    try:
        return parse_ebur128(done.stderr)
    except ValueError as exc:
        raise EngineError(
            f"{path}: ffmpeg printed no loudness summary; "
            "update ffmpeg (the ebur128 filter is needed)"
        ) from exc
