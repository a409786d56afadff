"""What a line's independence from the lines before it costs, and that it holds.

    python benchmarks/determinism.py [--lines N]

Synthesizes N lines in two voices through the espeak-ng engine, first as
narrate does (libespeak-ng loaded afresh before each line), then with the
library kept loaded between lines, and prints the time per line of each, the
difference, the growth in peak memory, and how many distinct takes of one line
each way gave when said after every other line.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import resource
import time
from concurrent.futures import ProcessPoolExecutor

from narrate.records import Voice
from narrate.tts import default_engine
from narrate.tts.espeak.library import Espeak

VOICES = (Voice("espeak", "en-us", 175, 50, 1.0), Voice("espeak", "en-gb+f3", 190, 70, 1.0))
TEXTS = (
    "It was the best of times, it was the worst of times.",
    "Would you like some tea? she asked.",
    "Then the children came running down the lane, shouting that the ferry was in at last!",
    "Nobody on the quay could say whether the storm would hold off until morning.",
)


def run(lines: int) -> tuple[float, int, int]:
    """(seconds per line, peak RSS growth in KB, distinct takes of TEXTS[0])."""
    engine = default_engine()
    engine.synthesize(TEXTS[0], VOICES[0])
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    takes: set[str] = set()
    start = time.perf_counter()
    for i in range(lines):
        engine.synthesize(TEXTS[i % len(TEXTS)], VOICES[i % 3 % 2])
        if i % 7 == 0:
            pcm = engine.synthesize(TEXTS[0], VOICES[0]).samples
            takes.add(hashlib.sha256(pcm).hexdigest())
    seconds = time.perf_counter() - start
    engine.close()
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    return seconds / (lines + lines // 7 + 1), grown, len(takes)


def kept_loaded(lines: int) -> tuple[float, int, int]:
    """run() with the library kept loaded between lines (as before narrate reloaded it)."""
    Espeak.restart = lambda self: True  # type: ignore[method-assign]
    return run(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=700)
    lines = parser.parse_args().lines
    # Each in a process of its own, so each one's peak memory is its own.
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        fresh, fresh_kb, fresh_takes = pool.submit(run, lines).result()
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        kept, kept_kb, kept_takes = pool.submit(kept_loaded, lines).result()
    print(f"lines: {lines} (+{lines // 7 + 1} takes of one line)")
    print(
        f"reloaded per line: {fresh * 1000:6.2f} ms/line  peak RSS +{fresh_kb} KB  "
        f"distinct takes: {fresh_takes}"
    )
    print(
        f"kept loaded:       {kept * 1000:6.2f} ms/line  peak RSS +{kept_kb} KB  "
        f"distinct takes: {kept_takes}"
    )
    print(f"cost of reloading: {(fresh - kept) * 1000:.2f} ms/line")


if __name__ == "__main__":
    main()
