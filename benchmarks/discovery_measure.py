"""The arithmetic of the discovery benchmark, on plain tables (no gold files, no segmenter).

A *table* maps each discovered speaker (a name string) to a Counter of gold character
ids over the quotes it was given: ``table["Holmes"]["14"] == 310`` means 310 quotes the
segmenter gave to "Holmes" were spoken by gold character 14. Only quotes that were
detected, have a gold speaker and were given a discovered speaker enter a table.
benchmarks/discovery.py builds the tables and prints the figures; the definitions are
in its docstring.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

Table = dict[str, Counter[str]]

# Words that do not identify anyone on their own: titles, articles, forms of address.
NAME_STOP = frozenset(
    re.findall(
        r"\w+",
        """the a an of my dear mr mrs miss ms m mister master mistress madam madame monsieur
        mademoiselle dr doctor sir lady lord captain colonel major general inspector professor
        rev reverend aunt uncle old young little""",
    )
)
# Gold `category` values that denote no person (none of the current gold files uses one).
NON_PERSON_CATEGORIES = frozenset({"group", "place", "location", "organization", "object"})
TOKEN_RE = re.compile(r"[a-z]+")
# The segmenter's name for a first-person narrator the text never names: it stands for the
# character it is mapped to (the teller), whom its name cannot resolve.
NARRATOR = "I"


@dataclass(frozen=True, slots=True)
class Split:
    gold: str  # gold character id
    total: int  # the gold character's quotes in the table
    pieces: tuple[
        tuple[str, int], ...
    ]  # (discovered name, quotes of this gold character), big first

    @property
    def stray(self) -> int:
        """Quotes outside the biggest piece: what one voice per character would lose."""
        return sum(n for _, n in self.pieces[1:])


@dataclass(frozen=True, slots=True)
class Merge:
    discovered: str
    total: int  # the discovered speaker's quotes in the table
    sources: tuple[tuple[str, int], ...]  # (gold id, quotes), big first

    @property
    def stray(self) -> int:
        """Quotes from gold characters other than the majority one."""
        return sum(n for _, n in self.sources[1:])


@dataclass(frozen=True, slots=True)
class GenderFigures:
    right: int  # known discovered gender equal to the gold gender
    wrong: int  # known discovered gender different from the gold gender
    unknown: int  # discovered gender "unknown" (gold gender known)

    @property
    def accuracy(self) -> float:
        """right / (right + wrong); 1.0 when nothing was judged."""
        judged = self.right + self.wrong
        return self.right / judged if judged else 1.0

    @property
    def unknown_share(self) -> float:
        total = self.right + self.wrong + self.unknown
        return self.unknown / total if total else 0.0


def build_table(pairs: Iterable[tuple[str, str]]) -> Table:
    """(discovered speaker, gold id) per quote -> the table."""
    table: Table = {}
    for discovered, gold in pairs:
        table.setdefault(discovered, Counter())[gold] += 1
    return table


def top(counts: Mapping[str, int]) -> tuple[str, int]:
    """The largest entry; ties go to the smallest key, so results do not depend on order."""
    return min(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def majority(table: Table) -> dict[str, str]:
    """Each discovered speaker -> its majority gold character (the mapping)."""
    return {d: top(c)[0] for d, c in table.items() if c}


def by_gold(table: Table) -> dict[str, Counter[str]]:
    """The table turned round: gold id -> Counter of discovered speakers."""
    out: dict[str, Counter[str]] = {}
    for d, counts in table.items():
        for g, n in counts.items():
            out.setdefault(g, Counter())[d] += n
    return out


def size(table: Table) -> int:
    return sum(sum(c.values()) for c in table.values())


def purity(table: Table) -> float:
    """Quote-weighted share of each discovered speaker's quotes from its majority gold one."""
    total = size(table)
    return sum(top(c)[1] for c in table.values() if c) / total if total else 1.0


def completeness(table: Table) -> float:
    """Quote-weighted share of each gold character's quotes in its largest discovered one."""
    total = size(table)
    return sum(top(c)[1] for c in by_gold(table).values()) / total if total else 1.0


def splits(
    table: Table, min_quotes: int, share: float, links: Mapping[str, frozenset[str]] | None = None
) -> list[Split]:
    """Gold characters that several discovered speakers *mapped to them* each hold a part of.

    A piece counts when it holds >= min_quotes of the gold character's quotes or >= share of
    them. Pieces mapped to another gold character are that character's, not a split. With
    ``links`` (discovered speaker -> the gold ids its names stand for, see name_links) a piece
    must also stand for the character (NARRATOR does for whom it is mapped to): "Mr. Allen" holding Henry Tilney's lines is a wrong
    attribution, "Baker Street" holding them a non-character, neither a second Henry.
    """
    mapped = majority(table)
    out = []
    for g, counts in by_gold(table).items():
        total = sum(counts.values())
        pieces = sorted(
            (
                (d, n)
                for d, n in counts.items()
                if mapped[d] == g and (links is None or d == NARRATOR or g in links.get(d, ()))
            ),
            key=lambda dn: (-dn[1], dn[0]),
        )
        pieces = [(d, n) for d, n in pieces if n >= min_quotes or n >= share * total]
        if len(pieces) >= 2:
            out.append(Split(g, total, tuple(pieces)))
    return sorted(out, key=lambda s: (-s.stray, s.gold))


def merges(table: Table, min_quotes: int, share: float) -> list[Merge]:
    """Discovered speakers whose quotes come from two or more gold characters in earnest.

    A gold character counts as a source when it gives >= min_quotes quotes *and* >= share of
    the speaker's quotes (both, so that a big speaker's stray misattributions are no merge).
    """
    out = []
    for d, counts in table.items():
        total = sum(counts.values())
        sources = sorted(counts.items(), key=lambda gn: (-gn[1], gn[0]))
        big = [(g, n) for g, n in sources if n >= min_quotes and n >= share * total]
        if len(big) >= 2:
            out.append(Merge(d, total, tuple(sources)))
    return sorted(out, key=lambda m: (-m.stray, m.discovered))


def name_tokens(name: str) -> set[str]:
    """The identifying words of a name: lower case, a plural s dropped, titles and articles out."""
    words = TOKEN_RE.findall(name.lower().replace("\u2019", "'"))
    return {w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words if w not in NAME_STOP}


def loosely_names(names: Iterable[str], gold_names: Iterable[str]) -> bool:
    """Whether any discovered name shares an identifying word with any gold name or alias."""
    mine = set().union(*(name_tokens(n) for n in names))
    return any(mine & name_tokens(g) for g in gold_names)


@dataclass(frozen=True, slots=True)
class Links:
    """What a discovered speaker's names say about who it is."""

    resolved: frozenset[str]  # gold ids (of person categories) its names or aliases resolve to
    loose: frozenset[str]  # gold ids sharing an identifying word with one of its names

    @property
    def stands_for(self) -> frozenset[str]:
        return self.resolved | self.loose


def name_links(
    names: Mapping[str, tuple[str, ...]],
    resolve: Callable[[str], set[str]],
    gold_names: Mapping[str, tuple[str, ...]],
    categories: Mapping[str, str | None],
) -> dict[str, Links]:
    """Each discovered speaker (``names``: its name -> name and aliases) -> its Links.

    ``resolve`` is score.py's SpeakerResolver; a gold id whose ``categories`` entry names a
    place, group or object (NON_PERSON_CATEGORIES) resolves as no one.
    """
    out = {}
    for d, own in names.items():
        ids = set().union(*(resolve(n) for n in own))
        people = {i for i in ids if (categories.get(i) or "").lower() not in NON_PERSON_CATEGORIES}
        loose = {g for g, theirs in gold_names.items() if loosely_names(own, theirs)}
        out[d] = Links(frozenset(people), frozenset(loose))
    return out


def non_characters(table: Table, links: Mapping[str, Links]) -> set[str]:
    """Discovered speakers that stand for no gold character.

    One is a non-character when none of its names resolves to a gold character and it shares
    no identifying word with the gold character whose quotes it mostly holds (so "Thaddeus"
    holding Thaddeus Sholto's quotes is a character under another name; "Baker Street"
    holding Holmes's is not). A speaker missing from ``links`` names no one; NARRATOR is never
    a non-character.
    """
    mapped = majority(table)
    none = Links(frozenset(), frozenset())
    return {
        d
        for d in table
        if d != NARRATOR
        and not links.get(d, none).resolved
        and mapped[d] not in links.get(d, none).loose
    }


def gender_figures(
    table: Table,
    found: Mapping[str, str],
    gold: Mapping[str, str],
    weighted: bool,
    min_quotes: int = 0,
) -> GenderFigures:
    """Discovered gender against the gold gender of the mapped character.

    Speakers mapped to a gold character of unknown gender are left out, and so are those
    holding fewer than ``min_quotes`` quotes; each speaker counts as its number of quotes
    when ``weighted``, else as one.
    """
    right = wrong = unknown = 0
    for d, g in majority(table).items():
        if sum(table[d].values()) < min_quotes:
            continue
        want = gold.get(g, "unknown")
        if want not in ("male", "female"):
            continue
        weight = sum(table[d].values()) if weighted else 1
        have = found.get(d, "unknown")
        if have not in ("male", "female"):
            unknown += weight
        elif have == want:
            right += weight
        else:
            wrong += weight
    return GenderFigures(right, wrong, unknown)
