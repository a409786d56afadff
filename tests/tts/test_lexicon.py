"""The lexicon: whole words, case-aware, phonemes verbatim, spoken text only."""

from __future__ import annotations

import pytest

from narrate.tts import get_engine
from narrate.tts.lexicon import apply_lexicon

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


def test_lower_case_entry_with_phonemes_is_passed_verbatim() -> None:
    assert apply_lexicon("Gaol and gaol", {"gaol": "[[dZeIl]]"}) == "[[dZeIl]] and [[dZeIl]]"


def test_espeak_judges_its_phoneme_markup() -> None:
    espeak = get_engine("espeak")
    unclosed = "opens phonemes with '[[' but does not close them; end it with ']]'"
    assert espeak.lexicon_problem("[[S@v") == unclosed
    assert espeak.lexicon_problem("[[a]] and [[b") == unclosed
    assert espeak.lexicon_problem("Shiv [[O:n]]") is None
    assert espeak.lexicon_problem("Neev") is None
