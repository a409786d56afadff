"""A content-addressed store of encoded audio blocks under the user's cache folder.

A block's key says what it was made from (its words, voice and encoding); a
checksum of its bytes, stored after them in the same file, says it is still
what was written. An entry that fails the check (flipped bytes, a file cut
short or emptied) is dropped on sight and counted in ``BlockCache.damaged``,
so it is rendered again rather than shipped.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import shutil
from pathlib import Path

from platformdirs import user_cache_dir

from narrate.errors import StorageError
from narrate.outdir import write_atomic

# Bump when the layout or what a key covers changes, so old entries are not misread.
# 2: each block is stored behind its own Info tag (render/gapless.py).
# 3: each block and gain carries a checksum of its content (a trailer, see seal()).
CACHE_FORMAT = "3"
ENGINE_RECORD = "engine.txt"  # the speech engine (and version) that rendered last

log = logging.getLogger("narrate")

_SEAL = b"NRS1"  # marks the trailer: these 4 bytes, then the BLAKE2b digest of what precedes
_DIGEST = 16


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=_DIGEST).digest()


def seal(data: bytes) -> bytes:
    """``data`` with its checksum after it, as every cache entry is stored."""
    return data + _SEAL + _digest(data)


def unseal(stored: bytes) -> bytes | None:
    """What :func:`seal` was given, or None if ``stored`` is not intact."""
    body, mark, digest = stored[: -_DIGEST - 4], stored[-_DIGEST - 4 : -_DIGEST], stored[-_DIGEST:]
    if len(stored) < _DIGEST + 4 or mark != _SEAL or _digest(body) != digest:
        return None
    return body


def default_cache_dir() -> Path:
    return Path(os.environ.get("NARRATE_CACHE_DIR") or user_cache_dir("narrate"))


def make_key(*parts: object) -> str:
    digest = hashlib.sha256()
    for part in (CACHE_FORMAT, *parts):
        digest.update(repr(part).encode("utf-8"))
        digest.update(b"\x1f")
    return digest.hexdigest()


class BlockCache:
    """Blocks stored as <root>/blocks/ab/<key>.mp3 (sealed); writes are atomic (temp + rename)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.blocks = root / "blocks"
        self.damaged: set[str] = set()  # keys of entries found damaged and dropped
        self._checked: set[str] = set()  # keys whose checksum this process has checked

    def path(self, key: str) -> Path:
        return self.blocks / key[:2] / f"{key}.mp3"

    def get(self, key: str) -> bytes | None:
        """The block's bytes if it is stored intact; a damaged entry is dropped (None)."""
        path = self.path(key)
        try:
            stored = path.read_bytes()
        except FileNotFoundError:
            return None
        if key in self._checked and stored[-_DIGEST - 4 : -_DIGEST] == _SEAL:
            return stored[: -_DIGEST - 4]  # checked by has() before rendering: once is enough
        data = unseal(stored)
        if data is None:
            self.drop(key)
        else:
            self._checked.add(key)
        return data

    def has(self, key: str) -> bool:
        """Whether the block is stored intact (its checksum read and checked)."""
        return self.get(key) is not None

    def drop(self, key: str) -> None:
        """Remove a damaged entry, so it is rendered again, and remember that it was."""
        self.damaged.add(key)
        self._checked.discard(key)
        try:
            self.path(key).unlink(missing_ok=True)
        except IsADirectoryError:
            shutil.rmtree(self.path(key), ignore_errors=True)

    def ensure_writable(self) -> None:
        """Fail early, with the option to change, if the cache cannot be written."""
        try:
            self.blocks.mkdir(parents=True, exist_ok=True)
            probe = self.blocks / f".writable.{os.getpid()}.{secrets.token_hex(4)}"
            probe.touch()
            probe.unlink()
            self.sweep()
        except OSError as exc:
            raise StorageError(
                f"cannot write the cache folder {self.root} ({exc.strerror}): "
                "make it writable or choose another with --cache-dir"
            ) from exc

    def put(self, key: str, data: bytes) -> None:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        # The writer's pid in the temporary name lets sweep() tell a file still
        # being written from one whose process was killed.
        tmp = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
        try:
            with tmp.open("xb") as out:
                out.write(seal(data))
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
        """(entries, bytes): what the entries themselves take (a link counts as itself)."""
        count = size = 0
        if self.blocks.is_dir():
            for entry in self.blocks.rglob("*.mp3"):
                try:
                    size += entry.lstat().st_size  # a dangling link has no target to measure
                except OSError:
                    continue  # gone between the listing and the look
                count += 1
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
    """A hash of narrate's own source and the data it ships (the confidence model's
    weights), so cached results die with the code that made them."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent.parent
    for file in sorted([*package.rglob("*.py"), *package.rglob("*.json")]):
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
