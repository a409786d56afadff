"""Reading an ADTS stream's frames for the M4B: the quick way and the careful way agree."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import RATE, sine

from narrate import tools
from narrate.errors import EngineError
from narrate.output.mp4mux import adts_frames, read_config


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


def test_frames_without_their_headers(tmp_path: Path) -> None:
    data = _adts(tmp_path).read_bytes()
    sizes, payload = adts_frames(data, tmp_path / "tone.aac")
    want_sizes, want_payload = _by_hand(data)
    assert len(want_sizes) > 20
    assert list(sizes) == want_sizes and bytes(payload) == want_payload
    config = read_config(tmp_path / "tone.aac")
    assert (config.object_type, config.sample_rate, config.channels) == (2, RATE, 1)
    assert config.specific() == bytes([0x13, 0x88])  # AAC LC, 22,050 Hz, mono


def test_a_header_look_alike_inside_a_frame_is_not_a_frame(tmp_path: Path) -> None:
    data = bytearray(_adts(tmp_path).read_bytes())
    want_sizes, _ = _by_hand(bytes(data))
    # The second frame's first header-long stretch of data made to look like a header.
    second = 7 + want_sizes[0]
    data[second + 7 : second + 14] = data[:7]
    sizes, payload = adts_frames(bytes(data), tmp_path / "tone.aac")
    assert list(sizes) == want_sizes
    assert bytes(payload) == _by_hand(bytes(data))[1]


def test_a_damaged_stream_is_an_engine_error(tmp_path: Path) -> None:
    data = _adts(tmp_path).read_bytes()
    with pytest.raises(EngineError, match="damaged"):
        adts_frames(data[:-3], tmp_path / "tone.aac")
    with pytest.raises(EngineError, match="damaged"):
        adts_frames(b"\0" + data, tmp_path / "tone.aac")
