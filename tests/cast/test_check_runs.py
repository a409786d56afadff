"""A run of lines hanging on one choice: listed by `narrate cast` as one item, and
corrected whole by correcting its first line in a `--script` file.

The book: a long exchange between Ann and Tom with one explicit tag at its start,
after narration that names Mary last (she has gone to bed). Nothing tags the
replies, so the first of them goes to the one last named, and every line after
it takes its turn from that one choice.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import make_book

from narrate.cli import main
from narrate.segment.runs import decision_runs, recast
from narrate.segment.segmenter import segment

REPLIES = [
    "I did.",
    "And the barn?",
    "The barn too.",
    "Then we are safe for the night.",
    "Safe enough.",
    "You do not sound sure.",
    "I am never sure of anything.",
    "That is a poor way to live.",
    "It has served me well.",
    "Has it?",
    "Well enough.",
    "I will not argue.",
    "You always argue.",
    "Not tonight.",
]
BOOK = (
    "Chapter 1\n\n"
    "Ann Pell and Tom Hale sat by the fire in the long room. Mary Voss had gone up to bed.\n\n"
    '"Did you lock the gate?" asked Ann.\n\n'
    + "".join(f'"{line}"\n\n' for line in REPLIES)
    + "Chapter 2\n\nThe fire burned low.\n"
)


# the cast, as the user who corrects the script lists it (the names a correction may use)
VOICES = "characters:\n" + "".join(
    f"  {name}:\n    gender: {gender}\n"
    for name, gender in (("Ann Pell", "female"), ("Tom Hale", "male"), ("Mary Voss", "female"))
)


@pytest.fixture
def book(tmp_path: Path) -> Path:
    path = tmp_path / "gate.txt"
    path.write_text(BOOK, encoding="utf-8")
    (tmp_path / "voices.yaml").write_text(VOICES, encoding="utf-8")
    return path


def run(command: str, book: Path, *args: str | Path) -> str:
    """`narrate COMMAND BOOK --voices FILE ARGS`: its output (it must succeed)."""
    voices = book.with_name("voices.yaml")
    result = CliRunner().invoke(
        main, [command, str(book), "--voices", str(voices), *map(str, args)]
    )
    assert result.exit_code == 0, result.output
    return result.output


def spoken(book: Path, *extra: str | Path) -> list[str | None]:
    """The speakers of the book's spoken lines, in order, from `narrate script`."""
    data = json.loads(run("script", book, "--format", "json", *extra))
    return [s["speaker"] for s in data["segments"] if s["kind"] != "narration"]


def test_cast_lists_the_run_as_one_item_with_its_chapter_and_length(book: Path) -> None:
    speakers = spoken(book)
    assert speakers[0] == "Ann Pell"
    first = speakers[1]  # the first reply: nothing in the text says whose it is
    assert first is not None and first != "Ann Pell"
    # the replies alternate from that one choice
    assert speakers[1:] == [first, "Ann Pell"] * (len(REPLIES) // 2)

    text = run("cast", book, "--check", "3")
    item = f'[{first}] "I did."'
    assert item in text
    after = text.split(item, 1)[1].splitlines()[1]
    assert f"{len(REPLIES)} lines in chapter 1 hang on this choice" in after
    # one item for the run, none for each of its lines
    assert '"And the barn?"' not in text and '"Not tonight."' not in text

    data = json.loads(run("cast", book, "--format", "json", "--check", "3"))
    top = data["check"][0]
    assert top["lines"] == len(REPLIES) and top["chapter"] == 1
    assert top["speaker"] == first and top["text"] == '"I did."'
    assert top["confidence"] < 0.74
    assert {i["text"] for i in data["check"]} == {'"I did."', '"Did you lock the gate?"'}


def edited_script(book: Path, tmp_path: Path, changes: dict[str, str]) -> Path:
    """`narrate script --format yaml` with the speakers of the lines in ``changes`` edited."""
    data = yaml.safe_load(run("script", book, "--format", "yaml"))
    for line in data["lines"]:
        if line["text"] in changes:
            line["speaker"] = changes[line["text"]]
    path = tmp_path / "script.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_correcting_the_first_line_of_the_run_corrects_the_run(book: Path, tmp_path: Path) -> None:
    wrong = spoken(book)[1]
    assert wrong != "Tom Hale"
    fixed = edited_script(book, tmp_path, {'"I did."': "Tom Hale"})
    speakers = spoken(book, "--script", fixed)
    assert speakers == ["Ann Pell"] + ["Tom Hale", "Ann Pell"] * (len(REPLIES) // 2)
    assert wrong not in speakers
    # what the script says, the cast counts
    cast = json.loads(run("cast", book, "--format", "json", "--script", fixed))
    counts = {c["name"]: c["lines"] for c in cast["characters"] if c["lines"]}
    assert counts == {"Ann Pell": 1 + len(REPLIES) // 2, "Tom Hale": len(REPLIES) // 2}


def test_a_line_of_the_run_the_user_changed_keeps_the_users_speaker(
    book: Path, tmp_path: Path
) -> None:
    wrong = spoken(book)[1]
    fixed = edited_script(book, tmp_path, {'"I did."': "Tom Hale", '"Safe enough."': "narrator"})
    speakers = spoken(book, "--script", fixed)
    assert speakers[:5] == ["Ann Pell", "Tom Hale", "Ann Pell", "Tom Hale", "Ann Pell"]
    assert speakers[5:] == ["Ann Pell"] + ["Tom Hale", "Ann Pell"] * (len(REPLIES) // 2 - 3)
    assert wrong not in speakers


def test_correcting_a_line_inside_the_run_corrects_that_line_alone(
    book: Path, tmp_path: Path
) -> None:
    before = spoken(book)
    fixed = edited_script(book, tmp_path, {'"Safe enough."': "Tom Hale"})
    after = spoken(book, "--script", fixed)
    changed = [k for k, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert changed == [REPLIES.index("Safe enough.") + 1]


def test_a_story_told_over_several_paragraphs_is_one_run() -> None:
    text = (
        'Tom Hale and Ann Pell sat down by the fire.\n\n"It was long ago," Tom began. '
        '"We had a farm.\n\n"The farm was by the river.\n\n"Then the flood came."\n\n'
        '"What then?" asked Ann.'
    )
    runs = decision_runs(segment(make_book(text)))
    assert [[s.text for s in r.lines] for r in runs] == [
        [
            '"It was long ago,"',
            '"We had a farm.',
            '"The farm was by the river.',
            '"Then the flood came."',
        ],
        ['"What then?"'],
    ]
    assert recast(runs[0].lines, "Ann Pell") == ["Ann Pell"] * 4
