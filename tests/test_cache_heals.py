"""A damaged cache heals: every block and stored gain is checked against its checksum
when it is used, and a damaged one is dropped, rendered again and reported in one
line, never shipped. Through the CLI, on a cache rendered once for the module.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import Run, decodes_cleanly, run_narrate

from narrate.render.cache import seal
from narrate.tools import measure_loudness

BOOK = (
    "The Lamp\n\nChapter 1\n\nThe lamp was lit at dusk. "
    '"Keep it burning," said Maren.\n\nChapter 2\n\nThe storm came at midnight.\n'
)


def generate(book: Path, out: Path, cache: Path, *extra: str) -> Run:
    """`python -m narrate generate`, as a user runs it: its stderr is what they see."""
    args = ["generate", str(book), "--out", str(out), "--cache-dir", str(cache), "-j", "1"]
    return run_narrate(*args, "--no-spoken-titles", *extra)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(book, cache, output folder) of one clean run."""
    root = tmp_path_factory.mktemp("rendered")
    book = root / "lamp.txt"
    book.write_text(BOOK, encoding="utf-8")
    result = generate(book, root / "out", root / "cache", "-q")
    assert result.code == 0, result.stderr
    return book, root / "cache", root / "out" / "the-lamp"


@pytest.fixture
def cache(rendered: tuple[Path, Path, Path], tmp_path: Path) -> Path:
    """A copy of the rendered cache, this test's to damage."""
    return Path(shutil.copytree(rendered[1], tmp_path / "cache"))


def blocks(cache: Path) -> list[Path]:
    return sorted(cache.glob("blocks/*/*.mp3"))


def warnings_of(result: Run) -> list[str]:
    assert result.code == 0, result.stderr
    assert "Traceback" not in result.stderr
    return [line for line in result.stderr.splitlines() if "damaged" in line]


def same_audio(folder: Path, clean: Path) -> None:
    """Every chapter decodes without a complaint and lasts as long as the clean run's.

    (espeak-ng's output for a line is not bit-identical from one process to the next.)
    """
    chapters = sorted(folder.glob("*.mp3"))
    assert [mp3.name for mp3 in chapters] == sorted(mp3.name for mp3 in clean.glob("*.mp3"))
    for mp3 in chapters:
        assert decodes_cleanly(mp3) == pytest.approx(decodes_cleanly(clean / mp3.name), rel=0.05)


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[:500] + bytes(b ^ 0xFF for b in data[500:520]) + data[520:],
        lambda data: b"",
        lambda data: data[:-1] + bytes([data[-1] ^ 1]),  # the checksum itself
    ],
    ids=["flipped-bytes", "zero-bytes", "bad-checksum"],
)
def test_a_damaged_block_is_rendered_again_and_reported_once(
    rendered: tuple[Path, Path, Path], cache: Path, tmp_path: Path, damage
) -> None:
    book, _, clean = rendered
    victims = blocks(cache)[:3]
    for block in victims:
        block.write_bytes(damage(block.read_bytes()))
    result = generate(book, tmp_path / "out", cache)
    lines = warnings_of(result)
    assert lines == [f"narrate: 3 damaged entries in the cache {cache}: dropped, rendered again"]
    same_audio(tmp_path / "out" / "the-lamp", clean)
    # Healed: the next run finds nothing wrong.
    again = generate(book, tmp_path / "again", cache)
    assert warnings_of(again) == []
    assert all(block.stat().st_size > 1000 for block in victims)


def test_a_damaged_block_of_an_up_to_date_chapter_is_not_put_in_a_whole_book_file(
    rendered: tuple[Path, Path, Path], cache: Path, tmp_path: Path
) -> None:
    book, _, _ = rendered
    out = tmp_path / "out"
    assert generate(book, out, cache, "-q", "--format", "mp3,mp3-single").code == 0
    single = out / "the-lamp (mp3-single)" / "the-lamp.mp3"  # its own folder: one book each
    first = single.read_bytes()
    # The chapters are up to date; only the whole-book file is to be written again.
    single.unlink()
    block = blocks(cache)[-1]
    block.write_bytes(block.read_bytes()[:-40] + bytes(40))
    result = generate(book, out, cache, "--format", "mp3,mp3-single")
    assert len(warnings_of(result)) == 1
    assert decodes_cleanly(single) == pytest.approx(len(first) / 8000, rel=0.1)  # 64 kbps


@pytest.mark.parametrize("stored", [b"nan\n", seal(b"nan"), seal(b"1e300")])
def test_a_damaged_stored_gain_is_measured_again(
    rendered: tuple[Path, Path, Path], cache: Path, tmp_path: Path, stored: bytes
) -> None:
    book, _, clean = rendered
    gains = sorted(cache.glob("gains/*.gain"))
    assert gains
    for gain in gains:
        gain.write_bytes(stored)
    shutil.rmtree(cache / "blocks")  # so every line is rendered with its voice's gain
    result = generate(book, tmp_path / "out", cache)
    assert warnings_of(result) == [
        f"narrate: {len(gains)} damaged entries in the cache {cache}: dropped, rendered again"
    ]
    folder = tmp_path / "out" / "the-lamp"
    same_audio(folder, clean)
    for mp3 in folder.glob("*.mp3"):
        lufs = measure_loudness(mp3)["integrated_lufs"]
        assert lufs is not None and -21.0 < lufs < -15.0, (mp3.name, lufs)


def test_an_entry_of_the_old_format_is_a_miss_not_an_error(
    rendered: tuple[Path, Path, Path], cache: Path, tmp_path: Path
) -> None:
    """Format 2 stored a block without its checksum; those keys are never looked up now."""
    book, _, clean = rendered
    old = cache / "blocks" / "ab" / ("ab" + "0" * 62 + ".mp3")
    old.parent.mkdir(parents=True, exist_ok=True)
    old.write_bytes(b"\xff\xfb" + bytes(500))
    result = generate(book, tmp_path / "out", cache)
    assert warnings_of(result) == []
    same_audio(tmp_path / "out" / "the-lamp", clean)
