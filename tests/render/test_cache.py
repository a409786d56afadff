"""The block cache: what `narrate cache info` and `narrate cache clear` say and do."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from narrate.cli import main
from narrate.render.cache import BlockCache, clear_cache, describe_cache, make_key


def test_describe_then_clear_a_real_cache(tmp_path: Path) -> None:
    store = BlockCache(tmp_path / "cache")
    store.ensure_writable()
    assert describe_cache(store.root) == f"{store.root}: 0 blocks, 0.0 MB"
    store.put(make_key("a"), b"\xff" * 600_000)
    store.put(make_key("b"), b"\xff" * 400_000)
    assert describe_cache(store.root) == f"{store.root}: 2 blocks, 1.0 MB"
    assert clear_cache(store.root) == f"cleared {store.root}"
    assert describe_cache(store.root) == f"{store.root}: 0 blocks, 0.0 MB"


def test_the_commands_print_the_same(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    BlockCache(root).put(make_key("a"), b"\xff" * 1000)
    info = CliRunner().invoke(main, ["cache", "info", "--cache-dir", str(root)])
    assert (info.exit_code, info.output) == (0, f"{root}: 1 blocks, 0.0 MB\n")
    cleared = CliRunner().invoke(main, ["cache", "clear", "--cache-dir", str(root)])
    assert (cleared.exit_code, cleared.output) == (0, f"cleared {root}\n")
    assert not list(root.rglob("*.mp3"))
