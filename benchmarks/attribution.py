"""Speaker-attribution benchmark: run the segmenter over gold files and score it.

Usage:
    python benchmarks/attribution.py [DIR] [--only pdnc|litbank]
                                     [--cast yes|no|user|both|all] [--errors N] [--cv]

DIR (default: ../shared/bench relative to the repository root) holds score.py
and one folder per corpus (pdnc/, litbank/) of <name>.txt + <name>.json gold
files; a folder of gold files itself works too. For each corpus the segmenter
runs with no cast ("no"), with the gold cast as the exclusive cast ("yes"),
and on the user's path ("user"): the gold cast written as a voices.yaml and
read back as `narrate script --voices FILE` reads it, the characters the file
does not list discovered and added (narrate.segment.given); and ("some") on
the same path with a file that lists only the main characters (the half of the
speakers who say the most), the others left to be found. "both" is no and yes;
"all" (the default) is all four. Predictions go to a temporary folder in
score.py's format and score.py prints the figures per book and overall. Speed
is reported in words per second of the segmentation alone.

With --cv the figures are also measured as an outsider would: leave one author
out (PDNC books grouped by author; each LitBank excerpt is its own group).
Whatever is fitted from gold data is fitted on the other groups and applied to
the held-out one; in-sample and cross-validated figures are printed side by
side, per book, per author and overall, with the expected calibration error
(ECE: the gap between stated confidence and accuracy, weighted by lines):

  ece_tab   the sieve's table of confidences (confidence.py), as they were
            before the shipped model
  ece_in, ece_cv  each level of that table replaced by the accuracy of its
            lines, fitted on every group (in) or on the other groups (cv): a
            measure of what a calibration could do, never shipped, since it is
            fitted on PDNC's annotations
  ece_ship  the confidences the segmenter gives, the shipped model's
            (narrate.segment.calibration, trained on LitBank only)
  ship_cv   the same with the model trained without the held-out excerpt
            (benchmarks/train_confidence.py per fold); on PDNC, which it is never
            trained on, the shipped model's
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import yaml

from narrate.cast.voices import characters_from_config
from narrate.config import load_config
from narrate.records import Book, Chapter, Character, Script
from narrate.segment import calibration
from narrate.segment.calibration import SHIPPED, Rate
from narrate.segment.given import segment_given
from narrate.segment.segmenter import segment

PARA_RE = re.compile(r"\S(?:.*\S)?(?:\n(?![ \t]*\r?\n).*\S)*")
TARGETS = {
    ("pdnc", "no"): {"attribution_acc": 0.75, "detect_f1": 0.95},
    ("pdnc", "yes"): {"attribution_acc": 0.85, "acc_explicit": 0.97},
    ("pdnc", "user"): {"attribution_acc": 0.85, "acc_explicit": 0.97},
}
LABELS = {"no": "no cast", "yes": "gold cast", "user": "user cast", "some": "user, main only"}
MODES = {"both": ["no", "yes"], "all": ["no", "yes", "user", "some"]}


# The authors of the PDNC novels (public facts, for grouping folds).
AUTHORS = {
    "AlicesAdventuresInWonderland": "Carroll",
    "AnneOfGreenGables": "Montgomery",
    "Emma": "Austen",
    "MansfieldPark": "Austen",
    "NorthangerAbbey": "Austen",
    "Persuasion": "Austen",
    "PrideAndPrejudice": "Austen",
    "SenseAndSensibility": "Austen",
    "TheAwakening": "Chopin",
    "TheGambler": "Dostoevsky",
    "TheInvisibleMan": "Wells",
    "TheMysteriousAffairAtStyles": "Christie",
    "ThePictureOfDorianGray": "Wilde",
    "TheSignOfTheFour": "Doyle",
    "TheSunAlsoRises": "Hemingway",
}
ECE_BINS = 10


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


def main_characters(gold: dict) -> dict:
    """The gold with only the speakers of most lines listed: the half of those who speak
    that says the most (a user who writes voices for the main characters only)."""
    lines = Counter(str(q.get("speaker")) for q in gold.get("quotes", []))
    speakers = sorted(
        (c for c in gold.get("characters", []) if lines[str(c["id"])]),
        key=lambda c: -lines[str(c["id"])],
    )
    return {**gold, "characters": speakers[: (len(speakers) + 1) // 2]}


def voices_yaml(gold: dict) -> str:
    """The gold cast as a user's voices.yaml: names, aliases and genders, no voices.

    voices.yaml gives an alias to one character only (and no alias may be another's
    name), so a form the gold shares between characters goes to the first who has it.
    """
    names = {str(c["name"]).casefold() for c in gold.get("characters", [])}
    claimed: set[str] = set()
    entries: dict[str, dict] = {}
    for c in gold.get("characters", []):
        name = str(c["name"])
        if name.casefold() in claimed or name in entries:
            continue
        claimed.add(name.casefold())
        aliases = []
        for a in c.get("aliases") or []:
            a = str(a)
            if a and a.casefold() not in claimed and a.casefold() not in names:
                claimed.add(a.casefold())
                aliases.append(a)
        entry: dict = {"aliases": aliases} if aliases else {}
        if c.get("gender") in ("male", "female"):
            entry["gender"] = c["gender"]
        entries[name] = entry
    return yaml.safe_dump({"characters": entries}, allow_unicode=True, sort_keys=False)


def predict(book: Book, gold: dict, mode: str, tmp: Path, confidence: Rate = SHIPPED) -> Script:
    """The segmenter's script for one book in one cast setting (see the module doc)."""
    if mode == "no":
        return segment(book, None, confidence)
    if mode == "yes":
        return segment(book, gold_cast(gold), confidence)
    path = tmp / f"{book.title}.voices.yaml"
    path.write_text(voices_yaml(gold if mode == "user" else main_characters(gold)), "utf-8")
    listed = characters_from_config(load_config(path))
    return segment_given(book, listed, confidence=confidence)


def gold_dirs(base: Path, only: str | None) -> list[tuple[str, Path]]:
    if any(base.glob("*.json")) and any(base.glob("*.txt")):
        return [(base.name, base)]
    names = [only] if only else ["pdnc", "litbank"]
    return [(n, base / n) for n in names if (base / n).is_dir()]


def run_corpus(name: str, folder: Path, mode: str, out_dir: Path) -> tuple[int, float, float]:
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
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            script = predict(book, gold, mode, Path(tmp))
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


def load_scorer(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_score", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fit_calibration(lines: list[tuple[float, bool]]) -> dict[float, float]:
    """Each confidence level the sieve gives -> the share of its lines that are right."""
    seen: dict[float, list[int]] = defaultdict(lambda: [0, 0])
    for conf, right in lines:
        seen[conf][0] += right
        seen[conf][1] += 1
    return {conf: good / n for conf, (good, n) in seen.items()}


def calibrated(
    lines: list[tuple[float, bool]], table: dict[float, float]
) -> list[tuple[float, bool]]:
    """Confidences replaced by the fitted accuracy of their level (the nearest level if unseen)."""
    if not table:
        return lines
    levels = sorted(table)
    out = []
    for conf, right in lines:
        level = conf if conf in table else min(levels, key=lambda x: abs(x - conf))
        out.append((table[level], right))
    return out


def ece(lines: list[tuple[float, bool]]) -> float:
    bins: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for conf, right in lines:
        b = bins[min(int(conf * ECE_BINS), ECE_BINS - 1)]
        b[0] += conf
        b[1] += right
        b[2] += 1
    total = sum(b[2] for b in bins.values())
    return sum(abs(b[0] - b[1]) for b in bins.values()) / total if total else 0.0


def accuracy(lines: list[tuple[float, bool]]) -> float:
    return sum(right for _, right in lines) / len(lines) if lines else 0.0


def train_confidence() -> ModuleType:
    """benchmarks/train_confidence.py, which itself imports this module's helpers."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import train_confidence as module

    return module


def cross_validate(
    corpus: str, folder: Path, mode: str, scorer: ModuleType, litbank: dict[str, list]
) -> list[str]:
    """Leave-one-author-out figures for one corpus and cast setting, as printable lines.

    ``litbank`` holds the confidence model's training lines by excerpt
    (train_confidence.litbank_lines): a LitBank excerpt is scored with the model
    trained without it; PDNC, never trained on, with the shipped model.
    """
    tc = train_confidence()
    judged: dict[str, list[tuple[float, bool]]] = {}
    shipped: dict[str, list[tuple[float, bool]]] = {}
    shipped_cv: dict[str, list[tuple[float, bool]]] = {}
    for gold_path in tc.gold_books(folder):
        name = gold_path.stem
        views = tc.read_book(scorer, gold_path, mode)
        judged[name] = [(v.sieve if v else 0.0, right) for v, right in views]
        ship = calibration.shipped()
        shipped[name] = [(round(ship(v), 3) if v else 0.0, right) for v, right in views]
        fold = calibration.Model(tc.train(litbank, [name])) if corpus == "litbank" else ship
        shipped_cv[name] = [(round(fold(v), 3) if v else 0.0, right) for v, right in views]
    group = {name: AUTHORS.get(name, name) if corpus == "pdnc" else name for name in judged}
    every = [line for lines in judged.values() for line in lines]
    in_table = fit_calibration(every)
    held_out: dict[str, list[tuple[float, bool]]] = {}
    for author in sorted(set(group.values())):
        train = [line for n, lines in judged.items() if group[n] != author for line in lines]
        table = fit_calibration(train)
        for name in (n for n in judged if group[n] == author):
            held_out[name] = calibrated(judged[name], table)
    label = f"{corpus} {LABELS[mode]}"
    out = [f"== {label}, leave one {'author' if corpus == 'pdnc' else 'excerpt'} out"]
    head = "acc_in acc_cv ece_tab ece_in ece_cv ece_ship ship_cv lines"
    out.append(f"{'':<34} {head}")

    def pooled(d: dict[str, list[tuple[float, bool]]], names: list[str]) -> list:
        return [line for n in names for line in d[n]]

    def row(name: str, names: list[str]) -> str:
        raw, cv = pooled(judged, names), pooled(held_out, names)
        fitted_in = calibrated(raw, in_table)
        return (
            f"{name:<34} {accuracy(raw):.4f} {accuracy(cv):.4f} {ece(raw):.4f}  "
            f"{ece(fitted_in):.4f} {ece(cv):.4f} {ece(pooled(shipped, names)):.4f}   "
            f"{ece(pooled(shipped_cv, names)):.4f} {len(raw)}"
        )

    for name in sorted(judged):
        out.append(row(name, [name]))
    if corpus == "pdnc":
        for author in sorted(set(group.values())):
            out.append(row(f"author {author}", [n for n in judged if group[n] == author]))
    out.append(row(f"{label} overall", list(judged)))
    names = list(judged)
    out.append(
        f"{label:<18} acc_in={accuracy(pooled(judged, names)):.4f} "
        f"acc_cv={accuracy(pooled(held_out, names)):.4f} "
        f"ece_table={ece(pooled(judged, names)):.4f} ece_cv={ece(pooled(held_out, names)):.4f} "
        f"ece_shipped={ece(pooled(shipped, names)):.4f} "
        f"ece_shipped_cv={ece(pooled(shipped_cv, names)):.4f} (leave one "
        f"{'author' if corpus == 'pdnc' else 'excerpt'} out)"
    )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir", nargs="?", default=str(ROOT.parent / "shared" / "bench"))
    ap.add_argument("--only", choices=["pdnc", "litbank"])
    ap.add_argument("--cast", choices=["yes", "no", "user", "some", "both", "all"], default="all")
    ap.add_argument("--errors", type=int, default=0, help="show the first N errors")
    ap.add_argument("--quiet", action="store_true", help="overall figures only")
    ap.add_argument("--cv", action="store_true", help="add leave-one-author-out figures")
    args = ap.parse_args(argv)
    base = Path(args.dir)
    scorer = next((p for p in (base / "score.py", base.parent / "score.py") if p.exists()), None)
    if scorer is None:
        print(f"score.py not found in {base}", file=sys.stderr)
        return 2
    summary: list[str] = []
    for corpus, folder in gold_dirs(base, args.only):
        for mode in MODES.get(args.cast, [args.cast]):
            with tempfile.TemporaryDirectory() as tmp:
                words, secs, est = run_corpus(corpus, folder, mode, Path(tmp))
                label = f"{corpus} {LABELS[mode]}"
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
    if args.cv:
        score = load_scorer(scorer)
        litbank = train_confidence().litbank_lines(base) if (base / "litbank").is_dir() else {}
        for corpus, folder in gold_dirs(base, args.only):
            for mode in MODES.get(args.cast, [args.cast]):
                lines = cross_validate(corpus, folder, mode, score, litbank)
                print("\n".join(lines[:-1]))
                summary.append(lines[-1])
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("== summary")
    for line in summary:
        print(line)
    print(f"peak memory {rss:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
