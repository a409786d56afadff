"""The conversation re-reads: runs of lines read again once every paragraph has a speaker.

:data:`REREADS` declares them in order: each conversation decoded as one
sequence of speakers (decode.py), weak lines backfilled from the tagged
anchors of their conversation, a line "twinned" with the tagged line after it
given back to the one before, and each stretch of untagged lines re-read as two
people taking turns. Turn-taking (dialogue.py) proposes the changes; each re-read
here turns them into candidates, one per paragraph, and the driver applies them
to the reading, lowering the confidence of the lines it changes, before the next
re-read reads the speakers so changed.
"""

from __future__ import annotations

from narrate.segment.candidates import Candidate, Reread
from narrate.segment.confidence import CONFIDENCE
from narrate.segment.decode import decode
from narrate.segment.dialogue import SOFT_WEIGHT, backfill, reparity, untwin
from narrate.segment.reading import Reading


def decoded(r: Reading) -> dict[int, Candidate]:
    """Each conversation re-read as one sequence: the lines whose best-fitting speaker,
    given every tag, turn and form of address in it, is not the one the sieve gave."""
    return {pi: Candidate.of("decode", "decoded", who) for pi, who in decode(r).items()}


def backfilled(r: Reading) -> dict[int, Candidate]:
    """Weak lines of a conversation re-read from its anchors: the same speaker an even
    number of turns away, the other one an odd number."""
    changed = backfill(len(r.paras), r.last_speaker, r.first_confidence, r.addressed, r.carried)
    return {pi: Candidate.of("backfill", "backfilled", who) for pi, who in changed.items()}


def untwinned(r: Reading) -> dict[int, Candidate]:
    """An untagged line given to the one who speaks the tagged line right after it goes
    back to the one before."""
    changed = untwin(r.last_speaker, r.first_speaker, r.first_confidence, r.addressed, r.opens)
    return {pi: Candidate.of("untwin", "untwinned", who) for pi, who in changed.items()}


def refitted(r: Reading) -> dict[int, Candidate]:
    """Each stretch of lines turn-taking alone gave, re-read as two people taking turns to
    fit the lines on both its sides and the forms of address in it."""
    quotes = r.quotes
    continues = {pi for pi in r.turned if quotes[pi][0].continues}
    # a lone quote given to the subject of the narration next to it may still be re-read
    soft = {
        pi: SOFT_WEIGHT
        for pi, c in r.first_confidence.items()
        if pi not in r.turned
        and c < CONFIDENCE["soft_below"]
        and len(quotes[pi]) == 1
        and r.first_speaker[pi] is not None
    }
    genders = {e.key: r.salience.gender(e.key) for e in r.entities}
    # a tagged line its paragraph's narration leads up to: a new exchange begins
    restarts = {
        pi
        for pi, c in r.first_confidence.items()
        if pi not in r.opens and c >= CONFIDENCE["tagged_at_least"]
    }
    fixed = reparity(
        len(r.paras),
        r.last_speaker,
        r.first_speaker,
        r.turned,
        r.addressed,
        continues,
        soft,
        r.addressed_gender,
        genders,
        restarts,
    )
    return {pi: Candidate.of("reparity", "refit", who) for pi, who in fixed.items()}


REREADS: tuple[Reread, ...] = (
    # the decoder proposes no paragraph whose first line is an anchor; a paragraph it
    # changes changes whole, as turn-taking gave it
    Reread("decode", decoded, float("inf"), lowers=True, first_too=True),
    Reread("backfill", backfilled, CONFIDENCE["weak_at_most"]),
    Reread("untwin", untwinned, CONFIDENCE["untwin_at_most"]),
    Reread("reparity", refitted, float("inf"), lowers=True, first_too=True),
)


def reread_conversations(r: Reading) -> None:
    """Run the re-reads in order, each on the speakers the one before left."""
    result, quotes, names = r.result, r.quotes, r.names
    for reread in REREADS:
        for pi, c in reread.run(r).items():
            who = c.speaker
            # the record the next re-read reads
            r.last_speaker[pi] = who
            if reread.first_too:
                r.first_speaker[pi] = who
            if who is None:
                continue
            for q in quotes[pi]:
                conf = result.confidence[id(q)]
                if conf <= reread.at_most:
                    result.speakers[id(q)] = names[who]
                    result.confidence[id(q)] = (
                        min(conf, c.confidence) if reread.lowers else c.confidence
                    )
                    result.evidence[id(q)] = c.evidence
