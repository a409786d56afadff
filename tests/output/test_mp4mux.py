"""Reading an ADTS stream's frames for the M4B: the quick way and the careful way agree."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import RATE, sine

from narrate import tools
from narrate.errors import EngineError
from narrate.output import mp4mux
from narrate.output.mp4mux import read_config, read_frames


def _adts(tmp_path: Path) -> Path:
    out = tmp_path / "tone.aac"
    subprocess.run(
        [tools.ffmpeg_exe(), "-v", "error", "-f", "s16le", "-ar", str(RATE), "-ac", "1"]
        + ["-i", "pipe:0", "-c:a", "aac", "-b:a", "96k", "-f", "adts", str(out)],
        input=sine(1.0),
        check=True,
    )
    return out


def _by_hand(data: bytes) -> tuple[list[int], bytes]:
    """Frame sizes and payloads by each 7-byte header's length field."""
    sizes, payload, pos = [], b"", 0
    while pos < len(data):
        length = ((data[pos + 3] & 3) << 11) | (data[pos + 4] << 3) | (data[pos + 5] >> 5)
        sizes.append(length - 7)
        payload += data[pos + 7 : pos + length]
        pos += length
    return sizes, payload


def _read(path: Path) -> tuple[list[int], bytes]:
    sizes, payload = [], b""
    for found, audio in read_frames(path):
        sizes += [int(n) for n in found]
        payload += bytes(audio)
    return sizes, payload


@pytest.mark.parametrize("block", [1 << 23, 1000, 7])
def test_frames_without_their_headers(
    tmp_path: Path, block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read a block at a time, frames cut by a block's end included."""
    monkeypatch.setattr(mp4mux, "_BLOCK", block)
    path = _adts(tmp_path)
    want_sizes, want_payload = _by_hand(path.read_bytes())
    assert len(want_sizes) > 20
    assert _read(path) == (want_sizes, want_payload)
    config = read_config(path)
    assert (config.object_type, config.sample_rate, config.channels) == (2, RATE, 1)
    assert config.specific() == bytes([0x13, 0x88])  # AAC LC, 22,050 Hz, mono


def test_a_header_look_alike_inside_a_frame_is_not_a_frame(tmp_path: Path) -> None:
    path = _adts(tmp_path)
    data = bytearray(path.read_bytes())
    want_sizes, _ = _by_hand(bytes(data))
    # The second frame's first header-long stretch of data made to look like a header.
    second = 7 + want_sizes[0]
    data[second + 7 : second + 14] = data[:7]
    path.write_bytes(data)
    assert _read(path) == _by_hand(bytes(data))
    assert _read(path)[0] == want_sizes


def test_a_damaged_stream_is_an_engine_error(tmp_path: Path) -> None:
    path = _adts(tmp_path)
    data = path.read_bytes()
    for damaged in (data[:-3], b"\0" + data, data[:100] + b"\0" * 9 + data[100:]):
        path.write_bytes(damaged)
        with pytest.raises(EngineError, match="damaged"):
            _read(path)
