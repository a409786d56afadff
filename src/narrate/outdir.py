"""The output folder: safe names, atomic writes, the manifest, and one run at a time.

What belongs here is what every writer of a finished file shares, whatever its
format: names that are safe on every file system, writing under a temporary
name and renaming into place, and the lock and manifest of the book's folder.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import math
import os
import re
import secrets
import sys
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from narrate.errors import OutputError

log = logging.getLogger("narrate")

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


# A book's folder name: room for a suffix (-2) and a file's ".m3u8" beside it.
_SLUG_BYTES = 120


def slug(title: str, limit: int = _SLUG_BYTES) -> str:
    """A folder name from a title: its letters and digits in any script, joined by '-'.

    NFKC-normalised and lower-cased; a combining mark is kept after a letter it
    belongs to; everything else (spaces, punctuation, symbols, controls) separates
    words. At most ``limit`` bytes of UTF-8, cut between words where one ends in
    reach; "book" when nothing is left.
    """
    words: list[str] = []
    word = ""
    for ch in unicodedata.normalize("NFKC", title).lower():
        kind = unicodedata.category(ch)[0]
        if kind in "LN" or (kind == "M" and word):
            word += ch
        elif word:
            words.append(word)
            word = ""
    if word:
        words.append(word)
    text = unicodedata.normalize("NFC", "-".join(words))
    if len(text.encode("utf-8")) > limit:
        cut = text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")
        text = cut.rsplit("-", 1)[0] if "-" in cut[len(cut) // 2 :] else cut
    text = text.strip("-") or "book"
    return f"{text}-book" if text.upper() in _RESERVED else text


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


def inside(folder: Path, name: object) -> bool:
    """Whether ``name`` is a file name narrate could have written in ``folder``.

    One plain component (no separators, drive letters, control characters or
    '..'), not hidden, and resolving to a file directly inside ``folder``.
    """
    if not isinstance(name, str) or not name or name.startswith(".") or _UNSAFE.search(name):
        return False
    if len(name.encode("utf-8", errors="replace")) > 255:
        return False
    try:
        return (folder / name).resolve().parent == folder.resolve()
    except (OSError, RuntimeError, ValueError):
        return False


# The files of a chapter output: its audio (per-chapter formats) and its transcripts.
CHAPTER_SUFFIXES = (".mp3", ".vtt", ".srt")


class Manifest:
    """What this folder holds: which book, the files narrate wrote, each output's key.

    A re-run compares keys to skip outputs that would come out the same, and
    removes the files of chapters the book no longer has. The file is read as
    untrusted: only entries naming files narrate could have written inside the
    folder are kept (the rest are ignored with a warning), so nothing it says can
    make narrate delete or overwrite anything else.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.folder = path.parent
        data = _read_manifest(path)
        outputs, files = data.get("outputs"), data.get("files")
        outputs = outputs if isinstance(outputs, dict) else {}
        # Written before narrate listed its files: all it names are narrate's own.
        self.legacy = bool(outputs) and "files" not in data
        files = files if isinstance(files, list) else []
        self.book = manifest_book(data)
        self._entries: dict[str, dict[str, Any]] = {
            name: _entry(entry)
            for name, entry in outputs.items()
            if isinstance(entry, dict) and inside(self.folder, name)
        }
        self._files: set[str] = {name for name in files if inside(self.folder, name)}
        ignored = [
            n
            for n in [*outputs, *files]
            if not (isinstance(n, str) and (n in self._entries or n in self._files))
        ]
        if ignored:
            log.warning(
                "%s names %d %s narrate would not write there (such as %r): ignored",
                path,
                len(ignored),
                "file" if len(ignored) == 1 else "files",
                str(ignored[0])[:60],
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

    def holds_other(self, book: dict[str, str]) -> bool:
        """Whether the folder was written for another book than ``book`` (same fields)."""
        return other_book(self.book, book)

    def owns(self, name: str) -> bool:
        """Whether ``name`` in the folder is a file narrate wrote (or is about to)."""
        if name in self._files or self.legacy:
            return True
        stem, dot, suffix = name.rpartition(".")
        # Manifests before the file list: a chapter's files were all narrate wrote there.
        return bool(dot) and f".{suffix}" in CHAPTER_SUFFIXES and stem in self._entries

    def claim(self, book: dict[str, str], names: list[str]) -> None:
        """Note the book and the files about to be written, before they are."""
        new = {n for n in names if inside(self.folder, n)} - self._files
        if new or self.book != book:
            self.book = dict(book)
            self._files |= new
            self.save()

    def forget_except(self, keep: set[str], folder: Path) -> None:
        """Delete outputs of earlier runs (chapters since removed or renamed)."""
        for name in [n for n in self._entries if n not in keep]:
            for suffix in CHAPTER_SUFFIXES:
                file = f"{name}{suffix}"
                if inside(folder, file):
                    (folder / file).unlink(missing_ok=True)
                self._files.discard(file)
            del self._entries[name]

    def save(self) -> None:
        data: dict[str, Any] = {"outputs": self._entries, "files": sorted(self._files)}
        if self.book is not None:
            data["book"] = self.book
        write_atomic(self.path, json.dumps(data, indent=1, ensure_ascii=False))

    def names(self) -> set[str]:
        return set(self._entries)

    def forget(self, name: str) -> None:
        """Drop one entry (its file already removed by the caller)."""
        if self._entries.pop(name, None) is not None:
            self.save()


def _read_manifest(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def manifest_book(data: dict[str, Any] | Path) -> dict[str, str] | None:
    """Which book a manifest (its data, or its path) says the folder holds; None if it says not."""
    book = (_read_manifest(data) if isinstance(data, Path) else data).get("book")
    if not isinstance(book, dict):
        return None
    return {k: v for k, v in book.items() if isinstance(k, str) and isinstance(v, str)}


def other_book(held: dict[str, str] | None, book: dict[str, str]) -> bool:
    """Whether a manifest's book record ``held`` names another book than ``book``."""
    return held is not None and any(held.get(k) != v for k, v in book.items())


def _entry(entry: dict[Any, Any]) -> dict[str, Any]:
    """An output's entry with only the fields narrate writes, each of its own type."""
    kept: dict[str, Any] = {}
    if isinstance(entry.get("key"), str):
        kept["key"] = entry["key"]
    for field in ("duration", "span"):
        value = entry.get(field)
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        if math.isfinite(value) and value >= 0:
            kept[field] = float(value)
    return kept


# The lock descriptors this process holds: a forked child (a render worker) closes its
# copies at once, so the lock goes when this process does, whatever its children do.
_held: set[int] = set()


def _forget_inherited_locks() -> None:
    for fd in list(_held):
        with contextlib.suppress(OSError):
            os.close(fd)
    _held.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_inherited_locks)

_LOCK_FLAGS = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def _open_lock(path: Path) -> int:
    """Open (creating) the lock file, never through a symbolic link.

    A link where the lock belongs is removed (the link, not what it points to)
    and a plain file made in its place.
    """
    for _ in range(5):
        try:
            return os.open(path, _LOCK_FLAGS, 0o644)
        except OSError as exc:
            if not path.is_symlink():
                if exc.errno == errno.ELOOP:
                    continue  # a link that was there is gone: try again
                raise
        log.warning("%s was a symbolic link: replaced it with a plain lock file", path)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    raise OutputError(f"{path} keeps being replaced by a symbolic link: choose another --out")


@contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on the folder; the OS frees it if the process dies."""
    lock_path = folder / ".narrate.lock"
    while True:
        fd = _open_lock(lock_path)
        try:
            _lock(fd)
        except OSError as exc:
            os.close(fd)
            raise OutputError(
                f"another narrate run is writing {folder}: wait for it to finish "
                "or choose another folder with --out"
            ) from exc
        if _same_file(fd, lock_path):
            break
        # the run before removed the file between our open and our lock: lock the new one
        _unlock(fd)
        os.close(fd)
    _held.add(fd)
    owner = os.getpid()
    try:
        yield
    finally:
        if os.getpid() == owner and fd in _held:  # not in a forked child
            _held.discard(fd)
            # Removed while still held, so no run can lock a file that is about to vanish;
            # one that opened it just before finds it gone and locks a fresh one.
            with contextlib.suppress(OSError):  # Windows cannot remove an open file
                lock_path.unlink()
            _unlock(fd)
            os.close(fd)


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(fd), os.lstat(path))
    except OSError:
        return False


# sys.platform rather than os.name: type checkers read it and check each branch
# against its own platform's modules.
def _lock(fd: int) -> None:
    if sys.platform == "win32":
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _unlock(fd: int) -> None:
    if sys.platform == "win32":
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_UN)
