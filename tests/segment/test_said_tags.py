"""Said-tags and the sieve's pure steps, on one sentence at a time."""

from __future__ import annotations

import pytest

from narrate.segment.characters import discover
from narrate.segment.mentions import find_mentions
from narrate.segment.said_tags import SaidTags, beside_quote


def test_beside_quote_keeps_the_sentence_touching_the_quote() -> None:
    text = 'Ada sat down. Tom rose and said, "Well?" He smiled. Then he left.'
    q = text.index('"')
    lo, hi = beside_quote(text, 0, q, False, False)
    assert text[lo:hi].strip() == "Tom rose and said,"
    end = text.index('?"') + 2
    lo, hi = beside_quote(text, end, len(text), True, False)
    assert text[lo:hi].strip() == "He smiled."


def test_beside_quote_whole_takes_the_full_sentence_before() -> None:
    text = 'Ada sat down. Tom rose. "Well?"'
    q = text.index('"')
    assert text[slice(*beside_quote(text, 0, q, False, False))].strip() == ""
    assert text[slice(*beside_quote(text, 0, q, False, True))].strip() == "Tom rose."


@pytest.mark.parametrize(
    ("narration", "after", "speaker", "verb"),
    [
        (" said Tom, turning to Ada.", True, "Tom", "said"),
        (" Tom replied, and Ada laughed.", True, "Tom", "replied"),
        (" was Ada's quiet answer.", True, "Ada", "said"),
        ("Ada heard Tom whisper: ", False, "Tom", "whisper"),
        ("Ada was forced to add, ", False, "Ada", "add"),
        ("Tom, stepping nearer to Ada, said: ", False, "Tom", "said"),
        ("Tom looked at Ada and said, ", False, "Tom", "said"),
    ],
)
def test_said_tag_names_the_speaker(narration: str, after: bool, speaker: str, verb: str) -> None:
    names = "Tom Hale came in. Ada Vane sat. Tom nodded. Ada frowned.\n\n"
    line = '"Not now."'
    text = names + (line + narration if after else narration + line)
    table = discover(text)
    mentions = find_mentions(text, table)
    resolved: dict[int, int | None] = {id(m): m.ent for m in mentions if m.kind == "name"}
    tags = SaidTags(text, mentions, resolved)
    start = text.index(line)
    end = start + len(line)
    t = tags.find(end, len(text), True) if after else tags.find(len(names), start, False)
    assert t is not None
    who, said, _mention = t
    assert who is not None and table.entities[who].main_name().split()[0] == speaker
    assert said == verb


def test_said_tag_none_for_a_verb_of_no_speech() -> None:
    text = 'Tom Hale came in. Tom nodded.\n\n"Not now." Tom could say nothing more.'
    table = discover(text)
    mentions = find_mentions(text, table)
    tags = SaidTags(text, mentions, {id(m): m.ent for m in mentions})
    end = text.index('now."') + 5
    assert tags.find(end, len(text), True) is None
