"""`narrate cast --write FILE`, then `--voices FILE` unedited: the same script, nothing
re-rendered; the file describes the cast that was discovered."""

from __future__ import annotations

import json
import random
from pathlib import Path

import yaml
from click.testing import CliRunner
from conftest import REPO

from narrate.cli import main

SAMPLE = REPO / "samples" / "the-lamp-at-gull-point.txt"


def _run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def first_person_story(chapters: int = 6, scenes: int = 4, seed: int = 4) -> str:
    """A first-person story of a few thousand words: an unnamed "I", a family sharing a
    surname, people called by their title or role ("the doctor"), and lines with no tag."""
    people = [
        (["Tom", "Ashby"], "he"),
        (["Mrs. Ashby"], "she"),
        (["Clara", "Miss Hale"], "she"),
        (["the doctor", "Finch"], "he"),
        (["Reed", "the captain"], "he"),
    ]
    full = ["Tom Ashby", "Mrs. Ashby", "Clara Hale", "Dr. Finch", "Captain Reed"]
    sayings = [
        "The tide will turn before supper.",
        "I never said that, and you know it.",
        "Where did you put the lantern?",
        "We ought to go down to the harbour.",
        "Is that the post?",
        "Nobody listens to me in this house.",
        "It was raining when I came in.",
        "You are late again.",
        "Then we shall have to wait.",
        "I heard the bell an hour ago.",
        "Must you always be so sure?",
    ]
    verbs = ["said", "asked", "replied", "answered"]
    rng = random.Random(seed)
    out = ["The Harbour House", ""]
    for c in range(1, chapters + 1):
        out += [f"CHAPTER {c}", ""]
        for _ in range(scenes):
            n = rng.randrange(len(people))
            names, pronoun = people[n]
            out += [f"I found {full[n]} by the window of the harbour house.", ""]
            for k in range(rng.randint(4, 8)):
                mine = k % 2 == 0
                line, style = rng.choice(sayings), rng.random()
                name = rng.choice(["I"] if mine else names)
                tagged = f"\u201c{line[:-1]}{',' if line.endswith('.') else line[-1]}\u201d"
                if style < 0.4:
                    verb = rng.choice(verbs)
                    out.append(f"{tagged} I {verb}." if mine else f"{tagged} {verb} {name}.")
                elif style < 0.6:
                    out.append(f"{tagged} {'I' if mine else pronoun} {rng.choice(verbs)}.")
                else:
                    out.append(f"\u201c{line}\u201d")
                out.append("")
            out += [f"After a while {names[0]} went out, and I was alone.", ""]
    return "\n".join(out)


def _round_trip(book: Path, tmp_path: Path) -> tuple[Path, dict]:
    cache = ["--cache-dir", str(tmp_path / "cache")]
    voices = tmp_path / "voices.yaml"
    found = json.loads(_run("script", str(book), "--format", "json", *cache))
    _run("cast", str(book), "--write", str(voices), *cache)
    given = json.loads(
        _run("script", str(book), "--format", "json", "--voices", str(voices), *cache)
    )
    assert [s["speaker"] for s in given["segments"]] == [s["speaker"] for s in found["segments"]]
    assert given == found
    return voices, found


def test_written_file_gives_the_discovered_script_of_a_longer_book(tmp_path):
    book = tmp_path / "harbour.txt"
    book.write_text(first_person_story(), encoding="utf-8")
    voices, found = _round_trip(book, tmp_path)
    # The file names every character who speaks, with the aliases and gender found.
    listed = yaml.safe_load(voices.read_text(encoding="utf-8"))["characters"]
    assert set(listed) == {c["name"] for c in found["characters"]}
    for c in found["characters"]:
        assert listed[c["name"]].get("gender", "unknown") == c["gender"]
        assert set(listed[c["name"]].get("aliases", [])) <= set(c["aliases"])
    # ... and casts them in the same voices.
    cache = ["--cache-dir", str(tmp_path / "cache"), "--format", "json"]
    assert _run("cast", str(book), *cache) == _run(
        "cast", str(book), "--voices", str(voices), *cache
    )


def test_sample_with_its_written_file_renders_nothing_again(tmp_path):
    voices, _ = _round_trip(SAMPLE, tmp_path)
    common = [str(SAMPLE), "--out", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "cache")]
    runner = CliRunner()
    first = runner.invoke(main, ["generate", *common, "--no-transcripts"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(main, ["generate", *common, "--no-transcripts", "--voices", str(voices)])
    assert again.exit_code == 0, again.output
    assert "up to date" in again.stderr, again.stderr
