"""The output folder: safe names, atomic writes, the manifest, and one run at a time.

What belongs here is what every writer of a finished file shares, whatever its
format: names that are safe on every file system, writing under a temporary
name and renaming into place, and the lock and manifest of the book's folder.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import re
import secrets
import stat
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
MAX_MANIFEST_BYTES = 64 << 20  # a manifest lists a book's outputs: far less than this


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


def write_if_changed(path: Path, data: bytes | str) -> None:
    """``write_atomic``, unless ``path`` is a plain file that already holds exactly ``data``."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with contextlib.suppress(OSError):
        held = os.lstat(path)
        same_size = stat.S_ISREG(held.st_mode) and held.st_size == len(payload)
        if same_size and path.read_bytes() == payload:
            return
    write_atomic(path, payload)


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
        data = read_manifest(path)
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
        # in name order, not the order chapters finished in: the same run, the same bytes
        outputs = dict(sorted(self._entries.items()))
        data: dict[str, Any] = {"outputs": outputs, "files": sorted(self._files)}
        if self.book is not None:
            data["book"] = self.book
        write_if_changed(self.path, json.dumps(data, indent=1, ensure_ascii=False))

    def names(self) -> set[str]:
        return set(self._entries)

    def delete(self, name: str) -> None:
        """Remove a file narrate wrote here (one this manifest lists) and stop listing it."""
        if inside(self.folder, name) and self.owns(name):
            (self.folder / name).unlink(missing_ok=True)
        self._files.discard(name)

    def forget(self, name: str) -> None:
        """Drop one entry (its file already removed by the caller)."""
        if self._entries.pop(name, None) is not None:
            self.save()


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest's data; {} for anything but a plain file of narrate's size (an untrusted
    link to /dev/zero or a huge file is no manifest)."""
    try:
        fd = os.open(
            path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        )
        with os.fdopen(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                return {}
            raw = f.read(MAX_MANIFEST_BYTES + 1)
        if len(raw) > MAX_MANIFEST_BYTES:
            return {}
        data = json.loads(raw.decode("utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def manifest_book(data: dict[str, Any] | Path) -> dict[str, str] | None:
    """Which book a manifest (its data, or its path) says the folder holds; None if it says not."""
    book = (read_manifest(data) if isinstance(data, Path) else data).get("book")
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
