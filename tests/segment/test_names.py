"""The name model: name keys, pet forms, titles, the name regexes, Entity's main name."""

from __future__ import annotations

from collections import Counter

import pytest

from narrate.segment.names import (
    SEQ_RE,
    Entity,
    canonical_first,
    norm,
    phrase_pattern,
    title_gender,
    title_word,
)


def test_norm_makes_one_key_of_spacing_stops_case_and_curly_apostrophes() -> None:
    assert norm("Mr.  Bennet") == norm("mr bennet") == "mr bennet"
    assert norm("Mr.\nBennet") == "mr bennet"
    assert norm("O\u2019Hara") == norm("O'Hara") == "o'hara"


def test_canonical_first_maps_a_pet_form_to_its_full_name() -> None:
    assert canonical_first("Lizzy") == canonical_first("Elizabeth") == "elizabeth"
    assert canonical_first("Tom") == "thomas"
    assert canonical_first("Zebedee") == "zebedee"  # no pet form: itself, lower case


@pytest.mark.parametrize(
    ("title", "gender"),
    [("Mrs.", "female"), ("Miss", "female"), ("Sir", "male"), ("Mr", "male")]
    + [("Dr.", "unknown"), ("Professor", "unknown"), (None, "unknown")],
)
def test_title_gender(title: str | None, gender: str) -> None:
    assert title_gender(title) == gender


def test_title_word_drops_the_stop_and_case() -> None:
    assert title_word("Mrs.") == title_word("MRS") == "mrs"


def test_name_runs_keep_their_title_apart() -> None:
    m = SEQ_RE.search("as said Mrs. Ada Hale, smiling")
    assert m is not None and (m.group(1), m.group(2)) == ("Mrs.", "Ada Hale")
    hyphen = SEQ_RE.search("then Jor-El spoke")
    assert hyphen is not None and hyphen.group(1) is None and hyphen.group(2) == "Jor-El"


def test_phrase_pattern_finds_the_longest_phrase_with_or_without_article() -> None:
    pat = phrase_pattern({"mariner": 0, "ancient mariner": 1})
    found = [m.group(1) for m in pat.finditer("The ancient\nmariner met a mariner.")]
    assert found == ["ancient\nmariner", "mariner"]
    whole = pat.search("The Ancient Mariner stopped")
    assert whole is not None and whole.group() == "The Ancient Mariner"
    assert pat.search("the submariners") is None  # whole words only


def test_main_name_prefers_the_full_name_with_the_first_name_used_most() -> None:
    ent = Entity(0, Counter({"Jim": 9, "James Dale": 1, "Dale": 3}), first="Jim", last="Dale")
    assert ent.main_name() == "Jim Dale"


def test_main_name_of_a_creature_known_by_its_article() -> None:
    ent = Entity(0, Counter({"Gryphon": 4}), article=3)
    assert ent.main_name() == "The Gryphon"


def test_a_known_first_name_outweighs_a_few_stray_pronouns() -> None:
    ent = Entity(0, Counter({"Mary": 5}), first="Mary", male=2.0, female=1.0)
    assert ent.gender == "female"
    assert Entity(0, Counter({"Ash": 5}), male=2.0, female=1.0).gender == "male"
    assert Entity(0, Counter({"Ash": 5})).gender == "unknown"
