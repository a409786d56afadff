"""WebVTT, SRT and LRC transcripts: exact text, structure, escaping, atomic writes."""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from narrate.errors import NarrateError, OutputError
from narrate.output.transcripts import (
    Cue,
    lrc_time,
    render_vtt,
    srt_time,
    vtt_time,
    write_lrc,
    write_srt,
    write_vtt,
)
from narrate.records import TrackMeta

CUES = [
    Cue(0.0, 1.25, None, "It was late."),
    Cue(1.25, 3.5, "Lara", "Who's there?"),
    Cue(4.0, 3725.126, "Tom & <Jerry>", "Only me -> the <b>cat</b> & I."),
]
META = TrackMeta(title="Chapter 1", album="The Book", artist="Ada Writer", track=1, total=2)


def test_timestamps() -> None:
    assert vtt_time(1.25) == "00:00:01.250"
    assert srt_time(1.25) == "00:00:01,250"
    assert vtt_time(3725.1254) == "01:02:05.125"
    assert vtt_time(59.9996) == "00:01:00.000"  # rounding carries into minutes
    assert srt_time(360000.0) == "100:00:00,000"
    assert lrc_time(62.5) == "01:02.50"
    assert lrc_time(3725.1) == "62:05.10"


def test_vtt_exact(tmp_path: Path) -> None:
    path = tmp_path / "ch.vtt"
    write_vtt(path, CUES)
    assert path.read_bytes().decode("utf-8") == (
        "WEBVTT\n"
        "\n1\n00:00:00.000 --> 00:00:01.250\nIt was late.\n"
        "\n2\n00:00:01.250 --> 00:00:03.500\n<v Lara>Who's there?</v>\n"
        "\n3\n00:00:04.000 --> 01:02:05.126\n"
        "<v Tom &amp; &lt;Jerry&gt;>Only me -&gt; the &lt;b&gt;cat&lt;/b&gt; &amp; I.</v>\n"
    )


def test_srt_exact(tmp_path: Path) -> None:
    path = tmp_path / "ch.srt"
    write_srt(path, CUES)
    assert path.read_text(encoding="utf-8") == (
        "1\n00:00:00,000 --> 00:00:01,250\nIt was late.\n"
        "\n2\n00:00:01,250 --> 00:00:03,500\nLara: Who's there?\n"
        "\n3\n00:00:04,000 --> 01:02:05,126\nTom & <Jerry>: Only me -> the <b>cat</b> & I.\n"
    )


def test_lrc_exact(tmp_path: Path) -> None:
    path = tmp_path / "ch.lrc"
    write_lrc(path, CUES, META)
    assert path.read_text(encoding="utf-8") == (
        "[ti:Chapter 1]\n[ar:Ada Writer]\n[al:The Book]\n[au:Ada Writer]\n[by:narrate]\n"
        "[00:00.00]It was late.\n"
        "[00:01.25]Lara: Who's there?\n"
        "[00:03.50]\n"  # a pause before the next cue clears the line
        "[00:04.00]Tom & <Jerry>: Only me -> the <b>cat</b> & I.\n"
        "[62:05.13]\n"
    )


def parse_vtt(text: str) -> list[tuple[float, float, str]]:
    """A small WebVTT reader: enough to check structure the way a player would."""
    assert text.startswith("WEBVTT\n\n") or text == "WEBVTT\n"
    stamp = r"(\d{2,}):(\d{2}):(\d{2})\.(\d{3})"
    cues = []
    for block in text.rstrip("\n").split("\n\n")[1:]:
        lines = block.split("\n")
        timing = next(i for i, line in enumerate(lines) if "-->" in line)
        match = re.fullmatch(f"{stamp} --> {stamp}", lines[timing])
        assert match, lines[timing]
        parts = [int(g) for g in match.groups()]
        start = parts[0] * 3600 + parts[1] * 60 + parts[2] + parts[3] / 1000
        end = parts[4] * 3600 + parts[5] * 60 + parts[6] + parts[7] / 1000
        payload = "\n".join(lines[timing + 1 :])
        assert payload and "-->" not in payload
        cues.append((start, end, payload))
    return cues


def test_vtt_structure_and_order() -> None:
    shuffled = [CUES[2], CUES[0], CUES[1]]
    parsed = parse_vtt(render_vtt(shuffled))
    assert [c[0] for c in parsed] == [0.0, 1.25, 4.0]  # sorted by start for players
    assert all(start <= end for start, end, _ in parsed)
    assert render_vtt([]) == "WEBVTT\n"


def test_text_is_flattened(tmp_path: Path) -> None:
    cue = Cue(0.0, 1.0, "Lara\nSmith", "First line.\n\nSecond   line.")
    assert render_vtt([cue]).endswith("<v Lara Smith>First line. Second line.</v>\n")
    write_srt(tmp_path / "a.srt", [cue])
    assert (tmp_path / "a.srt").read_text().endswith("Lara Smith: First line. Second line.\n")


speakers = st.none() | st.text(max_size=20)


def visible(text: str) -> str:
    """What a cue shows of ``text``: no control character, whitespace runs as one space."""
    kept = (
        " " if ch.isspace() else ch
        for ch in text
        if unicodedata.category(ch) != "Cc" or ch.isspace()
    )
    return " ".join("".join(kept).split())


@given(st.lists(st.tuples(st.floats(0, 10_000), st.floats(0, 60), speakers, st.text()), max_size=8))
def test_vtt_property(raw: list[tuple[float, float, str | None, str]]) -> None:
    cues = [Cue(start, start + length, speaker, text) for start, length, speaker, text in raw]
    parsed = parse_vtt(render_vtt(cues))
    spoken = sorted((c for c in cues if visible(c.text)), key=lambda c: c.start)
    assert len(parsed) == len(spoken)  # wordless cues are dropped
    assert [p[0] for p in parsed] == sorted(p[0] for p in parsed)
    for (_, _, payload), cue in zip(parsed, spoken, strict=True):
        assert "\n" not in payload
        body = payload
        if cue.speaker and visible(cue.speaker):
            match = re.fullmatch(r"<v ([^>]*)>(.*)</v>", payload)
            assert match
            assert html.unescape(match.group(1)) == visible(cue.speaker)
            body = match.group(2)
        assert "<" not in body and ">" not in body
        assert html.unescape(body) == visible(cue.text)
        assert not [ch for ch in payload if unicodedata.category(ch) == "Cc"]


def test_bad_cues_rejected() -> None:
    with pytest.raises(ValueError, match="bad times"):
        render_vtt([Cue(2.0, 1.0, None, "backwards")])
    with pytest.raises(FrozenInstanceError):
        CUES[0].text = "changed"  # type: ignore[misc]


def test_atomic_write(tmp_path: Path) -> None:
    path = tmp_path / "ch.vtt"
    path.write_text("old contents")
    write_vtt(path, CUES[:1])
    assert path.read_text().startswith("WEBVTT")
    assert [p.name for p in tmp_path.iterdir()] == ["ch.vtt"]  # no temp file left
    assert path.stat().st_mode & 0o644 == 0o644
    with pytest.raises(OutputError, match="missing") as caught:
        write_vtt(tmp_path / "missing" / "ch.vtt", CUES[:1])
    assert isinstance(caught.value, NarrateError)
    assert "writable" in str(caught.value)
