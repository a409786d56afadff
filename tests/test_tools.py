"""narrate.tools: finding ffmpeg, running it, streaming through it, reading its meter."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import encode_mp3, sine

from narrate import tools
from narrate.errors import EngineError, InputError
from narrate.tools import describe_ffmpeg, feed_ffmpeg, measure_loudness, parse_ebur128


def test_parse_ebur128() -> None:
    stderr = """[Parsed_ebur128_0 @ 0x1] t: 1.9 TARGET:-23 LUFS M: -9.1 S:-120.7 I: -9.2 LUFS
[Parsed_ebur128_0 @ 0x1] Summary:

  Integrated loudness:
    I:         -16.3 LUFS
    Threshold: -26.5 LUFS

  Loudness range:
    LRA:         4.2 LU
    Threshold:  -36.4 LUFS
    LRA low:    -19.0 LUFS
    LRA high:   -14.8 LUFS

  True peak:
    Peak:       -1.1 dBFS
"""
    assert parse_ebur128(stderr) == {
        "integrated_lufs": -16.3,
        "lra_lu": 4.2,
        "true_peak_dbtp": -1.1,
    }
    with pytest.raises(ValueError):
        parse_ebur128("no summary here")


def test_measure_loudness_of_a_real_file(tmp_path: Path) -> None:
    loud = measure_loudness(encode_mp3(tmp_path / "tone.mp3", sine(amplitude=0.5)))
    # A -6 dBFS sine in mono: about -9 LUFS, peak about -6 dBTP.
    assert -12.0 < (loud["integrated_lufs"] or 0.0) < -6.0
    assert -8.0 < (loud["true_peak_dbtp"] or 0.0) < -4.0


def test_a_file_ffmpeg_cannot_decode_is_an_input_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.mp3"
    junk.write_bytes(b"\x00not audio" * 100)
    with pytest.raises(InputError, match=r"junk\.mp3: ffmpeg cannot decode it \(.+\); check"):
        measure_loudness(junk)


def test_feed_ffmpeg_streams_into_a_real_ffmpeg(tmp_path: Path) -> None:
    out = tmp_path / "tone.wav"
    pcm = sine(seconds=0.5)
    args = ["-v", "error", "-f", "s16le", "-ar", "22050", "-ac", "1", "-i", "pipe:0", str(out)]
    code, tail = feed_ffmpeg(args, [pcm[:1000], pcm[1000:]])
    assert (code, tail) == (0, "no message")
    assert out.stat().st_size > len(pcm)


def test_feed_ffmpeg_reports_the_exit_status_and_the_end_of_stderr() -> None:
    code, tail = feed_ffmpeg(["-v", "error", "-f", "no-such-format", "-i", "pipe:0"], [b"x"])
    assert code != 0 and "no-such-format" in tail and len(tail) <= 303


def test_feed_ffmpeg_without_a_runnable_ffmpeg(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tools, "ffmpeg_exe", lambda: str(tmp_path / "missing-ffmpeg"))
    with pytest.raises(EngineError, match="cannot run ffmpeg .*NARRATE_FFMPEG"):
        feed_ffmpeg(["-version"], [])


def test_describe_ffmpeg_names_version_source_and_path() -> None:
    path, source = tools.ffmpeg_source()
    assert describe_ffmpeg() == f"ffmpeg: {tools.ffmpeg_version()} from {source} ({path})"
