"""Mentions of characters in the text: names, pronouns and descriptions.

Each mention is found once for the whole book; the attribution pass resolves
pronouns and descriptions to characters in reading order.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from narrate.segment.names import (
    SEQ_RE,
    TITLE_BEFORE_RE,
    TOKEN_RE,
    Entity,
    NameTable,
    norm,
    title_gender,
    title_word,
)
from narrate.segment.wordlists import NOUN_GENDER, SPEECH_VERBS, TITLES, words

PRON_RE = re.compile(r"\b(?:[Hh]e|[Ss]he|[Hh]im|[Hh]is|[Hh]er|[Hh]ers|[Hh]imself|[Hh]erself|I)\b")
PRON_GENDER = {
    "he": "male",
    "him": "male",
    "his": "male",
    "himself": "male",
    "she": "female",
    "her": "female",
    "hers": "female",
    "herself": "female",
    "i": "self",
}
CHILD_NOUNS = words("boy girl child toddler baby infant son daughter lad lass")
SPOUSE = frozenset(("husband", "wife"))
DESC_RE = re.compile(
    r"\b([Tt]he|[Hh]is|[Hh]er|[Tt]heir)\s+(?:[a-z]+\s+){0,2}?("
    + "|".join(sorted(NOUN_GENDER, key=len, reverse=True))
    + r")\b(?!-)"
)
# "the latter was growing old": the one of two just named (not "the latter part")
ORDINAL_RE = re.compile(
    r"\b[Tt]he\s+(latter|former)\b(?=\s*[,;:.!?\u2014-]|\s+(?:was|were|had|is|did|could|would|"
    r"might|must|should|who|whose|seemed|looked|being|having|[a-z]+ed)\b)"
)
PREPOSITIONS = words(
    "to at of with for on by from into toward towards upon about after before beside behind like than under over through against among between near onto past round around without within beneath above across along"
)

CONJUNCTIONS = words(
    "and but as while when then that because though although so before after until till if where whereupon yet or nor once since"
)
# "as Mrs. Hale expected", "knew that Cora ...": such a subject is not the topic
EPITHETS = words(
    "poor old little young dear good kind honest worthy unhappy happy sweet pretty silly"
)
SUBORDINATORS = words("that as than though although")
# "At that moment Cora had", "After supper Ada sat": a short phrase fronted before the subject
FRONTED_RE = re.compile(r"(?:^|[.!?;:]\s+)([A-Z][a-z]+)(?:\s+[a-z]+){1,4}\s+$")
# titles of rank, which only those who hold one carry ("Sir John", "Lady Anne")
RANKS = words("sir lady lord dame")
CLAUSE_MARKS = ".!?,;:\u2014-\"'\u201c\u201d\u2018\u2019()\u2026_"


@dataclass(slots=True)
class Mention:
    start: int
    end: int
    kind: str  # name | pron | desc
    ent: int | None = None  # entity for names (and once resolved)
    gender: str = "unknown"
    word: str = ""  # pronoun or head noun, lower case
    det: str = ""  # the / his / her / their for descriptions
    possessive: bool = False
    after_prep: bool = False
    clause_start: bool = False  # opens a clause: a likely grammatical subject
    nominative: bool = False
    subordinate: bool = False  # opens a subordinate clause ("as she expected")
    joined: bool = False  # after "and" / "or": perhaps one of two names ("Ada and Cora's")
    # a name several of a given cast could carry ("Ashby" in a family): those it may be,
    # the likeliest first; the reading picks one by the scene (Salience.resolve)
    cands: tuple[int, ...] = ()


def _flags(text: str, m: Mention) -> None:
    nxt = text[m.end : m.end + 2]
    if m.kind != "pron" and (nxt in ("'s", "\u2019s") or nxt[:1] in ("'", "\u2019")):
        m.possessive = True
    j = m.start - 1
    for _ in range(3):
        while j >= 0 and text[j] in " \t\r\n":
            j -= 1
        if "\n\n" in text[j + 1 : m.start].replace("\r", ""):
            j = -1  # a paragraph's first word opens a clause, whatever the heading above says
        k = j
        while k >= 0 and text[k].isalpha():
            k -= 1
        prev = text[k + 1 : j + 1].lower()
        if m.kind != "name" or prev not in EPITHETS:
            break
        j = k  # "Poor old Mrs. Hale looked": the epithets do not open the clause
    # "before she went on": a nominative pronoun follows a conjunction, never a preposition
    m.after_prep = prev in PREPOSITIONS and not m.nominative
    if prev:
        # "said Lucy": the subject of an inverted said-tag
        m.clause_start = (
            prev in CONJUNCTIONS
            or prev in SPEECH_VERBS
            or not m.after_prep
            and _fronted(text, m.start)
        )
        m.subordinate = prev in SUBORDINATORS
        m.joined = prev in ("and", "or", "nor")
    else:
        m.clause_start = j < 0 or text[j] in CLAUSE_MARKS


def _fronted(text: str, at: int) -> bool:
    """The words before ``at`` are a short fronted phrase opening the sentence."""
    fm = FRONTED_RE.search(text, max(0, at - 40), at)
    return fm is not None and fm.group(1).lower() in PREPOSITIONS


def find_mentions(text: str, table: NameTable) -> list[Mention]:
    """All mentions in reading order (including those inside quotes)."""
    out: list[Mention] = []
    lookup = table.lookup
    for sm in SEQ_RE.finditer(text):
        title = sm.group(1)
        toks = list(TOKEN_RE.finditer(text, sm.start(2), sm.end(2)))
        i = 0
        while i < len(toks):
            hit = None
            for j in range(min(len(toks), i + 4), i, -1):
                key = norm(" ".join(t.group() for t in toks[i:j]))
                if i == 0 and title and norm(title + " " + key) in lookup:
                    hit = (sm.start(), toks[j - 1].end(), lookup[norm(title + " " + key)], j)
                    break
                if key in lookup and not (
                    i == 0 and title and _title_clash(title, table, lookup[key], key)
                ):
                    hit = (toks[i].start(), toks[j - 1].end(), lookup[key], j)
                    break
            if hit:
                m = Mention(hit[0], hit[1], "name", hit[2])
                _flags(text, m)
                out.append(m)
                i = hit[3]
            else:
                shared = _shared(text, sm, toks, i, table) if table.shared else None
                if shared is not None:
                    out.append(shared)
                i += 1
    if table.phrase_re is not None:
        for pm in table.phrase_re.finditer(text):
            ent = table.phrases.get(" ".join(pm.group(1).lower().split()))
            if ent is not None:
                m = Mention(pm.start(), pm.end(), "name", ent)
                _flags(text, m)
                out.append(m)
    for pm in PRON_RE.finditer(text):
        w = pm.group().lower()
        m = Mention(pm.start(), pm.end(), "pron", None, PRON_GENDER[w], w)
        m.nominative = w in ("he", "she", "i")
        _flags(text, m)
        out.append(m)
    for dm in DESC_RE.finditer(text):
        noun = dm.group(2)
        m = Mention(
            dm.start(), dm.end(), "desc", None, NOUN_GENDER[noun], noun, dm.group(1).lower()
        )
        _flags(text, m)
        out.append(m)
    for dm in ORDINAL_RE.finditer(text):
        m = Mention(dm.start(), dm.end(), "desc", None, "unknown", dm.group(1).lower(), "the")
        _flags(text, m)
        out.append(m)
    out.sort(key=lambda m: (m.start, -m.end, m.kind != "name"))
    # drop pronouns nested in a description ("her husband": "her" is part of it)
    cleaned: list[Mention] = []
    for m in out:
        if cleaned and m.start < cleaned[-1].end:
            continue
        cleaned.append(m)
    return cleaned


def _shared(
    text: str, sm: re.Match[str], toks: list[re.Match[str]], i: int, table: NameTable
) -> Mention | None:
    """A one-word name that several of a given cast could carry ("Ashby", "Mrs. Ashby").

    A title keeps those of its gender; a bare surname is not a name for a woman the
    cast knows only by a title ("Mrs. Ashby" is called so, not "Ashby").
    """
    word = toks[i].group()
    cands = table.shared.get(norm(word), ())
    start = toks[i].start()
    title = sm.group(1) if i == 0 else None
    if title is None and i == 0:
        before = TITLE_BEFORE_RE.search(text, max(0, start - 16), start)
        title = before.group(1) if before else None
    ents = table.entities
    if title:
        g = title_gender(title)
        cands = tuple(e for e in cands if g == "unknown" or ents[e].gender in (g, "unknown"))
        # "Lady Anne": the one the cast calls so, if any
        so_called = tuple(e for e in cands if _titled(ents[e], title, word))
        cands = so_called or cands
    else:
        by_name = tuple(e for e in cands if not _titled_woman(ents[e], word))
        cands = by_name or cands
    if not cands:
        return None
    m = Mention(start, toks[i].end(), "name", cands[0])
    m.cands = cands
    _flags(text, m)
    return m


def _titled(ent: Entity, title: str, word: str) -> bool:
    """The cast gives ``ent`` a name with ``title`` before ``word``."""
    t = title_word(title)
    return any(
        len(f) > 1 and title_word(f[0]) == t and word in f[1:] for f in map(str.split, ent.forms)
    )


def _titled_woman(ent: Entity, word: str) -> bool:
    """A woman who carries the name only after a title ("Mrs. Ashby", "Lady Vane")."""
    forms = [f.split() for f in ent.forms if word in f.split()]
    return ent.gender == "female" and all(len(f) > 1 and f[0] != word for f in forms)


def _title_clash(title: str, table: NameTable, ent: int, key: str) -> bool:
    """'Mrs. Bennet' must not be read as the Bennet who is a man; nor, in a given cast,
    'Dr. Grant' as a Mrs. Grant whom the cast only ever calls so."""
    g = title_gender(title)
    eg = table.entities[ent].gender
    if g != "unknown" and eg != "unknown" and g != eg:
        return True
    if not table.from_cast:
        return False
    forms = [f.split() for f in table.entities[ent].forms]
    if title_word(title) in RANKS and not any(title_word(f[0]) in RANKS for f in forms):
        return True  # "Sir John" is not a John the cast gives no rank
    carried = [f for f in forms if norm(f[-1]) == key]
    titles = {title_word(f[0]) for f in carried if len(f) == 2}
    others = [f for f in carried if len(f) != 2 or title_word(f[0]) not in TITLES]
    return bool(titles) and not others and title_word(title) not in titles


def first_mentions(
    mentions: Sequence[Mention], spoken: Sequence[tuple[int, int]], n: int, narrator: int | None
) -> dict[int, tuple[tuple[int, int], ...]]:
    """Where the text first names each character: the first ``n`` name mentions (spans)
    of each, the ones that made it a character. A first-person narrator, who has no name,
    is the "I" of the narration (outside the ``spoken`` spans, the quotes)."""
    found: dict[int, list[tuple[int, int]]] = {}
    starts = [s for s, _e in spoken]
    for m in mentions:
        if m.kind == "name" and m.ent is not None:
            e = m.ent
        elif m.kind == "pron" and m.word == "i" and narrator is not None:
            k = bisect.bisect_right(starts, m.start) - 1
            if k >= 0 and m.start < spoken[k][1]:
                continue  # an "I" inside a quote is its speaker's
            e = narrator
        else:
            continue
        spans = found.setdefault(e, [])
        if len(spans) < n:
            spans.append((m.start, m.end))
    return {e: tuple(spans) for e, spans in found.items()}
