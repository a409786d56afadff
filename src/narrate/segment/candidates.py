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

    @classmethod
    def of(
        cls,
        pass_name: str,
        evidence: Evidence,
        speaker: int | None,
        after: bool = False,
        thought: bool = False,
    ) -> Candidate:
        """The candidate with the confidence the table gives its evidence."""
        return cls(speaker, CONFIDENCE[evidence], evidence, pass_name, after, thought)


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
