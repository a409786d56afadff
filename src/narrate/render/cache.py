"""A content-addressed store of encoded audio blocks under the user's cache folder."""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import shutil
from pathlib import Path

from platformdirs import user_cache_dir

from narrate.outdir import write_atomic

# Bump when the layout or what a key covers changes, so old entries are not misread.
# 2: each block is stored behind its own Info tag (render/gapless.py).
CACHE_FORMAT = "2"
ENGINE_RECORD = "engine.txt"  # the speech engine (and version) that rendered last

log = logging.getLogger("narrate")


def default_cache_dir() -> Path:
    return Path(os.environ.get("NARRATE_CACHE_DIR") or user_cache_dir("narrate"))


def make_key(*parts: object) -> str:
    digest = hashlib.sha256()
    for part in (CACHE_FORMAT, *parts):
        digest.update(repr(part).encode("utf-8"))
        digest.update(b"\x1f")
    return digest.hexdigest()


class BlockCache:
    """Blocks stored as <root>/blocks/ab/<key>.mp3; writes are atomic (temp + rename)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.blocks = root / "blocks"

    def path(self, key: str) -> Path:
        return self.blocks / key[:2] / f"{key}.mp3"

    def get(self, key: str) -> bytes | None:
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError:
            return None

    def has(self, key: str) -> bool:
        return self.path(key).exists()

    def ensure_writable(self) -> None:
        """Fail early, with the option to change, if the cache cannot be written."""
        try:
            self.blocks.mkdir(parents=True, exist_ok=True)
            probe = self.blocks / ".writable"
            probe.touch()
            probe.unlink()
            self.sweep()
        except OSError as exc:
            from narrate.errors import OutputError

            raise OutputError(
                f"cannot write the cache folder {self.root} ({exc.strerror}): "
                "choose another with --cache-dir"
            ) from exc

    def put(self, key: str, data: bytes) -> None:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        # The writer's pid in the temporary name lets sweep() tell a file still
        # being written from one whose process was killed.
        tmp = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
        try:
            with tmp.open("xb") as out:
                out.write(data)
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def sweep(self) -> None:
        """Remove temporary files left by writers that were killed mid-write."""
        for tmp in self.blocks.glob("*/.*.part"):
            try:
                pid = int(tmp.name.rsplit(".", 3)[-3])
                os.kill(pid, 0)
            except ProcessLookupError:
                tmp.unlink(missing_ok=True)
            except (ValueError, IndexError, PermissionError, OSError):
                continue

    def info(self) -> tuple[int, int]:
        """(entries, bytes)."""
        count = size = 0
        if self.blocks.is_dir():
            for entry in self.blocks.rglob("*.mp3"):
                count += 1
                size += entry.stat().st_size
        return count, size

    def clear(self) -> None:
        shutil.rmtree(self.blocks, ignore_errors=True)
        (self.root / ENGINE_RECORD).unlink(missing_ok=True)

    def note_engine(self, engine: str) -> None:
        """Record ``engine`` ("espeak-ng 1.52.0") as the one rendering into this cache, and
        say once when the blocks in it came from another: every line is spoken again."""
        record = self.root / ENGINE_RECORD
        try:
            before = record.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            before = ""
        if before == engine:
            return
        if before:
            name, _, version = engine.partition(" ")
            now = version if version and before.startswith(name + " ") else engine
            log.warning(
                "re-rendering: %s → %s (the speech engine changed since the cache was filled)",
                before,
                now,
            )
        try:
            write_atomic(record, engine + "\n")
        except OSError as exc:  # a record it cannot write only costs the notice
            log.debug("could not record the speech engine: %s", exc)


def describe_cache(root: Path | None = None) -> str:
    """`narrate cache info`: where the cache is and how big."""
    store = BlockCache(root or default_cache_dir())
    count, size = store.info()
    return f"{store.root}: {count} blocks, {size / 1e6:.1f} MB"


def clear_cache(root: Path | None = None) -> str:
    """`narrate cache clear`: delete every cached block; says which cache it cleared."""
    store = BlockCache(root or default_cache_dir())
    store.clear()
    return f"cleared {store.root}"


def code_fingerprint() -> str:
    """A hash of narrate's own source, so cached results die with the code that made them."""
    digest = hashlib.sha256()
    for file in sorted(Path(__file__).resolve().parent.parent.rglob("*.py")):
        digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


class ScriptCache:
    """Segmentation results (JSON), keyed by the book's text, the cast and the code."""

    def __init__(self, root: Path) -> None:
        self.folder = root / "scripts"

    def get(self, key: str) -> dict | None:
        import json

        try:
            return json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def put(self, key: str, value: dict) -> None:
        import json

        self.folder.mkdir(parents=True, exist_ok=True)
        write_atomic(self.folder / f"{key}.json", json.dumps(value, ensure_ascii=False))
