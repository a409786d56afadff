"""`narrate preview`: the README's voices example runs as written; without a player the
command says so and where the sample is."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys

from click.testing import CliRunner
from conftest import REPO, decodes_cleanly

from narrate.cli import main


def _readme_voices_example() -> list[list[str]]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n(narrate voices --lang en.*?)```", readme, re.DOTALL)
    assert block, "the README's voices example is gone"
    return [shlex.split(line, comments=True) for line in block.group(1).splitlines()]


def test_the_readmes_voices_example_runs_as_written(tmp_path, monkeypatch):
    shutil.copy(REPO / "samples" / "the-lamp-at-gull-point.txt", tmp_path / "book.txt")
    monkeypatch.chdir(tmp_path)
    commands = _readme_voices_example()
    assert any(c[:2] == ["narrate", "preview"] for c in commands)
    for command in commands:
        extra = ["--no-play"] if command[1] == "preview" else []
        result = CliRunner().invoke(main, [*command[1:], *extra])
        assert result.exit_code == 0, (command, result.output)
    # The previews used the voices.yaml `cast --write` wrote: without it the sample has
    # no character called Wren, since no book is given.
    assert (tmp_path / "voices.yaml").exists()
    assert decodes_cleanly(tmp_path / "preview-Maren-Holt.mp3") > 0.5
    assert decodes_cleanly(tmp_path / "preview-Wren.mp3") > 0.5
    alone = CliRunner().invoke(main, ["preview", "Wren", "--text", "Hello.", "--no-play"])
    assert alone.exit_code == 3 and "no voice for 'Wren'" in alone.stderr


def test_without_a_player_preview_says_so_and_where_the_sample_is(tmp_path):
    nothing = tmp_path / "no-programs"
    nothing.mkdir()
    out = tmp_path / "sample.mp3"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "narrate",
            "preview",
            "narrator",
            "--text",
            "Hello.",
            "--out",
            str(out),
        ],
        env={**os.environ, "PATH": str(nothing)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(out)
    assert done.stderr.strip() == (
        "narrate: no audio player found (tried afplay, paplay, ffplay, mpg123); "
        f"the sample is in {out.resolve()}"
    )
    assert decodes_cleanly(out) > 0.3
