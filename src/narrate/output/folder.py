"""The book's folder under --out: which one is this book's, and what may be overwritten in it.

A folder is named after the book's title (``outdir.slug``). Two books whose
titles give the same name must not overwrite each other, so the manifest
records which book a folder holds, and a folder holding another book is
passed over for the next free name (``-2``, ``-3``, ...). Inside its own
folder narrate overwrites only the files its manifest says it wrote; a user's
file that happens to have an output's name is left alone unless ``--force``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from narrate.errors import OutputError
from narrate.outdir import Manifest, locked, manifest_book, other_book, sweep_partials
from narrate.records import Book

MANIFEST = ".narrate.json"
LOCK = ".narrate.lock"
_TRIES = 100


def book_identity(book: Book, path: Path | None) -> dict[str, str]:
    """What tells one book's folder from another's: its title and its file's name."""
    return {"title": book.title, "source": path.name if path else ""}


def choose_folder(out: Path, name: str, identity: dict[str, str]) -> Path:
    """OUT/<name>, or the first OUT/<name>-N that does not hold another book."""
    for n in range(1, _TRIES + 1):
        folder = out / (name if n == 1 else f"{name}-{n}")
        if not other_book(manifest_book(folder / MANIFEST), identity):
            return folder
    raise OutputError(
        f"{out} already holds {_TRIES} other books named {name!r}: choose another folder with --out"
    )


@contextmanager
def book_folder(
    folder: Path, identity: dict[str, str], names: list[str], force: bool
) -> Iterator[Manifest]:
    """Hold the folder's lock and claim ``names`` in its manifest for this book.

    Refused if another run has meanwhile taken the folder for another book, or
    (without ``force``) if a file narrate did not write has one of the names.
    """
    with locked(folder):
        sweep_partials(folder)
        manifest = Manifest(folder / MANIFEST)
        if manifest.holds_other(identity):
            raise OutputError(
                f"{folder} was just taken by another book: run the same command again "
                "to write this one beside it"
            )
        if not force:
            refuse_overwrites(folder, manifest, names)
        manifest.claim(identity, names)
        yield manifest


def refuse_overwrites(folder: Path, manifest: Manifest, names: Iterable[str]) -> None:
    """OutputError if a file that narrate did not write has the name of an output."""
    theirs = [
        name
        for name in names
        if (folder / name).is_symlink() or (folder / name).exists()
        if not manifest.owns(name)
    ]
    if theirs:
        more = f" (and {len(theirs) - 1} more)" if len(theirs) > 1 else ""
        raise OutputError(
            f"{folder / theirs[0]}{more} would be overwritten, and narrate did not write it "
            f"(it is not in {MANIFEST}): move it away, or run again with --force"
        )


def remove_unused(folder: Path) -> None:
    """Remove a folder this run made, if it holds nothing but what narrate keeps there."""
    with contextlib.suppress(OSError):
        entries = list(folder.iterdir())
        if all(entry.name in (MANIFEST, LOCK) for entry in entries):
            for entry in entries:
                entry.unlink()
            folder.rmdir()
