"""Split a book into narration, speech and thought segments, each with a speaker.

The pipeline: :mod:`narrate.segment.quotes` finds the quotes (dominant quote style,
apostrophes, run-on speech), :mod:`narrate.segment.characters` and
:mod:`narrate.segment.aliases` find the characters (or map the user's cast) on the
name model of :mod:`narrate.segment.names`, :mod:`narrate.segment.mentions` finds
names, pronouns and descriptions in the text, and :mod:`narrate.segment.attribution`
runs the sieve (said-tags from :mod:`narrate.segment.said_tags`, the passes of
:mod:`narrate.segment.quote_passes` and :mod:`narrate.segment.turn_passes` declared
and driven one paragraph at a time in :mod:`narrate.segment.sieve`, turn-taking from
:mod:`narrate.segment.dialogue` re-read in :mod:`narrate.segment.rereads`, pronouns
from :mod:`narrate.segment.salience`, confidences from
:mod:`narrate.segment.confidence`); their English word lists live in
:mod:`narrate.segment.wordlists`. This module assembles the segments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from narrate.records import Book, Character, Kind, Script, Segment
from narrate.segment.ages import find_children
from narrate.segment.attribution import Attribution, attribute
from narrate.segment.calibration import SHIPPED, Confidence, Rate, rate_of
from narrate.segment.characters import discover
from narrate.segment.confidence import CONFIDENCE
from narrate.segment.mentions import find_mentions
from narrate.segment.quotes import Quote, find_quotes


def segment(
    book: Book,
    characters: Sequence[Character] | None = None,
    confidence: Rate = SHIPPED,
) -> Script:
    """Every stretch of every paragraph as a Segment, speakers attributed.

    ``confidence`` gives each line its confidence from its view: the shipped
    calibrated model by default, None for the sieve's table alone (the numbers
    its passes compare), or another model (the benchmark's per-fold ones).
    """
    rate = rate_of(confidence)
    source = book.source
    paras: list[tuple[int, int, int, int]] = []  # (chapter index, para index, start, end)
    for ch in book.chapters:
        for k, (s, e) in enumerate(ch.paragraphs):
            paras.append((ch.index, k, s, e))
    spans = [(s, e) for _c, _k, s, e in paras]
    quotes = find_quotes(source, spans)
    table = discover(source, characters or None)
    mentions = find_mentions(source, table)
    find_children(source, table, mentions)
    result: Attribution = attribute(source, spans, quotes, table, mentions)
    segments: list[Segment] = []
    for (chapter, k, lo, hi), pq in zip(paras, quotes, strict=True):
        cur = lo
        for q in pq:
            _narration(segments, source, chapter, k, cur, q.start)
            who = result.speakers.get(id(q))
            segments.append(
                Segment(
                    chapter,
                    k,
                    _kind(q, result),
                    who,
                    source[q.start : q.end],
                    q.start,
                    q.end,
                    round(_confidence(q, result, rate), 3),
                    result.decisions.get(id(q), q.start),
                )
            )
            cur = q.end
        _narration(segments, source, chapter, k, cur, hi)
    used = {s.speaker for s in segments if s.speaker}
    children = {c.name for c in characters or () if c.child}  # what the user said stands
    chars = tuple(
        replace(c, child=True) if c.name in children else c
        for c in result.characters
        if c.name in used
    )
    return Script(book, chars, tuple(segments))


def _confidence(q: Quote, result: Attribution, rate: Confidence | None) -> float:
    view = result.views.get(id(q))
    if rate is None or view is None:
        return result.confidence.get(id(q), CONFIDENCE["unread"])
    return rate(view)


def _kind(q: Quote, result: Attribution) -> Kind:
    if q.kind == "thought" or id(q) in result.thoughts:
        return "thought"
    return "speech"


def _narration(out: list[Segment], source: str, chapter: int, k: int, lo: int, hi: int) -> None:
    while lo < hi and source[lo].isspace():
        lo += 1
    while hi > lo and source[hi - 1].isspace():
        hi -= 1
    if hi > lo:
        narration = CONFIDENCE["narration"]
        out.append(Segment(chapter, k, "narration", None, source[lo:hi], lo, hi, narration))
