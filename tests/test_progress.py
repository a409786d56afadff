"""What a user sees while narrating: lines counted as `cast` counts them, progress in a
log at least every 30 s, one notice when the speech engine changed since the cache."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

from click.testing import CliRunner
from conftest import DATA

from narrate.cli import main
from narrate.render.cache import ENGINE_RECORD
from narrate.render.progress import ProgressBar

BOOK = DATA / "no-headings.txt"


def _invoke(*args: str, env: dict[str, str] | None = None):
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result


def _generate(tmp_path: Path, *extra: str, env: dict[str, str] | None = None) -> str:
    out, cache = str(tmp_path / "out"), str(tmp_path / "cache")
    return _invoke(
        "generate", str(BOOK), "--out", out, "--cache-dir", cache, *extra, env=env
    ).stderr


def test_cast_and_the_progress_bar_count_the_same_lines(tmp_path):
    segments = json.loads(_invoke("script", str(BOOK), "--format", "json").stdout)["segments"]
    table = _invoke("cast", str(BOOK)).stdout.split("\n\n")[0].splitlines()
    assert table[0].split() == ["character", "gender", "lines", "voice", "rate", "pitch", "volume"]
    lines = {row.split()[0]: int(row[table[0].index("lines") :].split()[0]) for row in table[1:]}
    assert sum(lines.values()) == len(segments)
    assert lines["Narrator"] == sum(1 for s in segments if s["speaker"] is None)
    # Nothing but the script's lines spoken: the progress says as many lines.
    said = _generate(
        tmp_path, "--no-credits", "--no-spoken-titles", env={"NARRATE_PROGRESS_EVERY": "0"}
    )
    assert f"Narrating No Headings:   0% 0/{len(segments)} lines" in said, said
    assert f"1 chapter(s) written, {len(segments)} line(s) rendered" in said, said


def test_off_a_terminal_progress_comes_at_least_every_interval() -> None:
    now = [0.0]
    log = io.StringIO()  # not a terminal
    bar = ProgressBar(True, "Book", log, clock=lambda: now[0], every=30)
    for step in range(11):  # one line rendered every 10 s
        now[0] = step * 10.0
        bar.update(step, 10)
    lines = log.getvalue().splitlines()
    assert [line.split(":", 1)[1].split()[:2] for line in lines] == [
        ["30%", "3/10"],
        ["60%", "6/10"],
        ["90%", "9/10"],
    ]
    assert all(line.startswith("Narrating Book:") and " lines " in line for line in lines)


def test_a_new_engine_version_is_noticed_once(tmp_path, caplog):
    def notices() -> list[str]:  # the warnings a run logged (stderr: "narrate: ...")
        found = [r.getMessage() for r in caplog.records if "re-rendering" in r.getMessage()]
        caplog.clear()
        return found

    with caplog.at_level(logging.WARNING, logger="narrate"):
        _generate(tmp_path, "--no-transcripts")
        assert notices() == []
        record = tmp_path / "cache" / ENGINE_RECORD
        engine, version = record.read_text(encoding="utf-8").split()
        record.write_text(f"{engine} 1.0\n", encoding="utf-8")  # filled by an older engine
        _generate(tmp_path, "--no-transcripts")
        changed = "the speech engine changed since the cache was filled"
        assert notices() == [f"re-rendering: {engine} 1.0 → {version} ({changed})"]
        _generate(tmp_path, "--no-transcripts")
        assert notices() == []
