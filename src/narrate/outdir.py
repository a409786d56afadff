"""The output folder: safe names, atomic writes, the manifest, and one run at a time.

What belongs here is what every writer of a finished file shares, whatever its
format: names that are safe on every file system, writing under a temporary
name and renaming into place, and the lock and manifest of the book's folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import sys
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from narrate.errors import OutputError

_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


# File systems cap a name at 255 bytes; the number prefix, a temporary name's
# random part and the suffix need room beside the title.
_NAME_BYTES = 150


def safe_name(title: str, limit: int = 80) -> str:
    """A file name part from a title: no separators, no '..', no reserved names.

    At most ``limit`` characters and 150 bytes of UTF-8, cut at a character.
    """
    name = unicodedata.normalize("NFC", title)
    name = _UNSAFE.sub(" ", name)
    name = re.sub(r"\.{2,}", ".", name)  # no '..' anywhere, even between words
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cf", "Cc", "Cs", "Co"))
    name = " ".join(name.split()).strip(" .")
    name = name[:limit]
    name = name.encode("utf-8")[:_NAME_BYTES].decode("utf-8", errors="ignore")
    name = name.rstrip(" .")
    if not name or name.upper().split(".")[0] in _RESERVED:
        name = f"_{name}" if name else "untitled"
    return name


def slug(title: str, limit: int = 60) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return text[:limit].strip("-") or "book"


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# mkstemp creates files readable by the owner only; finished files get the
# permissions any other new file would have.
FILE_MODE = 0o666 & ~_current_umask()


def publish(tmp: Path, path: Path) -> None:
    """Give a finished temporary file normal permissions and rename it into place."""
    os.chmod(tmp, FILE_MODE)
    os.replace(tmp, path)


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write a whole file under a temporary name, then rename it into place."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with temporary_beside(path) as tmp, tmp.open("xb") as out:
        out.write(payload)
        out.close()
        publish(tmp, path)


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` as UTF-8 to ``path`` atomically, as one clear error if it cannot."""
    try:
        # Encoding here (not in text mode) keeps "\n" on Windows too.
        write_atomic(Path(path), text.encode("utf-8"))
    except OSError as exc:
        raise OutputError(
            f"{path}: cannot write ({exc.strerror or exc}); "
            "check the output folder exists, is writable and has free space"
        ) from exc


@contextmanager
def temporary_beside(path: Path, suffix: str = ".part") -> Iterator[Path]:
    """A new temporary name beside ``path``; whatever is left under it is removed after.

    The file is created inside the ``try`` (by the caller, with mode "xb"), so a
    Ctrl-C at any moment leaves no temporary file; mkstemp creates the file
    before it returns its name, a window an interrupt can fall into.
    """
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}{suffix}")
    try:
        yield tmp
    finally:
        tmp.unlink(missing_ok=True)


def sweep_partials(folder: Path) -> None:
    """Remove temporary files a run killed outright left; call it holding the lock."""
    for leftover in folder.glob(".*.part"):
        leftover.unlink(missing_ok=True)


def ensure_output_folder(folder: Path) -> None:
    """Create the book's folder if need be; OutputError, naming --out, if it cannot be written."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"cannot create the output folder {folder} ({exc.strerror}): choose another with --out"
        ) from exc
    if not os.access(folder, os.W_OK):
        raise OutputError(f"the output folder {folder} is not writable: choose another with --out")


class Manifest:
    """What this folder holds: each output's content key and duration.

    A re-run compares keys to skip outputs that would come out the same, and
    removes the files of chapters the book no longer has.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        self._entries: dict[str, dict[str, Any]] = (
            data.get("outputs", {}) if isinstance(data, dict) else {}
        )

    def key(self, name: str) -> str | None:
        return self._entries.get(name, {}).get("key")

    def keys(self) -> list[str | None]:
        return [entry.get("key") for entry in self._entries.values()]

    def duration(self, name: str) -> float:
        return float(self._entries.get(name, {}).get("duration", 0.0))

    def span(self, name: str) -> float:
        """A chapter's length inside a whole-book stream (its duration where not recorded)."""
        entry = self._entries.get(name, {})
        return float(entry.get("span", entry.get("duration", 0.0)))

    def record(self, name: str, key: str, duration: float, span: float | None = None) -> None:
        # Saved at once: a run killed later still knows this output is complete.
        entry: dict[str, Any] = {"key": key, "duration": round(duration, 6)}
        if span is not None:
            entry["span"] = round(span, 6)
        self._entries[name] = entry
        self.save()

    def forget_except(self, keep: set[str], folder: Path) -> None:
        """Delete outputs of earlier runs (chapters since removed or renamed)."""
        for name in [n for n in self._entries if n not in keep]:
            for suffix in (".mp3", ".vtt", ".srt"):
                (folder / f"{name}{suffix}").unlink(missing_ok=True)
            del self._entries[name]

    def save(self) -> None:
        write_atomic(self.path, json.dumps({"outputs": self._entries}, indent=1))

    def names(self) -> set[str]:
        return set(self._entries)

    def forget(self, name: str) -> None:
        """Drop one entry (its files already removed by the caller)."""
        if self._entries.pop(name, None) is not None:
            self.save()


@contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on the folder; the OS frees it if the process dies."""
    lock_path = folder / ".narrate.lock"
    while True:
        handle = open(lock_path, "a+b")  # noqa: SIM115 - held for the whole run
        try:
            _lock(handle)
        except OSError as exc:
            handle.close()
            raise OutputError(
                f"another narrate run is writing {folder}: wait for it to finish "
                "or choose another folder with --out"
            ) from exc
        if _same_file(handle, lock_path):
            break
        # the run before removed the file between our open and our lock: lock the new one
        _unlock(handle)
        handle.close()
    try:
        yield
    finally:
        # Removed while still held, so no run can lock a file that is about to vanish;
        # one that opened it just before finds it gone and locks a fresh one.
        with contextlib.suppress(OSError):  # Windows cannot remove an open file
            lock_path.unlink()
        _unlock(handle)
        handle.close()


def _same_file(handle: IO[bytes], path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(handle.fileno()), os.stat(path))
    except OSError:
        return False


# sys.platform rather than os.name: type checkers read it and check each branch
# against its own platform's modules.
def _lock(handle: IO[bytes]) -> None:
    if sys.platform == "win32":
        import msvcrt

        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def _unlock(handle: IO[bytes]) -> None:
    if sys.platform == "win32":
        import msvcrt

        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
