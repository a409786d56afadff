"""The book's playlist: an extended M3U8 listing its audio files in order."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from narrate.outdir import write_if_changed


def write_playlist(path: Path, entries: Sequence[tuple[str, float, str]]) -> None:
    """Write an extended M3U8 of (relative file name, seconds, title) entries, atomically."""
    lines = ["#EXTM3U"]
    for name, seconds, title in entries:
        title = " ".join(title.split())  # a newline would end the #EXTINF line early
        lines.append(f"#EXTINF:{max(0, round(seconds))},{title}")
        lines.append(Path(name).as_posix())
    write_if_changed(Path(path), "\n".join(lines) + "\n")
