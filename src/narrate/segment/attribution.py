"""The attribution sieve: who says each quote, with a confidence.

In order of trust: an explicit said-tag next to the quote (a name, title,
description or pronoun on either side of a speech verb); the subject of the
narration around the quote in its paragraph; the other quotes of the same
paragraph; then conversation turn-taking (the addressee answers, speakers
alternate) through runs of untagged lines, each run then re-read to fit the
lines on both its sides and the forms of address in it.

The book is read twice: the first reading only finds the lines with a
said-tag, so that the second can settle a conversation's untagged opening from a
tag further on instead of passing a wrong guess down the turn-taking.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import cast

from narrate.records import Character, Gender
from narrate.segment.dialogue import (
    FIRST_PERSON,
    TURN,
    WEAK,
    addressed_gender,
    backfill,
    find_narrator,
    reparity,
    turn,
    turns_apart,
    untwin,
    vocatives,
)
from narrate.segment.mentions import SPOUSE, Mention
from narrate.segment.names import Entity, NameTable
from narrate.segment.quotes import DOUBLE_MARKS, SINGLE_MARKS, Quote
from narrate.segment.salience import Salience
from narrate.segment.wordlists import (
    SPEECH_BASES,
    SPEECH_GERUNDS,
    SPEECH_NOUNS,
    SPEECH_VERB_ALT,
    VERB_RE,
    words,
)

# "Mr. Ash, whose mind was on his supper, said": a clause between subject and verb
# (also "Tom soon afterwards, half out of the door, said"; "Mrs." is no stop)
PAREN_GAP = re.compile(
    r"^\s*(?:(?:\w+ly|soon|then|now|afterwards|again|still|presently)\s*){0,2},(?:[^.;:!?\"\u201c\u201d]|(?<=\bM[rs])\.|(?<=\bMrs)\.|(?<=\bDr)\.){0,150},"
    r"\s*(?:(?:\w+ly|thus|then|now|again)\s+)?$"
)
LEAD_IN_ENDS = ",:;-\u2014"
# "said Tom to her", "turning to Tom": the one a line is said to, named in its narration
SAID_TO = re.compile(
    r"\b(?:" + SPEECH_VERB_ALT + r"|turned|turning)\b[^.;:!?\"\u201c\u201d]{0,30}?\bto\s+$"
)
# a narration sentence in which its subject keeps silent
SILENT = re.compile(
    r"\b(?:said\s+nothing|made\s+no\s+(?:answer|reply)|was\s+silent|did\s+not\s+(?:answer|reply)|"
    r"(?:no|not\s+an?)\s+(?:answer|reply|word))\b"
)
TAGGED = 0.9  # a line with a said-tag: a name, a description or a pronoun
BY_NAME = 0.95  # a line tagged with a name
AHEAD = 10  # paragraphs a first reading is searched ahead for a tagged line
THOUGHT_VERBS = words("thought wondered mused reflected")
LOWER_TAG = re.compile(r"[ \t]*(he|she)\s+(?:\w+ly\s+)?[a-z]+ed\b")
ADV_GAP = re.compile(
    r"^[\s,]*(?:(?:\w+ly|had|has|then|now|again|only|just|quickly|at\s+last|"
    r"at\s+once|at\s+length|presently|still|softly|also|too|very|so|rather|quite|thus|"
    # "Tom could immediately say"
    r"could|would|should|might|must|did|will|can|may)[\s,]*)*$"
)
# "She could say nothing": no speech
SAID_NOTHING = re.compile(r"\s+(?:nothing|no\s+more)\b")
# between an inverted verb and its subject: "said the Heron", "broke in Lord Tam"
INV_GAP = re.compile(
    r"^[\s,]*(?:(?:in|out|on|up|forth|again|back|by)[\s,]+)?(?:\w+ly[\s,]+)?"
    r"(?:the\s+(?:[a-z][\w-]*\s+){0,2})?$"
)
# "... before she went on." / "Mrs. Hale began scolding.": a paragraph handing over to speech
SPOKE_ON = re.compile(
    r"\b(?:" + SPEECH_VERB_ALT + r"|" + "|".join(sorted(SPEECH_GERUNDS)) + r")"
    r"(?:\s+(?:on|again|thus|aloud|forth|out|\w+ly)){0,2}\s*[.!]$"
    # "Mrs. Hale began scolding the cook."
    r"|\bbegan\s+\w+ing\b[^.;:!?\"\u201c\u201d]{0,40}[.!]$"
)
# "the manner in which he spoke": a pronoun opening a relative clause is no said-tag
RELATIVE_BEFORE = re.compile(r"\b(?:which|whom|whose|that|what)\s+$")
POSS_GERUND = re.compile(r"['\u2019]s\s+[a-z]+ing\b")
PASSIVE = re.compile(r"\b(?:was|were)\s+(?:\w+ly\s+)?\Z")
BY_GAP = re.compile(r"^\s+(?:[\w-]+\s+){0,5}?by\s+$")
FOR_BEFORE = re.compile(r"\bfor\s+(?:the\s+)?\Z")
SO_THAT = re.compile(r"\b(?:so|such)\b[^,.;:!?]{0,30}\bthat\s+$")
# "Bram, who said": a relative clause whose verb is the speech verb
WHO_GAP = re.compile(r"^\s*,?\s*who\b[^.;:!?\"\u201c\u201d]{0,60}?(?:\w+ly\s+)?$")
SENT_RE = re.compile(
    r"(?<![A-Z][a-z])(?<!\bMrs)(?<![A-Z])[.!?]+['\"\u201d\u2019)]*(?:\s|--|\u2014)"
)
# "turned to her with a look, and said": the subject of an earlier verb of the clause
COORD_GAP = re.compile(
    r"^[^.;:!?\"\u201c\u201d]{0,100}\band\s+(?:(?:\w+ly|then)\s+)?$"
    # "turned towards her, and, in a voice of surprise, repeated"
    r"|^[^.;:!?\"\u201c\u201d]{0,100}\band\s*,[^.;:!?\"\u201c\u201d]{0,100},\s*(?:\w+ly\s+)?$"
    # "came to meet her; and falling on her neck, said"
    r"|^[^.:!?\"\u201c\u201d]{0,120}\band\s+(?:then\s+)?[a-z]+ing\b[^.;:!?\"\u201c\u201d,]{0,50},\s*$"
)
# "could not help saying", "took the opportunity of whispering"
GERUND_RE = re.compile(r"\b(?:" + "|".join(sorted(SPEECH_GERUNDS)) + r")\b")
# "heard her father say", "overhearing Tom whisper": the one named just before speaks
BARE_RE = re.compile(r"\b(?:" + "|".join(sorted(SPEECH_BASES | SPEECH_GERUNDS)) + r")\b")
LOOSE_GAP = re.compile(r"^[^.;:!?\"\u201c\u201d]{0,100}$")
# "forced to add", "left her seat to join him and say": a speech verb as an infinitive
INFINITIVE = re.compile(
    r"\bto\s+(?:\w+ly\s+)?$|\bto\s+[a-z]+(?:\s+[A-Za-z]+){0,3}\s+(?:and|or|than)\s+$"
)
# "in a sort of whisper", "with a cry": a noun, not a base-form verb (unlike "of saying")
DETERMINED = re.compile(r"\b(?:a|an|the|his|her|their|my|of)\s+\Z")
PROGRESSIVE = re.compile(r"^\s*(?:was|were)\s+(?:(?:\w+ly|still|now|then)\s+)?$")
FOR_TO = re.compile(r"\s+to\b")
# "asking her how she did, ... to say": a subject inside a question or clause of its own
EMBEDDED = re.compile(r"\b(?:how|what|whether|if|why|where|when|that|which|who)\s+$")
# "was Ada's calm answer", "Cora's was--", "Wren's saying, in a low voice"
POSS_SPEECH = re.compile(
    r"(?:['\u2019]s|\ss)\s+(?:(?:[a-z]+\s+){0,2}?(?:"
    + "|".join(sorted(SPEECH_NOUNS | SPEECH_GERUNDS))
    + r")\b|was\s*[,:\u2014-]*\s*$)"
)

# "her gentle reply", not "interrupted her by saying"
PRON_SPEECH = re.compile(
    r"\s+(?:(?!(?:by|to|with|in|on|for|at|from|of)\b)[a-z]+\s+){0,2}?(?:"
    + "|".join(sorted(SPEECH_NOUNS | SPEECH_GERUNDS))
    + r")\b"
)


@dataclass(slots=True)
class Attribution:
    characters: list[Character]
    speakers: dict[int, str | None] = field(default_factory=dict)  # id(quote) -> name
    confidence: dict[int, float] = field(default_factory=dict)
    thoughts: set[int] = field(default_factory=set)
    # paragraph -> (speaker, confidence) of its first quote
    lines: dict[int, tuple[int | None, float]] = field(default_factory=dict)


def _leads_in(narration: str) -> bool:
    """Narration running into a quote: it ends in a comma, colon or dash, or with no
    stop at all ("and said in a low voice" whose closing dash was lost)."""
    end = narration.rstrip()[-1:]
    return end in LEAD_IN_ENDS or end.isalpha()


def _subject_like(source: str, m: Mention) -> bool:
    if m.after_prep:
        return False
    if m.kind == "pron":
        return m.nominative
    if m.possessive:
        return source[m.end : m.end + 9].lstrip("'\u2019s ").startswith("voice")
    return True


def _clause_subject(source: str, before: Sequence[Mention]) -> Mention | None:
    """The latest mention opening a clause as its subject, if no other subject follows it."""
    for m in reversed(before):
        if m.clause_start and _subject_like(source, m):
            return m
        if m.kind == "pron" and m.nominative:
            return None
    return None


def attribute(
    source: str,
    paras: Sequence[tuple[int, int]],
    quotes: Sequence[Sequence[Quote]],
    table: NameTable,
    mentions: Sequence[Mention],
    ahead: dict[int, tuple[int | None, float]] | None = None,
) -> Attribution:
    if ahead is None:
        # a first reading finds the firmly tagged lines, so that a conversation's
        # untagged opening can be read back from the tags further on
        ahead = attribute(source, paras, quotes, table, mentions, {}).lines
    ents = table.entities
    names = [e.main_name() for e in ents]
    out = Attribution([])
    starts = [m.start for m in mentions]
    st = Salience(table)
    speaker: dict[int, int | None] = {}  # paragraph -> speaker of its last quote
    vocs: dict[int, set[int]] = {}  # paragraph -> characters addressed
    resolved: dict[int, int | None] = {}  # id(mention) -> entity

    def in_range(lo: int, hi: int) -> list[Mention]:
        return list(mentions[bisect.bisect_left(starts, lo) : bisect.bisect_left(starts, hi)])

    def beside_quote(lo: int, hi: int, after: bool, whole: bool) -> tuple[int, int]:
        """The narration [lo, hi) narrowed to the sentence touching the quote.

        After a quote that is its first sentence; before one, its last. With
        whole, a quote that follows a full sentence takes that sentence.
        """
        text = source[lo:hi]
        if after:
            sm = SENT_RE.search(text)
            if sm:
                hi = lo + sm.start() + 1
            return lo, hi
        cut = [x.end() for x in SENT_RE.finditer(text)]
        # "Mrs. Hale thus began the talk.--": a stop and dash leading in
        leads = text.rstrip()[-1:] in "-\u2014"
        if (whole or leads) and cut and not text[cut[-1] :].strip():
            cut.pop()
        if cut:
            lo += cut[-1]
        return lo, hi

    def tag(lo: int, hi: int, after: bool) -> tuple[int | None, str, Mention] | None:
        """An explicit said-tag in the narration [lo, hi) next to a quote."""
        lo, hi = beside_quote(lo, hi, after, False)
        ms = [m for m in in_range(lo, hi) if id(m) in resolved]
        verbs = [
            v for v in VERB_RE.finditer(source, lo, hi) if not SAID_NOTHING.match(source, v.end())
        ]
        bares = [
            v
            for v in BARE_RE.finditer(source, lo, hi)
            if not SAID_NOTHING.match(source, v.end())
            and not (
                DETERMINED.search(source, max(lo, v.start() - 8), v.start())
                and not v.group().endswith("ing")
            )
        ]
        nearer = False
        if not after:
            verbs.reverse()
            bares.reverse()
        if bares and (not verbs or bares[0].start() != verbs[0].start()):
            nearer = not verbs or (bares[0].start() < verbs[0].start()) == after
        if bares and nearer:
            # "he laughed, ... so that Ada could not help saying,": the speech word
            # nearest the quote is its tag
            v = bares[0]
            t = heard_tag(v, ms) or infinitive_tag(v, ms, lo) or possessive_tag(ms, lo, hi, after)
            # not "Tom replied that he was, adding": that gerund goes with the verb before
            joined = source[lo : v.start()].rstrip().endswith(",")
            if not t and v.group() in SPEECH_GERUNDS and not joined:
                t = gerund_tag(v, ms)
            if t:
                return t
        for v in verbs[:3]:
            before = [m for m in ms if m.end <= v.start()]
            for i, m in enumerate(reversed(before[-3:])):
                gap = source[m.end : v.start()]
                # "all that Ada said" (but "so loudly that the Heron said" is a tag)
                relative = RELATIVE_BEFORE.search(source, max(0, m.start - 8), m.start) and (
                    m.kind == "pron" or not SO_THAT.search(source, max(0, m.start - 40), m.start)
                )
                # not "Cora, kissing Ada, thus began": an object before the comma
                aside = gap.lstrip().startswith(",") and not m.clause_start
                # "for the Heron cried out": "for" joining a clause, not a preposition
                joined = (
                    m.after_prep
                    and not m.possessive
                    and FOR_BEFORE.search(source, max(0, m.start - 12), m.start)
                )
                subject_like = _subject_like(source, m) or (joined and "," not in gap)
                if i == 0 and subject_like and ADV_GAP.match(gap) and not relative and not aside:
                    return resolved[id(m)], v.group(), m
                if _subject_like(source, m) and PAREN_GAP.match(gap):
                    # "Tom, stepping nearer to Ada, said"
                    return resolved[id(m)], v.group(), m
                if not m.possessive and m.kind != "pron" and WHO_GAP.match(gap):
                    # "broken by Bram, who said with a grin"
                    return resolved[id(m)], v.group(), m
            later = [m for m in ms if m.start >= v.end()]
            if later:
                m = later[0]
                ok = m.nominative if m.kind == "pron" else not m.possessive
                if ok and INV_GAP.match(source[v.end() : m.start]):
                    return resolved[id(m)], v.group(), m
                # "was uttered at once by Cora"
                passive = PASSIVE.search(source, max(lo, v.start() - 12), v.start())
                if passive and m.kind != "pron" and BY_GAP.match(source[v.end() : m.start]):
                    return resolved[id(m)], v.group(), m
            subj = _clause_subject(source, before)
            if subj is not None and COORD_GAP.match(source[subj.end : v.start()]):
                return resolved[id(subj)], v.group(), subj
            infinitive = source[max(lo, v.start() - 3) : v.start()] == "to "
            if subj is not None and infinitive and LOOSE_GAP.match(source[subj.end : v.start()]):
                # "Miss Vane had barely time to say": the subject of the clause
                return resolved[id(subj)], v.group(), subj
        for v in bares[:1]:
            t = heard_tag(v, ms)
            if t:
                return t
        verbs = sorted({v.start(): v for v in [*verbs, *bares]}.values(), key=lambda v: v.start())
        for v in verbs[:2] if after else verbs[::-1][:2]:
            t = infinitive_tag(v, ms, lo)
            if t:
                return t
        t = possessive_tag(ms, lo, hi, after)
        if t:
            return t
        gerunds = list(GERUND_RE.finditer(source, lo, hi))
        for v in gerunds[:1] if after else gerunds[-1:]:
            t = gerund_tag(v, ms)
            if t:
                return t
        lower = LOWER_TAG.match(source, lo, hi) if after else None
        if lower and ms and ms[0].start == lower.start(1):
            # '"Dead!" he wheezed.': a lower-case pronoun goes on with the quote's sentence
            return resolved[id(ms[0])], "said", ms[0]
        return None

    def heard_tag(v: re.Match[str], ms: list[Mention]) -> tuple[int | None, str, Mention] | None:
        """'heard him say', 'Tom could only exclaim': the one just before a base or -ing form."""
        before = [m for m in ms if m.end <= v.start()]
        if not before:
            return None
        for m in reversed(before[-3:]):
            if not m.possessive and m.kind != "pron" and WHO_GAP.match(source[m.end : v.start()]):
                return resolved[id(m)], v.group(), m  # "Cora, who could only exclaim"
        m = before[-1]
        gap = source[m.end : v.start()]
        # not "He thanked her, observing": after a comma the subject goes on
        progressive = v.group().endswith("ing") and PROGRESSIVE.match(gap)  # "was replying"
        joined = FOR_BEFORE.search(source, max(0, m.start - 12), m.start)  # "for Tom was replying"
        if "," in gap or not (ADV_GAP.match(gap) or progressive) or m.after_prep and not joined:
            return None
        # the object of "heard" or "let" is the speaker: "heard him say"
        if m.word in ("he", "she", "him", "her") or (m.kind != "pron" and not m.possessive):
            return resolved[id(m)], v.group(), m
        return None

    def infinitive_tag(
        v: re.Match[str], ms: list[Mention], lo: int
    ) -> tuple[int | None, str, Mention] | None:
        """'forced to add', 'left her seat to join him and say': the infinitive's subject."""
        if not INFINITIVE.search(source, max(lo, v.start() - 40), v.start()):
            return None
        # the nearest one who can act, not an object pronoun ("to join him") nor one
        # after a preposition ("for Tom to say")
        for m in reversed([m for m in ms if m.end <= v.start()]):
            if m.kind == "pron" and not m.nominative:
                continue
            if m.possessive and not m.clause_start:
                continue  # but "Ada's good manners were ready, to say"
            if m.after_prep and not FOR_TO.match(source, m.end):
                continue
            if EMBEDDED.search(source, max(0, m.start - 9), m.start):
                continue
            if LOOSE_GAP.match(source[m.end : v.start()]):
                return resolved[id(m)], v.group(), m
            return None
        return None

    def possessive_tag(
        ms: list[Mention], lo: int, hi: int, after: bool
    ) -> tuple[int | None, str, Mention] | None:
        """'was Ada's reply', 'his voice saying': the owner of the speech."""
        for m in ms if after else reversed(ms):
            if m.kind != "pron" and POSS_SPEECH.match(source, m.end, hi):
                return resolved[id(m)], "said", m
            if m.word in ("his", "her") and PRON_SPEECH.match(source, m.end, hi):
                return resolved[id(m)], "said", m
        return None

    def gerund_tag(v: re.Match[str], ms: list[Mention]) -> tuple[int | None, str, Mention] | None:
        """'could not help saying': the subject of the clause."""
        before = [m for m in ms if m.end <= v.start()]
        subj = _clause_subject(source, before)
        if subj is not None and LOOSE_GAP.match(source[subj.end : v.start()]):
            return resolved[id(subj)], "said", subj
        for m in reversed(before):
            # "without Mr. Ash's heaving a sigh, and saying": the owner of the gerunds
            if m.possessive and POSS_GERUND.match(source, m.end):
                if LOOSE_GAP.match(source[m.end : v.start()]):
                    return resolved[id(m)], "said", m
                break
        return None

    def subject(lo: int, hi: int, after: bool) -> int | None:
        """The subject of the narration sentence next to a quote."""
        lo, hi = beside_quote(lo, hi, after, True)
        return first_subject(in_range(lo, hi))

    def first_subject(mentions: Iterable[Mention]) -> int | None:
        """The character of the first mention that is a resolved clause subject."""
        for m in mentions:
            if (
                id(m) in resolved
                and resolved[id(m)] is not None
                and m.clause_start
                and _subject_like(source, m)
            ):
                if id(m) in st.guessed and m.word not in SPOUSE:
                    return None  # "her friend" only guessed from recent characters: unknown
                return resolved[id(m)]
        return None

    def lead_in(pi: int) -> int | None:
        """The speaker named by a narration paragraph that ends leading into a quote."""
        if pi == 0:
            return None
        plo, phi = paras[pi - 1]
        if quotes[pi - 1]:
            # '"Oh!" she cried, and then called out,' - the narration after its last quote
            plo = quotes[pi - 1][-1].end
            if not source[plo:phi].strip():
                return None
        tail = source[plo:phi].rstrip()
        handing = SPOKE_ON.search(tail)
        if handing and quotes[pi - 1]:
            # '"..." --Nobody spoke, and Mrs. Hale began again.': a sentence of its own,
            # not the tag of the quote before it
            start = source[plo : plo + handing.start()]
            handing = start.lstrip()[:1] in "-\u2014" or SENT_RE.search(start) is not None
        if not _leads_in(tail) and not handing:
            return None
        t = tag(plo, phi, False)
        if t and t[0] is not None:
            return t[0]
        return subject(plo, phi, False)

    def later(pi: int, side: int = 0) -> int | None:
        """The speaker of the nearest line ahead in the conversation tagged with a name (or
        else with any said-tag) an even number of turns on (so the same side of the
        turn-taking), from the first reading."""
        found: dict[bool, int] = {}
        for d in range(1, AHEAD + 1):
            if pi + d not in ahead:
                break  # the conversation breaks off
            who, c = ahead[pi + d]
            if turns_apart(pi, pi + d, carried) % 2 == side and c >= TAGGED and who is not None:
                found.setdefault(c >= BY_NAME, who)
        return found.get(True, found.get(False))

    def last_subject(lo: int, hi: int) -> int | None:
        """The latest subject anywhere in the paragraph's narration before a quote."""
        return first_subject(reversed(in_range(lo, hi)))

    def dialogue_pronoun(pi: int, lo: int, m: Mention, mine: set[int]) -> int | None:
        """'he said' in a dialogue: the recent speaker of that gender whose turn it is."""
        if pi - 1 not in speaker or id(quotes[pi - 1][-1]) in out.thoughts:
            return None  # not inside a conversation ('"How dull," thought Ann.' passes no turn)
        # '"No," said Hal. Cob came up.': a new sentence after the last line says whom the story follows
        end = quotes[pi - 1][-1].end
        moved = [
            x
            for x in in_range(end, paras[pi - 1][1])
            if x.clause_start and SENT_RE.search(source, end, x.start)
        ]
        for x in moved + in_range(lo, m.start):
            if resolved.get(id(x)) is not None and (x.kind != "pron" or x.nominative):
                e = resolved[id(x)]
                if e is not None and st.gender(e) == m.gender:
                    # the paragraph's narration named someone, or went on about "she": keep it
                    return None
        prev = speaker.get(pi - 1)
        for e in sorted(vocs.get(pi - 1, ())):
            if e != prev and e not in mine and st.gender(e) == m.gender:
                return e  # the one just addressed answers
        # '"Soon," said Hal, with a smile at her.': the one the last speaker turned to answers
        for x in in_range(*paras[pi - 1]):
            e = resolved.get(id(x))
            if x.word in ("him", "her") and x.gender == m.gender and e not in (None, prev, *mine):
                return e
        for pj in range(pi - 2, max(-1, pi - 12), -1):
            if pj not in speaker:
                break  # only the speakers of this conversation
            e = speaker.get(pj)
            if e is not None and e != prev and e not in mine and st.gender(e) == m.gender:
                return e
        return None

    # paragraphs whose speech carries on from the one before: no new turn
    carried = {pi for pi, pq in enumerate(quotes) if pq and pq[0].continues}
    qvocs_all = [[vocatives(source, q, in_range(q.start, q.end)) for q in pq] for pq in quotes]
    # paragraph -> characters its quotes name
    named = [
        {
            m.ent
            for q in pq
            for m in in_range(q.start, q.end)
            if m.kind == "name" and m.ent is not None
        }
        for pq in quotes
    ]
    st.narrator = table.narrator
    if st.narrator is None:
        st.narrator = find_narrator(source, paras, quotes, mentions, qvocs_all)
        if st.narrator == FIRST_PERSON:
            st.narrator = None
            if not table.from_cast:
                # no cast given: the unnamed narrator is a character of its own, "I"
                if not ents or ents[-1].cast_name != "I":
                    ents.append(Entity(len(ents), cast_name="I"))
                    names.append("I")
                st.narrator = len(ents) - 1

    pconf: dict[int, float] = {}  # paragraph -> confidence of its first quote
    first: dict[int, int | None] = {}  # paragraph -> speaker of its first quote
    gvocs: dict[int, str] = {}  # paragraph -> gender its last quote addresses ("sir")
    turned: set[int] = set()  # paragraphs attributed by turn-taking alone
    opens: set[int] = set()  # paragraphs that open with a quote
    for pi, (lo, hi) in enumerate(paras):
        pq = quotes[pi]
        inside = [(q.start, q.end) for q in pq]
        for m in in_range(lo, hi):
            if any(s <= m.start < e for s, e in inside):
                continue
            e = st.resolve(m)
            resolved[id(m)] = e
            # "her friend" only guessed sets no focus; "her husband" is seldom a stranger
            spouse = m.word in SPOUSE and m.clause_start and not m.after_prep
            if e is not None and (id(m) not in st.guessed or spouse):
                st.update(m, e)
        if not pq:
            continue
        own: list[tuple[int | None, float]] = []
        qvocs = qvocs_all[pi]
        tagged_after: list[bool] = []
        for k, q in enumerate(pq):
            if len(tagged_after) < k:
                tagged_after.append(False)
            nlo = pq[k - 1].end if k else lo
            nhi = pq[k + 1].start if k + 1 < len(pq) else hi
            who: int | None = None
            conf = 0.0
            # narration running into the quote ("she said, ...") speaks for it first
            lead = source[nlo : q.start].rstrip()[-1:] in LEAD_IN_ENDS
            for after in (False, True) if lead else (True, False):
                t = tag(q.end, nhi, True) if after else tag(nlo, q.start, False)
                # "said the lady", or "said her father" when no surname settles whose father
                generic = t and t[2].kind == "desc" and id(t[2]) not in st.by_family
                if t and (t[2].kind == "pron" or generic) and t[2].gender in ("male", "female"):
                    alt = dialogue_pronoun(pi, lo, t[2], qvocs[k])
                    if alt is not None:
                        t = (alt, t[1], t[2])
                if t and t[0] is not None and t[0] not in qvocs[k]:
                    who, conf = t[0], {"name": 0.95, "desc": 0.92}.get(t[2].kind, 0.9)
                    if t[1] in THOUGHT_VERBS:
                        out.thoughts.add(id(q))
                    tagged_after.append(after)
                    break
            if who is None and k and tagged_after[-1:] == [True] and own[k - 1][0] not in qvocs[k]:
                # "Yes," cried she as she turned. "Go away." - the tag served the quote before
                who, conf = own[k - 1][0], 0.88
            if who is None:
                for after in (False, True):
                    s = subject(q.end, nhi, True) if after else subject(nlo, q.start, False)
                    opening = k == 0 and not source[lo : q.start].strip()
                    if after and opening and s is not None and s == speaker.get(pi - 1, -1):
                        # '"No." Ada looked away.' after Ada's line: her reaction to this one
                        continue
                    if s is not None and s not in qvocs[k]:
                        who, conf = s, (0.74 if after else 0.75)
                        break
            if who is None:
                s = last_subject(lo, q.start)
                if s is not None and s not in qvocs[k]:
                    who, conf = s, 0.7
            if who is None and k == 0 and not source[lo : q.start].strip():
                # "...she said," or "thus:" closing the narration paragraph before
                intro = lead_in(pi)
                if intro is not None and intro not in qvocs[k]:
                    who, conf = intro, 0.8
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
            hint = None
            against = later(pi, 1)
            if pi and not quotes[pi - 1]:
                plo, phi = paras[pi - 1]
                hint = subject(plo, phi, False)
                # a first-person narrator's own words come tagged ("I said") or in the paragraph
                # of the narration about them: after "I went to the window." someone else speaks
                quiet = hint is not None and hint == st.narrator
                if against is None and (
                    quiet or SILENT.search(source, *beside_quote(plo, phi, False, True))
                ):
                    hint, against = None, hint  # "Tom made no answer.": the next line is not his
            asked = False
            if pi and quotes[pi - 1]:
                last_q = quotes[pi - 1][-1]
                asked = (
                    source[last_q.start : last_q.end]
                    .rstrip(DOUBLE_MARKS + SINGLE_MARKS + " ")
                    .endswith("?")
                )
            who, conf = turn(
                pi,
                pq[0],
                speaker,
                vocs,
                qvocs,
                st,
                hint,
                gvocs,
                later(pi),
                against,
                named[pi],
                asked,
            )
            own = [(who, conf)] * len(pq)
            turned.add(pi)
        for q, (who, conf) in zip(pq, own, strict=True):
            out.speakers[id(q)] = names[who] if who is not None else None
            out.confidence[id(q)] = conf
        speaker[pi] = own[-1][0]
        if not source[lo : pq[0].start].strip():
            opens.add(pi)
        st.spoken_to(own[-1][0], qvocs[-1], pq[-1].end)
        pconf[pi] = own[0][1]
        first[pi] = own[0][0]
        vocs[pi] = set().union(*qvocs)
        for m in in_range(lo, hi):
            if (
                not m.after_prep
                or m.possessive
                or source[m.start - 4 : m.start].split()[-1:] != ["to"]
            ):
                continue
            x = resolved.get(id(m))
            if (
                x is not None
                and x not in (own[0][0], own[-1][0])
                and SAID_TO.search(source, max(lo, m.start - 50), m.start)
            ):
                vocs[pi].add(x)  # and so answers it
        g_addr = addressed_gender(source[pq[-1].start : pq[-1].end])
        if g_addr:
            gvocs[pi] = g_addr
    for pi, who in backfill(len(paras), speaker, pconf, vocs, carried).items():
        for q in quotes[pi]:
            if out.confidence[id(q)] <= WEAK:
                out.speakers[id(q)] = names[who]
                out.confidence[id(q)] = 0.55
    for pi, who in untwin(speaker, first, pconf, vocs, opens).items():
        for q in quotes[pi]:
            if out.confidence[id(q)] <= TURN:
                out.speakers[id(q)] = names[who]
                out.confidence[id(q)] = 0.5
    continues = {pi for pi in turned if quotes[pi][0].continues}
    # a lone quote given to the subject of the narration next to it may still be re-read
    soft = {
        pi: 1.5
        for pi, c in pconf.items()
        if pi not in turned and c < 0.76 and len(quotes[pi]) == 1 and first[pi] is not None
    }
    genders = {e.key: st.gender(e.key) for e in ents}
    fixed = reparity(len(paras), speaker, first, turned, vocs, continues, soft, gvocs, genders)
    for pi, who in fixed.items():
        for q in quotes[pi]:
            out.speakers[id(q)] = names[who]
            out.confidence[id(q)] = min(out.confidence[id(q)], TURN)
    out.lines = {pi: (first[pi], pconf[pi]) for pi in first}
    for e in ents:
        g = st.gender(e.key)
        aliases = tuple(sorted(set(e.forms) - {names[e.key]}))
        out.characters.append(Character(names[e.key], aliases, cast(Gender, g)))
    return out
