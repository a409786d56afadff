"""A whole library at once: `narrate batch SOURCE... --out DIR`.

A source is a book file, a folder of books, or a manifest (``.csv`` or
``.list``: one book a line, ``book[, voices.yaml[, output name]]``, paths
relative to the manifest). Each book goes through ``pipeline.prepare_book`` and
``pipeline.generate`` as `narrate generate` would; one book's failure is
reported with its name and the others go on. A finished book is written in the
batch's ledger (``DIR/.narrate-batch.json``) with what its output depends on,
so a second run skips it after hashing its files, without reading it again.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Literal

from narrate.errors import ConfigError, explain
from narrate.ingest import MARKDOWN_SUFFIXES
from narrate.outdir import write_atomic
from narrate.pipeline import Options, Prepared, Written, generate, prepare_book
from narrate.render.cache import code_fingerprint, make_key
from narrate.render.executors import get_executor
from narrate.render.progress import ProgressBar

log = logging.getLogger("narrate")

BOOK_SUFFIXES = frozenset({".txt", ".epub", *MARKDOWN_SUFFIXES})
MANIFEST_SUFFIXES = frozenset({".csv", ".list"})
LEDGER = ".narrate-batch.json"
Status = Literal["done", "failed", "skipped"]


@dataclass(frozen=True)
class Entry:
    """One book of the batch: its file, its voices.yaml, the name of its output folder."""

    book: Path
    voices: Path | None = None
    name: str | None = None

    @property
    def label(self) -> str:
        """How the batch's messages name the book."""
        return self.name or self.book.name

    @property
    def ident(self) -> str:
        """The ledger's name for the entry."""
        return f"{self.book.resolve()}|{self.name or ''}"


@dataclass(frozen=True)
class Outcome:
    entry: Entry
    status: Status
    detail: str  # done/skipped: the book's folder; failed: the error's lines
    code: int = 0  # failed: the exit code `narrate generate` would have given


def entries(sources: list[Path], voices: Path | None = None) -> list[Entry]:
    """The books the sources name, in order, each once; ``voices`` for those without their own.

    A folder gives its book files (by suffix, sorted by name; not its subfolders).
    A path that does not exist stays an entry, so it is reported as that book's failure.
    """
    found: list[Entry] = []
    for source in sources:
        if source.is_dir():
            books = sorted(
                p for p in source.iterdir() if p.is_file() and p.suffix.lower() in BOOK_SUFFIXES
            )
            found += [Entry(p, voices) for p in books]
        elif source.suffix.lower() in MANIFEST_SUFFIXES and source.is_file():
            found += list(_manifest(source, voices))
        else:
            found.append(Entry(source, voices))
    unique: dict[str, Entry] = {}
    for entry in found:
        unique.setdefault(entry.ident, entry)
    return list(unique.values())


def _manifest(path: Path, voices: Path | None) -> Iterator[Entry]:
    """A manifest's rows; a row narrate cannot use is a ConfigError naming FILE:LINE."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the manifest ({exc}); save it as UTF-8") from exc
    problems: list[str] = []
    rows: list[Entry] = []
    for number, row in enumerate(csv.reader(text.splitlines()), start=1):
        cells = [cell.strip() for cell in row]
        if not cells or not cells[0] or cells[0].startswith("#"):
            continue
        if number == 1 and cells[0].lower() == "book":
            continue  # a header row
        if len(cells) > 3:
            problems.append(
                f"{path}:{number}: {len(cells)} columns; a row is book[, voices.yaml[, name]]"
            )
            continue
        book, own, name = (cells + ["", ""])[:3]
        rows.append(Entry(path.parent / book, path.parent / own if own else voices, name or None))
    if problems:
        raise ConfigError("\n".join(problems))
    yield from rows


def _digest(path: Path | None) -> str | None:
    if path is None:
        return None
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Ledger:
    """The batch's record of finished books: entry -> (what the output depends on, files)."""

    def __init__(self, out: Path) -> None:
        self.path = out / LEDGER
        self.code = code_fingerprint()  # narrate's own code, part of every book's key
        self.books: dict[str, dict[str, Any]] = {}
        try:
            saved = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return  # none yet, or damaged: every book is checked by generate again
        if isinstance(saved, dict) and isinstance(saved.get("books"), dict):
            self.books = {k: v for k, v in saved["books"].items() if isinstance(v, dict)}

    def finished(self, entry: Entry, key: str, out: Path) -> str | None:
        """The book's folder if it was finished with this key and its files are all there."""
        held = self.books.get(entry.ident)
        if not held or held.get("key") != key or not isinstance(held.get("files"), list):
            return None
        if not all(isinstance(f, str) and (out / f).is_file() for f in held["files"]):
            return None
        return str(held.get("folder", ""))

    def record(self, entry: Entry, key: str, folder: Path, files: list[Path], out: Path) -> None:
        self.books[entry.ident] = {
            "key": key,
            "folder": str(folder),
            "files": [str(f.relative_to(out)) for f in files],
        }
        write_atomic(self.path, json.dumps({"books": self.books}, indent=1, sort_keys=True))


def book_key(entry: Entry, options: Options, reading: dict[str, Any], code: str) -> str:
    """Everything a book's output depends on that the batch can see without reading it.

    ``code`` is narrate's own fingerprint (``code_fingerprint``), taken once a batch."""
    # Not the worker count: a line sounds the same whichever process renders it.
    settings = {k: str(v) for k, v in asdict(replace(options, out=Path("."), jobs=None)).items()}
    return make_key(
        "batch",
        code,
        _digest(entry.book),
        _digest(entry.voices),
        entry.name,
        sorted(settings.items()),
        sorted((k, str(v)) for k, v in reading.items()),
    )


def narrate_book(prep: Prepared, options: Options, quiet: bool = False) -> Written:
    """One prepared book, its progress on stderr: `narrate generate`, and each book here."""
    with ProgressBar(enabled=not quiet, label=prep.book.title) as bar:
        return generate(
            prep,
            options,
            progress=bar.update,
            on_chapter=bar.chapter_done,
            on_encode=bar.encoding,
        )


def narrate_one(
    entry: Entry, options: Options, reading: dict[str, Any], ledger: Ledger, quiet: bool
) -> Outcome:
    """Narrate one book of the batch; any error becomes its failed Outcome."""
    try:
        key = book_key(entry, options, reading, ledger.code)
        folder = ledger.finished(entry, key, options.out)
        if folder is not None:
            return Outcome(entry, "skipped", folder)
        prep = prepare_book(entry.book, entry.voices, cache_dir=options.cache_dir, **reading)
        written = narrate_book(prep, replace(options, name=entry.name), quiet)
        ledger.record(entry, key, written.folder, written.files, options.out)
        return Outcome(entry, "done", str(written.folder))
    except Exception as exc:  # one book's failure never stops the others
        log.debug("%s failed", entry.label, exc_info=True)
        lines, code = explain(exc)
        return Outcome(entry, "failed", "\n".join(lines), code)


def run_batch(
    found: list[Entry],
    options: Options,
    reading: dict[str, Any],
    on_book: Callable[[Outcome], None],
    *,
    quiet: bool = False,
) -> list[Outcome]:
    """Narrate every entry in turn; ``on_book`` hears of each as it finishes.

    An executor that cannot be used stops the batch before any book (ConfigError)."""
    get_executor(options.executor, options.ray_address)
    options.out.mkdir(parents=True, exist_ok=True)
    ledger = Ledger(options.out)
    outcomes = []
    for entry in found:
        outcome = narrate_one(entry, options, reading, ledger, quiet)
        on_book(outcome)
        outcomes.append(outcome)
    return outcomes


def book_line(outcome: Outcome) -> str:
    """The line a finished book gets (a failed one: a line for each line of its error)."""
    if outcome.status == "failed":
        problems = outcome.detail.splitlines()
        return "\n".join(f"failed: {outcome.entry.label}: {line}" for line in problems)
    said = "up to date" if outcome.status == "skipped" else "done"
    return f"{said}: {outcome.entry.label} -> {outcome.detail}"


def summary(outcomes: list[Outcome]) -> str:
    """The whole batch in one line: how many books were done, failed and skipped."""
    count = {s: sum(o.status == s for o in outcomes) for s in ("done", "failed", "skipped")}
    books = f"{len(outcomes)} book" + ("" if len(outcomes) == 1 else "s")
    return (
        f"{books}: {count['done']} done, {count['failed']} failed, "
        f"{count['skipped']} skipped (up to date)"
    )


__all__ = ["Entry", "Outcome", "book_line", "entries", "narrate_book", "run_batch", "summary"]
