"""Conversation structure: addressees, the first-person narrator, turn-taking.

Pure functions over the paragraphs' speakers so far: whom a quote addresses, who
narrates, whose turn an untagged line is (with the kind of evidence, which
confidence.py turns into a confidence), and the re-reads of a conversation's runs
of lines (backfill, untwin, reparity), each returning the changes it proposes for
the caller to apply.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Sequence
from typing import cast

from narrate.segment.confidence import CONFIDENCE, Evidence
from narrate.segment.mentions import Mention
from narrate.segment.names import TITLE_FORMS
from narrate.segment.quotes import DOUBLE_MARKS, SINGLE_MARKS, Quote, nested_quotes
from narrate.segment.salience import Salience
from narrate.segment.wordlists import SPEECH_VERB_ALT

I_TAG_RE = re.compile(
    r"\bI\s+(?:\w+ly\s+)?(?:" + SPEECH_VERB_ALT + r")\b|\b(?:" + SPEECH_VERB_ALT + r")\s+I\b"
)
VOC_BEFORE = ",\"'\u201c\u2018.!?\u2026-\u2014"
VOC_AFTER = ",.!?;\u2026-\u2014\"'\u201d\u2019"
GENERIC_VOC_RE = re.compile(
    r"(?:[,!?.\"\u201c]\s*|\b(?:dear|my|good)\s+)(sir|madam|ma'am|mamma|mama|papa|father|"
    r"mother|brother|sister|uncle|aunt)\s*[,.!?;\"\u201d]",
    re.IGNORECASE,
)
MALE_ADDRESS = frozenset(("sir", "papa", "father", "brother", "uncle"))
FIRST_PERSON = -1  # find_narrator: a first-person book whose narrator is never named
MAX_REACH = 6  # paragraphs
# the fit of a stretch of lines re-read as turns (reparity)
MARGIN = 1.5  # how much better a re-read run must fit than the lines as first read
SOFT_WEIGHT = 1.5  # what a weakly tagged line pays to change hands
VOC_BONUS = 0.5  # an addressee answering, or named in the reply
MISADDRESSED = 1.5  # "Yes, sir." said to, or answered by, a woman


def vocatives(source: str, q: Quote, inside: Sequence[Mention]) -> set[int]:
    """Characters addressed by name in a quote ("Come here, Tom."): not its speaker."""
    found: set[int] = set()
    nested = nested_quotes(source, q)
    for m in inside:
        if any(a <= m.start < b for a, b in nested):
            continue  # 'Come here, Tom,' she said to me: Tom is not the one spoken to now
        if m.kind != "name" or m.ent is None or m.possessive:
            continue  # "Mrs. Hale's manners" speaks of her, not to her
        if (
            source[q.start : q.end].strip(DOUBLE_MARKS + SINGLE_MARKS + " ?").strip()
            == source[m.start : m.end]
        ):
            continue  # "Mr. Ash?" asks about him
        b = source[max(q.start, m.start - 16) : m.start].rstrip()
        words_before = b.split()
        if words_before and words_before[-1] in TITLE_FORMS:
            # "Good night, Monsieur Dale": a title the name was not found with
            b = b[: len(b) - len(words_before[-1])].rstrip()
        a = source[m.end : q.end].lstrip()
        prev_ok = not b or b[-1] in VOC_BEFORE or re.search(r"\b(?:dear|my|oh|O)$", b)
        if prev_ok and (not a or a[0] in VOC_AFTER):
            found.add(m.ent)
    return found


def find_narrator(
    source: str,
    paras: Sequence[tuple[int, int]],
    quotes: Sequence[Sequence[Quote]],
    mentions: Sequence[Mention],
    qvocs: Sequence[Sequence[set[int]]],
) -> int | None:
    """In a first-person book, the name others call the narrator by.

    None when the book is not told in the first person; FIRST_PERSON when it is
    but nobody calls the narrator by a name.
    """
    quoted = sum(q.end - q.start for pq in quotes for q in pq)
    narration_words = max(1, (sum(e - s for s, e in paras) - quoted) // 6)
    spans = sorted((q.start, q.end) for pq in quotes for q in pq)
    qstarts = [a for a, _ in spans]

    def in_quote(i: int) -> bool:
        k = bisect.bisect_right(qstarts, i) - 1
        return k >= 0 and spans[k][0] <= i < spans[k][1]

    ii = sum(1 for m in mentions if m.word == "i" and not in_quote(m.start))
    if ii < 3 or ii / narration_words < 0.006:
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
        return FIRST_PERSON
    best, n = max(votes.items(), key=lambda kv: (kv[1], -kv[0]))
    return best if n >= 2 else FIRST_PERSON


def carried_on(pi: int, q: Quote, speaker: dict[int, int | None]) -> int | None:
    """The speaker of the paragraph before, when this one carries on their unclosed speech."""
    prev = speaker.get(pi - 1)
    return prev if q.continues and prev is not None else None


def answering(
    pi: int, speaker: dict[int, int | None], vocs: dict[int, set[int]], mine: set[int]
) -> int | None:
    """The one the line before addressed, who answers it (never one this line addresses)."""
    if pi - 1 not in speaker:
        return None
    prev = speaker[pi - 1]
    for x in sorted(vocs.get(pi - 1, ())):
        if x != prev and x not in mine:
            return x
    return None


def turn(
    pi: int,
    speaker: dict[int, int | None],
    vocs: dict[int, set[int]],
    mine: set[int],
    st: Salience,
    hint: int | None = None,
    gvocs: dict[int, str] | None = None,
    later: int | None = None,
    against: int | None = None,
    asked: bool = False,
) -> tuple[int, Evidence] | None:
    """Speaker of an untagged paragraph from the turns of the conversation before it,
    and the evidence for it; once neither ``carried_on`` nor ``answering`` settles it.

    Nobody speaks a line in ``mine``: those it addresses, or speaks of by name ("Tom
    will be late" is not Tom's line).

    ``later`` is who a tagged line further on says speaks on this line's side
    of the turn-taking; it settles a line the conversation so far cannot.
    ``against`` is who such a line says speaks on the other side: when nothing
    better is known, not the one who speaks this line. ``asked`` tells that the
    line before ends with a question.
    """
    prev = speaker.get(pi - 1)
    if later is not None and (later == prev or later in mine):
        later = None
    if pi - 1 in speaker:
        want = (gvocs or {}).get(pi - 1)  # "Yes, sir." - the next speaker is a man
        if pi - 2 in speaker:
            a = speaker[pi - 2]
            if a is not None and a != prev and a not in mine:
                if asked and want is None:
                    # "Tom, will you come?" ... "Will you?": the asker's question is for the one
                    # they last called by name, not for whoever broke in between
                    for pj in range(pi - 3, max(-1, pi - 6), -1):
                        if pj not in speaker:
                            break
                        if speaker[pj] == prev:
                            xs = sorted(
                                x for x in vocs.get(pj, ()) if x not in (a, prev) and x not in mine
                            )
                            if xs:
                                return xs[0], "question_to_addressee"
                            break
                if want is None or st.gender(a) in (want, "unknown"):
                    return a, "turns_alternate"
                for pj in range(pi - 3, max(-1, pi - 10), -1):
                    b = speaker.get(pj)
                    if b is not None and b != prev and b not in mine and st.gender(b) == want:
                        return b, "turn_by_address"
        if later is not None:
            return later, "tagged_line_ahead"
        free = [e for e in reversed(st.recent) if e != prev and e not in mine]
        me = st.narrator
        back = [speaker.get(pj) for pj in range(pi - 2, max(-1, pi - 10), -1)]
        earlier = next((b for b in back if b is not None and b != prev), None)
        recent = earlier is not None and earlier not in mine and earlier in st.recent[-2:]
        if pi - 2 not in speaker and earlier is not None and recent:
            # the talk picks up again after narration: the one who spoke before it, still in
            # view, answers, not someone the narration only named in passing
            return earlier, "resumes_after_narration"
        narrated = (
            pi - 2 not in speaker and free and me is not None and me != prev and me not in mine
        )
        if narrated and me is not None and earlier != free[0]:
            # the one lately named is no earlier speaker: more likely the "I" telling it
            return me, "narrator_answers"
        for e in free:
            return e, "recent_character"
    if later is not None:
        return later, "tagged_line_ahead"
    if hint is not None and hint not in mine and hint != against:
        return hint, "narration_before"  # the character the narration just before was about
    # not the one a tagged line just after says answers this line
    free = [e for e in reversed(st.recent) if e not in mine]
    for e in [e for e in free if e != against] or free:
        return e, "recent_other"
    return None


def turns_apart(a: int, b: int, continues: set[int] | frozenset[int]) -> int:
    """How many turns of talk lie between paragraphs a and b: a paragraph in
    ``continues`` carries on the speech before it and takes no turn."""
    return sum(1 for q in range(min(a, b) + 1, max(a, b) + 1) if q not in continues)


def backfill(
    n: int,
    speaker: dict[int, int | None],
    conf: dict[int, float],
    vocs: dict[int, set[int]],
    continues: set[int] | frozenset[int] = frozenset(),
) -> dict[int, int]:
    """Re-read weakly attributed lines of a run of dialogue from its tagged lines.

    In an exchange between two people, a line at an even distance from a tagged
    line has the same speaker, one at an odd distance the other; the nearest
    tagged line (before or after) decides. Distance counts turns: a paragraph in
    ``continues`` carries on the speech before it.
    """

    changes: dict[int, int] = {}
    none, anchor, weak = (CONFIDENCE[k] for k in ("undecided", "anchor_at_least", "weak_at_most"))
    pi = 0
    while pi < n:
        if pi not in speaker:
            pi += 1
            continue
        run = []
        while pi in speaker:
            run.append(pi)
            pi += 1
        anchors = [p for p in run if conf.get(p, none) >= anchor and speaker[p] is not None]
        if not anchors:
            continue
        for p in run:
            if conf.get(p, none) > weak:
                continue
            # the anchors are in order: the nearest is just before or at p, or just after
            i = bisect.bisect_left(anchors, p)
            best = min(anchors[max(0, i - 1) : i + 1], key=lambda a: (abs(a - p), a > p))
            if abs(best - p) > MAX_REACH:
                continue
            who = speaker[best]
            if turns_apart(best, p, continues) % 2:
                near = anchors[
                    bisect.bisect_left(anchors, p - 2 * MAX_REACH) : bisect.bisect_right(
                        anchors, p + 2 * MAX_REACH
                    )
                ]
                others = [a for a in near if speaker[a] != who]
                if not others:
                    continue
                who = speaker[min(others, key=lambda a: (abs(a - p), a > p))]
            if who is not None and who not in vocs.get(p, ()) and who != speaker[p]:
                changes[p] = who
    return changes


def untwin(
    last: dict[int, int | None],
    first: dict[int, int | None],
    conf: dict[int, float],
    vocs: dict[int, set[int]],
    opens: set[int],
) -> dict[int, int]:
    """An untagged line given to the speaker of the tagged line right after it is a slip.

    People rarely speak twice in a row in separate paragraphs, so the line
    goes to the one who spoke just before instead; unless narration opens
    the next paragraph ("He paused. 'And another thing,' he said."), which
    ``opens`` (paragraphs that open with their quote) tells.
    """
    changes: dict[int, int] = {}
    none, twin, tagged = (CONFIDENCE[k] for k in ("undecided", "untwin_at_most", "tagged_at_least"))
    for p in sorted(last):
        if conf.get(p, none) > twin or conf.get(p + 1, none) < tagged or p + 1 not in opens:
            continue
        nxt = first.get(p + 1)
        if nxt is None or last[p] != nxt:
            continue
        prev = last.get(p - 1)
        if prev is not None and prev != nxt and prev not in vocs.get(p, ()):
            changes[p] = prev
    return changes


def addressed_gender(text: str) -> str | None:
    """The gender a quote's generic form of address implies ("sir", "madam")."""
    m = GENERIC_VOC_RE.search(text)
    if not m:
        return None
    return "male" if m.group(1).lower() in MALE_ADDRESS else "female"


def reparity(
    n: int,
    last: dict[int, int | None],
    first: dict[int, int | None],
    turned: set[int],
    vocs: dict[int, set[int]],
    continues: set[int],
    soft: dict[int, float] | None = None,
    addressed: dict[int, str] | None = None,
    gender: dict[int, str] | None = None,
    restarts: set[int] | None = None,
) -> dict[int, int]:
    """Re-read each stretch of untagged lines as two people taking turns.

    Every pair of candidates (the speakers just around the stretch and the
    people addressed in it) and both orders are tried; an order scores when it
    fits the tagged lines on both sides (nobody speaks twice in a row) and the
    forms of address (a line is not said by the one it names, and is answered
    by, or answers, that one). A line that carries on an unclosed quote keeps
    the speaker before it. A generic form of address ("sir", "papa") in
    ``addressed`` tells the gender of the lines on either side of it, as
    ``gender`` gives each character's. Lines in ``soft`` (weakly tagged ones)
    join a stretch but pay their weight to be given someone else. A line after the
    stretch in ``restarts`` (a tagged line its paragraph's narration leads up to: "He
    kissed her forehead. 'Go,' said he.") starts a new exchange: its speaker may well
    have spoken the stretch's last line.
    """
    changes: dict[int, int] = {}
    soft = soft or {}
    # paragraph -> characters its "sir" or "madam" cannot be said to
    addr = {
        q: {x for x, g in (gender or {}).items() if g not in (want, "unknown")}
        for q, want in (addressed or {}).items()
    }
    p = 0
    while p < n:
        if p not in turned or p - 1 not in last:
            p += 1
            continue
        a = p
        while p in turned or p in soft:
            p += 1
        b = p - 1
        cands: list[int] = []
        for q in (a - 1, a - 2, b + 1, b + 2):
            who = first.get(q) if q > b else last.get(q)
            if who is not None and who not in cands:
                cands.append(who)
        for q in range(a - 1, b + 2):
            for x in sorted(vocs.get(q, ())):
                if x not in cands:
                    cands.append(x)
        if len(cands) < 2 or len(cands) > 6:
            continue
        before, after, ahead = last.get(a - 1), first.get(b + 1), last.get(b + 2)
        if restarts and b + 1 in restarts:
            after = ahead = None  # the line after opens a new exchange
        ends = (before, after, last.get(a - 2), ahead)
        old = [last.get(q) for q in range(a, b + 1)]
        best, top = old, _fit(old, a, ends, first, vocs, continues, soft, addr) + MARGIN
        for x in cands:
            for y in cands:
                if x == y:
                    continue
                seq: list[int | None] = []
                cur, other = x, y
                for q in range(a, b + 1):
                    if q in continues and seq:
                        seq.append(seq[-1])  # the same speaker goes on
                        continue
                    seq.append(cur)
                    cur, other = other, cur
                if a in continues and before is not None and seq[0] != before:
                    continue
                sc = _fit(seq, a, ends, first, vocs, continues, soft, addr)
                if sc > top:
                    best, top = seq, sc
        for i, q in enumerate(range(a, b + 1)):
            if best[i] is not None and best[i] != old[i]:
                changes[q] = cast(int, best[i])
    return changes


def _fit(
    seq: list[int | None],
    a: int,
    ends: tuple[int | None, int | None, int | None, int | None],
    first: dict[int, int | None],
    vocs: dict[int, set[int]],
    continues: set[int],
    soft: dict[int, float],
    addr: dict[int, set[int]],
) -> float:
    """How well speakers ``seq`` for the lines from ``a`` fit the lines around them."""
    before, after, back, ahead = ends
    total = 0.0
    if before is not None and a not in continues:
        total += 1.0 if seq[0] != before else -1.0
    if after is not None:
        total += 1.0 if seq[-1] != after else -1.0
    if back is not None and back != before and seq[0] == back:
        total += 1.0  # the turn goes back to the one before
    if ahead is not None and ahead != after and seq[-1] == ahead:
        total += 1.0  # and the turn after the stretch comes back
    for i, who in enumerate(seq):
        q = a + i
        if i and who == seq[i - 1] and q not in continues:
            total -= 1.0  # nobody speaks twice in a row
        if who in vocs.get(q, ()):
            total -= 3.0  # nor to themselves
        if q in soft and who == first.get(q):
            total += soft[q]
        if who in vocs.get(q - 1, ()):
            total += VOC_BONUS  # the one addressed answers
        if who in vocs.get(q + 1, ()):
            total += VOC_BONUS  # and is named in the reply
        if who in addr.get(q - 1, ()) or who in addr.get(q + 1, ()):
            total -= MISADDRESSED
    return total
