"""The story narrate was started from: every line to the right speaker, with and without a cast.

The story is not in the project; it sits beside it (../shared/seed) where the
project is developed, and the test is skipped elsewhere. The speakers below were
checked by hand against the text, line by line.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO

from narrate.cli import main

STORY = REPO.parent / "shared" / "seed" / "a-beautiful-goodbye.txt"
K, L, J = "Kal-El", "Lara", "Jor-El"
# the 29 lines in order; the last is Lara's thought
SPEAKERS = [K, L, L, L, K, L, L, J, L, L, L, L, J, J, L, L, J, J, J, J, J, K, L, L, L, J, J, L, L]
VOICES = (
    "characters:\n  Lara: {gender: female}\n  Jor-El: {gender: male}\n  Kal-El: {gender: male}\n"
)


def lines(*extra: str) -> list[tuple[str | None, str, float]]:
    result = CliRunner().invoke(main, ["script", str(STORY), "--format", "json", *extra])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    return [
        (s["speaker"], s["kind"], s["confidence"])
        for s in data["segments"]
        if s["kind"] != "narration"
    ]


@pytest.mark.skipif(not STORY.exists(), reason="the seed story is not beside the project")
@pytest.mark.parametrize("with_cast", [False, True])
def test_every_line_of_the_seed_story_goes_to_its_speaker(tmp_path: Path, with_cast: bool) -> None:
    extra: list[str] = []
    if with_cast:
        voices = tmp_path / "voices.yaml"
        voices.write_text(VOICES, encoding="utf-8")
        extra = ["--voices", str(voices)]
    got = lines(*extra)
    assert [who for who, _kind, _c in got] == SPEAKERS
    assert [kind for _who, kind, _c in got] == ["speech"] * 28 + ["thought"]
    assert all(0.0 < c <= 1.0 for _who, _kind, c in got)
