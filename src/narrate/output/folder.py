"""Every folder narrate writes under --out: which one is this book's, and what may be overwritten.

A book's folder is named after its title (``outdir.slug``), and each further
format's audio goes in a sibling folder, ``<book folder> (m4b)``. Two books
whose titles give the same name must not overwrite each other, so each
folder's manifest records which book it holds, and a name whose folder (or
one of its siblings) holds another book is passed over for the next free one
(``-2``, ``-3``, ...). A folder without a manifest that holds audio is a
book narrate did not write (a user's own audiobook in a library): another
book too. Inside its own folders narrate overwrites only the files their
manifests say it wrote; a user's file that happens to have an output's name
is left alone unless ``--force``. Every folder a run writes is claimed
through :func:`claim_folders`, the one guard.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path

from narrate.errors import OutputError
from narrate.folderlock import locked
from narrate.outdir import (
    Manifest,
    ensure_output_folder,
    manifest_book,
    other_book,
    read_manifest,
    sweep_partials,
)
from narrate.records import Book

MANIFEST = ".narrate.json"
LOCK = ".narrate.lock"
_TRIES = 100
# What a library scanner takes for a book's audio (a folder holding any is a book).
AUDIO_SUFFIXES = frozenset(
    {".mp3", ".m4b", ".m4a", ".mp4", ".aac", ".flac", ".ogg", ".oga", ".opus", ".wav", ".wma"}
)


def book_identity(book: Book, path: Path | None) -> dict[str, str]:
    """What tells one book's folder from another's: its title and its file's name."""
    return {"title": book.title, "source": path.name if path else ""}


def sibling(folder: Path, fmt: str) -> Path:
    """The folder a format's audio gets beside the book's ``folder``."""
    return folder.with_name(f"{folder.name} ({fmt})")


def holds_other(folder: Path, identity: dict[str, str]) -> bool:
    """Whether ``folder`` holds another book than ``identity``'s.

    Its manifest says so; or it has none that records an output (none, or
    an empty or damaged one) and holds audio, here or one folder down.
    """
    data = read_manifest(folder / MANIFEST)
    held = manifest_book(data)
    if held is not None:
        return other_book(held, identity)
    if isinstance(data.get("outputs"), dict) and data["outputs"]:
        return False  # written by narrate before manifests named their book
    with contextlib.suppress(OSError):
        for entry in folder.iterdir():
            inner = entry.iterdir() if entry.is_dir() and not entry.is_symlink() else [entry]
            if any(p.suffix.lower() in AUDIO_SUFFIXES for p in inner):
                return True
    return False


def choose_folder(
    out: Path, name: str, identity: dict[str, str], siblings: Sequence[str] = ()
) -> Path:
    """OUT/<name>, or the first OUT/<name>-N where neither it nor a sibling holds another book.

    ``siblings`` are the formats that get a sibling folder. A folder that already
    holds this book keeps it: a sibling of it that holds another book stops the run.
    """
    for n in range(1, _TRIES + 1):
        folder = out / (name if n == 1 else f"{name}-{n}")
        if holds_other(folder, identity):
            continue
        taken = [s for s in (sibling(folder, fmt) for fmt in siblings) if holds_other(s, identity)]
        if not taken:
            return folder
        if manifest_book(folder / MANIFEST) == identity:
            raise OutputError(
                f"{taken[0]} holds another book, and this book's {folder.name} needs that "
                "name for its audio: move that folder away, or choose another folder with --out"
            )
    raise OutputError(
        f"{out} already holds {_TRIES} other books named {name!r}: choose another folder with --out"
    )


@contextmanager
def claim_folders(
    folders: Mapping[Path, Sequence[str]], identity: dict[str, str], force: bool
) -> Iterator[dict[Path, Manifest]]:
    """Make, lock and claim each folder for this book, with the names to be written in it.

    Refused if another run has meanwhile taken one for another book, or
    (without ``force``) if a file narrate did not write has one of the names; a
    folder this run made is removed again if the run fails, and one given no
    names, if the run left it empty. Yields each folder's manifest.
    """
    made = [folder for folder in folders if not folder.exists()]
    try:
        with ExitStack() as stack:
            manifests = {}
            for folder in folders:
                ensure_output_folder(folder)
                stack.enter_context(locked(folder))
                sweep_partials(folder)
                if holds_other(folder, identity):
                    raise OutputError(
                        f"{folder} was just taken by another book: run the same command "
                        "again to write this one beside it"
                    )
                manifests[folder] = Manifest(folder / MANIFEST)
                if not force:
                    refuse_overwrites(folder, manifests[folder], folders[folder])
            for folder, manifest in manifests.items():
                manifest.claim(identity, list(folders[folder]))
            yield manifests
    except BaseException:
        for folder in made:
            remove_unused(folder)
        raise
    for folder in [f for f, names in folders.items() if not names]:
        remove_unused(folder)  # a folder the book left, once its lock is gone


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
