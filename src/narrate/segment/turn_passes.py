"""The sieve's passes over a conversation: who speaks a paragraph nothing in it attributes.

They run for a paragraph whose first quote the passes over its own narration
left undecided, and their candidate goes to all of its quotes: the speech the
paragraph carries on, the one the line before addressed, then the turns of the
conversation (dialogue.py). They read the reading's record of the paragraphs
before (who spoke them, whom they addressed) and write none of it.
"""

from __future__ import annotations

import re

from narrate.segment.candidates import Candidate, Spot
from narrate.segment.confidence import CONFIDENCE, Evidence
from narrate.segment.dialogue import answering, carried_on, turn
from narrate.segment.quotes import DOUBLE_MARKS, SINGLE_MARKS
from narrate.segment.reading import Reading
from narrate.segment.said_tags import beside_quote

# a narration sentence in which its subject keeps silent
SILENT = re.compile(
    r"\b(?:said\s+nothing|made\s+no\s+(?:answer|reply)|was\s+silent|did\s+not\s+(?:answer|reply)|"
    r"(?:no|not\s+an?)\s+(?:answer|reply|word))\b"
)


# turns read from the speakers before: a line given one of these rests on the choice of
# the line before it, unless that line is itself an anchor of the conversation
TURNS_FROM_BEFORE: frozenset[Evidence] = frozenset(
    {"turns_alternate", "question_to_addressee", "turn_by_address", "resumes_after_narration"}
)


def line_before(r: Reading, pi: int) -> tuple[int, int]:
    """(paragraph, quote) of the last line of the paragraph before."""
    return pi - 1, len(r.quotes[pi - 1]) - 1


def not_speakers(r: Reading, pi: int) -> set[int]:
    """Those the paragraph's quotes address or name: none of them speaks it."""
    mine: set[int] = set().union(*r.quote_addressees[pi], r.named[pi])
    return mine


def speech_carried_on(r: Reading, spot: Spot) -> Candidate | None:
    """A paragraph opening on the unclosed speech of the one before: the same speaker."""
    who = carried_on(spot.pi, spot.quote, r.last_speaker)
    if who is None:
        return None
    return Candidate.of("speech_carried_on", "carried_on", who, follows=line_before(r, spot.pi))


def addressee(r: Reading, spot: Spot) -> Candidate | None:
    """The one the line before addressed by name ("Come here, Tom.") answers it."""
    who = answering(spot.pi, r.last_speaker, r.addressed, not_speakers(r, spot.pi))
    return None if who is None else Candidate.of("addressee", "addressee_answers", who)


def turn_taking(r: Reading, spot: Spot) -> Candidate | None:
    """Whose turn the paragraph is in its conversation, or a character the narration
    before it or a tagged line further on points to."""
    source, pi = r.source, spot.pi
    hint: int | None = None
    against = r.later(pi, 1)
    if pi and not r.quotes[pi - 1]:
        plo, phi = r.paras[pi - 1]
        hint = r.subject(plo, phi, False)
        # a first-person narrator's own words come tagged ("I said") or in the paragraph
        # of the narration about them: after "I went to the window." someone else speaks
        quiet = hint is not None and hint == r.salience.narrator
        if against is None and (
            quiet or SILENT.search(source, *beside_quote(source, plo, phi, False, True))
        ):
            hint, against = None, hint  # "Tom made no answer.": the next line is not his
    asked = False
    if pi and r.quotes[pi - 1]:
        last_q = r.quotes[pi - 1][-1]
        asked = (
            source[last_q.start : last_q.end]
            .rstrip(DOUBLE_MARKS + SINGLE_MARKS + " ")
            .endswith("?")
        )
    found = turn(
        pi,
        r.last_speaker,
        r.addressed,
        not_speakers(r, pi),
        r.salience,
        hint,
        r.addressed_gender,
        r.later(pi),
        against,
        asked,
    )
    if found is None:
        return None
    follows = None
    if found[1] in TURNS_FROM_BEFORE:
        pj, kj = line_before(r, pi)
        if r.result.confidence[id(r.quotes[pj][kj])] < CONFIDENCE["anchor_at_least"]:
            follows = (pj, kj)
    return Candidate.of("turn_taking", found[1], found[0], follows=follows)
