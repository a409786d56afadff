"""Attribution from the narration around a quote: whose line the subject of that narration tells."""

from __future__ import annotations

from conftest import check_cover, make_book, speakers

from narrate.records import Character
from narrate.segment.segmenter import segment

CAST = [Character("Ada", (), "female"), Character("Cora", (), "female")]


def test_reaction_after_a_reply_is_the_previous_speakers() -> None:
    # after Ada's question, "Ada looked away" following the answer is her reaction to it
    text = (
        "Cora came in from the garden.\n\n"
        '"Will you come to the fair tomorrow?" asked Ada.\n\n'
        '"I cannot. My aunt is ill." Ada looked away.'
    )
    assert speakers(text, CAST) == ["Ada", "Cora"]


def test_a_guessed_description_is_no_narration_subject() -> None:
    # "her friend" is only guessed from recent characters (unlike "his wife"): the one addressed answers
    text = (
        "Cora sat with Ada by the window while Bram read.\n\n"
        '"Will you come to the fair, Cora?" asked Ada.\n\n'
        'Her friend smiled. "Gladly."'
    )
    cast = [*CAST, Character("Bram", (), "male")]
    assert speakers(text, cast) == ["Ada", "Cora"]


def test_a_lower_case_pronoun_after_a_quote_is_a_said_tag_whatever_its_verb() -> None:
    # "he wheezed" goes on with the quote's sentence: a said-tag, though "wheezed" is no speech verb
    text = '"You must remember me, Cole," said Bram quietly.\n\n"Why, of course I do!" he wheezed.'
    cast = [Character("Bram", (), "male"), Character("Cole", (), "male")]
    sc = segment(make_book(text), cast, None)  # the table's confidences: the evidence
    check_cover(sc)
    lines = [s for s in sc.segments if s.kind != "narration"]
    assert [(s.speaker, s.confidence) for s in lines] == [("Bram", 0.95), ("Cole", 0.9)]
