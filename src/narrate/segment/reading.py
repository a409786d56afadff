"""One reading of a book by the attribution sieve: the state it builds as it goes.

A Reading is the context every pass of the sieve reads: the book's paragraphs,
quotes and mentions, the mentions resolved so far (and the Salience resolving
them), who spoke each paragraph and whom it addressed, and the lines the first
reading found. Its methods answer the sieve's questions about the narration and
the talk around a quote: the subject beside it, the paragraph leading into it,
the tagged line further on, whose turn a "he said" is. The said-tags themselves
are found by :class:`narrate.segment.said_tags.SaidTags`. The passes only read a
Reading; the drivers (sieve.py, rereads.py) write to it from the lines they choose.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from narrate.records import Character
from narrate.segment.calibration import LineView
from narrate.segment.confidence import CONFIDENCE, Evidence
from narrate.segment.dialogue import FIRST_PERSON, find_narrator, turns_apart, vocatives
from narrate.segment.mentions import SPOUSE, Mention
from narrate.segment.names import Entity, NameTable
from narrate.segment.quotes import Quote
from narrate.segment.said_tags import LEAD_IN_ENDS, SENT_RE, SaidTags, beside_quote, subject_like
from narrate.segment.salience import Salience
from narrate.segment.wordlists import SPEECH_GERUNDS, SPEECH_VERB_ALT

AHEAD = 10  # paragraphs a first reading is searched ahead for a tagged line
# "... before she went on." / "Mrs. Hale began scolding.": a paragraph handing over to speech
SPOKE_ON = re.compile(
    r"\b(?:" + SPEECH_VERB_ALT + r"|" + "|".join(sorted(SPEECH_GERUNDS)) + r")"
    r"(?:\s+(?:on|again|thus|aloud|forth|out|\w+ly)){0,2}\s*[.!]$"
    # "Mrs. Hale began scolding the cook."
    r"|\bbegan\s+\w+ing\b[^.;:!?\"\u201c\u201d]{0,40}[.!]$"
)

Line = tuple[int | None, float]  # (speaker, confidence) of a quote


@dataclass(slots=True)
class Attribution:
    characters: list[Character]
    speakers: dict[int, str | None] = field(default_factory=dict)  # id(quote) -> name
    confidence: dict[int, float] = field(default_factory=dict)
    evidence: dict[int, Evidence] = field(default_factory=dict)  # id(quote) -> why its line
    thoughts: set[int] = field(default_factory=set)
    # paragraph -> (speaker, confidence) of its first quote
    lines: dict[int, Line] = field(default_factory=dict)
    # id(quote) -> where the line whose choice its speaker rests on starts
    decisions: dict[int, int] = field(default_factory=dict)
    views: dict[int, LineView] = field(default_factory=dict)  # id(quote) -> its line's view


def _leads_in(narration: str) -> bool:
    """Narration running into a quote: it ends in a comma, colon or dash, or with no
    stop at all ("and said in a low voice" whose closing dash was lost)."""
    end = narration.rstrip()[-1:]
    return end in LEAD_IN_ENDS or end.isalpha()


class Reading:
    """The sieve's state over one reading of the book, paragraph by paragraph."""

    def __init__(
        self,
        source: str,
        paras: Sequence[tuple[int, int]],
        quotes: Sequence[Sequence[Quote]],
        table: NameTable,
        mentions: Sequence[Mention],
        ahead: dict[int, Line],
    ) -> None:
        self.source = source
        self.paras = paras
        self.quotes = quotes
        self.table = table
        self.ahead = ahead  # paragraph -> line of its first quote, from the first reading
        self.entities = table.entities
        self.names = [e.main_name() for e in self.entities]
        self.result = Attribution([])
        self.salience = Salience(table)
        self.last_speaker: dict[int, int | None] = {}  # paragraph -> speaker of its last quote
        self.addressed: dict[int, set[int]] = {}  # paragraph -> characters addressed
        self.resolved: dict[int, int | None] = {}  # id(mention) -> character
        self.tags = SaidTags(source, mentions, self.resolved)
        # paragraphs whose speech carries on from the one before: no new turn
        self.carried = {pi for pi, pq in enumerate(quotes) if pq and pq[0].continues}
        # paragraph -> per quote, the characters it addresses
        self.quote_addressees = [
            [vocatives(source, q, self.in_range(q.start, q.end)) for q in pq] for pq in quotes
        ]
        # paragraph -> characters its quotes name
        self.named = [
            {
                m.ent
                for q in pq
                for m in self.in_range(q.start, q.end)
                if m.kind == "name" and m.ent is not None
            }
            for pq in quotes
        ]
        self._find_narrator(mentions)
        self.first_confidence: dict[int, float] = {}  # paragraph -> confidence of its first quote
        self.first_speaker: dict[int, int | None] = {}  # paragraph -> speaker of its first quote
        # paragraph -> the evidence for its first quote's line (the sieve's, before any re-read)
        self.first_evidence: dict[int, Evidence] = {}
        self.addressed_gender: dict[int, str] = {}  # paragraph -> gender its last quote addresses
        self.turned: set[int] = set()  # paragraphs attributed by turn-taking alone
        self.opens: set[int] = set()  # paragraphs that open with a quote
        # last_subject's place: (from, mentions read up to, the latest subject among them)
        self._latest: tuple[int, int, int | None] = (-1, 0, None)
        # _gender_named's place: (from, mentions read up to, gender -> first naming it)
        self._named_from: tuple[int, int, dict[str, int]] = (-1, 0, {})

    def _find_narrator(self, mentions: Sequence[Mention]) -> None:
        st = self.salience
        st.narrator = self.table.narrator
        if st.narrator is not None:
            return
        st.narrator = find_narrator(
            self.source, self.paras, self.quotes, mentions, self.quote_addressees
        )
        if st.narrator == FIRST_PERSON:
            st.narrator = None
            if not self.table.from_cast:
                # no cast given: the unnamed narrator is a character of its own, "I"
                ents = self.entities
                if not ents or ents[-1].cast_name != "I":
                    ents.append(Entity(len(ents), cast_name="I"))
                    self.names.append("I")
                st.narrator = len(ents) - 1

    def in_range(self, lo: int, hi: int) -> list[Mention]:
        """The mentions that start in [lo, hi)."""
        return self.tags.in_range(lo, hi)

    def subject(self, lo: int, hi: int, after: bool) -> int | None:
        """The subject of the narration sentence next to a quote."""
        lo, hi = beside_quote(self.source, lo, hi, after, True)
        return self.first_subject(self.in_range(lo, hi))

    def last_subject(self, lo: int, hi: int) -> int | None:
        """The latest subject anywhere in the paragraph's narration before a quote.

        The quotes of a paragraph ask in order, from its start: each reading goes on
        from where the one before stopped (a paragraph of many quotes stays linear).
        """
        tags = self.tags
        stop = bisect.bisect_left(tags.starts, hi)
        at, upto, last = self._latest
        if at != lo or upto > stop:
            at, upto, last = lo, bisect.bisect_left(tags.starts, lo), None
        for m in tags.mentions[upto:stop]:
            decides, who = self._as_subject(m)
            if decides:
                last = who
        self._latest = (at, max(upto, stop), last)
        return last

    def first_subject(self, mentions: Iterable[Mention]) -> int | None:
        """The character of the first mention that is a resolved clause subject."""
        for m in mentions:
            decides, who = self._as_subject(m)
            if decides:
                return who
        return None

    def _as_subject(self, m: Mention) -> tuple[bool, int | None]:
        """Whether the mention is a resolved clause subject, and whom it names then."""
        resolved = self.resolved
        if (
            id(m) in resolved
            and resolved[id(m)] is not None
            and m.clause_start
            and subject_like(self.source, m)
        ):
            if id(m) in self.salience.guessed and m.word not in SPOUSE:
                return True, None  # "her friend" only guessed from recent characters: unknown
            return True, resolved[id(m)]
        return False, None

    def lead_in(self, pi: int) -> int | None:
        """The speaker named by a narration paragraph that ends leading into a quote."""
        if pi == 0:
            return None
        source = self.source
        plo, phi = self.paras[pi - 1]
        before = self.quotes[pi - 1]
        if before:
            # '"Oh!" she cried, and then called out,' - the narration after its last quote
            plo = before[-1].end
            if not source[plo:phi].strip():
                return None
        tail = source[plo:phi].rstrip()
        handing = SPOKE_ON.search(tail)
        hands_over = handing is not None
        if handing and before:
            # '"..." --Nobody spoke, and Mrs. Hale began again.': a sentence of its own,
            # not the tag of the quote before it
            start = source[plo : plo + handing.start()]
            hands_over = start.lstrip()[:1] in "-\u2014" or SENT_RE.search(start) is not None
        if not _leads_in(tail) and not hands_over:
            return None
        t = self.tags.find(plo, phi, False)
        if t and t[0] is not None:
            return t[0]
        return self.subject(plo, phi, False)

    def later(self, pi: int, side: int = 0) -> int | None:
        """The speaker of the nearest line ahead in the conversation tagged with a name (or
        else with any said-tag) an even number of turns on (so the same side of the
        turn-taking), from the first reading; with side 1, an odd number."""
        found: dict[bool, int] = {}
        tagged, named = CONFIDENCE["tagged_at_least"], CONFIDENCE["named_at_least"]
        for d in range(1, AHEAD + 1):
            if pi + d not in self.ahead:
                break  # the conversation breaks off
            who, c = self.ahead[pi + d]
            if (
                turns_apart(pi, pi + d, self.carried) % 2 == side
                and c >= tagged
                and who is not None
            ):
                found.setdefault(c >= named, who)
        return found.get(True, found.get(False))

    def _named_gender(self, x: Mention) -> str | None:
        """The gender of the one a resolved name or subject pronoun names (None: neither)."""
        e = self.resolved.get(id(x))
        if e is None or (x.kind == "pron" and not x.nominative):
            return None
        return self.salience.gender(e)

    def _gender_named(self, lo: int, hi: int, gender: str) -> bool:
        """Whether a mention in [lo, hi) names someone of that gender. The paragraph's
        quotes ask in turn from its start: the mentions are read once, as far as asked."""
        at, upto, first = self._named_from
        tags = self.tags
        if at != lo:
            at, upto, first = lo, bisect.bisect_left(tags.starts, lo), {}
        stop = bisect.bisect_left(tags.starts, hi)
        while gender not in first and upto < stop:
            x = tags.mentions[upto]
            upto += 1
            g = self._named_gender(x)
            if g is not None:
                first.setdefault(g, x.start)
        self._named_from = (at, upto, first)
        return first.get(gender, hi) < hi

    def dialogue_pronoun(self, pi: int, lo: int, m: Mention, mine: set[int]) -> int | None:
        """'he said' in a dialogue: the recent speaker of that gender whose turn it is."""
        source, st, speaker = self.source, self.salience, self.last_speaker
        if pi - 1 not in speaker or id(self.quotes[pi - 1][-1]) in self.result.thoughts:
            return None  # not inside a conversation ('"How dull," thought Ann.' passes no turn)
        # '"No," said Hal. Cob came up.': a new sentence after the last line says whom the
        # story follows
        end = self.quotes[pi - 1][-1].end
        moved = [
            x
            for x in self.in_range(end, self.paras[pi - 1][1])
            if x.clause_start and SENT_RE.search(source, end, x.start)
        ]
        # the paragraph's narration named someone of that gender, or went on about "she"
        # (or the narration after the last line did): keep it
        if any(self._named_gender(x) == m.gender for x in moved) or self._gender_named(
            lo, m.start, m.gender
        ):
            return None
        prev = speaker.get(pi - 1)
        for e in sorted(self.addressed.get(pi - 1, ())):
            if e != prev and e not in mine and st.gender(e) == m.gender:
                return e  # the one just addressed answers
        # '"Soon," said Hal, with a smile at her.': the one the last speaker turned to answers
        for x in self.in_range(*self.paras[pi - 1]):
            f = self.resolved.get(id(x))
            if x.word in ("him", "her") and x.gender == m.gender and f not in (None, prev, *mine):
                return f
        for pj in range(pi - 2, max(-1, pi - 12), -1):
            if pj not in speaker:
                break  # only the speakers of this conversation
            spoke = speaker.get(pj)
            if spoke is not None and spoke not in (prev, *mine) and st.gender(spoke) == m.gender:
                return spoke
        return None
