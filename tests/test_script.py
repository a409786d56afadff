"""`narrate script` outputs and speaker corrections that survive edits to the book."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from click.testing import CliRunner
from conftest import DATA

from narrate.cli import main
from narrate.pipeline import prepare_book
from narrate.tts import get_engine


def script_of(book: Path, *extra: str) -> str:
    result = CliRunner().invoke(main, ["script", str(book), *extra])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_json_interface_offsets_into_the_source():
    book = DATA / "three-chapters.txt"
    data = json.loads(script_of(book, "--format", "json"))
    source = book.read_text(encoding="utf-8")
    assert data["book"] == {"title": "The Clockmaker's Lamp", "author": "Ada Quill"}
    kinds = {s["kind"] for s in data["segments"]}
    assert kinds == {"narration", "speech"}
    for seg in data["segments"]:
        assert source[seg["start"] : seg["end"]] == seg["text"]
    speakers = [s["speaker"] for s in data["segments"] if s["kind"] == "speech"]
    assert speakers[:2] == ["Nell", "Nell"] and "Peter" in speakers[2]


def test_text_format_is_readable():
    text = script_of(DATA / "three-chapters.txt")
    assert "## Chapter 2: The Fog" in text
    assert "[Nell] “I cannot see the church tower,”" in text


def test_corrections_survive_an_edit_to_the_book(tmp_path):
    book = tmp_path / "book.txt"
    original = (DATA / "three-chapters.txt").read_text(encoding="utf-8")
    book.write_text(original, encoding="utf-8")
    edited = yaml.safe_load(script_of(book, "--format", "yaml"))
    target = next(line for line in edited["lines"] if "church tower" in line["text"])
    target["speaker"] = "Peter"
    narrated = next(line for line in edited["lines"] if "Right on time" in line["text"])
    narrated["speaker"] = "narrator"
    fixes = tmp_path / "script.yaml"
    fixes.write_text(yaml.safe_dump(edited, allow_unicode=True), encoding="utf-8")

    # The book changes: a new paragraph moves every later line.
    book.write_text(
        original.replace(
            "That winter a fog",
            "Nobody in the street remembered a colder winter.\n\nThat winter a fog",
        ),
        encoding="utf-8",
    )
    prep = prepare_book(book, script_file=fixes, check_voices=False, cache_dir=tmp_path / "c")
    lines = {" ".join(s.text.split()): s for s in prep.script.segments}
    assert lines["“I cannot see the church tower,”"].speaker == "Peter"
    right = lines["“Right on time,”"]
    assert right.kind == "narration" and right.speaker is None
    # Uncorrected lines keep the segmenter's speakers.
    assert lines["“Five minutes fast,”"].speaker == "Nell"


def test_a_broken_script_file_is_one_clear_line(tmp_path):
    bad = tmp_path / "script.yaml"
    bad.write_text("lines: [unclosed\n", encoding="utf-8")
    result = CliRunner().invoke(
        main,
        [
            "generate",
            str(DATA / "three-chapters.txt"),
            "--script",
            str(bad),
            "--out",
            str(tmp_path / "o"),
        ],
    )
    assert result.exit_code == 3
    assert len(result.stderr.strip().splitlines()) == 1
    assert "script.yaml" in result.stderr and "YAML" in result.stderr


def test_listed_characters_do_not_hide_the_others(tmp_path):
    voices = tmp_path / "voices.yaml"
    voices.write_text("characters:\n  Nell:\n    voice: en-us+f4\n")
    prep = prepare_book(DATA / "three-chapters.txt", voices, cache_dir=tmp_path / "c")
    speakers = {s.speaker for s in prep.script.segments if s.speaker}
    assert "Nell" in speakers and any("Peter" in name for name in speakers)
    nell = next(c for c in prep.script.characters if c.name == "Nell")
    assert nell.gender == "female"  # from the text, since the file gives none
    assert prep.cast.characters["Nell"].voice_id == "en-us+f4"


def test_the_sample_childs_line_is_hers_with_the_readme_voices_file() -> None:
    # voices.yaml says Wren is a child; the sample only ever calls her "the little girl" there.
    repo = DATA.parent.parent
    sample, voices = repo / "samples" / "the-lamp-at-gull-point.txt", repo / "voices.yaml"
    segments = json.loads(script_of(sample, "--voices", str(voices), "--format", "json"))[
        "segments"
    ]
    line = next(s for s in segments if "hold her hand on the stairs" in s["text"])
    assert line["speaker"] == "Wren"


def test_the_sample_childs_line_is_in_a_childs_voice_with_no_voices_file(tmp_path) -> None:
    # No cast: the text alone ("the little girl", "the child") says Wren is a child.
    sample = DATA.parent.parent / "samples" / "the-lamp-at-gull-point.txt"
    cache = ["--cache-dir", str(tmp_path / "c")]
    segments = json.loads(script_of(sample, "--format", "json", *cache))["segments"]
    line = next(s for s in segments if "hold her hand on the stairs" in s["text"])
    assert line["speaker"] == "Wren"
    result = CliRunner().invoke(main, ["cast", str(sample), "--format", "json", *cache])
    assert result.exit_code == 0, result.output
    people = {c["name"]: c for c in json.loads(result.stdout)["characters"]}
    assert people["Wren"]["age"] == "child"
    assert {people[n]["age"] for n in people if n != "Wren"} == {"adult"}
    engine = get_engine("espeak")
    pools = engine.casting_pools("en", engine.narrator_voice("en"))
    assert people["Wren"]["voice"]["id"] in pools.child


def test_a_cached_script_keeps_every_character_field(tmp_path) -> None:
    # The second run reads the script from the cache; the child the file names stays a child.
    repo = DATA.parent.parent
    sample, voices = repo / "samples" / "the-lamp-at-gull-point.txt", repo / "voices.yaml"
    first, again = (prepare_book(sample, voices, cache_dir=tmp_path / "c") for _ in range(2))
    assert any(c.child for c in first.script.characters)
    assert again.script == first.script
