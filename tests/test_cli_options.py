"""-v and -q on either side of the command's name; a closed pipe ends a listing quietly."""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner
from conftest import DATA, make_epub

from narrate.cli import main


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += _commands(command, (*prefix, name))
        else:
            found.append((*prefix, name))
    return found


@pytest.mark.parametrize("command", _commands(main), ids=" ".join)
def test_every_command_lists_verbose_and_quiet(command: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    assert "-v, --verbose" in result.output and "-q, --quiet" in result.output


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "narrate", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_verbose_after_the_command_shows_the_traceback(tmp_path) -> None:
    missing = str(tmp_path / "missing.txt")
    before, after, plain = (
        _run("-v", "generate", missing),
        _run("generate", missing, "-v"),
        _run("generate", missing),
    )
    assert before.returncode == after.returncode == plain.returncode == 2
    assert "Traceback" in after.stderr and "Traceback" in before.stderr
    assert "Traceback" not in plain.stderr
    assert after.stderr.splitlines()[-1] == plain.stderr.splitlines()[-1]


def test_quiet_after_the_command_hides_the_progress(tmp_path) -> None:
    args = ["generate", str(DATA / "no-headings.txt"), "--out", str(tmp_path), "--format", "mp3"]
    result = CliRunner().invoke(main, [*args, "--no-transcripts", "-q"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # no progress bar, no warnings
    assert result.stdout.strip().splitlines()[0].endswith(".mp3")


@pytest.mark.parametrize(
    "args",
    [
        ["voices"],
        ["cast", str(DATA / "two-chapters.txt")],
        ["script", str(DATA / "two-chapters.txt")],
    ],
    ids=lambda a: a[0],
)
def test_a_closed_pipe_ends_quietly(args: list[str]) -> None:
    # `narrate voices | head -1`, with head gone before narrate writes its first line.
    process = subprocess.Popen(
        [sys.executable, "-m", "narrate", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 0, stderr
    assert stderr == ""


MARKDOWN = (
    "# The Two Walks\n\n## Morning\n\n\u201cLook,\u201d said Ada.\n\n"
    "## Evening\n\n\u201cHome,\u201d said Tom.\n"
)


@pytest.mark.parametrize("command", ["script", "cast"])
def test_script_and_cast_read_the_book_as_generate_does(command: str, tmp_path) -> None:
    book = tmp_path / "walks.md"
    book.write_text(MARKDOWN, encoding="utf-8")
    cache = tmp_path / "cache"
    args = [
        command,
        str(book),
        "--format",
        "json",
        "--heading-level",
        "2",
        "--cache-dir",
        str(cache),
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert list((cache / "scripts").glob("*.json")), "the script cache is where it was told"
    if command == "script":
        chapters = {s["chapter"] for s in json.loads(result.stdout)["segments"]}
        assert len(chapters) == 2  # one chapter per level-2 heading


def test_script_keeps_an_epubs_front_matter_when_asked(tmp_path) -> None:
    book = make_epub(tmp_path / "harbour.epub")
    plain = CliRunner().invoke(main, ["script", str(book)])
    kept = CliRunner().invoke(main, ["script", str(book), "--include-front-matter"])
    assert plain.exit_code == kept.exit_code == 0, plain.output + kept.output
    assert "Copyright" not in plain.stdout and "Copyright" in kept.stdout
