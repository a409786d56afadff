"""The sieve's passes over a quote's own paragraph: its said-tag, its narration, its neighbours.

Each pass reads the reading so far and one quote, and returns a Candidate for
its speaker or None; none of them writes to the reading. sieve.py declares them
in order of trust and takes, for each quote, the first candidate.
"""

from __future__ import annotations

from narrate.segment.candidates import Candidate, Spot
from narrate.segment.confidence import TAG_EVIDENCE, Evidence
from narrate.segment.reading import Reading
from narrate.segment.said_tags import LEAD_IN_ENDS
from narrate.segment.wordlists import words

THOUGHT_VERBS = words("thought wondered mused reflected")


def said_tag(r: Reading, spot: Spot) -> Candidate | None:
    """The speaker a said-tag beside the quote names; a "he" or "her father" in a
    conversation goes to whoever's turn it is of that gender."""
    source, q = r.source, spot.quote
    # narration running into the quote ("she said, ...") speaks for it first
    lead = source[spot.lo : q.start].rstrip()[-1:] in LEAD_IN_ENDS
    for after in (False, True) if lead else (True, False):
        t = r.tags.find(q.end, spot.hi, True) if after else r.tags.find(spot.lo, q.start, False)
        # "said the lady", or "said her father" when no surname settles whose father
        generic = t and t[2].kind == "desc" and id(t[2]) not in r.salience.by_family
        if t and (t[2].kind == "pron" or generic) and t[2].gender in ("male", "female"):
            alt = r.dialogue_pronoun(spot.pi, spot.para_lo, t[2], spot.addressees)
            if alt is not None:
                t = (alt, t[1], t[2])
        if t and t[0] is not None and t[0] not in spot.addressees:
            evidence = TAG_EVIDENCE.get(t[2].kind, "tag_by_pronoun")
            return Candidate.of("said_tag", evidence, t[0], after, t[1] in THOUGHT_VERBS)
    return None


def tag_of_quote_before(r: Reading, spot: Spot) -> Candidate | None:
    """'"Yes," cried she as she turned. "Go away."': the said-tag after the quote before
    in the paragraph serves this one too."""
    before = spot.lines[spot.k - 1] if spot.k else None
    if before is None or before.pass_name != "said_tag" or not before.after:
        return None
    if before.speaker is None or before.speaker in spot.addressees:
        return None
    return Candidate.of(
        "tag_of_quote_before",
        "tag_of_quote_before",
        before.speaker,
        follows=(spot.pi, spot.k - 1),
    )


def narration_subject(r: Reading, spot: Spot) -> Candidate | None:
    """The subject of the narration sentence before the quote, or else after it."""
    q = spot.quote
    opening = spot.k == 0 and not r.source[spot.para_lo : q.start].strip()
    for after in (False, True):
        s = r.subject(q.end, spot.hi, True) if after else r.subject(spot.lo, q.start, False)
        if after and opening and s is not None and s == r.last_speaker.get(spot.pi - 1, -1):
            # '"No." Ada looked away.' after Ada's line: her reaction to this one
            continue
        if s is not None and s not in spot.addressees:
            evidence: Evidence = "subject_after" if after else "subject_before"
            return Candidate.of("narration_subject", evidence, s, after)
    return None


def latest_subject(r: Reading, spot: Spot) -> Candidate | None:
    """The latest subject anywhere in the paragraph's narration before the quote."""
    s = r.last_subject(spot.para_lo, spot.quote.start)
    if s is not None and s not in spot.addressees:
        return Candidate.of("latest_subject", "latest_subject", s)
    return None


def lead_in(r: Reading, spot: Spot) -> Candidate | None:
    """ "...she said," or "thus:" closing the narration paragraph before an opening quote."""
    if spot.k != 0 or r.source[spot.para_lo : spot.quote.start].strip():
        return None
    intro = r.lead_in(spot.pi)
    if intro is not None and intro not in spot.addressees:
        return Candidate.of("lead_in", "lead_in", intro)
    return None


def paragraph_neighbours(r: Reading, spot: Spot) -> Candidate | None:
    """Quotes of one paragraph share the speaker unless a tag says otherwise: an
    unattributed quote takes the nearest attributed one's (the earlier on a tie), among
    the lines chosen so far (so a quote may take what a neighbour itself took)."""
    j = spot.neighbours().nearest(spot.k, spot.addressees)
    line = None if j is None else spot.lines[j]
    if j is None or line is None:
        return None
    return Candidate.of(
        "paragraph_neighbours", "shared_in_paragraph", line.speaker, follows=(spot.pi, j)
    )
