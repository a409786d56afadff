"""The conversation re-reads: runs of lines read again once every paragraph has a speaker.

Turn-taking (dialogue.py) proposes the changes: weak lines backfilled from the
tagged anchors of their conversation, a line "twinned" with the tagged line after
it given back to the one before, and each stretch of untagged lines re-read as
two people taking turns. This module applies them to the reading's result, in
that order, each lowering the confidence of the lines it changes.
"""

from __future__ import annotations

from narrate.segment.confidence import BACKFILLED, SOFT_BELOW, SOFT_WEIGHT, UNTWINNED
from narrate.segment.dialogue import TURN, WEAK, backfill, reparity, untwin
from narrate.segment.reading import Reading


def reread_conversations(r: Reading) -> None:
    """Backfill, untwin and reparity the reading's lines, in that order."""
    result, quotes, names = r.result, r.quotes, r.names
    changed = backfill(len(r.paras), r.last_speaker, r.first_confidence, r.addressed, r.carried)
    for pi, who in changed.items():
        for q in quotes[pi]:
            if result.confidence[id(q)] <= WEAK:
                result.speakers[id(q)] = names[who]
                result.confidence[id(q)] = BACKFILLED
    changed = untwin(r.last_speaker, r.first_speaker, r.first_confidence, r.addressed, r.opens)
    for pi, who in changed.items():
        for q in quotes[pi]:
            if result.confidence[id(q)] <= TURN:
                result.speakers[id(q)] = names[who]
                result.confidence[id(q)] = UNTWINNED
    continues = {pi for pi in r.turned if quotes[pi][0].continues}
    # a lone quote given to the subject of the narration next to it may still be re-read
    soft = {
        pi: SOFT_WEIGHT
        for pi, c in r.first_confidence.items()
        if pi not in r.turned
        and c < SOFT_BELOW
        and len(quotes[pi]) == 1
        and r.first_speaker[pi] is not None
    }
    genders = {e.key: r.salience.gender(e.key) for e in r.entities}
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
    )
    for pi, who in fixed.items():
        for q in quotes[pi]:
            result.speakers[id(q)] = names[who]
            result.confidence[id(q)] = min(result.confidence[id(q)], TURN)
