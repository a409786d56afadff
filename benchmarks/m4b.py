"""The M4B against the chapter MP3s, for the same cached book.

    python benchmarks/m4b.py [BOOK] [--words N] [--jobs N]

BOOK defaults to ../shared/bench/pdnc/PrideAndPrejudice.txt; --words keeps
only its first N words (a smaller book, quicker to render). The book is
rendered once (with the PCM an M4B is encoded from); then `narrate generate`
writes it into an empty folder as `--format mp3` and as `--format m4b`, and
the wall times of the two runs are printed with their ratio (target: the M4B
takes no more than twice the MP3's time) and the M4B's encoding speed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_BOOK = REPO.parent / "shared" / "bench" / "pdnc" / "PrideAndPrejudice.txt"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("book", nargs="?", type=Path, default=DEFAULT_BOOK)
    parser.add_argument("--words", type=int, help="keep only the book's first N words")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    if not args.book.is_file():
        parser.error(f"{args.book} not found: give the path of a novel as plain text")
    work = Path(tempfile.mkdtemp(prefix="narrate-m4b-"))
    try:
        book = args.book
        if args.words:
            text = book.read_text(encoding="utf-8", errors="replace")
            cut, count = 0, 0
            for cut, char in enumerate(text):  # noqa: B007 - the index is the result
                if char.isspace() and cut and not text[cut - 1].isspace():
                    count += 1
                    if count >= args.words:
                        break
            book = work / book.name
            book.write_text(text[:cut] + "\n", encoding="utf-8")
        words = len(book.read_text(encoding="utf-8", errors="replace").split())
        print(f"book: {args.book.name}, {words:,} words; cores: {os.cpu_count()}")

        def generate(fmt: str, out: str) -> float:
            start = time.monotonic()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "narrate",
                    "-q",
                    "generate",
                    str(book),
                    "--out",
                    str(work / out),
                    "--cache-dir",
                    str(work / "cache"),
                    "--jobs",
                    str(args.jobs),
                    "--format",
                    fmt,
                    "--no-transcripts",
                ],
                stdout=subprocess.DEVNULL,
                check=True,
            )
            return time.monotonic() - start

        rendered = generate("m4b", "render")
        print(f"{'render (cold, with the PCM kept)':<34}{rendered:8.1f} s")
        mp3_time = generate("mp3", "mp3")
        m4b_time = generate("m4b", "m4b")
        from mutagen.mp3 import MP3

        audio = sum(MP3(p).info.length for p in (work / "mp3").rglob("*.mp3"))
        ratio = m4b_time / mp3_time
        verdict = "ok" if ratio <= 2 else "OVER"
        print(f"{'audio':<34}{audio / 3600:8.2f} h")
        print(f"{'--format mp3 from the cache':<34}{mp3_time:8.1f} s")
        print(
            f"{'--format m4b from the cache':<34}{m4b_time:8.1f} s  "
            f"{ratio:5.2f} x the MP3's (target <= 2.00)  {verdict}"
        )
        print(f"{'M4B encoding speed':<34}{audio / max(m4b_time, 1e-9):8.0f} x real time")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
