"""The lexicon: whole words, case-aware, phonemes verbatim, spoken text only."""

from __future__ import annotations

import pytest

from narrate.tts.lexicon import apply_lexicon, is_phonemes, unclosed_phonemes

LEXICON = {
    "Niamh": "Neev",
    "gaol": "jail",
    "US": "you ess",
    "Mrs. Holt": "Missus Holt",
    "Holt": "Hoalt",
    "Siobhan": "[[S@v'O:n]]",
}


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("You can't take the Niamh out in this.", "You can't take the Neev out in this."),
        ("The Niamh's rope", "The Neev's rope"),  # possessive: still the word
        ("The Niamh’s rope", "The Neev’s rope"),  # typographic apostrophe too
        ("“Niamh!” he cried", "“Neev!” he cried"),
        ("Niamhs", "Niamhs"),  # part of a longer word: left alone
        ("MacNiamh", "MacNiamh"),
        ("niamh", "niamh"),  # written with a capital: matches only that spelling
        ("gaol, Gaol", "jail, Jail"),  # lower-case entry: any case, capital kept
        ("us and US", "us and you ess"),
        ("Mrs. Holt and Elias Holt", "Missus Holt and Elias Hoalt"),  # longest wins
        ("Siobhan's hat", "[[S@v'O:n]]'s hat"),  # phonemes passed through verbatim
    ],
)
def test_apply_lexicon(text: str, spoken: str) -> None:
    assert apply_lexicon(text, LEXICON) == spoken


def test_replacements_are_not_replaced_again() -> None:
    assert apply_lexicon("Ann met Bob", {"Ann": "Bob", "Bob": "Ann"}) == "Bob met Ann"


def test_empty_lexicon_and_pairs() -> None:
    assert apply_lexicon("The Niamh", {}) == "The Niamh"
    assert apply_lexicon("The Niamh", [("Niamh", "Neev")]) == "The Neev"


def test_regex_characters_in_entries_are_literal() -> None:
    assert apply_lexicon("C++ and Cx+", {"C++": "see plus plus"}) == "see plus plus and Cx+"


def test_is_phonemes() -> None:
    assert is_phonemes("[[n'i:v]]")
    assert not is_phonemes("Neev")


def test_unclosed_phonemes() -> None:
    assert unclosed_phonemes("[[S@v")
    assert unclosed_phonemes("[[a]] and [[b")
    assert not unclosed_phonemes("Shiv [[O:n]]")
    assert not unclosed_phonemes("Neev")
