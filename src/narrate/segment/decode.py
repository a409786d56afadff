"""Whole conversations decoded together: the best sequence of speakers for a run of lines.

The sieve reads a conversation one paragraph at a time, each untagged line
taking its turn from the lines before it, so one wrong guess passes down the
rest of the run. Here each run of consecutive quote paragraphs is read again as
one sequence: a second-order Viterbi search over the people in view (the
speakers the sieve found near each line, and those the lines address) finds the
sequence that best fits all the evidence at once, the tags after a line as well
as those before it.

The score of a sequence is a sum of a few terms, their weights in :data:`WEIGHTS`:

* emission: a line's speaker as the sieve read it, weighted by the kind of its
  evidence: a said-tag (by name, description or pronoun) or the tag of the quote
  before is an anchor the search never changes; the narration beside a line
  weighs most of the rest, a turn the sieve read from a cue (an addressee, a
  question, "sir") less, a bare turn-taking guess least of all;
* nobody speaks a line that addresses them by name, and seldom one that names them;
* transitions: two people taking turns (A-B-A), nobody speaking twice in a row
  unless the paragraph carries on their speech, the one a line addresses
  answering it, and "sir" said to and answered by a man. Narration between two
  lines (more than a said-tag) pauses the talk: the turns start afresh after it.

The weights were set by hand, in round numbers; a leave-one-author-out search
over the three turn weights on the benchmark picks the same values in nearly
every fold, and scores no better held out than these.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from narrate.segment.confidence import Evidence
from narrate.segment.reading import Reading

# The weights of the score, in the units of one A-B-A turn. Evidence of a kind in
# ANCHORS is not weighed: the line keeps its speaker. Sieve evidence in none of
# the kinds below (a turn taken, a recent character) weighs "turn".
WEIGHTS: Final[Mapping[str, float]] = MappingProxyType(
    {
        "narration": 2.0,  # the subject of the narration beside the line, or a lead-in
        "cue": 1.5,  # a turn the sieve read from a cue: an addressee, a question, "sir"
        "turn": 0.5,  # the sieve's own turn-taking guess
        "alternate": 1.0,  # A-B-A: the turn goes back to the one before
        "repeat": 2.0,  # the same speaker twice in a row, the line opening with its quote
        "carried": 4.0,  # a paragraph carrying on the unclosed speech before it
        "vocative": 4.0,  # speaking a line that addresses oneself by name
        "named": 1.0,  # speaking a line that names oneself
        "answers": 1.0,  # the one the line before addressed speaks this one
        "misaddressed": 1.5,  # "Yes, sir." said to, or answered by, a woman
    }
)
ANCHORS: Final = frozenset(
    {"tag_by_name", "tag_by_description", "tag_by_pronoun", "tag_of_quote_before"}
)
NARRATION: Final = frozenset(
    {
        "lead_in",
        "subject_before",
        "subject_after",
        "latest_subject",
        "shared_in_paragraph",
    }
)
CUES: Final = frozenset({"addressee_answers", "question_to_addressee", "turn_by_address"})
WINDOW = 3  # lines either side whose speakers are in view of a line
# narration between two lines longer than a said-tag (characters): the talk has paused
PAUSE = 40


@dataclass(slots=True)
class _Line:
    """One paragraph of a run as the search reads it."""

    pi: int
    own: int | None  # the speaker the sieve gave it
    weight: float  # what its evidence weighs for ``own`` (inf: an anchor)
    enters: int | None  # an anchor's first speaker, when its paragraph has two
    states: list[int | None]  # who may speak it (None: an anchor the sieve found nobody for)
    penalty: dict[int, float]  # what each state pays for the line's own words


def runs(r: Reading) -> list[list[int]]:
    """The conversations: runs of consecutive paragraphs with quotes."""
    out: list[list[int]] = []
    for pi in sorted(r.last_speaker):
        if out and out[-1][-1] == pi - 1:
            out[-1].append(pi)
        else:
            out.append([pi])
    return out


def _weight(ev: Evidence, w: Mapping[str, float]) -> float:
    if ev in ANCHORS:
        return float("inf")
    if ev in NARRATION:
        return w["narration"]
    if ev in CUES:
        return w["cue"]
    return w["turn"]


def _lines(r: Reading, run: Sequence[int], w: Mapping[str, float]) -> list[_Line]:
    out = []
    for pi in run:
        own, last = r.first_speaker.get(pi), r.last_speaker.get(pi)
        ev = r.first_evidence.get(pi, "undecided")
        weight = _weight(ev, w) if own is not None else 0.0
        if own != last:
            weight = float("inf")  # two speakers in the paragraph: keep them both
        vocs: set[int] = set().union(*r.quote_addressees[pi])
        penalty = {x: w["vocative"] for x in vocs}
        for x in r.named[pi] - vocs:
            penalty[x] = w["named"]
        out.append(_Line(pi, own, weight, own if own != last else None, [], penalty))
    for t, line in enumerate(out):
        if line.weight == float("inf"):
            line.states = [r.last_speaker[line.pi]]
            continue
        pool: list[int | None] = []
        for u in range(max(0, t - WINDOW), min(len(out), t + WINDOW + 1)):
            for who in (out[u].own, r.last_speaker.get(out[u].pi)):
                if who is not None and who not in pool:
                    pool.append(who)
        for u in (t - 1, t + 1):
            if 0 <= u < len(out):
                for a in sorted(r.addressed.get(out[u].pi, ())):
                    if a not in pool:
                        pool.append(a)
        line.states = pool
    return out


def decode_run(r: Reading, run: Sequence[int], w: Mapping[str, float] = WEIGHTS) -> dict[int, int]:
    """The paragraphs of one run whose decoded speaker differs from the sieve's."""
    lines = _lines(r, run, w)
    if all(line.weight == float("inf") for line in lines) or any(not ln.states for ln in lines):
        return {}
    gender = r.salience.gender
    # lines with narration between them and the line before: the turns may not hold
    paused = {
        ln.pi
        for ln in lines
        if ln.pi - 1 in r.last_speaker
        and len(r.source[r.quotes[ln.pi - 1][-1].end : r.paras[ln.pi - 1][1]].strip())
        + len(r.source[r.paras[ln.pi][0] : r.quotes[ln.pi][0].start].strip())
        > PAUSE
    }
    inview = {x for ln in lines for x in ln.states if x is not None}
    misaddressed = {
        ln.pi + d: {x for x in inview if gender(x) not in (g, "unknown")}
        for ln in lines
        for d in (-1, 0)
        if (g := r.addressed_gender.get(ln.pi + d)) is not None
    }

    def emit(t: int, x: int | None) -> float:
        line = lines[t]
        score = -line.penalty.get(x, 0.0) if x is not None else 0.0
        if x == line.own and line.weight != float("inf"):
            score += line.weight
        return score

    def trans(t: int, z: int | None, y: int | None, x: int | None) -> float:
        """Line t spoken by x after y (line t-1) and z (line t-2); None: not known."""
        line, pi = lines[t], lines[t].pi
        x_in = line.enters if line.enters is not None else x
        if x_in is None or y is None:
            return 0.0
        score = 0.0
        if pi in r.carried:
            score += w["carried"] if x_in == y else -w["carried"]
        elif pi in paused:
            pass  # narration between the lines: the turns start afresh
        elif x_in == y:
            score -= w["repeat"]
        elif z is not None and x_in == z:
            score += w["alternate"]
        if x_in != y and x_in in r.addressed.get(pi - 1, ()):
            score += w["answers"]
        if x_in in misaddressed.get(pi - 1, ()) or y in misaddressed.get(pi, ()):
            score -= w["misaddressed"]
        return score

    # best[(y, x)]: the best score of lines 0..t with line t-1 spoken by y and t by x
    best: dict[tuple[int | None, int | None], float] = {
        (None, x): emit(0, x) for x in lines[0].states
    }
    back: list[dict[tuple[int | None, int | None], int | None]] = [{k: None for k in best}]
    for t in range(1, len(lines)):
        nxt: dict[tuple[int | None, int | None], float] = {}
        ptr: dict[tuple[int | None, int | None], int | None] = {}
        for x in lines[t].states:
            e = emit(t, x)
            for (z, y), s in best.items():
                sc = s + trans(t, z, y, x) + e
                if (y, x) not in nxt or sc > nxt[(y, x)]:
                    nxt[(y, x)], ptr[(y, x)] = sc, z
        best = nxt
        back.append(ptr)
    key = max(best, key=lambda k: best[k])
    seq = [key[1]]
    prev: int | None = key[0]
    for t in range(len(lines) - 1, 0, -1):
        z = back[t][(prev, seq[-1])]
        seq.append(prev)
        prev = z
    seq.reverse()
    return {
        ln.pi: x
        for ln, x in zip(lines, seq, strict=True)
        if ln.weight != float("inf") and x is not None and x != ln.own
    }


def decode(r: Reading, w: Mapping[str, float] = WEIGHTS) -> dict[int, int]:
    """Every paragraph whose decoded speaker differs from the sieve's, with the decoded one."""
    changes: dict[int, int] = {}
    for run in runs(r):
        if len(run) > 1:
            changes.update(decode_run(r, run, w))
    return changes
