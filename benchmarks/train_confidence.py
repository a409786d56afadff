"""Rebuild the confidence model's shipped weights (src/narrate/segment/data/calibration.json).

Usage:
    python benchmarks/train_confidence.py [BENCH_DIR] [--out PATH] [--check]

BENCH_DIR (default: ../shared/bench relative to the repository root) holds
score.py and litbank/ (see benchmarks/attribution.py). The training lines are
LitBank's gold lines (CC BY 4.0; LitBank, Bamman et al.) only: each LitBank
excerpt is segmented as the benchmark segments it, with a cast (MODES: its
gold cast, and on the user's path), and each line the segmenter gives
becomes an example: its view (narrate.segment.calibration.LineView) and
whether its speaker is the gold one. PDNC is never read here.

The fit (narrate.segment.fit) is deterministic: the excerpts in sorted order,
a fixed number of Newton steps from the prior, rounded weights; running this
twice writes the same bytes (--check rebuilds the weights and compares them
with the file, exit 1 if they differ).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from attribution import load_scorer, make_book, predict

from narrate.segment.calibration import FORMAT, PRIOR, LineView, features
from narrate.segment.fit import Example, fit

OUT = ROOT / "src" / "narrate" / "segment" / "data" / "calibration.json"
# LitBank read with a cast only: without one, a 2,000-word excerpt mostly tests the
# discovery of its characters, and lines so read make the model too doubtful of a novel's
MODES = ("yes", "user")
# one gold line as the segmenter read it: its view (None: no line covers it), right or not
Judged = tuple[LineView | None, bool]


class Recorder:
    """A confidence that gives the sieve's own number and keeps every line's view."""

    def __init__(self) -> None:
        self.views: list[LineView] = []

    def __call__(self, view: LineView) -> float:
        self.views.append(view)
        return view.sieve


def judge(score: ModuleType, gold: dict, views: list[LineView]) -> list[Judged]:
    """Every gold quote span with a speaker: the view of the line covering it (score.py's
    matching) and whether that line's speaker is the gold one."""
    resolve = score.SpeakerResolver(gold.get("characters", []))
    preds = [{"start": v.span[0], "end": v.span[1]} for v in views]
    g2p = score.match(gold["quotes"], preds, 0.5)
    out: list[Judged] = []
    for gi, g in enumerate(gold["quotes"]):
        if g.get("speaker") is None:
            continue
        if gi not in g2p:
            out.append((None, False))
            continue
        v = views[g2p[gi]]
        ids = resolve(v.speaker)
        out.append((v, str(g["speaker"]) in ids and len(ids) == 1))
    return out


def read_book(score: ModuleType, gold_path: Path, mode: str) -> list[Judged]:
    """One gold book segmented in one cast setting, its gold lines judged."""
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    book = make_book(gold_path.with_suffix(".txt").read_text(encoding="utf-8"), gold_path.stem)
    rec = Recorder()
    with tempfile.TemporaryDirectory() as tmp:
        predict(book, gold, mode, Path(tmp), rec)
    return judge(score, gold, rec.views)


def gold_books(folder: Path) -> list[Path]:
    """The gold files of a folder that have quotes and a text, sorted."""
    out = []
    for gold_path in sorted(folder.glob("*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        if gold_path.with_suffix(".txt").exists() and "quotes" in gold:
            out.append(gold_path)
    return out


def litbank_lines(bench: Path) -> dict[str, list[Judged]]:
    """Every LitBank excerpt's judged lines in every training mode, by excerpt."""
    score = load_scorer(bench / "score.py")
    out: dict[str, list[Judged]] = {}
    for gold_path in gold_books(bench / "litbank"):
        out[gold_path.stem] = [j for mode in MODES for j in read_book(score, gold_path, mode)]
    return out


def examples(lines: Iterable[Judged]) -> list[Example]:
    """The lines a speaker was given, as training examples."""
    return [(features(v), right, 1.0) for v, right in lines if v is not None and v.speaker]


def train(per_book: dict[str, list[Judged]], leave_out: Iterable[str] = ()) -> dict[str, float]:
    """The weights fitted on every book but those left out, in sorted order."""
    out = set(leave_out)
    return fit(examples(j for k in sorted(per_book) if k not in out for j in per_book[k]), PRIOR)


def dump(weights: dict[str, float], lines: int) -> str:
    data = {
        "format": FORMAT,
        "about": "confidence model weights; rebuilt by benchmarks/train_confidence.py",
        "trained_on": f"LitBank (Bamman et al., CC BY 4.0): {lines} lines",
        "weights": dict(sorted(weights.items())),
    }
    return json.dumps(data, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("bench", nargs="?", default=str(ROOT.parent / "shared" / "bench"))
    ap.add_argument("--out", default=str(OUT))
    ap.add_argument("--check", action="store_true", help="compare with the file, write nothing")
    args = ap.parse_args(argv)
    per_book = litbank_lines(Path(args.bench))
    n = len(examples(j for lines in per_book.values() for j in lines))
    text = dump(train(per_book), n)
    out = Path(args.out)
    if args.check:
        same = out.exists() and out.read_text(encoding="utf-8") == text
        print(f"{out.name}: {'the same bytes' if same else 'DIFFERS'} ({n} lines)")
        return 0 if same else 1
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out} ({n} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
