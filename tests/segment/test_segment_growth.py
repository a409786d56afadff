"""Attribution's work grows with the book's length, whatever its layout.

A book with no blank lines between its paragraphs reads as one long paragraph,
and a book of nothing but talk as one long conversation: each is read at a few
lengths, and the lines of narrate's own code that run are counted (not timed).
Four times the text must cost about four times the steps, not sixteen. Backfill,
whose cost grew with the lines times the anchors of a conversation, is counted on
its own on a long synthetic one.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

import pytest
from conftest import make_book

import narrate
from narrate.segment.confidence import CONFIDENCE
from narrate.segment.dialogue import backfill
from narrate.segment.segmenter import segment

OWN = narrate.__file__.rsplit("/", 1)[0] if "/" in narrate.__file__ else narrate.__file__


def _story(n: int, sep: str) -> str:
    """n rounds of a talk between Ann and Tom: tags by name and pronoun, untagged lines,
    several quotes in one paragraph, a vocative, a single-quoted name, narration."""
    lines = []
    for i in range(n):
        lines += [
            f'"It is the morning of day {i}, Tom," said Ann.',
            '"So it is," he said. "And it rains."',
            '"Then stay."',
            'Tom looked at the clock. "I cannot."',
            "She called the boat 'the Swallow' and said nothing.",
            '"Why not?" she asked. "It is early." "Is it?" "It is."',
            'The rain went on. "Well?"',
        ]
    return sep.join(lines) + "\n"


def _steps(run: Callable[[], object]) -> int:
    """The lines of narrate's code run by ``run()``."""
    count = 0

    def local(frame: FrameType, event: str, arg: Any) -> Callable[..., Any] | None:
        nonlocal count
        if event == "line":
            count += 1
        return local

    def calls(frame: FrameType, event: str, arg: Any) -> Callable[..., Any] | None:
        return local if frame.f_code.co_filename.startswith(OWN) else None

    sys.settrace(calls)
    try:
        run()
    finally:
        sys.settrace(None)
    return count


def _segmenting(text: str) -> int:
    book = make_book(text)
    return _steps(lambda: segment(book))


@pytest.mark.parametrize("sep", ["\n", "\n\n"], ids=["one paragraph per line", "one conversation"])
def test_four_times_the_text_costs_about_four_times_the_steps(sep: str) -> None:
    small, large = _segmenting(_story(20, sep)), _segmenting(_story(80, sep))
    assert 3 * small < large < 5 * small, (small, large)


def _backfilling(n: int) -> int:
    """Backfill over one conversation of n lines: every other one a tagged anchor
    (Ann and Tom by turns), the lines between them weak."""
    speaker: dict[int, int | None] = {p: (p // 2) % 2 for p in range(n)}
    conf = {
        p: CONFIDENCE["tag_by_name"] if p % 2 == 0 else CONFIDENCE["recent_other"] for p in speaker
    }
    return _steps(lambda: backfill(n, speaker, conf, {}))


def test_backfill_reads_a_long_conversation_in_steps_that_grow_with_it() -> None:
    assert backfill(4, {0: 0, 1: 0, 2: 1, 3: 1}, {0: 0.95, 1: 0.3, 2: 0.95, 3: 0.3}, {}) == {
        1: 1,
        3: 0,
    }
    small, large = _backfilling(400), _backfilling(1600)
    assert 3 * small < large < 5 * small, (small, large)
