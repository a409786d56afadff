"""The attribution sieve: who says each quote, with a confidence.

In order of trust: an explicit said-tag next to the quote (a name, title,
description or pronoun on either side of a speech verb); the subject of the
narration around the quote in its paragraph; the other quotes of the same
paragraph; then conversation turn-taking (the addressee answers, speakers
alternate) through runs of untagged lines.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import cast

from narrate.characters import VERB_RE, NameTable, words
from narrate.mentions import CHILD_NOUNS, SPOUSE, Mention
from narrate.quotes import Quote
from narrate.records import Character, Gender

I_TAG_RE = re.compile(
    r"\bI\s+(?:\w+ly\s+)?(?:" + VERB_RE.pattern[5:-3] + r")\b|\b(?:" + VERB_RE.pattern[5:-3] + r")\s+I\b"
)
THOUGHT_VERBS = words("thought wondered mused reflected")
ADV_GAP = re.compile(
    r"^[\s,]*(?:(?:\w+ly|had|has|then|now|again|only|just|quickly|at\s+last|"
    r"at\s+once|at\s+length|presently|still|softly|also|too)[\s,]*)*$"
)
# between an inverted verb and its subject: "said the Gryphon", "broke in Lord Henry"
INV_GAP = re.compile(
    r"^[\s,]*(?:(?:in|out|on|up|forth|again|back)[\s,]+)?(?:\w+ly[\s,]+)?(?:the\s+)?$"
)
SENT_RE = re.compile(r"(?<![A-Z][a-z])(?<![A-Z])[.!?]+['\"\u201d\u2019)]*\s")
VOC_BEFORE = ",\"'\u201c\u2018.!?\u2026-\u2014"
VOC_AFTER = ",.!?;\u2026-\u2014\"'\u201d\u2019"


@dataclass(slots=True)
class Attribution:
    characters: list[Character]
    speakers: dict[int, str | None] = field(default_factory=dict)  # id(quote) -> name
    confidence: dict[int, float] = field(default_factory=dict)
    thoughts: set[int] = field(default_factory=set)


class _State:
    """Who was last mentioned (as subject, or at all) of each gender."""

    def __init__(self, table: NameTable) -> None:
        self.table = table
        self.subj: dict[str, int] = {}
        self.any: dict[str, int] = {}
        self.recent: list[int] = []
        self.guess: dict[int, str] = {}
        self.narrator: int | None = None  # gender learnt from a pronoun that took the name
        ents = table.entities
        kids = [e for e in ents if e.child > 0]
        self.default_child = max(kids, key=lambda e: e.child).key if kids else None

    def gender(self, e: int) -> str:
        g = self.table.entities[e].gender
        return self.guess.get(e, g) if g == "unknown" else g

    def is_child(self, e: int) -> bool:
        return self.table.entities[e].child > 0

    def pron(self, g: str) -> int | None:
        e = self.subj.get(g, self.any.get(g))
        if e is None:
            # nobody of that gender known yet: the latest character of unknown gender
            for x in reversed(self.recent):
                if self.gender(x) == "unknown":
                    self.guess[x] = g
                    return x
        return e

    def latest(self, g: str, exclude: int | None = None, adult: bool = True) -> int | None:
        fallback = None
        for e in reversed(self.recent):
            if e == exclude or (adult and self.is_child(e)):
                continue
            eg = self.gender(e)
            if g == "unknown" or eg == g:
                return e
            if eg == "unknown" and fallback is None:
                fallback = e
        if fallback is not None and g != "unknown":
            self.guess[fallback] = g  # "his wife" tells us she is a woman
        return fallback

    def resolve(self, m: Mention) -> int | None:
        if m.kind == "name":
            return m.ent
        if m.kind == "pron":
            if m.gender == "self":
                return self.narrator
            return self.pron(m.gender) if m.gender in ("male", "female") else None
        noun, g = m.word, m.gender
        owner = (
            self.pron("male" if m.det == "his" else "female") if m.det in ("his", "her") else None
        )
        if noun in CHILD_NOUNS and (m.det != "the" or noun not in ("son", "daughter")):
            for e in reversed(self.recent):
                if self.is_child(e) and g in ("unknown", self.gender(e)):
                    return e
            if self.default_child is not None:
                dg = self.gender(self.default_child)
                if g in ("unknown", dg):
                    return self.default_child
            return None
        if m.det in ("his", "her") or noun in SPOUSE:
            return self.latest(g, exclude=owner)
        if g in ("male", "female"):
            e = self.subj.get(g)
            return e if e is not None and not self.is_child(e) else self.latest(g)
        return None

    def update(self, m: Mention, e: int) -> None:
        if m.possessive:
            return
        g = self.gender(e)
        if g == "unknown" and m.gender in ("male", "female"):
            g = m.gender
        if g in ("male", "female"):
            self.any[g] = e
            if m.clause_start:
                self.subj[g] = e
        if e in self.recent:
            self.recent.remove(e)
        self.recent.append(e)
        if len(self.recent) > 12:
            del self.recent[0]


def _subject_like(source: str, m: Mention) -> bool:
    if m.after_prep:
        return False
    if m.kind == "pron":
        return m.nominative
    if m.possessive:
        return source[m.end : m.end + 9].lstrip("'\u2019s ").startswith("voice")
    return True


def attribute(
    source: str,
    paras: Sequence[tuple[int, int]],
    quotes: Sequence[Sequence[Quote]],
    table: NameTable,
    mentions: Sequence[Mention],
) -> Attribution:
    ents = table.entities
    names = [e.main_name() for e in ents]
    out = Attribution([])
    starts = [m.start for m in mentions]
    st = _State(table)
    speaker: dict[int, int | None] = {}  # paragraph -> speaker of its last quote
    vocs: dict[int, set[int]] = {}  # paragraph -> characters addressed
    resolved: dict[int, int | None] = {}  # id(mention) -> entity

    def in_range(lo: int, hi: int) -> list[Mention]:
        return list(mentions[bisect.bisect_left(starts, lo) : bisect.bisect_left(starts, hi)])

    def tag(lo: int, hi: int, after: bool) -> tuple[int | None, str, Mention] | None:
        """An explicit said-tag in the narration [lo, hi) next to a quote."""
        text = source[lo:hi]
        if after:
            sm = SENT_RE.search(text)
            if sm:
                hi = lo + sm.start() + 1
        else:
            cut = [x.end() for x in SENT_RE.finditer(text)]
            if cut:
                lo += cut[-1]
        ms = [m for m in in_range(lo, hi) if id(m) in resolved]
        verbs = list(VERB_RE.finditer(source, lo, hi))
        if not after:
            verbs.reverse()
        for v in verbs[:3]:
            before = [m for m in ms if m.end <= v.start()]
            if before:
                m = before[-1]
                if _subject_like(source, m) and ADV_GAP.match(source[m.end : v.start()]):
                    return resolved[id(m)], v.group(), m
            later = [m for m in ms if m.start >= v.end()]
            if later:
                m = later[0]
                if (m.kind != "pron" or m.nominative) and INV_GAP.match(source[v.end() : m.start]):
                    return resolved[id(m)], v.group(), m
        return None

    def subject(lo: int, hi: int, after: bool) -> int | None:
        """The subject of the narration sentence next to a quote."""
        text = source[lo:hi]
        if after:
            sm = SENT_RE.search(text)
            if sm:
                hi = lo + sm.start() + 1
        else:
            cut = [x.end() for x in SENT_RE.finditer(text)]
            if cut and not text[cut[-1] :].strip():
                cut.pop()  # the quote follows a full sentence: that sentence counts
            if cut:
                lo += cut[-1]
        for m in in_range(lo, hi):
            if (
                id(m) in resolved
                and resolved[id(m)] is not None
                and m.clause_start
                and _subject_like(source, m)
            ):
                return resolved[id(m)]
        return None

    def last_subject(lo: int, hi: int) -> int | None:
        """The latest subject anywhere in the paragraph's narration before a quote."""
        for m in reversed(in_range(lo, hi)):
            if (
                id(m) in resolved
                and resolved[id(m)] is not None
                and m.clause_start
                and _subject_like(source, m)
            ):
                return resolved[id(m)]
        return None

    def dialogue_pronoun(pi: int, lo: int, m: Mention, mine: set[int]) -> int | None:
        """'he said' in a dialogue: the recent speaker of that gender whose turn it is."""
        if pi - 1 not in speaker:
            return None  # not inside a conversation
        for x in in_range(lo, m.start):
            if x.clause_start and resolved.get(id(x)) is not None and x.kind != "pron":
                e = resolved[id(x)]
                if e is not None and st.gender(e) == m.gender:
                    return None  # the paragraph's narration named someone: keep it
        prev = speaker.get(pi - 1)
        for pj in range(pi - 2, max(-1, pi - 12), -1):
            e = speaker.get(pj)
            if e is not None and e != prev and e not in mine and st.gender(e) == m.gender:
                return e
        return None

    qvocs_all = [[_vocatives(source, q, in_range(q.start, q.end)) for q in pq] for pq in quotes]
    st.narrator = table.narrator
    if st.narrator is None:
        st.narrator = _find_narrator(source, paras, quotes, mentions, qvocs_all)

    prev_chapter_break = set()
    for pi, (lo, hi) in enumerate(paras):
        pq = quotes[pi]
        inside = [(q.start, q.end) for q in pq]
        for m in in_range(lo, hi):
            if any(s <= m.start < e for s, e in inside):
                continue
            e = st.resolve(m)
            resolved[id(m)] = e
            if e is not None:
                st.update(m, e)
        if not pq:
            continue
        own: list[tuple[int | None, float]] = []
        qvocs = qvocs_all[pi]
        for k, q in enumerate(pq):
            nlo = pq[k - 1].end if k else lo
            nhi = pq[k + 1].start if k + 1 < len(pq) else hi
            who: int | None = None
            conf = 0.0
            for after in (True, False):
                t = tag(q.end, nhi, True) if after else tag(nlo, q.start, False)
                if t and t[2].kind == "pron" and t[2].gender in ("male", "female"):
                    alt = dialogue_pronoun(pi, lo, t[2], qvocs[k])
                    if alt is not None:
                        t = (alt, t[1], t[2])
                if t and t[0] is not None and t[0] not in qvocs[k]:
                    who, conf = t[0], (0.95 if t[2].kind == "name" else 0.85)
                    if t[1] in THOUGHT_VERBS:
                        out.thoughts.add(id(q))
                    break
            if who is None:
                for after in (False, True):
                    s = subject(q.end, nhi, True) if after else subject(nlo, q.start, False)
                    if s is not None and s not in qvocs[k]:
                        who, conf = s, 0.75
                        break
            if who is None:
                s = last_subject(lo, q.start)
                if s is not None and s not in qvocs[k]:
                    who, conf = s, 0.7
            own.append((who, conf))
        # quotes of one paragraph share the speaker unless a tag says otherwise
        for k in range(len(pq)):
            if own[k][0] is None:
                near = [
                    j for j in range(len(pq)) if own[j][0] is not None and own[j][0] not in qvocs[k]
                ]
                if near:
                    j = min(near, key=lambda j: (abs(j - k), j > k))
                    own[k] = (own[j][0], 0.85)
        if own[0][0] is None:
            who, conf = _turn(pi, pq[0], speaker, vocs, qvocs, st, paras, quotes)
            own = [(who, conf)] * len(pq)
        for q, (who, conf) in zip(pq, own, strict=True):
            out.speakers[id(q)] = names[who] if who is not None else None
            out.confidence[id(q)] = conf
        speaker[pi] = own[-1][0]
        vocs[pi] = set().union(*qvocs)
    del prev_chapter_break
    for e in ents:
        g = st.gender(e.key)
        aliases = tuple(sorted(set(e.forms) - {names[e.key]}))
        out.characters.append(Character(names[e.key], aliases, cast(Gender, g)))
    return out


def _vocatives(source: str, q: Quote, inside: Sequence[Mention]) -> set[int]:
    """Characters addressed by name in a quote ("Come here, Tom."): not its speaker."""
    found: set[int] = set()
    for m in inside:
        if m.kind != "name" or m.ent is None:
            continue
        b = source[max(q.start, m.start - 12) : m.start].rstrip()
        a = source[m.end : q.end].lstrip()
        prev_ok = not b or b[-1] in VOC_BEFORE or re.search(r"\b(?:dear|my|oh|O)$", b)
        if prev_ok and (not a or a[0] in VOC_AFTER):
            found.add(m.ent)
    return found


def _find_narrator(
    source: str,
    paras: Sequence[tuple[int, int]],
    quotes: Sequence[Sequence[Quote]],
    mentions: Sequence[Mention],
    qvocs: Sequence[Sequence[set[int]]],
) -> int | None:
    """In a first-person book, the name others call the narrator by."""
    quoted = sum(q.end - q.start for pq in quotes for q in pq)
    narration_words = max(1, (sum(e - s for s, e in paras) - quoted) // 6)
    spans = sorted((q.start, q.end) for pq in quotes for q in pq)
    qstarts = [a for a, _ in spans]

    def in_quote(i: int) -> bool:
        k = bisect.bisect_right(qstarts, i) - 1
        return k >= 0 and spans[k][0] <= i < spans[k][1]

    ii = sum(1 for m in mentions if m.word == "i" and not in_quote(m.start))
    if ii < 20 or ii / narration_words < 0.006:
        return None
    votes: Counter[int] = Counter()
    for pi, (lo, hi) in enumerate(paras):
        if not quotes[pi]:
            continue
        narr = source[lo:hi]
        for q in quotes[pi]:
            narr = narr.replace(source[q.start : q.end], " ")
        if not I_TAG_RE.search(narr):
            continue
        for pj in (pi - 1, pi + 1):
            if 0 <= pj < len(paras):
                for vs in qvocs[pj]:
                    votes.update(vs)
    if not votes:
        return None
    best, n = max(votes.items(), key=lambda kv: (kv[1], -kv[0]))
    return best if n >= 2 else None


def _turn(
    pi: int,
    q: Quote,
    speaker: dict[int, int | None],
    vocs: dict[int, set[int]],
    qvocs: list[set[int]],
    st: _State,
    paras: Sequence[tuple[int, int]],
    quotes: Sequence[Sequence[Quote]],
) -> tuple[int | None, float]:
    """Speaker of an untagged paragraph from the conversation around it."""
    mine = set().union(*qvocs)
    prev = speaker.get(pi - 1) if pi - 1 in speaker else None
    if q.continues and prev is not None:
        return prev, 0.85
    if pi - 1 in speaker:
        for x in sorted(vocs.get(pi - 1, ())):
            if x != prev and x not in mine:
                return x, 0.65
        if pi - 2 in speaker:
            a = speaker[pi - 2]
            if a is not None and a != prev and a not in mine:
                return a, 0.6
        for e in reversed(st.recent):
            if e != prev and e not in mine:
                return e, 0.4
    for e in reversed(st.recent):
        if e not in mine:
            return e, 0.3
    return None, 0.0
