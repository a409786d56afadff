"""The M4B against the chapter MP3s, for the same cached book.

    python benchmarks/m4b.py [BOOK] [--words N] [--jobs N]

BOOK defaults to ../shared/bench/pdnc/PrideAndPrejudice.txt; --words keeps
only its first N words (a smaller book, quicker to render). The book is
rendered once (with the PCM an M4B is encoded from); then `narrate generate`
writes it into an empty folder as `--format mp3`, as `--format m4b` with the
chapters' AAC encoded from the cached PCM, and as `--format m4b` again with
that AAC cached too. The wall times are printed with their ratios to the
MP3's (target: the M4B from the cache takes no more than twice the MP3's).
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
            for cut, char in enumerate(text):
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
        print(f"{'render and M4B, cold':<40}{rendered:8.1f} s")
        mp3_time = generate("mp3", "mp3")
        # The chapters' AAC forgotten: the M4B encoded from the cached PCM alone.
        for stream in (work / "cache" / "blocks").glob("*/*.aac"):
            stream.unlink()
        encoded = generate("m4b", "m4b-encoded")
        m4b_time = generate("m4b", "m4b")
        from mutagen.mp3 import MP3

        audio = sum(MP3(p).info.length for p in (work / "mp3").rglob("*.mp3"))
        print(f"{'audio':<40}{audio / 3600:8.2f} h")
        print(f"{'--format mp3 from the cache':<40}{mp3_time:8.1f} s")
        for label, seconds, target in (
            ("--format m4b, AAC encoded from the PCM", encoded, None),
            ("--format m4b from the cache", m4b_time, 2.0),
        ):
            ratio = seconds / mp3_time
            limit = f" (target <= {target:.2f})" if target else ""
            verdict = "" if target is None else ("  ok" if ratio <= target else "  OVER")
            print(f"{label:<40}{seconds:8.1f} s  {ratio:5.2f} x the MP3's{limit}{verdict}")
        print(f"{'AAC encoding from the PCM':<40}{audio / max(encoded, 1e-9):8.0f} x real time")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
