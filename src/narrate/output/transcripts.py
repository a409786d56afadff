"""Timed transcripts beside the audio: WebVTT, SRT and LRC.

Each cue is one spoken segment with its speaker (:func:`cues_for` groups a
chapter's timed utterances so), so a player can show who is talking. All
files are UTF-8 and written atomically (temp file + rename), so an
interrupted run never leaves half a transcript behind.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from narrate.outdir import write_text_atomic
from narrate.records import TrackMeta

if TYPE_CHECKING:
    from narrate.render.assemble import Timed


@dataclass(frozen=True)
class Cue:
    """One line of the transcript; times in seconds from the start of the file."""

    start: float
    end: float
    speaker: str | None
    text: str


def cues_for(timed: Sequence[Timed]) -> list[Cue]:
    """One cue per segment (a spoken title or credit is a cue of its own)."""
    cues: list[Cue] = []
    group: list[Timed] = []

    def flush() -> None:
        if group:
            text = " ".join(" ".join(t.utterance.text.split()) for t in group)
            cues.append(Cue(group[0].start, group[-1].end, group[0].utterance.speaker, text))
            group.clear()

    for t in timed:
        if group and (
            t.utterance.segment is None or t.utterance.segment != group[-1].utterance.segment
        ):
            flush()
        group.append(t)
    flush()
    return cues


def _ordered(cues: Sequence[Cue]) -> list[Cue]:
    # Players require non-decreasing start times; a cue ending before it starts is a bug.
    for cue in cues:
        if cue.start < 0 or cue.end < cue.start:
            raise ValueError(f"cue {cue.text[:30]!r} has bad times {cue.start}..{cue.end}")
    # A cue with no words would be an empty subtitle, which some SRT readers reject.
    return sorted((c for c in cues if _one_line(c.text)), key=lambda c: c.start)


def _labelled(cue: Cue) -> str:
    """'Speaker: text' (SRT/LRC style), or just the text for narration."""
    speaker = _one_line(cue.speaker or "")
    text = _one_line(cue.text)
    return f"{speaker}: {text}" if speaker else text


def _one_line(text: str) -> str:
    """The text as one line of printable characters.

    A blank line ends a cue in VTT/SRT and a newline ends an LRC line, so line
    breaks become spaces; other control characters (NUL, escape codes, C1
    controls) are shown by no player and confuse some, so they are dropped.
    """
    shown = "".join(
        " " if ch.isspace() else ch
        for ch in text
        if ch.isspace() or unicodedata.category(ch) != "Cc"
    )
    return " ".join(shown.split())


def _clock(seconds: float, sep: str) -> str:
    ms = round(seconds * 1000)
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    secs, ms = divmod(ms, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{sep}{ms:03d}"


def vtt_time(seconds: float) -> str:
    """WebVTT timestamp, e.g. 00:00:01.250."""
    return _clock(seconds, ".")


def srt_time(seconds: float) -> str:
    """SRT timestamp, e.g. 00:00:01,250."""
    return _clock(seconds, ",")


def lrc_time(seconds: float) -> str:
    """LRC timestamp in minutes, seconds and hundredths, e.g. 01:02.50."""
    cs = round(seconds * 100)
    minutes, cs = divmod(cs, 6000)
    secs, cs = divmod(cs, 100)
    return f"{minutes:02d}:{secs:02d}.{cs:02d}"


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_vtt(cues: Sequence[Cue]) -> str:
    """The WebVTT text for ``cues``; speakers become voice spans (<v Name>...</v>)."""
    blocks = ["WEBVTT"]
    for number, cue in enumerate(_ordered(cues), start=1):
        text = _vtt_escape(_one_line(cue.text))
        speaker = _one_line(cue.speaker or "")
        if speaker:
            text = f"<v {_vtt_escape(speaker)}>{text}</v>"
        blocks.append(f"{number}\n{vtt_time(cue.start)} --> {vtt_time(cue.end)}\n{text}")
    return "\n\n".join(blocks) + "\n"


def render_srt(cues: Sequence[Cue]) -> str:
    """The SRT text for ``cues``; a speaker is shown as "Name: text"."""
    blocks = []
    for number, cue in enumerate(_ordered(cues), start=1):
        blocks.append(f"{number}\n{srt_time(cue.start)} --> {srt_time(cue.end)}\n{_labelled(cue)}")
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def render_lrc(cues: Sequence[Cue], meta: TrackMeta) -> str:
    """The LRC text: ID tags from ``meta``, one timed line per cue, and an empty timed
    line where a cue ends before the next begins (so a pause clears the display)."""
    header = [
        ("ti", meta.title),
        ("ar", meta.artist),
        ("al", meta.album),
        ("au", meta.artist),
        ("by", "narrate"),
    ]
    lines = [f"[{key}:{_one_line(value)}]" for key, value in header if value]
    ordered = _ordered(cues)
    for index, cue in enumerate(ordered):
        lines.append(f"[{lrc_time(cue.start)}]{_labelled(cue)}")
        following = ordered[index + 1].start if index + 1 < len(ordered) else None
        if following is None or round(following * 100) > round(cue.end * 100):
            lines.append(f"[{lrc_time(cue.end)}]")
    return "\n".join(lines) + "\n"


def write_vtt(path: Path, cues: Sequence[Cue]) -> None:
    """Write a WebVTT transcript atomically."""
    write_text_atomic(Path(path), render_vtt(cues))


def write_srt(path: Path, cues: Sequence[Cue]) -> None:
    """Write an SRT transcript atomically."""
    write_text_atomic(Path(path), render_srt(cues))


def write_lrc(path: Path, cues: Sequence[Cue], meta: TrackMeta) -> None:
    """Write an LRC transcript atomically."""
    write_text_atomic(Path(path), render_lrc(cues, meta))
