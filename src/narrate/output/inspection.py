"""``narrate inspect FILE``: what a finished file holds and how loud it is.

Stream facts, tags and chapters come from mutagen (via :mod:`narrate.output.probe`);
loudness comes from ffmpeg's EBU R128 meter (via :mod:`narrate.tools`), the same
measure the loudness targets of audiobook stores use. When mutagen cannot see an
MP4's chapters (QuickTime chapter track without a Nero list), ffmpeg's
FFMETADATA dump is read.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from narrate.errors import InputError
from narrate.output.chapters import parse_ffmetadata
from narrate.output.probe import probe
from narrate.output.tag_fields import TagError
from narrate.tools import measure_loudness, run_ffmpeg_on


def inspect_file(path: Path) -> dict[str, Any]:
    """Format, stream facts, tags, chapters and loudness of one audio file."""
    path = Path(path)
    if not path.is_file():
        why = "is a folder" if path.is_dir() else "does not exist"
        raise InputError(f"{path}: {why}; pass the path of an MP3 or M4B file")
    try:
        with path.open("rb"):
            pass
        facts = probe(path)
    except PermissionError as exc:
        raise InputError(f"{path}: permission denied; make the file readable") from exc
    except TagError as exc:
        raise InputError(str(exc)) from exc
    if facts.chapters is None:
        done = run_ffmpeg_on(path, ["-f", "ffmetadata", "-"])
        chapters = parse_ffmetadata(done.stdout)[1]
    else:
        chapters = [{"title": c.title, "start": c.start, "end": c.end} for c in facts.chapters]
    return {
        "path": str(path),
        "format": facts.format,
        "codec": facts.codec,
        "duration": facts.duration,
        "bitrate": facts.bitrate,
        "sample_rate": facts.sample_rate,
        "channels": facts.channels,
        "tags": dict(facts.tags),
        "chapters": chapters,
        "loudness": measure_loudness(path),
    }


def _clock(seconds: float) -> str:
    ms = round(seconds * 1000)
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    return f"{hours}:{minutes:02d}:{ms / 1000:06.3f}"


def _figure(value: float | None, unit: str) -> str:
    return f"{value:.1f} {unit}" if value is not None else f"-inf {unit}"


def render_inspection(info: dict[str, Any]) -> str:
    """Readable text for an :func:`inspect_file` result."""
    stream = [info.get("format") or "unknown"]
    if info.get("codec"):
        stream.append(str(info["codec"]))
    if info.get("bitrate"):
        stream.append(f"{round(info['bitrate'] / 1000)} kbps")
    if info.get("sample_rate"):
        stream.append(f"{info['sample_rate']} Hz")
    channels = info.get("channels")
    if channels:
        stream.append({1: "mono", 2: "stereo"}.get(channels, f"{channels} channels"))
    lines = [
        f"File:      {info['path']}",
        f"Format:    {', '.join(stream)}",
        f"Duration:  {_clock(info.get('duration') or 0.0)}",
    ]
    loud = info.get("loudness")
    if loud:
        lines.append(
            f"Loudness:  {_figure(loud.get('integrated_lufs'), 'LUFS')} integrated, "
            f"{_figure(loud.get('true_peak_dbtp'), 'dBTP')} true peak, "
            f"{_figure(loud.get('lra_lu'), 'LU')} range"
        )
    tags = info.get("tags") or {}
    lines.append(f"Tags ({len(tags)}):" if tags else "Tags:      none")
    width = max((len(name) for name in tags), default=0)
    for name, value in tags.items():
        flat = " ".join(str(value).split())
        flat = flat if len(flat) <= 200 else flat[:199] + "…"
        lines.append(f"  {name:<{width}}  {flat}")
    chapters = info.get("chapters") or []
    lines.append(f"Chapters ({len(chapters)}):" if chapters else "Chapters:  none")
    for number, chap in enumerate(chapters, start=1):
        lines.append(
            f"  {number:>3}. {_clock(chap['start'])} - {_clock(chap['end'])}  {chap['title']}"
        )
    return "\n".join(lines) + "\n"


def inspection_report(path: Path, fmt: str) -> str:
    """What `narrate inspect` prints for ``path``: JSON ("json") or readable text."""
    info = inspect_file(path)
    if fmt == "json":
        return json.dumps(info, ensure_ascii=False, indent=1, default=str)
    return render_inspection(info)
