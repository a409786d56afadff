"""Segmentation speed by layout: a book read and attributed, in seconds and MB/s.

    python benchmarks/segment_speed.py [BOOK] [--sizes 1,5] [--layout NAME ...]

BOOK (default ../shared/bench/pdnc/PrideAndPrejudice.txt) is cut into its
paragraphs and written out again, repeated up to each size in MB, in each
layout:

* blank: paragraphs separated by blank lines (the usual file);
* lines: one paragraph per line, no blank lines (so the book reads as one
  long paragraph);
* wrapped: the book's own hard-wrapped lines with its blank lines taken out;
* talk: only the paragraphs that open with a quote, blank-line separated (one
  conversation the length of the book).

For each it prints the time to read the file and segment it (what `narrate
script` does before it prints), wall and CPU seconds, MB per second of each
(on a busy machine the CPU time is the steadier figure), the segments made,
and the CPU time per MB against the smallest size's (about 1.0 when the time
grows linearly with the size).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from narrate.ingest import read_book
from narrate.segment.segmenter import segment

DEFAULT_BOOK = REPO.parent / "shared" / "bench" / "pdnc" / "PrideAndPrejudice.txt"
LAYOUTS = ("blank", "lines", "wrapped", "talk")


def layout_text(source: str, layout: str, size: int) -> str:
    """The book in one layout, repeated and cut (at a line end) to about ``size`` characters."""
    blocks = [b for b in re.split(r"\n[ \t]*\n", source) if b.strip()]
    paras = [" ".join(b.split()) for b in blocks]
    if layout == "blank":
        body = "\n\n".join(paras) + "\n\n"
    elif layout == "lines":
        body = "\n".join(paras) + "\n"
    elif layout == "wrapped":
        body = "\n".join(b.strip() for b in blocks) + "\n"
    else:
        body = "\n\n".join(p for p in paras if p[:1] in "\"\u201c'\u2018") + "\n\n"
    text = body * (size // len(body) + 1)
    return text[: text.rfind("\n", 0, size) + 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("book", nargs="?", type=Path, default=DEFAULT_BOOK)
    parser.add_argument("--sizes", default="1,5", help="sizes in MB, comma separated")
    parser.add_argument("--layout", action="append", choices=LAYOUTS, help="(repeatable)")
    args = parser.parse_args()
    source = args.book.read_text(encoding="utf-8")
    sizes = [float(s) for s in args.sizes.split(",")]
    print(
        f"{'layout':8} {'MB':>5} {'wall s':>7} {'cpu s':>7} {'MB/s':>6} {'MB/cpu s':>8} "
        f"{'segments':>9} growth"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for layout in args.layout or LAYOUTS:
            base: float | None = None
            for mb in sizes:
                path = Path(tmp, f"{layout}.txt")
                path.write_text(layout_text(source, layout, int(mb * 1_000_000)), "utf-8")
                real = path.stat().st_size / 1_000_000
                wall, cpu = time.perf_counter(), time.process_time()
                script = segment(read_book(path))
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                per_mb = cpu / real
                base = per_mb if base is None else base
                print(
                    f"{layout:8} {real:5.2f} {wall:7.2f} {cpu:7.2f} {real / wall:6.2f} "
                    f"{real / cpu:8.2f} {len(script.segments):9,} {per_mb / base:6.2f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
