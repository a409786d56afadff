"""Turn-taking when a third speaker joins a two-person exchange."""

from __future__ import annotations

from conftest import speakers

from narrate.records import Character

CAST = [
    Character("Ada", (), "female"),
    Character("Cora", (), "female"),
    Character("Bram", (), "male"),
]


def test_a_question_goes_to_the_one_its_asker_last_named() -> None:
    # Cora breaks in, but Ada's question is still for Bram, whom she asked first
    text = (
        '"Bram, will you walk with me to the mill tomorrow?" said Ada.\n\n'
        '"The roads are all flooded," said Cora.\n\n'
        '"Are they flooded past the bridge?" asked Ada.\n\n'
        '"Only a little. I can go round by the hill."'
    )
    assert speakers(text, CAST) == ["Ada", "Cora", "Ada", "Bram"]
