"""A line's audio depends only on the line and its voice: never on what came before it.

espeak-ng keeps synthesis state between utterances; narrate loads it afresh for
each one, so cold renders of a book agree byte for byte whatever each worker
process said first and however many workers there are.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from narrate.cli import main
from narrate.records import Voice
from narrate.tts import default_engine

LINE = "It was the best of times, it was the worst of times."


def test_a_line_sounds_the_same_after_any_line_before_it() -> None:
    narrator = Voice("espeak", "en-us", 175, 50, 1.0)
    other = Voice("espeak", "en-gb+f3", 190, 70, 1.0)
    engine = default_engine()
    try:
        first = engine.synthesize(LINE, narrator).samples
        takes = [first]
        for before, voice in [
            ("Hello there.", narrator),
            ("Why? Because I said so, Mr. Darcy!", other),
            (LINE, narrator),
        ]:
            engine.synthesize(before, voice)
            takes.append(engine.synthesize(LINE, narrator).samples)
    finally:
        engine.close()
    assert len(first) > 22050  # real speech, over a second of it
    assert takes == [first] * len(takes)


def test_a_breathy_voice_sounds_the_same_in_every_process() -> None:
    # espeak-ng seeds the noise of variants like +f3 from the clock when it starts.
    said = (
        "import hashlib; from narrate.records import Voice; from narrate.tts import default_engine;"
        f"pcm = default_engine().synthesize({LINE!r}, Voice('espeak', 'en-gb+f3', 190, 70, 1.0));"
        "print(len(pcm.samples), hashlib.sha256(pcm.samples).hexdigest())"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", said], capture_output=True, text=True, check=True
        ).stdout
        for _ in range(3)
    ]
    assert int(runs[0].split()[0]) > 22050
    assert runs == [runs[0]] * 3


def _book(path: Path, opening: list[str]) -> Path:
    """Two chapters; the second the same in every book, 60 lines in all (two batches)."""
    second = [f"The {n}th lantern swung above the harbour wall." for n in range(4, 34)]
    path.write_text(
        "The Lanterns\n\nby Ada Quill\n\nChapter 1: Before\n\n"
        + "\n\n".join(opening)
        + "\n\nChapter 2: After\n\n"
        + "\n\n".join(second)
        + "\n",
        encoding="utf-8",
    )
    return path


def _generate(tmp_path: Path, book: Path, name: str, jobs: int) -> dict[str, bytes]:
    out, cache = tmp_path / f"out-{name}", tmp_path / f"cache-{name}"
    result = CliRunner().invoke(
        main,
        ["-q", "generate", str(book), "--out", str(out), "--cache-dir", str(cache)]
        + ["--jobs", str(jobs), "--no-credits"],
    )
    assert result.exit_code == 0, result.output
    files = sorted((out / "the-lanterns").glob("*.mp3"))
    assert len(files) == 2
    return {p.name: p.read_bytes() for p in files}


def test_cold_renders_agree_across_predecessors_and_worker_counts(tmp_path: Path) -> None:
    quiet = [f"Boat number {n} came home before the storm." for n in range(30)]
    loud = [f"Shout it, {n} times over: the ferry is in at last!" for n in range(30)]
    one = _generate(tmp_path, _book(tmp_path / "a.txt", quiet), "one", jobs=1)
    two = _generate(tmp_path, _book(tmp_path / "a.txt", quiet), "two", jobs=2)
    assert one == two  # every chapter, byte for byte, from empty caches
    other = _generate(tmp_path, _book(tmp_path / "b.txt", loud), "other", jobs=1)
    (first_one, second_one), (first_other, second_other) = one.items(), other.items()
    assert first_one[1] != first_other[1]  # the opening chapters really differ
    assert second_one == second_other  # the same chapter after other lines: the same bytes
