"""Character-discovery benchmark: how well the cast found in the text stands for the real one.

Usage:
    python benchmarks/discovery.py [DIR] [--only pdnc|litbank] [--details N]
                                   [--min-quotes N] [--split-share F] [--merge-share F]

DIR (default: ../shared/bench relative to the repository root) holds score.py and one
folder per corpus (pdnc/, litbank/) of <name>.txt + <name>.json gold files. Each book is
segmented twice, as benchmarks/attribution.py does: with no cast (narrate discovers the
characters) and with the gold cast. Predicted quote spans are paired with gold spans by
score.py's own `match` (one-to-one, >= half of the gold span covered, so PDNC spans, which
leave the quotation marks out, and LitBank's, which take them in, pair alike); speaker
strings are resolved to gold ids by score.py's `SpeakerResolver`.

The discovery figures use the no-cast run and only the quotes that were detected, have a
gold speaker and were given a discovered speaker (column `quotes`). Each discovered speaker
is *mapped* to its majority gold speaker over those quotes (ties: smallest gold id).

purity        the quotes each discovered speaker holds from its majority gold character,
              summed, over all quotes. Low: one discovered speaker reads several people.
              Perfect: 1.
complete      sum over gold characters of the quotes held by its single largest discovered
              speaker, over all quotes. Low: one person is read by several discovered
              speakers (or lost among others). Perfect: 1.
splits        gold characters with two or more discovered speakers that are mapped to them
              and *stand for them*, each holding >= --min-quotes (default 5) or >=
              --split-share (default 0.10) of the character's quotes ("Mrs. Rachel" and
              "Mrs. Lynde"). A speaker stands for a gold character when one of its names
              resolves to it or shares an identifying word with its name or an alias
              (titles, articles and a plural s left out); a speaker that stands for someone
              else holds misattributed lines, one that stands for no one is a non-character,
              neither is a second name of the character. Perfect: 0.
merges        discovered speakers with two or more gold characters each giving >=
              --min-quotes and >= --merge-share (default 0.20) of the speaker's quotes (both,
              so a big speaker's scattered misattributions are not a merge). Perfect: 0.
nonchar       share of the quotes given to non-characters: discovered speakers none of whose
              names (name, aliases) resolves to a gold character (a gold `category` naming
              a place, group or object counts as none) and which share no identifying word
              (titles, articles left out) with the gold character they are mapped to -
              places, groups, objects, forms of address holding other people's quotes.
              The unnamed first-person narrator, "I", stands for the character it is mapped
              to (here and in splits), never a non-character. Perfect: 0.
gender_q      discovered speakers' Character.gender against the gold gender of the character
gender_c      they are mapped to: right / (right + wrong), weighted by quotes (_q) or one per
              speaker (_c); speakers mapped to a character of unknown gold gender are left
              out (all of LitBank: its gold genders are unknown, shown as -). Perfect: 1.
unk_q         of the quotes of speakers mapped to a character of known gold gender, the share
              whose speaker's gender is "unknown" (outside gender_q's denominator). Perfect: 0.
gender10      of the discovered speakers with 10 or more quotes mapped to a character of known
              gold gender, the share cast with that gender ("unknown" counts as wrong here).
              The issue's target: >= 0.95. Perfect: 1.
acc_no        attribution accuracy as score.py counts it (all gold spans with a speaker;
acc_gold      undetected ones wrong), with no cast and with the gold cast; gap = acc_gold -
gap           acc_no, the cost of discovery (negative when discovery happens to do better).
              Perfect discovery: gap 0.
quotes        the quotes the discovery figures count; speakers: discovered speakers among them.

Per book, then (PDNC) per author as attribution.py's AUTHORS groups the novels, then the
corpus overall; every overall and author figure pools the quotes of its books (quote-weighted,
counts summed); nothing is fitted, so the author rows are groups, not folds. The last lines
are the one-line summaries, one per corpus. --details N lists the N
worst splits, merges (a * marks a source the speaker's names stand for), non-characters and
gender errors of each book. A figure with nothing to count (no quotes, no known gender) is -.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

sys.path.insert(0, str(Path(__file__).resolve().parent))

import discovery_measure as dm
from attribution import AUTHORS, ROOT, gold_cast, gold_dirs, load_scorer, make_book

from narrate.records import Script
from narrate.segment.segmenter import segment

BIG_SPEAKER = 10  # quotes a discovered speaker holds to count in gender10


@dataclass(frozen=True, slots=True)
class Measured:
    """What one book (or a pool of books) gives the figures."""

    table: dm.Table
    nonchars: frozenset[str]
    stands_for: dict[str, frozenset[str]]  # discovered speaker -> gold ids its names stand for
    found_gender: dict[str, str]  # discovered speaker -> Character.gender
    gold_gender: dict[str, str]  # gold id -> gender
    gold_name: dict[str, str]  # gold id -> name
    right_no: int  # attribution: right lines with no cast
    right_gold: int  # ... with the gold cast
    lines: int  # gold spans with a speaker
    books: int = 1


@dataclass(frozen=True, slots=True)
class Options:
    min_quotes: int
    split_share: float
    merge_share: float


def predictions(script: Script) -> list[dict]:
    return [
        {"start": s.start, "end": s.end, "speaker": s.speaker, "confidence": s.confidence}
        for s in script.segments
        if s.kind != "narration"
    ]


def right_lines(scorer: ModuleType, gold: dict, preds: list[dict]) -> int:
    """Gold spans with a speaker that a prediction covers and names, as score.py judges."""
    resolve = scorer.SpeakerResolver(gold.get("characters", []))
    found = scorer.match(gold["quotes"], preds, 0.5)
    right = 0
    for gi, g in enumerate(gold["quotes"]):
        if g.get("speaker") is not None and gi in found:
            ids = resolve(preds[found[gi]]["speaker"])
            right += str(g["speaker"]) in ids and len(ids) == 1
    return right


def measure_book(scorer: ModuleType, gold: dict, text: str, title: str) -> Measured:
    """Segment one book with no cast and with the gold cast; tabulate the no-cast speakers."""
    book = make_book(text, title)
    found = segment(book, None)
    preds = predictions(found)
    with_cast = predictions(segment(book, gold_cast(gold)))
    pairs = []
    for gi, pi in scorer.match(gold["quotes"], preds, 0.5).items():
        who, speaker = gold["quotes"][gi].get("speaker"), preds[pi]["speaker"]
        if who is not None and speaker is not None:
            pairs.append((speaker, str(who)))
    table = dm.build_table(pairs)
    chars = gold.get("characters", [])
    own = {c.name: (c.name, *c.aliases) for c in found.characters}
    links = dm.name_links(
        {d: own.get(d, (d,)) for d in table},
        scorer.SpeakerResolver(chars),
        {str(c["id"]): (str(c["name"]), *(c.get("aliases") or [])) for c in chars},
        {str(c["id"]): c.get("category") for c in chars},
    )
    return Measured(
        table=table,
        nonchars=frozenset(dm.non_characters(table, links)),
        stands_for={d: link.stands_for for d, link in links.items()},
        found_gender={c.name: c.gender for c in found.characters},
        gold_gender={str(c["id"]): str(c.get("gender") or "unknown") for c in chars},
        gold_name={str(c["id"]): str(c["name"]) for c in chars},
        right_no=right_lines(scorer, gold, preds),
        right_gold=right_lines(scorer, gold, with_cast),
        lines=sum(1 for q in gold["quotes"] if q.get("speaker") is not None),
    )


def pool(parts: dict[str, Measured]) -> Measured:
    """Several books as one: every key prefixed with its book, so nothing is shared."""

    def key(book: str, k: str) -> str:
        return f"{book}\x00{k}"

    table: dm.Table = {}
    for b, m in parts.items():
        for d, counts in m.table.items():
            table[key(b, d)] = Counter({key(b, g): n for g, n in counts.items()})
    return Measured(
        table=table,
        nonchars=frozenset(key(b, d) for b, m in parts.items() for d in m.nonchars),
        stands_for={
            key(b, d): frozenset(key(b, g) for g in ids)
            for b, m in parts.items()
            for d, ids in m.stands_for.items()
        },
        found_gender={key(b, d): g for b, m in parts.items() for d, g in m.found_gender.items()},
        gold_gender={key(b, i): g for b, m in parts.items() for i, g in m.gold_gender.items()},
        gold_name={key(b, i): n for b, m in parts.items() for i, n in m.gold_name.items()},
        right_no=sum(m.right_no for m in parts.values()),
        right_gold=sum(m.right_gold for m in parts.values()),
        lines=sum(m.lines for m in parts.values()),
        books=sum(m.books for m in parts.values()),
    )


def held(m: Measured, d: str) -> int:
    """The quotes a discovered speaker holds in the table."""
    return sum(m.table[d].values())


def figures(m: Measured, opt: Options) -> dict[str, float | None]:
    """Every figure of one book or pool, by column name."""
    total = dm.size(m.table)
    nonchar = sum(held(m, d) for d in m.nonchars)
    by_q = dm.gender_figures(m.table, m.found_gender, m.gold_gender, weighted=True)
    by_c = dm.gender_figures(m.table, m.found_gender, m.gold_gender, weighted=False)
    judged_q = by_q.right + by_q.wrong
    big = dm.gender_figures(m.table, m.found_gender, m.gold_gender, False, BIG_SPEAKER)
    big_n = big.right + big.wrong + big.unknown
    acc_no = m.right_no / m.lines if m.lines else None
    acc_gold = m.right_gold / m.lines if m.lines else None
    some = total > 0
    return {
        "purity": dm.purity(m.table) if some else None,
        "complete": dm.completeness(m.table) if some else None,
        "splits": len(dm.splits(m.table, opt.min_quotes, opt.split_share, m.stands_for)),
        "merges": len(dm.merges(m.table, opt.min_quotes, opt.merge_share)),
        "nonchar": nonchar / total if some else None,
        "gender_q": by_q.accuracy if judged_q else None,
        "gender_c": by_c.accuracy if by_c.right + by_c.wrong else None,
        "unk_q": by_q.unknown_share if judged_q + by_q.unknown else None,
        "gender10": big.right / big_n if big_n else None,
        "acc_no": acc_no,
        "acc_gold": acc_gold,
        "gap": None if acc_no is None or acc_gold is None else acc_gold - acc_no,
        "quotes": total,
        "speakers": len(m.table),
    }


COLUMNS = (
    "purity",
    "complete",
    "splits",
    "merges",
    "nonchar",
    "gender_q",
    "gender_c",
    "unk_q",
    "gender10",
    "acc_no",
    "acc_gold",
    "gap",
    "quotes",
    "speakers",
)


def cell(value: float | None, width: int) -> str:
    if value is None:
        return f"{'-':>{width}}"
    if isinstance(value, int):
        return f"{value:>{width}}"
    return f"{value:>{width}.4f}"


def header(first: str) -> str:
    return f"{first:<34} " + " ".join(f"{c:>8}" for c in COLUMNS)


def row(name: str, m: Measured, opt: Options) -> str:
    f = figures(m, opt)
    return f"{name[:34]:<34} " + " ".join(cell(f[c], 8) for c in COLUMNS)


def summary(label: str, m: Measured, opt: Options) -> str:
    f = figures(m, opt)
    parts = [f"{c}={cell(f[c], 0).strip()}" for c in COLUMNS]
    return f"{label:<8} " + " ".join(parts) + f" books={m.books}"


def details(m: Measured, opt: Options, n: int) -> list[str]:
    """The n worst splits, merges, non-characters and gender errors of one book."""
    name = m.gold_name.get
    mapped = dm.majority(m.table)
    out = []
    for split in dm.splits(m.table, opt.min_quotes, opt.split_share, m.stands_for)[:n]:
        pieces = ", ".join(f"{d!r} {q}" for d, q in split.pieces)
        out.append(f"  split  {name(split.gold, split.gold)!r} ({split.total} quotes): {pieces}")
    for merge in dm.merges(m.table, opt.min_quotes, opt.merge_share)[:n]:
        named = m.stands_for.get(merge.discovered, frozenset())
        sources = ", ".join(
            f"{name(i, i)!r}{'*' if i in named else ''} {q}" for i, q in merge.sources[:4]
        )
        out.append(f"  merge  {merge.discovered!r} ({merge.total} quotes): {sources}")
    for d in sorted(m.nonchars, key=lambda d: (-held(m, d), d))[:n]:
        out.append(f"  nonchar {d!r} {held(m, d)} quotes, mostly {name(mapped[d], mapped[d])!r}")
    wrong = [
        d
        for d, g in mapped.items()
        if m.gold_gender.get(g) in ("male", "female")
        and m.found_gender.get(d) in ("male", "female")
        and m.found_gender[d] != m.gold_gender[g]
    ]
    for d in sorted(wrong, key=lambda d: (-held(m, d), d))[:n]:
        g = mapped[d]
        out.append(
            f"  gender {d!r} cast {m.found_gender[d]}, is {name(g, g)!r} "
            f"({m.gold_gender[g]}), {held(m, d)} quotes"
        )
    unknown = [
        d
        for d, g in mapped.items()
        if m.gold_gender.get(g) in ("male", "female")
        and m.found_gender.get(d) not in ("male", "female")
        and held(m, d) >= 10
    ]
    for d in sorted(unknown, key=lambda d: (-held(m, d), d))[:n]:
        g = mapped[d]
        out.append(
            f"  gender {d!r} unknown, is {name(g, g)!r} ({m.gold_gender[g]}), {held(m, d)} quotes"
        )
    return out


def gold_books(folder: Path) -> Iterable[tuple[str, dict, str]]:
    for gold_path in sorted(folder.glob("*.json")):
        txt = gold_path.with_suffix(".txt")
        if not txt.exists():
            continue
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        if "quotes" in gold and "characters" in gold:
            yield gold_path.stem, gold, txt.read_text(encoding="utf-8")


def run_corpus(corpus: str, folder: Path, scorer: ModuleType, opt: Options, n: int) -> str:
    """Print one corpus's table; return its summary line."""
    books: dict[str, Measured] = {}
    print(f"== {corpus}: discovered cast against gold (no cast) and attribution gap")
    print(header("book"))
    for name, gold, text in gold_books(folder):
        m = measure_book(scorer, gold, text, name)
        books[name] = m
        print(row(name, m, opt))
        if n:
            for line in details(m, opt, n):
                print(line)
    if corpus == "pdnc":
        print(f"== {corpus} by author")
        print(header("author"))
        for author in sorted({AUTHORS.get(b, b) for b in books}):
            group = {b: m for b, m in books.items() if AUTHORS.get(b, b) == author}
            print(row(f"{author} ({len(group)})", pool(group), opt))
    everything = pool(books)
    print(row(f"{corpus} overall", everything, opt))
    return summary(corpus, everything, opt)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("dir", nargs="?", default=str(ROOT.parent / "shared" / "bench"))
    ap.add_argument("--only", choices=["pdnc", "litbank"])
    ap.add_argument("--details", type=int, default=0, metavar="N", help="N worst cases a book")
    ap.add_argument("--min-quotes", type=int, default=5, metavar="N")
    ap.add_argument("--split-share", type=float, default=0.10, metavar="F")
    ap.add_argument("--merge-share", type=float, default=0.20, metavar="F")
    args = ap.parse_args(argv)
    base = Path(args.dir)
    found = next((p for p in (base / "score.py", base.parent / "score.py") if p.exists()), None)
    if found is None:
        print(f"score.py not found in {base}", file=sys.stderr)
        return 2
    scorer = load_scorer(found)
    opt = Options(args.min_quotes, args.split_share, args.merge_share)
    lines = [
        run_corpus(c, folder, scorer, opt, args.details) for c, folder in gold_dirs(base, args.only)
    ]
    print("== summary")
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
