"""Confidences that mean what they say: of the lines given confidence c, about c are right.

The sieve's table (confidence.py) ranks the kinds of evidence by trust, and the
passes compare its numbers with one another; as chances of being right they are
off (a line carried on from the paragraph before, at 0.86, is right far less
often than a turn-taking guess at 0.6). So the confidence a line is given in
the script is not the table's number but a small learned model's: a logistic
regression over the line's :class:`LineView` (the kind of its evidence and the
table's number for it, as the re-reads left them), its weights pulled towards
the table: an untrained model (every weight at its prior) gives back the
table's number, and a kind of evidence seldom seen in training is rated
mostly by its table number.

Other features (how far the nearest tagged line is, the conversation's length,
the speaker's share of the lines, whether a cast was given) were tried: fitted
on LitBank's excerpts they made the confidences worse on the PDNC novels, so
they are left out.

The weights ship in ``data/calibration.json``; benchmarks/train_confidence.py
rebuilds them, bit for bit, from LitBank's gold lines (CC BY 4.0) read with a
cast (without one, a 2,000-word excerpt mostly tests character discovery), and
:mod:`narrate.segment.fit` fits them. The segmenter calls a :class:`Confidence`
once per quote: :func:`shipped` by default, None for the table's own numbers.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Final, Literal, Protocol

from narrate.segment.confidence import CONFIDENCE, Evidence

FORMAT = 1
# the table's number is read as a log-odds, kept off 0 and 1
EDGE = 0.02
# weight -> its prior: an untrained model gives back the table's number
PRIOR: Final[Mapping[str, float]] = {"table": 1.0}


@dataclass(frozen=True, slots=True)
class LineView:
    """One quote's line as the confidence model reads it."""

    span: tuple[int, int]  # where the quote is in the source (not a feature)
    speaker: str | None
    evidence: Evidence  # the kind of evidence the line is read by (the last re-read's)
    table: float  # the table's confidence for it, as the re-reads left it
    sieve: float  # the confidence the sieve itself gave the line (its table's number)


def features(v: LineView) -> dict[str, float]:
    """The line's features by name: the table's number as a log-odds, the kind of evidence."""
    p = min(max(v.table, EDGE), 1 - EDGE)
    return {"bias": 1.0, "table": math.log(p / (1 - p)), f"evidence:{v.evidence}": 1.0}


class Confidence(Protocol):
    """What the segmenter asks for each quote's confidence."""

    def __call__(self, view: LineView) -> float: ...


class Model:
    """A logistic model: a weight per feature name (absent: its prior, else 0)."""

    def __init__(self, weights: Mapping[str, float]) -> None:
        self.weights = {**PRIOR, **weights}

    def __call__(self, view: LineView) -> float:
        if view.speaker is None:
            return 0.0  # a line said to be nobody's is never right
        z = sum(self.weights.get(k, 0.0) * x for k, x in features(view).items())
        return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))

    @classmethod
    def from_json(cls, text: str) -> Model:
        data = json.loads(text)
        if data.get("format") != FORMAT:
            raise ValueError(f"confidence weights of format {data.get('format')!r}, not {FORMAT}")
        return cls({str(k): float(v) for k, v in data["weights"].items()})


SHIPPED: Final = "shipped"
# what the segmenter is told to give each line: the shipped model, another, or None for
# the table's own numbers
Rate = Confidence | Literal["shipped"] | None


def rate_of(rate: Rate) -> Confidence | None:
    return shipped() if rate == SHIPPED else rate


def rated(evidence: Evidence) -> float:
    """The confidence the script gives a line of this kind of evidence, at its table
    number (given.py finds the lines tagged by name by it)."""
    level = CONFIDENCE[evidence]
    return round(shipped()(LineView((0, 0), "", evidence, level, level)), 3)


@lru_cache(maxsize=1)
def shipped() -> Model:
    """The weights that come with the package."""
    path = resources.files("narrate.segment").joinpath("data/calibration.json")
    return Model.from_json(path.read_text("utf-8"))
