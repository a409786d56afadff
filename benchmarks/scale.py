"""Whole-novel speed and memory: narrate against the bare single-voice pipeline.

    python benchmarks/scale.py [BOOK] [--jobs N] [--narrator VOICE] [--words N]

BOOK defaults to ../shared/bench/pdnc/PrideAndPrejudice.txt. Prints the wall
time of `espeak-ng -f BOOK --stdout | ffmpeg ... libmp3lame -b:a 64k`, narrate's
cold, warm, after-one-voice-change and after-a-kill times, their ratios, and
narrate's peak memory (RSS summed over all its processes, sampled every 0.1 s).

With ``--narrator VOICE`` (e.g. hibari:heart, the ``neural`` extra) it prints
instead the cold wall time and peak memory of the book read with that narrator
and espeak-ng's characters, next to the same run all in espeak-ng. ``--words N``
reads only the book's first N words (a shorter run on a busy machine).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
DEFAULT_BOOK = REPO.parent / "shared" / "bench" / "pdnc" / "PrideAndPrejudice.txt"


def tree_rss_kb(root: int) -> int:
    """RSS of a process and all its descendants, from /proc (Linux)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        pid = int(entry.name)
        children.setdefault(int(fields["PPid"].strip()), []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0])
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def run(cmd: list[str], kill_after: float | None = None, **kw) -> tuple[float, int, int]:
    """(wall seconds, peak tree RSS in kB, exit code)."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, start_new_session=True, **kw)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_kb(proc.pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        code = proc.wait(timeout=kill_after)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # killed outright, workers and all
        code = proc.wait()
    done.set()
    sampler.join()
    return time.monotonic() - start, peak, code


def bare_pipeline(book: Path, out: Path, ffmpeg: str) -> float:
    espeak = shutil.which("espeak-ng")
    producer = (
        [espeak, "-f", str(book), "--stdout"]
        if espeak
        else [sys.executable, str(REPO / "benchmarks" / "espeak_stdout.py"), str(book)]
    )
    start = time.monotonic()
    first = subprocess.Popen(producer, stdout=subprocess.PIPE)
    second = subprocess.Popen(
        [
            ffmpeg,
            "-v",
            "error",
            "-y",
            "-f",
            "wav",
            "-i",
            "-",
            "-c:a",
            "libmp3lame",
            "-b:a",
            "64k",
            str(out),
        ],
        stdin=first.stdout,
    )
    first.stdout.close()
    second.wait()
    first.wait()
    print(
        f"bare pipeline producer: {'espeak-ng program' if espeak else 'espeak_stdout.py'}"
        " (libespeak-ng, voice en, 175 wpm)"
    )
    return time.monotonic() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("book", nargs="?", type=Path, default=DEFAULT_BOOK)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--skip-bare",
        type=float,
        metavar="SECONDS",
        help="use this bare-pipeline time instead of measuring it",
    )
    parser.add_argument("--narrator", metavar="VOICE", help="compare a narrator voice")
    parser.add_argument("--words", type=int, metavar="N", help="only the first N words")
    args = parser.parse_args()
    from narrate.tools import ffmpeg_exe

    if not args.book.is_file():
        parser.error(f"{args.book} not found: give the path of a novel as plain text")
    work = Path(tempfile.mkdtemp(prefix="narrate-bench-"))
    try:
        text = args.book.read_text(encoding="utf-8", errors="replace")
        if args.words:
            args.book = work / args.book.name
            args.book.write_text(_first_words(text, args.words), encoding="utf-8")
            text = args.book.read_text(encoding="utf-8")
        words = len(text.split())
        print(
            f"book: {args.book.name}, {words:,} words; cores: {os.cpu_count()}; jobs: {args.jobs}"
        )
        if args.narrator:
            compare_narrator(args.book, args.narrator, args.jobs, work)
            return
        bare = args.skip_bare or bare_pipeline(args.book, work / "bare.mp3", ffmpeg_exe())
        print(f"bare pipeline: {bare:7.1f} s")

        narrate = [
            sys.executable,
            "-m",
            "narrate",
            "-q",
            "generate",
            str(args.book),
            "--jobs",
            str(args.jobs),
            "--no-transcripts",
        ]

        def generate(extra: list[str], kill_after: float | None = None):
            return run(
                [*narrate, "--out", str(work / "out"), "--cache-dir", str(work / "cache"), *extra],
                kill_after,
                stdout=subprocess.DEVNULL,
            )

        # A user's set-up: a starter voices.yaml with the discovered cast.
        voices = work / "voices.yaml"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "narrate",
                "cast",
                str(args.book),
                "--write",
                str(voices),
                "--check",
                "0",
            ],
            capture_output=True,
            check=True,
        )
        cast = ["--voices", str(voices)]
        cold, cold_rss, code = generate(cast)
        assert code == 0, "cold run failed"
        warm, warm_rss, _ = generate(cast)
        # The user changes the voice of the book's most frequent speaker.
        config = yaml.safe_load(voices.read_text())
        name, entry = next(iter(config["characters"].items()))  # written most frequent first
        entry["voice"] = "en-gb-x-rp+f4" if entry["voice"] != "en-gb-x-rp+f4" else "en-us+f2"
        voices.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False))
        changed, changed_rss, _ = generate(cast)
        # Killed halfway through a cold run, then run again.
        shutil.rmtree(work / "out")
        shutil.rmtree(work / "cache")
        generate(cast, kill_after=cold / 2)
        resumed, resumed_rss, code = generate(cast)
        assert code == 0, "resumed run failed"

        peak = max(cold_rss, warm_rss, changed_rss, resumed_rss) / 1024

        def line(label: str, seconds: float, target: float | None, base: float) -> None:
            ratio = seconds / base
            verdict = "" if target is None else ("  ok" if ratio <= target else "  OVER")
            limit = f" (target <= {target:.2f})" if target is not None else ""
            print(f"{label:<34}{seconds:7.1f} s  {ratio:5.2f} x{limit}{verdict}")

        line("narrate cold vs bare pipeline", cold, 0.75, bare)
        line("re-run, nothing changed", warm, 0.05, cold)
        line(f"re-run, {name}'s voice changed", changed, 0.30, cold)
        line("re-run after a kill halfway", resumed, 0.70, cold)
        print(
            f"{'peak memory (RSS, all processes)':<34}{peak:7.0f} MB  (target <= 300 MB)"
            f"{'  ok' if peak <= 300 else '  OVER'}"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _first_words(text: str, count: int) -> str:
    """The text up to the end of the line its ``count``-th word is on (paragraphs kept)."""
    kept, seen = [], 0
    for line in text.splitlines():
        kept.append(line)
        seen += len(line.split())
        if seen >= count:
            break
    return "\n".join(kept) + "\n"


def compare_narrator(book: Path, narrator: str, jobs: int, work: Path) -> None:
    """Cold runs of the discovered cast, all espeak-ng and then with ``narrator``."""
    voices = work / "voices.yaml"
    subprocess.run(
        [sys.executable, "-m", "narrate", "cast", str(book), "--write", str(voices)]
        + ["--check", "0"],
        capture_output=True,
        check=True,
    )
    config = yaml.safe_load(voices.read_text())
    runs = [("espeak-ng narrator", config.get("narrator"))]
    runs.append((f"{narrator} narrator", {"voice": narrator}))
    for label, entry in runs:
        config["narrator"] = entry
        voices.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False))
        out = work / label.split()[0].replace(":", "-")
        seconds, rss, code = run(
            [sys.executable, "-m", "narrate", "-q", "generate", str(book), "--jobs", str(jobs)]
            + ["--voices", str(voices), "--out", str(out / "out")]
            + ["--cache-dir", str(out / "cache"), "--no-transcripts"],
            stdout=subprocess.DEVNULL,
        )
        assert code == 0, f"{label}: narrate failed"
        print(f"{label + ', cold':<34}{seconds:7.1f} s  peak memory {rss / 1024:5.0f} MB")


if __name__ == "__main__":
    main()
