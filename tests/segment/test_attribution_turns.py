"""Attribution by turn-taking: the fallbacks for untagged lines of a conversation."""

from __future__ import annotations

from conftest import speakers

from narrate.records import Character

CAST = [
    Character("Ann", (), "female"),
    Character("Tom", (), "male"),
    Character("Mary", (), "female"),
]


def test_after_a_break_the_one_who_spoke_before_it_answers() -> None:
    # Mary is only named in passing in the narration: Ann, still in view, answers Tom
    text = (
        '"Is the letter from your sister?" asked Ann.\n\n'
        '"It is," said Tom.\n\n'
        "Tom folded the letter and handed it to Ann, who thought of Mary.\n\n"
        '"She writes that she is coming home at last."\n\n'
        '"Then we must get her room ready."'
    )
    assert speakers(text, CAST) == ["Ann", "Tom", "Tom", "Ann"]
