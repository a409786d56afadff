"""What a pass of the attribution sieve is, what it reads and what it returns.

A pass is a small named function: given the reading so far and one quote (a
:class:`Spot`), it returns a :class:`Candidate` for the quote's speaker, with the
evidence for it, or None where it has nothing to say. It reads the shared state
and writes none of it: the driver (sieve.py, rereads.py) takes the candidates and
updates the state from the ones it chooses. The passes themselves live in
quote_passes.py, turn_passes.py and rereads.py; their tables in sieve.py and
rereads.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from narrate.segment.confidence import CONFIDENCE, Evidence
from narrate.segment.quotes import Quote

if TYPE_CHECKING:  # reading.py's Reading is the context the passes read
    from narrate.segment.reading import Reading


@dataclass(frozen=True, slots=True)
class Candidate:
    """A speaker one pass proposes for a quote (or a paragraph's lines), and why."""

    speaker: int | None
    confidence: float
    evidence: Evidence  # the kind of evidence: its key in the confidence table
    pass_name: str  # the pass that proposes it
    after: bool = False  # the evidence lies after the quote (a said-tag that follows it)
    thought: bool = False  # the said-tag's verb is one of thinking: the quote is a thought
    # (paragraph, quote) of the line whose uncertain choice this one follows: the speaker
    # it carries on, copies or takes the turn from (None: its own evidence decides it)
    follows: tuple[int, int] | None = None

    @classmethod
    def of(
        cls,
        pass_name: str,
        evidence: Evidence,
        speaker: int | None,
        after: bool = False,
        thought: bool = False,
        follows: tuple[int, int] | None = None,
    ) -> Candidate:
        """The candidate with the confidence the table gives its evidence."""
        return cls(speaker, CONFIDENCE[evidence], evidence, pass_name, after, thought, follows)


class Neighbours:
    """The lines chosen so far for a paragraph's quotes, indexed for the nearest one with
    a speaker on either side of a quote, the speakers a quote addresses left out.

    It reads ``lines`` as the driver fills it: asked about the quotes in order, each
    answer costs a step or two, whatever the number of quotes (a book that is one long
    paragraph stays linear). The lines at and after the quote asked about must not have
    changed since it was made; those before it may have.
    """

    __slots__ = ("_after", "_after_skip", "_at", "_before", "_before_skip", "_lines", "_upto")

    def __init__(self, lines: Sequence[Candidate | None]) -> None:
        self._lines = lines
        self._read()

    def _read(self) -> None:
        lines = self._lines
        self._before: list[int] = []  # the quotes before the one asked about with a speaker
        self._before_skip: list[int] = []  # per such quote, the latest before it with another
        self._upto = 0  # the quotes read into _before: those before this one
        self._after = [j for j, c in enumerate(lines) if c is not None and c.speaker is not None]
        # per quote in _after, the next one in _after with another speaker
        self._after_skip = [len(self._after)] * len(self._after)
        for p in range(len(self._after) - 2, -1, -1):
            same = self._who(self._after[p]) == self._who(self._after[p + 1])
            self._after_skip[p] = self._after_skip[p + 1] if same else p + 1
        self._at = 0  # the first place in _after past the quote asked about

    def _who(self, j: int) -> int | None:
        c = self._lines[j]
        return None if c is None else c.speaker

    def nearest(self, k: int, leave_out: set[int]) -> int | None:
        """The nearest line with a speaker not in ``leave_out`` (the earlier on a tie);
        None if there is none."""
        who = self._who
        here = who(k)
        if here is not None and here not in leave_out:
            return k
        if k < self._upto:  # asked out of order: read the lines afresh
            self._read()
        before, skip = self._before, self._before_skip
        for j in range(self._upto, k):
            x = who(j)
            if x is not None:
                top = len(before) - 1
                skip.append(skip[top] if top >= 0 and who(before[top]) == x else top)
                before.append(j)
        self._upto = k
        p = len(before) - 1
        while p >= 0 and who(before[p]) in leave_out:
            p = skip[p]
        after = self._after
        while self._at < len(after) and after[self._at] <= k:
            self._at += 1
        q = self._at
        while q < len(after) and who(after[q]) in leave_out:
            q = self._after_skip[q]
        near = []
        if p >= 0:
            near.append((k - before[p], False, before[p]))
        if q < len(after):
            near.append((after[q] - k, True, after[q]))
        return min(near)[2] if near else None


@dataclass(frozen=True, slots=True)
class Spot:
    """One quote of a paragraph, the narration on either side of it, and the lines the
    driver has so far chosen for the paragraph's quotes (None: still undecided)."""

    pi: int  # the paragraph
    k: int  # the quote's place in it
    quote: Quote
    para_lo: int  # where the paragraph starts
    lo: int  # where the narration before the quote starts (the end of the quote before)
    hi: int  # where the narration after it ends (the start of the quote after)
    addressees: set[int]  # whom the quote addresses: never its speaker
    lines: Sequence[Candidate | None]  # per quote of the paragraph, the line chosen so far
    # the lines indexed for the nearest speaker (made from ``lines`` when not given)
    near: Neighbours | None = None

    def neighbours(self) -> Neighbours:
        """The paragraph's lines indexed for the nearest speaker."""
        return self.near if self.near is not None else Neighbours(self.lines)


# quote: a quote's own narration, quote by quote; paragraph: the other quotes of the
# paragraph, once every quote has been read on its own; conversation: the talk around a
# paragraph whose first quote is still undecided, for all of its quotes at once
Reads = Literal["quote", "paragraph", "conversation"]


@dataclass(frozen=True, slots=True)
class Pass:
    """One named step of the sieve over a paragraph."""

    name: str
    run: Callable[[Reading, Spot], Candidate | None]
    reads: Reads


@dataclass(frozen=True, slots=True)
class Reread:
    """One named re-read of the conversations once every paragraph has its lines.

    ``run`` proposes a candidate per paragraph; the driver gives it to the paragraph's
    quotes whose confidence is at most ``at_most``: they take the candidate's
    confidence, or with ``lowers`` keep their own when it is lower. The paragraph's
    last speaker changes, and with ``first_too`` its first speaker as well.
    """

    name: str
    run: Callable[[Reading], Mapping[int, Candidate]]
    at_most: float
    lowers: bool = False
    first_too: bool = False
