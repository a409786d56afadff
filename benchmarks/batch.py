"""A batch of books, locally and on a local Ray: wall time, audio hours per hour, memory.

    python benchmarks/batch.py [BOOK ...] [--jobs N]

BOOKs default to the small books in tests/data. Each executor narrates them
all with `narrate batch` in a process of its own, from an empty cache; the
script prints each run's wall time, hours of audio per wall-clock hour, the
peak memory of its largest process (the run's own or one of its children),
Ray's overhead against local, and whether the two wrote the same bytes.
Ray's start-up is inside its time: on a few small books it dominates.
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BOOKS = sorted((REPO / "tests" / "data").glob("*.txt"))


def audio_seconds(folder: Path) -> float:
    """The length of every MP3 under folder, from mutagen."""
    from mutagen.mp3 import MP3

    return sum(MP3(p).info.length for p in folder.rglob("*.mp3"))  # type: ignore[attr-defined]


def digest(folder: Path) -> dict[str, str]:
    """Every file written (the batch's ledger aside) -> a hash of its content."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".narrate-batch.json"
    }


def run(
    executor: str, books: list[Path], jobs: int, work: Path
) -> tuple[float, float, int, dict[str, str]]:
    """(wall seconds, audio seconds, peak RSS of a process in MB, each file's digest)."""
    out, cache = work / f"out-{executor}", work / f"cache-{executor}"
    command = [sys.executable, "-m", "narrate", "-q", "batch", *map(str, books)]
    command += ["--out", str(out), "--cache-dir", str(cache), "-j", str(jobs)]
    command += ["--executor", executor]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{executor}: exit {done.returncode}: {done.stderr.strip()}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    return wall, audio_seconds(out), peak, digest(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("books", nargs="*", type=Path, default=BOOKS)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="narrate-batch-") as tmp:
        figures = {name: run(name, args.books, args.jobs, Path(tmp)) for name in ("local", "ray")}
    for name, (wall, audio, peak, _) in figures.items():
        print(
            f"{name:5}  {len(args.books)} books  wall {wall:7.1f} s  audio {audio / 3600:.3f} h  "
            f"{audio / wall:7.1f} audio h/wall h  peak RSS (largest process) {peak} MB"
        )
    local, ray = figures["local"][0], figures["ray"][0]
    print(f"Ray overhead against local: {(ray - local) / local:+.0%}")
    here, there = figures["local"][3], figures["ray"][3]
    differ = sorted(
        name for name in here.keys() | there.keys() if here.get(name) != there.get(name)
    )
    print(f"files written: {len(here)}; byte-identical: {'all' if not differ else differ}")


if __name__ == "__main__":
    main()
