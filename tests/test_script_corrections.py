"""`--script FILE` never drops a correction silently: each one it cannot use is reported
as FILE:LINE and the run stops (exit 3) unless --force."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

from click.testing import CliRunner
from conftest import DATA

from narrate.cli import main

BOOK = DATA / "three-chapters.txt"


def _script(*extra: str) -> str:
    result = CliRunner().invoke(main, ["script", str(BOOK), *extra])
    assert result.exit_code == 0, result.output
    return result.stdout


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def _edited(tmp_path: Path) -> tuple[Path, str]:
    """The book's script file with four mistakes a user makes when editing it."""
    text = _script("--format", "yaml")
    text = text.replace("“How will anyone know the time?”", "“How will anybody know the time?”")
    # the speaker of the line, whatever confidence the script gives it
    text = re.sub(
        r"  speaker: Peter\n(  kind: speech\n  confidence: [0-9.]+\n  text: “They will know)",
        r"  speaker: Petr\n\1",
        text,
    )
    text = text.replace("- chapter: 2\n  speaker: Nell\n", "- chapter: 9\n  speakr: Nell\n", 1)
    path = tmp_path / "script.yaml"
    path.write_text(text, encoding="utf-8")
    return path, text


def test_every_unusable_correction_is_reported_and_nothing_is_narrated(tmp_path):
    fixes, text = _edited(tmp_path)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["generate", str(BOOK), "--script", str(fixes), "--out", str(out)]
    )
    assert result.exit_code == 3, result.output
    rewrite = "write it again with `narrate script BOOK --format yaml`"
    expected = [
        (
            _line_of(text, "text: “How will anybody"),
            (
                "no line of the book reads “How will anybody know the time?”; correct the "
                f"text as the book has it, or {rewrite} and redo the correction"
            ),
        ),
        (
            _line_of(text, "speaker: Petr"),
            (
                "the speaker 'Petr' is not in the cast; did you mean 'Peter'? "
                "(a new character goes under characters: in voices.yaml)"
            ),
        ),
        (_line_of(text, "chapter: 9"), "chapter 9 does not exist; the book's chapters are 1 to 3"),
        (_line_of(text, "speakr"), "unknown key 'speakr'; did you mean 'speaker'?"),
    ]
    assert result.stderr.strip().splitlines() == [
        *(f"narrate: {fixes}:{n}: {message}" for n, message in expected),
        f"narrate: {fixes}: fix the lines above, or pass --force to use the rest of the file",
    ]
    assert not out.exists()  # refused before anything was written


def test_force_uses_the_rest_of_the_file_and_says_what_it_left_out(tmp_path, caplog):
    fixes, _ = _edited(tmp_path)
    plain = json.loads(_script("--format", "json"))["segments"]
    with caplog.at_level(logging.WARNING, logger="narrate"):  # stderr, as "narrate: ..."
        result = CliRunner().invoke(
            main, ["script", str(BOOK), "--format", "json", "--script", str(fixes), "--force"]
        )
    assert result.exit_code == 0, result.output
    forced = json.loads(result.stdout)
    assert "speaker 'Petr' is not in the cast" in caplog.text
    assert "(--force: 'Petr' is a new character)" in caplog.text
    assert caplog.text.count("(--force: this entry is not used)") == 3
    by_text = {s["text"]: (p, s) for p, s in zip(plain, forced["segments"], strict=True)}
    before, after = by_text["“They will know it is later than they think,”"]
    assert before["speaker"] == "Peter" and after["speaker"] == "Petr"
    assert "Petr" in {c["name"] for c in forced["characters"]}
    # The entry with an unknown key is left as the script has it, not narrated.
    before, after = by_text["“I cannot see the church tower,”"]
    assert after["speaker"] == before["speaker"] == "Nell" and after["kind"] == "speech"


def test_an_unedited_file_changes_no_speaker_and_aliases_name_their_character(tmp_path):
    fixes = tmp_path / "script.yaml"
    text = _script("--format", "yaml")
    fixes.write_text(text, encoding="utf-8")
    assert _script("--script", str(fixes)) == _script()
    # A speaker written as one of the cast's names in another case is that character.
    fixes.write_text(text.replace("speaker: Peter", "speaker: peter", 1), encoding="utf-8")
    assert _script("--script", str(fixes)) == _script()
