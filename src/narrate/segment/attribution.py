"""Who says each quote of a book, with a confidence: the attribution sieve's entry point.

In order of trust: an explicit said-tag next to the quote (a name, title,
description or pronoun on either side of a speech verb); the subject of the
narration around the quote in its paragraph; the other quotes of the same
paragraph; then conversation turn-taking (the addressee answers, speakers
alternate) through runs of untagged lines, each run then re-read to fit the
lines on both its sides and the forms of address in it.

The book is read twice: the first reading only finds the lines with a
said-tag, so that the second can settle a conversation's untagged opening from a
tag further on instead of passing a wrong guess down the turn-taking.

The parts: said_tags.py finds the tags; reading.py holds the state of a reading
(the context the passes read) and answers questions about the narration around a
quote; candidates.py says what a pass is and returns; quote_passes.py and
turn_passes.py hold the passes, sieve.py declares them in order and drives them
over one paragraph, rereads.py declares and drives the re-reads of the
conversations (decode.py decodes each as one sequence of speakers);
confidence.py is the one table of the confidences they give; each line's
view (:class:`narrate.segment.calibration.LineView`) is what the confidence it
is finally given is worked out from.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import cast

from narrate.records import Character, Gender
from narrate.segment.calibration import LineView
from narrate.segment.confidence import CONFIDENCE
from narrate.segment.mentions import Mention, first_mentions
from narrate.segment.names import NameTable
from narrate.segment.quotes import Quote
from narrate.segment.reading import Attribution, Line, Reading
from narrate.segment.rereads import reread_conversations
from narrate.segment.sieve import read_paragraph

__all__ = ["Attribution", "attribute"]

SEEN = 3  # first mentions kept for each character: why it is one
ADDRESS_VOTES = 2  # lines a speaker answers to "sir" (or "madam") to be taken for a man


def attribute(
    source: str,
    paras: Sequence[tuple[int, int]],
    quotes: Sequence[Sequence[Quote]],
    table: NameTable,
    mentions: Sequence[Mention],
    ahead: dict[int, Line] | None = None,
) -> Attribution:
    """The speaker and confidence of every quote, and the characters with their genders.

    ``ahead`` holds the lines of the first reading; without it, that reading is made
    first (with none of its own).
    """
    if ahead is None:
        # a first reading finds the firmly tagged lines, so that a conversation's
        # untagged opening can be read back from the tags further on
        ahead = attribute(source, paras, quotes, table, mentions, {}).lines
    r = Reading(source, paras, quotes, table, mentions, ahead)
    for pi in range(len(paras)):
        read_paragraph(r, pi)
    reread_conversations(r)
    out = r.result
    out.lines = {pi: (r.first_speaker[pi], r.first_confidence[pi]) for pi in r.first_speaker}
    out.views = line_views(r)
    quoted = [(q.start, q.end) for pq in quotes for q in pq]
    seen = first_mentions(mentions, quoted, SEEN, r.salience.narrator)
    called = addressed_as(r)
    for e in r.entities:
        name = r.names[e.key]
        aliases = tuple(sorted(set(e.forms) - {name}))
        gender = cast(Gender, r.salience.gender(e.key))
        if gender == "unknown":
            gender = called.get(e.key, gender)
        found = seen.get(e.key, ())
        out.characters.append(Character(name, aliases, gender, e.young, found))
    return out


def addressed_as(r: Reading) -> dict[int, Gender]:
    """The gender the others' forms of address give a speaker of unknown gender: "Yes,
    sir," answered by the one it is said to ("my dear Watson" is a man when "sir" and
    "my dear fellow" come his way). Only a clear majority of two or more counts."""
    votes: dict[int, Counter[str]] = {}
    for pi, g in r.addressed_gender.items():
        if pi + 1 not in r.first_speaker:
            continue  # no answer: the conversation ends
        who, by = r.first_speaker[pi + 1], r.last_speaker.get(pi)
        if who is not None and who != by:
            votes.setdefault(who, Counter())[g] += 1
    out: dict[int, Gender] = {}
    for e, v in votes.items():
        (g, n), *rest = v.most_common()
        if n >= ADDRESS_VOTES and n >= 3 * (rest[0][1] if rest else 0):
            out[e] = cast(Gender, g)
    return out


def line_views(r: Reading) -> dict[int, LineView]:
    """Every quote's line as the confidence model reads it (by id of the quote).

    A line that carries on the unclosed speech of the paragraph before is as sure as
    the line it carries on (a long story told over many paragraphs is as right as
    the choice of its first): it is read with that line's evidence, and the lower
    of the two numbers.
    """
    result = r.result
    views: dict[int, LineView] = {}
    before: LineView | None = None  # the last line of the paragraph before
    for pq in r.quotes:
        for q in pq:
            ev = result.evidence.get(id(q), "unread")
            own = table = result.confidence.get(id(q), CONFIDENCE["unread"])
            if ev == "carried_on" and before is not None:
                ev, table = before.evidence, min(table, before.table)
            who = result.speakers.get(id(q))
            views[id(q)] = LineView((q.start, q.end), who, ev, table, own)
        before = views[id(pq[-1])] if pq else None
    return views
