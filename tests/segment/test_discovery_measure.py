"""The discovery benchmark's arithmetic (benchmarks/discovery_measure.py) on hand-made tables."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "discovery_measure.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("discovery_measure", PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("discovery_measure", module)
    spec.loader.exec_module(module)
    return module


dm = _load()

# Gold characters: h (Holmes), w (Watson), t (Thaddeus), b (Bartholomew).
# Discovered: "Holmes" holds 8 of h and 2 of w; "Sherlock" 5 of h; "Watson" 10 of w;
# "Mr. Sholto" 6 of t and 6 of b; "Baker Street" 3 of h.
TABLE = {
    "Holmes": Counter({"h": 8, "w": 2}),
    "Sherlock": Counter({"h": 5}),
    "Watson": Counter({"w": 10}),
    "Mr. Sholto": Counter({"t": 6, "b": 6}),
    "Baker Street": Counter({"h": 3}),
}
TOTAL = 40


def test_the_table_is_built_from_pairs() -> None:
    pairs = [("Holmes", "h")] * 8 + [("Holmes", "w")] * 2
    assert dm.build_table(pairs) == {"Holmes": Counter({"h": 8, "w": 2})}


def test_each_speaker_maps_to_its_majority_with_ties_to_the_smallest_id() -> None:
    assert dm.majority(TABLE) == {
        "Holmes": "h",
        "Sherlock": "h",
        "Watson": "w",
        "Mr. Sholto": "b",
        "Baker Street": "h",
    }


def test_purity_weights_each_speaker_by_its_quotes() -> None:
    # majorities: 8 + 5 + 10 + 6 + 3 = 32 of 40
    assert dm.purity(TABLE) == pytest.approx(32 / TOTAL)


def test_completeness_takes_each_gold_characters_largest_speaker() -> None:
    # h: Holmes 8 of 16; w: Watson 10 of 12; t: 6; b: 6 -> 30 of 40
    assert dm.completeness(TABLE) == pytest.approx(30 / TOTAL)


def test_a_perfect_table_scores_one_and_an_empty_one_too() -> None:
    perfect = {"A": Counter({"a": 4}), "B": Counter({"b": 2})}
    assert dm.purity(perfect) == dm.completeness(perfect) == 1.0
    assert dm.purity({}) == dm.completeness({}) == 1.0


def test_a_split_needs_two_pieces_mapped_to_the_character_above_the_threshold() -> None:
    [split] = dm.splits(TABLE, min_quotes=5, share=0.10)
    assert split.gold == "h" and split.total == 16
    # Baker Street's 3 are under 5 quotes but over 10% of 16
    assert split.pieces == (("Holmes", 8), ("Sherlock", 5), ("Baker Street", 3))
    assert split.stray == 8
    # with a higher share the 3 quotes no longer count; Holmes and Sherlock still do
    [split] = dm.splits(TABLE, min_quotes=5, share=0.25)
    assert split.pieces == (("Holmes", 8), ("Sherlock", 5))
    assert dm.splits(TABLE, min_quotes=9, share=0.5) == []


def test_a_split_piece_must_stand_for_the_character_when_links_are_given() -> None:
    links = {"Holmes": frozenset({"h"}), "Sherlock": frozenset({"h"}), "Baker Street": frozenset()}
    [split] = dm.splits(TABLE, min_quotes=5, share=0.10, links=links)
    assert split.pieces == (("Holmes", 8), ("Sherlock", 5))
    assert dm.splits(TABLE, 5, 0.10, links={"Holmes": frozenset({"h"})}) == []


def test_a_merge_needs_two_sources_over_both_thresholds() -> None:
    [merge] = dm.merges(TABLE, min_quotes=5, share=0.20)
    assert merge.discovered == "Mr. Sholto" and merge.total == 12
    assert merge.sources == (("b", 6), ("t", 6)) and merge.stray == 6
    # Holmes's 2 Watson lines are 20% of his quotes: a merge only when 2 quotes are enough
    assert [m.discovered for m in dm.merges(TABLE, 2, 0.20)] == ["Mr. Sholto", "Holmes"]
    assert [m.discovered for m in dm.merges(TABLE, 3, 0.20)] == ["Mr. Sholto"]
    assert dm.merges(TABLE, 5, 0.6) == []


def test_non_characters_resolve_to_no_one_and_hold_someone_elses_lines() -> None:
    gold_names = {
        "h": ("Mr. Sherlock Holmes", "Holmes"),
        "w": ("Dr. Watson",),
        "t": ("Thaddeus Sholto",),
        "b": ("Bartholomew Sholto",),
    }
    exact = {"holmes": {"h"}, "dr watson": {"w"}}

    def resolve(name: str) -> set[str]:
        return exact.get(name.lower().replace(".", ""), set())

    names = {d: (d,) for d in TABLE}
    links = dm.name_links(names, resolve, gold_names, {})
    assert links["Holmes"].resolved == {"h"}
    # no alias "Sherlock", but it shares a word with h's name: a character, loosely named
    assert links["Sherlock"].resolved == frozenset() and links["Sherlock"].loose == {"h"}
    assert links["Mr. Sholto"].loose == {"t", "b"}  # the title is no identifying word
    # "Watson" resolves to no one here, but names w, whose lines it holds: not one
    assert dm.non_characters(TABLE, links) == {"Baker Street"}
    assert dm.non_characters(TABLE, {}) == set(TABLE)  # a speaker without links names no one
    # the unnamed narrator "I" stands for whom it is mapped to: no non-character, a split piece
    told = {"Holmes": Counter({"h": 8}), "I": Counter({"h": 4})}
    assert dm.non_characters(told, {}) == {"Holmes"}
    [split] = dm.splits(told, 5, 0.10, links={"Holmes": frozenset({"h"})})
    assert split.pieces == (("Holmes", 8), ("I", 4))
    # a gold character of a place category resolves as no one
    place = dm.name_links({"Baker Street": ("Baker Street",)}, lambda _: {"p"}, {}, {"p": "place"})
    assert place["Baker Street"].resolved == frozenset()


def test_name_tokens_leave_out_titles_and_a_plural_s() -> None:
    assert dm.name_tokens("Mrs. Braddocks") == dm.name_tokens("Mrs. Braddock") == {"braddock"}
    assert dm.name_tokens("the Old Lady Catherine") == {"catherine"}


def test_gender_is_judged_against_the_mapped_character() -> None:
    found = {
        "Holmes": "male",
        "Sherlock": "unknown",
        "Watson": "female",
        "Mr. Sholto": "male",
        "Baker Street": "male",
    }
    gold = {"h": "male", "w": "male", "t": "male", "b": "unknown"}
    by_quote = dm.gender_figures(TABLE, found, gold, weighted=True)
    # Holmes 10 right, Baker Street 3 right, Watson 10 wrong, Sherlock 5 unknown;
    # Mr. Sholto maps to b, whose gold gender is unknown: left out
    assert (by_quote.right, by_quote.wrong, by_quote.unknown) == (13, 10, 5)
    assert by_quote.accuracy == pytest.approx(13 / 23)
    assert by_quote.unknown_share == pytest.approx(5 / 28)
    by_speaker = dm.gender_figures(TABLE, found, gold, weighted=False)
    assert (by_speaker.right, by_speaker.wrong, by_speaker.unknown) == (2, 1, 1)
    # speakers with 10 or more quotes only: Holmes right, Watson wrong
    big = dm.gender_figures(TABLE, found, gold, weighted=False, min_quotes=10)
    assert (big.right, big.wrong, big.unknown) == (1, 1, 0)
    nothing = dm.gender_figures({}, {}, {}, weighted=True)
    assert nothing.accuracy == 1.0 and nothing.unknown_share == 0.0
