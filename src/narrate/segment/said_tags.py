"""Said-tags: the speech verb beside a quote, and the mention it names as the speaker.

"said Tom", "Tom replied", "she cried", "heard her father say", "forced to add",
"was Ada's reply", "could not help saying": each finder reads the narration
sentence touching a quote and returns the mention it takes for the speaker, with
the regexes that tell those grammatical shapes apart. Which kind of evidence wins
(a tag, the narration's subject, turn-taking) is the sieve's business, not this
module's.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from narrate.segment.mentions import Mention
from narrate.segment.wordlists import SPEECH_BASES, SPEECH_GERUNDS, SPEECH_NOUNS, VERB_RE

# (speaker, speech verb, the mention that names the speaker)
Tag = tuple[int | None, str, Mention]

# "Mr. Ash, whose mind was on his supper, said": a clause between subject and verb
# (also "Tom soon afterwards, half out of the door, said"; "Mrs." is no stop)
PAREN_GAP = re.compile(
    r"^\s*(?:(?:\w+ly|soon|then|now|afterwards|again|still|presently)\s*){0,2},(?:[^.;:!?\"\u201c\u201d]|(?<=\bM[rs])\.|(?<=\bMrs)\.|(?<=\bDr)\.){0,150},"
    r"\s*(?:(?:\w+ly|thus|then|now|again)\s+)?$"
)
LEAD_IN_ENDS = ",:;-\u2014"
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


def subject_like(source: str, m: Mention) -> bool:
    """A mention that can be the subject of a verb ("Tom", "he", "Ada's voice")."""
    if m.after_prep:
        return False
    if m.kind == "pron":
        return m.nominative
    if m.possessive:
        return source[m.end : m.end + 9].lstrip("'\u2019s ").startswith("voice")
    return True


def clause_subject(source: str, before: Sequence[Mention]) -> Mention | None:
    """The latest mention opening a clause as its subject, if no other subject follows it."""
    for m in reversed(before):
        if m.clause_start and subject_like(source, m):
            return m
        if m.kind == "pron" and m.nominative:
            return None
    return None


def beside_quote(source: str, lo: int, hi: int, after: bool, whole: bool) -> tuple[int, int]:
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


class SaidTags:
    """The said-tag finders over one book's narration.

    Only mentions already resolved (``resolved``: id(mention) -> character, which
    the reading fills in paragraph by paragraph) can name a speaker.
    """

    def __init__(
        self, source: str, mentions: Sequence[Mention], resolved: dict[int, int | None]
    ) -> None:
        self.source = source
        self.mentions = mentions
        self.starts = [m.start for m in mentions]
        self.resolved = resolved

    def in_range(self, lo: int, hi: int) -> list[Mention]:
        """The mentions that start in [lo, hi)."""
        starts = self.starts
        return list(self.mentions[bisect.bisect_left(starts, lo) : bisect.bisect_left(starts, hi)])

    def _said(self, m: Mention, verb: str) -> Tag:
        return self.resolved[id(m)], verb, m

    def find(self, lo: int, hi: int, after: bool) -> Tag | None:
        """An explicit said-tag in the narration [lo, hi) next to a quote (after it, or
        before it); the speech word nearest the quote is tried first."""
        source = self.source
        lo, hi = beside_quote(source, lo, hi, after, False)
        ms = [m for m in self.in_range(lo, hi) if id(m) in self.resolved]
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
        if not after:
            verbs.reverse()
            bares.reverse()
        t = self._nearest_bare(verbs, bares, ms, lo, hi, after)
        if t:
            return t
        for v in verbs[:3]:
            t = self._finite(v, ms, lo)
            if t:
                return t
        return self._loose(verbs, bares, ms, lo, hi, after)

    def _nearest_bare(
        self,
        verbs: list[re.Match[str]],
        bares: list[re.Match[str]],
        ms: list[Mention],
        lo: int,
        hi: int,
        after: bool,
    ) -> Tag | None:
        """'he laughed, ... so that Ada could not help saying,': a base or -ing form of a
        speech verb nearer the quote than any finite one is its tag."""
        nearer = False
        if bares and (not verbs or bares[0].start() != verbs[0].start()):
            nearer = not verbs or (bares[0].start() < verbs[0].start()) == after
        if not (bares and nearer):
            return None
        v = bares[0]
        t = self.heard(v, ms) or self.infinitive(v, ms, lo) or self.possessive(ms, lo, hi, after)
        # not "Tom replied that he was, adding": that gerund goes with the verb before
        joined = self.source[lo : v.start()].rstrip().endswith(",")
        if not t and v.group() in SPEECH_GERUNDS and not joined:
            t = self.gerund(v, ms)
        return t

    def _finite(self, v: re.Match[str], ms: list[Mention], lo: int) -> Tag | None:
        """The speaker a finite speech verb ("said", "cried") names: its subject before it,
        its inverted subject after it ("said Tom"), or the subject of its clause."""
        source = self.source
        before = [m for m in ms if m.end <= v.start()]
        t = self._subject_before(v, before)
        if t:
            return t
        later = [m for m in ms if m.start >= v.end()]
        if later:
            m = later[0]
            ok = m.nominative if m.kind == "pron" else not m.possessive
            if ok and INV_GAP.match(source[v.end() : m.start]):
                return self._said(m, v.group())
            # "was uttered at once by Cora"
            passive = PASSIVE.search(source, max(lo, v.start() - 12), v.start())
            if passive and m.kind != "pron" and BY_GAP.match(source[v.end() : m.start]):
                return self._said(m, v.group())
        subj = clause_subject(source, before)
        if subj is not None and COORD_GAP.match(source[subj.end : v.start()]):
            return self._said(subj, v.group())
        infinitive = source[max(lo, v.start() - 3) : v.start()] == "to "
        if subj is not None and infinitive and LOOSE_GAP.match(source[subj.end : v.start()]):
            # "Miss Vane had barely time to say": the subject of the clause
            return self._said(subj, v.group())
        return None

    def _subject_before(self, v: re.Match[str], before: list[Mention]) -> Tag | None:
        """'Tom said', 'Tom, stepping nearer to Ada, said', 'Bram, who said': the subject
        among the last three mentions before the verb."""
        source = self.source
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
            subject = subject_like(source, m) or (joined and "," not in gap)
            if i == 0 and subject and ADV_GAP.match(gap) and not relative and not aside:
                return self._said(m, v.group())
            if subject_like(source, m) and PAREN_GAP.match(gap):
                # "Tom, stepping nearer to Ada, said"
                return self._said(m, v.group())
            if not m.possessive and m.kind != "pron" and WHO_GAP.match(gap):
                # "broken by Bram, who said with a grin"
                return self._said(m, v.group())
        return None

    def _loose(
        self,
        verbs: list[re.Match[str]],
        bares: list[re.Match[str]],
        ms: list[Mention],
        lo: int,
        hi: int,
        after: bool,
    ) -> Tag | None:
        """The looser shapes, once no finite verb has a subject: 'heard him say', an
        infinitive, a possessive ('was Ada's reply'), a gerund, a lower-case 'he said'."""
        source = self.source
        for v in bares[:1]:
            t = self.heard(v, ms)
            if t:
                return t
        near = sorted({v.start(): v for v in [*verbs, *bares]}.values(), key=lambda v: v.start())
        for v in near[:2] if after else near[::-1][:2]:
            t = self.infinitive(v, ms, lo)
            if t:
                return t
        t = self.possessive(ms, lo, hi, after)
        if t:
            return t
        gerunds = list(GERUND_RE.finditer(source, lo, hi))
        for v in gerunds[:1] if after else gerunds[-1:]:
            t = self.gerund(v, ms)
            if t:
                return t
        lower = LOWER_TAG.match(source, lo, hi) if after else None
        if lower and ms and ms[0].start == lower.start(1):
            # '"Dead!" he wheezed.': a lower-case pronoun goes on with the quote's sentence
            return self._said(ms[0], "said")
        return None

    def heard(self, v: re.Match[str], ms: list[Mention]) -> Tag | None:
        """'heard him say', 'Tom could only exclaim': the one just before a base or -ing form."""
        source = self.source
        before = [m for m in ms if m.end <= v.start()]
        if not before:
            return None
        for m in reversed(before[-3:]):
            if not m.possessive and m.kind != "pron" and WHO_GAP.match(source[m.end : v.start()]):
                return self._said(m, v.group())  # "Cora, who could only exclaim"
        m = before[-1]
        gap = source[m.end : v.start()]
        # not "He thanked her, observing": after a comma the subject goes on
        progressive = v.group().endswith("ing") and PROGRESSIVE.match(gap)  # "was replying"
        joined = FOR_BEFORE.search(source, max(0, m.start - 12), m.start)  # "for Tom was replying"
        if "," in gap or not (ADV_GAP.match(gap) or progressive) or m.after_prep and not joined:
            return None
        # the object of "heard" or "let" is the speaker: "heard him say"
        if m.word in ("he", "she", "him", "her") or (m.kind != "pron" and not m.possessive):
            return self._said(m, v.group())
        return None

    def infinitive(self, v: re.Match[str], ms: list[Mention], lo: int) -> Tag | None:
        """'forced to add', 'left her seat to join him and say': the infinitive's subject."""
        source = self.source
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
                return self._said(m, v.group())
            return None
        return None

    def possessive(self, ms: list[Mention], lo: int, hi: int, after: bool) -> Tag | None:
        """'was Ada's reply', 'his voice saying': the owner of the speech."""
        for m in ms if after else reversed(ms):
            if m.kind != "pron" and POSS_SPEECH.match(self.source, m.end, hi):
                return self._said(m, "said")
            if m.word in ("his", "her") and PRON_SPEECH.match(self.source, m.end, hi):
                return self._said(m, "said")
        return None

    def gerund(self, v: re.Match[str], ms: list[Mention]) -> Tag | None:
        """'could not help saying': the subject of the clause."""
        source = self.source
        before = [m for m in ms if m.end <= v.start()]
        subj = clause_subject(source, before)
        if subj is not None and LOOSE_GAP.match(source[subj.end : v.start()]):
            return self._said(subj, "said")
        for m in reversed(before):
            # "without Mr. Ash's heaving a sigh, and saying": the owner of the gerunds
            if m.possessive and POSS_GERUND.match(source, m.end):
                if LOOSE_GAP.match(source[m.end : v.start()]):
                    return self._said(m, "said")
                break
        return None
