"""'he said' / 'she said' inside a conversation: which of the talkers the pronoun means."""

from __future__ import annotations

from conftest import speakers

from narrate.records import Character

CAST = [
    Character("Ada", (), "female"),
    Character("Cora", (), "female"),
    Character("Hal", (), "male"),
]


def test_the_one_the_last_speaker_turned_to_answers() -> None:
    # Hal smiled at Cora as he spoke: "she said" next is her answer, not Ada's, who spoke before him
    text = (
        "Ada and Cora sat by the fire.\n\n"
        '"The boats are late tonight," said Ada. Cora did not look up from her net.\n\n'
        '"They will come," said Hal, with a smile at her.\n\n'
        '"I hope so," she said.'
    )
    assert speakers(text, CAST) == ["Ada", "Hal", "Cora"]
