"""The attribution sieve over one paragraph: its passes, declared in order, and their driver.

:data:`PASSES` lists the sieve's passes in order of trust. Each quote takes the
first candidate of the passes over its own narration (its said-tag, the tag of
the quote before it, the subject of the narration beside it, the latest subject
before it, the narration paragraph leading into it); a quote still undecided
then takes the speaker of its nearest neighbour in the paragraph; and a
paragraph whose first quote is still undecided takes, for all its quotes, the
first candidate of the passes over its conversation. The driver alone writes to
the reading: the thoughts, then the paragraph's speakers and addressees, for the
paragraphs after it to read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import groupby

from narrate.segment.candidates import Candidate, Neighbours, Pass, Spot
from narrate.segment.confidence import CONFIDENCE
from narrate.segment.dialogue import addressed_gender
from narrate.segment.mentions import SPOUSE
from narrate.segment.quote_passes import (
    latest_subject,
    lead_in,
    narration_subject,
    paragraph_neighbours,
    said_tag,
    tag_of_quote_before,
)
from narrate.segment.quotes import Quote
from narrate.segment.reading import Line, Reading
from narrate.segment.turn_passes import addressee, speech_carried_on, turn_taking
from narrate.segment.wordlists import SPEECH_VERB_ALT

PASSES: tuple[Pass, ...] = (
    Pass("said_tag", said_tag, "quote"),
    Pass("tag_of_quote_before", tag_of_quote_before, "quote"),
    Pass("narration_subject", narration_subject, "quote"),
    Pass("latest_subject", latest_subject, "quote"),
    Pass("lead_in", lead_in, "quote"),
    Pass("paragraph_neighbours", paragraph_neighbours, "paragraph"),
    Pass("speech_carried_on", speech_carried_on, "conversation"),
    Pass("addressee", addressee, "conversation"),
    Pass("turn_taking", turn_taking, "conversation"),
)
# the passes in rounds: a round's passes are tried in turn for each quote (or, reading
# the conversation, for the paragraph) before the next round starts
ROUNDS = tuple((reads, tuple(ps)) for reads, ps in groupby(PASSES, key=lambda p: p.reads))

# "said Tom to her", "turning to Tom": the one a line is said to, named in its narration
SAID_TO = re.compile(
    r"\b(?:" + SPEECH_VERB_ALT + r"|turned|turning)\b[^.;:!?\"\u201c\u201d]{0,30}?\bto\s+$"
)


def read_paragraph(r: Reading, pi: int) -> None:
    """Resolve the paragraph's narration, attribute its quotes and record them."""
    lo, hi = r.paras[pi]
    pq = r.quotes[pi]
    resolve_narration(r, lo, hi, pq)
    if not pq:
        return
    lines = choose(r, pi)
    undecided = CONFIDENCE["undecided"]
    r.first_evidence[pi] = lines[0].evidence if lines[0] else "undecided"
    record(r, pi, [(c.speaker, c.confidence) if c else (None, undecided) for c in lines])
    record_decisions(r, pi, lines)
    for q, c in zip(pq, lines, strict=True):
        r.result.evidence[id(q)] = c.evidence if c else "undecided"


def record_decisions(r: Reading, pi: int, lines: Sequence[Candidate | None]) -> None:
    """Where the choice each quote's speaker rests on was made: at the quote itself, or
    (following the lines it carries on, copies or takes its turn from) further back."""
    decisions, quotes = r.result.decisions, r.quotes

    def decide(k: int) -> int:
        q = quotes[pi][k]
        if id(q) not in decisions:
            c = lines[k]
            decisions[id(q)] = q.start  # its own, unless it follows another line
            if c is not None and c.follows is not None:
                pj, kj = c.follows
                if pj == pi:  # a quote of this paragraph, decided before this one was
                    decisions[id(q)] = decide(kj)
                else:
                    decisions[id(q)] = decisions.get(id(quotes[pj][kj]), q.start)
        return decisions[id(q)]

    for k in range(len(lines)):
        decide(k)


def spot(
    r: Reading, pi: int, k: int, lines: Sequence[Candidate | None], near: Neighbours | None = None
) -> Spot:
    """Quote k of paragraph pi, as the passes read it (``near``: its lines indexed)."""
    lo, hi = r.paras[pi]
    pq = r.quotes[pi]
    return Spot(
        pi,
        k,
        pq[k],
        lo,
        pq[k - 1].end if k else lo,
        pq[k + 1].start if k + 1 < len(pq) else hi,
        r.quote_addressees[pi][k],
        lines,
        near,
    )


def choose(
    r: Reading, pi: int, rounds: Sequence[tuple[str, Sequence[Pass]]] = ROUNDS
) -> list[Candidate | None]:
    """The line chosen for each quote of the paragraph: the first candidate of the
    passes, round by round, for each quote still undecided (None: none of them settled it).
    """
    n = len(r.quotes[pi])
    lines: list[Candidate | None] = [None] * n
    for reads, passes in rounds:
        if reads == "conversation":
            if lines[0] is not None:
                continue
            # turn-taking speaks for the whole paragraph, over what its later quotes took
            lines = [_first(r, spot(r, pi, 0, lines), passes)] * n
            r.turned.add(pi)
            continue
        # the lines indexed once for the round: the nearest speaker in a step or two
        near = Neighbours(lines) if reads == "paragraph" else None
        for k in range(n):
            if lines[k] is None:
                c = lines[k] = _first(r, spot(r, pi, k, lines, near), passes)
                if c is not None and c.thought:
                    r.result.thoughts.add(id(r.quotes[pi][k]))
    return lines


def _first(r: Reading, at: Spot, passes: Sequence[Pass]) -> Candidate | None:
    for p in passes:
        c = p.run(r, at)
        if c is not None:
            return c
    return None


def resolve_narration(r: Reading, lo: int, hi: int, pq: Sequence[Quote]) -> None:
    """Resolve the mentions of the paragraph's narration (not its quotes), in order."""
    st = r.salience
    k = 0  # the first quote not wholly before the mention (quotes and mentions are in order)
    for m in r.in_range(lo, hi):
        while k < len(pq) and pq[k].end <= m.start:
            k += 1
        if k < len(pq) and pq[k].start <= m.start:
            continue  # inside a quote
        e = st.resolve(m)
        r.resolved[id(m)] = e
        # "her friend" only guessed sets no focus; "her husband" is seldom a stranger
        spouse = m.word in SPOUSE and m.clause_start and not m.after_prep
        if e is not None and (id(m) not in st.guessed or spouse):
            st.update(m, e)


def record(r: Reading, pi: int, own: list[Line]) -> None:
    """The paragraph's speakers into the result, and what the paragraphs after it read:
    its first and last speaker, whom it addresses, whether it opens with its quote."""
    source = r.source
    lo, hi = r.paras[pi]
    pq = r.quotes[pi]
    qvocs = r.quote_addressees[pi]
    for q, (who, conf) in zip(pq, own, strict=True):
        r.result.speakers[id(q)] = r.names[who] if who is not None else None
        r.result.confidence[id(q)] = conf
    r.last_speaker[pi] = own[-1][0]
    if not source[lo : pq[0].start].strip():
        r.opens.add(pi)
    r.salience.spoken_to(own[-1][0], qvocs[-1], pq[-1].end)
    r.first_confidence[pi] = own[0][1]
    r.first_speaker[pi] = own[0][0]
    addressed = r.addressed[pi] = set[int]().union(*qvocs)
    for m in r.in_range(lo, hi):
        if not m.after_prep or m.possessive or source[m.start - 4 : m.start].split()[-1:] != ["to"]:
            continue
        x = r.resolved.get(id(m))
        if (
            x is not None
            and x not in (own[0][0], own[-1][0])
            and SAID_TO.search(source, max(lo, m.start - 50), m.start)
        ):
            addressed.add(x)  # and so answers it
    g_addr = addressed_gender(source[pq[-1].start : pq[-1].end])
    if g_addr:
        r.addressed_gender[pi] = g_addr
