"""Shared fixtures: real espeak-ng and ffmpeg, a private cache per test session."""

from __future__ import annotations

import array
import math
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

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
    from narrate.tools import ffmpeg_exe

    result = subprocess.run(
        [
            ffmpeg_exe(),
            "-v",
            "error",
            "-i",
            str(path),
            "-f",
            "s16le",
            "-ac",
            "1",
            "-ar",
            "22050",
            "-",
        ],
        capture_output=True,
        check=False,
    )
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
