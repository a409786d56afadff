"""The conversation decoder: a run of lines read as one sequence of speakers.

Each test reads an invented passage with the sieve, then sets some of its lines
as a wrong or missing first reading would have left them, and checks what the
decoder makes of the run.
"""

from __future__ import annotations

from conftest import reading_at, speakers

from narrate.records import Character
from narrate.segment.confidence import Evidence
from narrate.segment.decode import WEIGHTS, decode, runs
from narrate.segment.reading import Reading

CAST = [Character("Ann", (), "female"), Character("Tom", (), "male")]

LANTERN = (
    '"Where is the lantern?" said Ann.\n\n'
    '"In the shed," said Tom.\n\n'
    '"And the oil?"\n\n'
    '"On the shelf."\n\n'
    '"Is it full?"\n\n'
    '"Half full."\n\n'
    '"Then I shall fetch it," said Ann.\n\n'
    '"Take care on the stair," said Tom.'
)


def _read(text: str) -> Reading:
    return reading_at(text, 10**6, CAST)


def _set(r: Reading, pi: int, who: str | None, evidence: Evidence) -> None:
    """Line pi as a first reading left it: given to ``who`` on ``evidence``."""
    key = r.names.index(who) if who is not None else None
    r.first_speaker[pi] = r.last_speaker[pi] = key
    r.first_evidence[pi] = evidence


def _named(r: Reading, changes: dict[int, int]) -> dict[int, str]:
    return {pi: r.names[who] for pi, who in changes.items()}


def test_a_conversation_is_one_run_of_quote_paragraphs() -> None:
    r = _read(LANTERN + "\n\nThe stair was dark.\n\n" + '"Here it is," said Ann.')
    assert runs(r) == [list(range(8)), [9]]


def test_the_lines_between_two_anchors_alternate() -> None:
    r = _read(LANTERN)
    for pi in range(2, 6):
        _set(r, pi, None, "undecided")  # nothing read the untagged lines
    assert _named(r, decode(r)) == {2: "Ann", 3: "Tom", 4: "Ann", 5: "Tom"}


def test_the_lines_the_sieve_read_right_stay_as_they_are() -> None:
    assert decode(_read(LANTERN)) == {}
    assert speakers(LANTERN, CAST) == ["Ann", "Tom"] * 4


def test_one_wrong_early_guess_does_not_pass_down_the_run() -> None:
    r = _read(LANTERN)
    # a wrong guess for the first untagged line, and the turns taken from it after
    _set(r, 2, "Tom", "recent_character")
    for pi, who in ((3, "Ann"), (4, "Tom"), (5, "Ann")):
        _set(r, pi, who, "turns_alternate")
    assert _named(r, decode(r)) == {2: "Ann", 3: "Tom", 4: "Ann", 5: "Tom"}


def test_a_tagged_line_is_an_anchor_the_decoder_never_changes() -> None:
    r = _read(LANTERN)
    _set(r, 3, "Ann", "tag_by_name")  # a (wrong) tag: Ann twice in a row, kept
    changes = decode(r)
    assert 3 not in changes and all(pi in (2, 4, 5) for pi in changes)


def test_a_vocative_keeps_the_named_one_from_speaking_the_line() -> None:
    text = (
        '"Are you cold?" said Ann.\n\n'
        '"A little," said Tom.\n\n'
        '"Ann, you were right about the wind."\n\n'
        '"I usually am," said Ann.'
    )
    r = _read(text)
    # the turn would go back to Ann, but the line calls her by name: Tom goes on
    _set(r, 2, "Ann", "turns_alternate")
    assert _named(r, decode(r)) == {2: "Tom"}
    assert WEIGHTS["vocative"] > WEIGHTS["repeat"] - WEIGHTS["alternate"]


def test_narration_between_two_lines_lets_the_same_speaker_go_on() -> None:
    text = (
        '"Is the gate shut?" said Ann.\n\n'
        '"It is," said Tom.\n\n'
        "Tom looked along the empty road for a long while, and then back at the house.\n"
        '"The cart will not come tonight."'
    )
    r = _read(text)
    _set(r, 2, "Tom", "subject_before")
    assert decode(r) == {}
