"""Speaker-attribution benchmark: run the segmenter over gold files and score it.

Usage:
    python benchmarks/attribution.py [DIR] [--only pdnc|litbank] [--cast yes|no|both]
                                     [--errors N]

DIR (default: ../shared/bench relative to the repository root) holds score.py
and one folder per corpus (pdnc/, litbank/) of <name>.txt + <name>.json gold
files; a folder of gold files itself works too. For each corpus the segmenter
runs with no cast and with the gold cast; predictions go to a temporary
folder in score.py's format and score.py prints the figures per book and
overall. Speed is reported in words per second of segment() alone.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from narrate.records import Book, Chapter, Character
from narrate.segment.segmenter import segment

PARA_RE = re.compile(r"\S(?:.*\S)?(?:\n(?![ \t]*\r?\n).*\S)*")
TARGETS = {
    ("pdnc", "no"): {"attribution_acc": 0.75, "detect_f1": 0.95},
    ("pdnc", "yes"): {"attribution_acc": 0.85, "acc_explicit": 0.97},
}


def make_book(text: str, title: str) -> Book:
    """One chapter whose paragraphs are the blank-line-separated blocks."""
    paras = tuple((m.start(), m.end()) for m in PARA_RE.finditer(text))
    return Book(text, title, None, (Chapter(1, title, paras),))


def gold_cast(gold: dict) -> list[Character]:
    cast = []
    for c in gold.get("characters", []):
        g = c.get("gender") if c.get("gender") in ("male", "female") else "unknown"
        aliases = tuple(a for a in c.get("aliases") or [] if a and a != c["name"])
        cast.append(Character(str(c["name"]), aliases, g))
    return cast


def gold_dirs(base: Path, only: str | None) -> list[tuple[str, Path]]:
    if any(base.glob("*.json")) and any(base.glob("*.txt")):
        return [(base.name, base)]
    names = [only] if only else ["pdnc", "litbank"]
    return [(n, base / n) for n in names if (base / n).is_dir()]


def run_corpus(name: str, folder: Path, use_cast: bool, out_dir: Path) -> tuple[int, float, float]:
    words = 0
    seconds = 0.0
    biggest = (0, 0.0)
    for gold_path in sorted(folder.glob("*.json")):
        txt = gold_path.with_suffix(".txt")
        if not txt.exists():
            continue
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        if "quotes" not in gold:
            continue
        text = txt.read_text(encoding="utf-8")
        book = make_book(text, gold_path.stem)
        cast = gold_cast(gold) if use_cast else None
        t0 = time.perf_counter()
        script = segment(book, cast)
        dt = time.perf_counter() - t0
        n = len(text.split())
        words += n
        seconds += dt
        if n > biggest[0]:
            biggest = (n, dt)
        quotes = [
            {"start": s.start, "end": s.end, "speaker": s.speaker}
            for s in script.segments
            if s.kind != "narration"
        ]
        (out_dir / gold_path.name).write_text(json.dumps({"quotes": quotes}), encoding="utf-8")
    return words, seconds, biggest[1] * 120_000 / max(biggest[0], 1)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir", nargs="?", default=str(ROOT.parent / "shared" / "bench"))
    ap.add_argument("--only", choices=["pdnc", "litbank"])
    ap.add_argument("--cast", choices=["yes", "no", "both"], default="both")
    ap.add_argument("--errors", type=int, default=0, help="show the first N errors")
    ap.add_argument("--quiet", action="store_true", help="overall figures only")
    args = ap.parse_args(argv)
    base = Path(args.dir)
    scorer = next((p for p in (base / "score.py", base.parent / "score.py") if p.exists()), None)
    if scorer is None:
        print(f"score.py not found in {base}", file=sys.stderr)
        return 2
    summary: list[str] = []
    for corpus, folder in gold_dirs(base, args.only):
        modes = ["no", "yes"] if args.cast == "both" else [args.cast]
        for mode in modes:
            with tempfile.TemporaryDirectory() as tmp:
                words, secs, est = run_corpus(corpus, folder, mode == "yes", Path(tmp))
                label = f"{corpus} {'gold cast' if mode == 'yes' else 'no cast'}"
                print(f"== {label}")
                cmd = [sys.executable, str(scorer), str(folder), tmp, "--errors", str(args.errors)]
                if args.quiet:
                    cmd.append("--quiet")
                res = subprocess.run(cmd, capture_output=True, text=True, check=False)
                print(res.stdout, end="")
                last = res.stdout.strip().splitlines()[-1] if res.stdout.strip() else ""
                figures = dict(kv.split("=", 1) for kv in last.split() if "=" in kv)
                speed = words / secs if secs else 0.0
                line = (
                    f"{label:<18} detect_f1={figures.get('detect_f1', '?')} "
                    f"attribution_acc={figures.get('attribution_acc', '?')} "
                    f"acc_explicit={figures.get('acc_explicit', '?')} "
                    f"words/s={speed:,.0f} (120k words ~{est:.2f} s)"
                )
                for key, target in TARGETS.get((corpus, mode), {}).items():
                    got = float(figures.get(key, 0) or 0)
                    line += f" | {key}>={target}: {'ok' if got >= target else 'MISS'}"
                summary.append(line)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("== summary")
    for line in summary:
        print(line)
    print(f"peak memory {rss:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
