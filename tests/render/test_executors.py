"""Executors: where lines are rendered. Ray is optional; without it, one line says how to add it."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DATA, error_line

from narrate.cli import main
from narrate.render.executors import EXECUTORS, Executor, get_executor
from narrate.render.executors.ray import INSTALL


def test_every_registered_executor_that_can_be_made_meets_the_protocol(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # as if Ray were not installed
    assert isinstance(get_executor("local"), Executor)
    assert set(EXECUTORS) == {"local", "ray"}


@pytest.mark.parametrize("command", ["generate", "batch"])
def test_ray_without_ray_installed_is_one_line_saying_how_to_install_it(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError
    book = shutil.copy(DATA / "two-chapters.txt", tmp_path / "kite.txt")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, [command, str(book), "--out", str(out), "--executor", "ray"])
    line = error_line(result, 3)
    assert line == f"narrate: {INSTALL}"
    assert "pip install '.[ray]'" in line
    assert not out.exists() or not any(out.iterdir())  # nothing written


def test_an_unknown_executor_is_one_line_naming_the_known_ones(tmp_path: Path) -> None:
    book = shutil.copy(DATA / "two-chapters.txt", tmp_path / "kite.txt")
    result = CliRunner().invoke(
        main, ["generate", str(book), "--out", str(tmp_path / "out"), "--executor", "slurm"]
    )
    error_line(result, 3, "no executor called 'slurm'", "local, ray")


def test_ray_writes_the_same_bytes_as_local(tmp_path: Path) -> None:
    ray = pytest.importorskip("ray")
    book = shutil.copy(DATA / "two-chapters.txt", tmp_path / "kite.txt")

    def narrate(executor: str) -> dict[str, bytes]:
        out = tmp_path / f"out-{executor}"
        args = ["-q", "generate", str(book), "--out", str(out), "-j", "2", "--executor", executor]
        cache = ["--cache-dir", str(tmp_path / f"cache-{executor}")]  # each from empty
        result = CliRunner().invoke(main, args + cache)
        assert result.exit_code == 0, result.output
        return {p.name: p.read_bytes() for p in sorted((out / "the-red-kite").iterdir())}

    ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR")
    try:
        on_ray = narrate("ray")
    finally:
        ray.shutdown()
    local = narrate("local")
    assert len([name for name in local if name.endswith(".mp3")]) == 2
    assert on_ray == local  # MP3s, tags, transcripts, playlist and script, byte for byte
