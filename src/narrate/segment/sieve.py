"""The attribution sieve over one paragraph: who says each of its quotes.

Each quote takes the first of, in order of trust: its said-tag (before or after
it, whichever the narration leads in from); the tag of the quote before it in
the paragraph; the subject of the narration sentence beside it; the latest
subject of the narration before it; the narration paragraph leading into it.
Then the paragraph's quotes share a speaker, and a paragraph still without one
takes the speaker turn-taking gives. Last, the paragraph's speakers and
addressees are recorded for the paragraphs after it to read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from narrate.segment.confidence import (
    LAST_SUBJECT,
    LEAD_IN,
    SHARED,
    SUBJECT_AFTER,
    SUBJECT_BEFORE,
    TAG_BEFORE,
    TAG_BY_KIND,
    TAGGED,
)
from narrate.segment.dialogue import addressed_gender, turn
from narrate.segment.mentions import SPOUSE
from narrate.segment.quotes import DOUBLE_MARKS, SINGLE_MARKS, Quote
from narrate.segment.reading import Line, Reading
from narrate.segment.said_tags import LEAD_IN_ENDS, beside_quote
from narrate.segment.wordlists import SPEECH_VERB_ALT, words

THOUGHT_VERBS = words("thought wondered mused reflected")
# "said Tom to her", "turning to Tom": the one a line is said to, named in its narration
SAID_TO = re.compile(
    r"\b(?:" + SPEECH_VERB_ALT + r"|turned|turning)\b[^.;:!?\"\u201c\u201d]{0,30}?\bto\s+$"
)
# a narration sentence in which its subject keeps silent
SILENT = re.compile(
    r"\b(?:said\s+nothing|made\s+no\s+(?:answer|reply)|was\s+silent|did\s+not\s+(?:answer|reply)|"
    r"(?:no|not\s+an?)\s+(?:answer|reply|word))\b"
)


@dataclass(slots=True, frozen=True)
class Spot:
    """One quote of a paragraph and the narration on either side of it."""

    pi: int  # the paragraph
    k: int  # the quote's place in it
    quote: Quote
    para_lo: int  # where the paragraph starts
    lo: int  # where the narration before the quote starts (the end of the quote before)
    hi: int  # where the narration after it ends (the start of the quote after)
    addressees: set[int]  # whom the quote addresses: never its speaker


def read_paragraph(r: Reading, pi: int) -> None:
    """Resolve the paragraph's narration, attribute its quotes and record them."""
    lo, hi = r.paras[pi]
    pq = r.quotes[pi]
    resolve_narration(r, lo, hi, pq)
    if not pq:
        return
    own = quote_lines(r, pi)
    share_speakers(own, r.quote_addressees[pi])
    if own[0][0] is None:
        own = [by_turn(r, pi)] * len(pq)
        r.turned.add(pi)
    record(r, pi, own)


def resolve_narration(r: Reading, lo: int, hi: int, pq: Sequence[Quote]) -> None:
    """Resolve the mentions of the paragraph's narration (not its quotes), in order."""
    st = r.salience
    inside = [(q.start, q.end) for q in pq]
    for m in r.in_range(lo, hi):
        if any(s <= m.start < e for s, e in inside):
            continue
        e = st.resolve(m)
        r.resolved[id(m)] = e
        # "her friend" only guessed sets no focus; "her husband" is seldom a stranger
        spouse = m.word in SPOUSE and m.clause_start and not m.after_prep
        if e is not None and (id(m) not in st.guessed or spouse):
            st.update(m, e)


def quote_lines(r: Reading, pi: int) -> list[Line]:
    """Each quote's speaker from its own narration, or None."""
    lo, hi = r.paras[pi]
    pq = r.quotes[pi]
    own: list[Line] = []
    tagged_after: list[bool] = []  # per quote: its said-tag follows it
    for k, q in enumerate(pq):
        if len(tagged_after) < k:
            tagged_after.append(False)
        spot = Spot(
            pi,
            k,
            q,
            lo,
            pq[k - 1].end if k else lo,
            pq[k + 1].start if k + 1 < len(pq) else hi,
            r.quote_addressees[pi][k],
        )
        line = said_tag(r, spot, tagged_after)
        if line is None:
            line = tag_before(spot, own, tagged_after)
        if line is None:
            line = narration_subject(r, spot)
        if line is None:
            line = latest_subject(r, spot)
        if line is None:
            line = led_in(r, spot)
        own.append(line or (None, 0.0))
    return own


def said_tag(r: Reading, spot: Spot, tagged_after: list[bool]) -> Line | None:
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
            if t[1] in THOUGHT_VERBS:
                r.result.thoughts.add(id(q))
            tagged_after.append(after)
            return t[0], TAG_BY_KIND.get(t[2].kind, TAGGED)
    return None


def tag_before(spot: Spot, own: list[Line], tagged_after: list[bool]) -> Line | None:
    """'"Yes," cried she as she turned. "Go away."': the tag served the quote before too."""
    if not spot.k or tagged_after[-1:] != [True]:
        return None
    who = own[spot.k - 1][0]  # tagged, so never None
    if who is None or who in spot.addressees:
        return None
    return who, TAG_BEFORE


def narration_subject(r: Reading, spot: Spot) -> Line | None:
    """The subject of the narration sentence before the quote, or else after it."""
    q = spot.quote
    opening = spot.k == 0 and not r.source[spot.para_lo : q.start].strip()
    for after in (False, True):
        s = r.subject(q.end, spot.hi, True) if after else r.subject(spot.lo, q.start, False)
        if after and opening and s is not None and s == r.last_speaker.get(spot.pi - 1, -1):
            # '"No." Ada looked away.' after Ada's line: her reaction to this one
            continue
        if s is not None and s not in spot.addressees:
            return s, (SUBJECT_AFTER if after else SUBJECT_BEFORE)
    return None


def latest_subject(r: Reading, spot: Spot) -> Line | None:
    """The latest subject anywhere in the paragraph's narration before the quote."""
    s = r.last_subject(spot.para_lo, spot.quote.start)
    if s is not None and s not in spot.addressees:
        return s, LAST_SUBJECT
    return None


def led_in(r: Reading, spot: Spot) -> Line | None:
    """ "...she said," or "thus:" closing the narration paragraph before an opening quote."""
    if spot.k != 0 or r.source[spot.para_lo : spot.quote.start].strip():
        return None
    intro = r.lead_in(spot.pi)
    if intro is not None and intro not in spot.addressees:
        return intro, LEAD_IN
    return None


def share_speakers(own: list[Line], addressees: list[set[int]]) -> None:
    """Quotes of one paragraph share the speaker unless a tag says otherwise: an
    unattributed quote takes the nearest attributed one's (the earlier on a tie)."""
    for k in range(len(own)):
        if own[k][0] is None:
            near = [
                j
                for j in range(len(own))
                if own[j][0] is not None and own[j][0] not in addressees[k]
            ]
            if near:
                j = min(near, key=lambda j: (abs(j - k), j > k))
                own[k] = (own[j][0], SHARED)


def by_turn(r: Reading, pi: int) -> Line:
    """The speaker of an unattributed paragraph from the turn-taking of its conversation."""
    source = r.source
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
    return turn(
        pi,
        r.quotes[pi][0],
        r.last_speaker,
        r.addressed,
        r.quote_addressees[pi],
        r.salience,
        hint,
        r.addressed_gender,
        r.later(pi),
        against,
        r.named[pi],
        asked,
    )


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
