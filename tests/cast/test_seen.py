"""`narrate cast` says why each character is one: where the text first names them."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from narrate.cli import main

# Invented for the test: a ship's name the story might take for a speaker, and two people.
STORY = """\
Chapter 1

Dora Finch watched the Marigold come in. "She is late again," said Dora.

Hob Carter was mending nets on the quay. "The wind was against her," said Hob.

"Wind or no wind," said Dora, "the Marigold is always late."

Chapter 2

"Tomorrow, then," said Hob Carter, and went home.
"""


def _cast(tmp_path: Path, *extra: str) -> str:
    book = tmp_path / "story.txt"
    book.write_text(STORY, encoding="utf-8")
    args = ["cast", str(book), "--cache-dir", str(tmp_path / "c"), *extra]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_json_lists_each_characters_first_mentions_as_offsets_into_the_book(tmp_path) -> None:
    people = {c["name"]: c for c in json.loads(_cast(tmp_path, "--format", "json"))["characters"]}
    assert set(people) == {"Dora Finch", "Hob Carter"}
    for person in people.values():
        seen = person["seen"]
        assert 1 <= len(seen) <= 3
        assert [s["start"] for s in seen] == sorted(s["start"] for s in seen)
        for s in seen:
            assert STORY[s["start"] : s["end"]] == s["text"]
            assert s["text"] in (person["name"], *person["aliases"])
            assert f"[{s['text']}]" in s["context"]
    first = people["Dora Finch"]["seen"][0]
    assert (first["chapter"], first["text"]) == (1, "Dora Finch")
    assert people["Hob Carter"]["seen"][-1]["chapter"] == 2


def test_text_shows_the_first_mention_in_its_words_under_each_character(tmp_path) -> None:
    text = _cast(tmp_path)
    why = text[text.index("Why each is a character") :].split("\n\n")[0]
    # the mention in brackets, with the words around it in its own paragraph only
    assert "ch 1   [Dora Finch] watched the Marigold come in." in why
    assert "Chapter" not in why
    assert "mending nets" in why and "[Hob Carter]" in why
    # each character's block opens with its name, most lines first
    names = [line.split("  ")[1] for line in why.splitlines()[1:] if line[2:3].strip()]
    assert names[:2] == ["Dora Finch", "Hob Carter"]
