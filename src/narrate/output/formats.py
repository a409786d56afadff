"""The output formats: every name ``--format`` takes, in one table.

Each row says what the format is called, the suffix of what it writes, whether
it writes one file per chapter or one for the whole book, and which module
under :mod:`narrate.output` writes it; the pipeline and the CLI take every
format from :data:`FORMATS`. Adding a whole-book format is one new module here
with a ``write(path, chapters, meta, options)`` function (see ``m4b.py``) and
one row in the table.

The writer modules are imported when a file is written, not when the table is
read, so parsing ``--format`` stays cheap.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol, cast

from narrate.errors import ConfigError

if TYPE_CHECKING:
    from narrate.output.whole_book import ChapterAudio
    from narrate.records import ChapterMark, TrackMeta
    from narrate.render.assemble import Chunk, Layout


@dataclass(frozen=True)
class WriteOptions:
    """What the user chose that a writer may need."""

    bitrate: int  # kbps of the MP3 blocks
    id3v23: bool  # ID3v2.3 rather than v2.4, for old players
    sample_rate: int  # of the book's audio: the engine's, which every block and pause share
    # a whole-book writer that takes a while tells (seconds written, seconds in all)
    progress: Callable[[float, float], None] | None = None
    cache: Path | None = None  # narrate's cache folder, where a writer may keep its encodings
    workers: int = 1  # how many encoders a writer may run at once


class BookWriter(Protocol):
    """Writes the whole book to ``path``, atomically."""

    def __call__(
        self, path: Path, chapters: Sequence[ChapterAudio], meta: TrackMeta, options: WriteOptions
    ) -> None: ...


class ChapterWriter(Protocol):
    """Writes one chapter to ``path``, atomically; returns its timed utterances and durations."""

    def __call__(
        self, path: Path, chunks: Iterable[Chunk], meta: TrackMeta, options: WriteOptions
    ) -> Layout: ...


@dataclass(frozen=True)
class Format:
    name: str  # what --format takes
    suffix: str  # of the files it writes
    writes: Literal["per-chapter", "whole-book"]  # one file per chapter, or one for the book
    module: str  # the module under narrate.output whose write() makes the files
    help: str | None = None  # for --help, when the name does not say what it is
    from_pcm: bool = False  # encoded from the rendered PCM, which the cache then keeps
    revision: int = 1  # bumped when the writer's output changes, so earlier files are remade

    @property
    def whole_book(self) -> bool:
        return self.writes == "whole-book"

    @property
    def manifest_label(self) -> str:
        """The whole-book file's name in the folder's manifest."""
        return f"book{self.suffix}"

    def _write(self) -> object:
        return importlib.import_module(f"narrate.output.{self.module}").write

    def marks(self, chapters: Sequence[ChapterAudio], sample_rate: int) -> tuple[ChapterMark, ...]:
        """The chapters as this format's file has them.

        One file per chapter: the files played one after another; a whole-book
        writer may say (its module's ``marks``), else its chapters are frame-joined.
        """
        from narrate.output import whole_book  # not at the top: the table stays cheap

        if not self.whole_book:
            return whole_book.played_marks(chapters)
        own = getattr(importlib.import_module(f"narrate.output.{self.module}"), "marks", None)
        return own(chapters, sample_rate) if own else whole_book.chapter_marks(chapters)

    def book_writer(self) -> BookWriter:
        assert self.whole_book, f"{self.name} writes one file per chapter"
        return cast(BookWriter, self._write())

    def chapter_writer(self) -> ChapterWriter:
        assert not self.whole_book, f"{self.name} writes one file for the whole book"
        return cast(ChapterWriter, self._write())


FORMATS: tuple[Format, ...] = (
    Format("mp3", ".mp3", "per-chapter", "chapter_mp3", "one file per chapter"),
    Format("mp3-single", ".mp3", "whole-book", "single_mp3", "one chaptered MP3"),
    # 2: AAC from the PCM (not from the MP3), M4B brand, one chapter title per chunk
    Format("m4b", ".m4b", "whole-book", "m4b", from_pcm=True, revision=2),
)


def names() -> tuple[str, ...]:
    return tuple(f.name for f in FORMATS)


def help_text() -> str:
    """What ``--format`` says in ``narrate generate --help``."""
    described = (f"{f.name} ({f.help})" if f.help else f.name for f in FORMATS)
    return f"{', '.join(described)}; combine with commas."


def parse_formats(value: str) -> tuple[str, ...]:
    """The format names in a comma-separated ``--format`` value, each once, in order.

    ConfigError names what is not a format (or that nothing was given).
    """
    chosen = tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))
    known = names()
    unknown = [name for name in chosen if name not in known]
    if unknown or not chosen:
        raise ConfigError(
            f"{', '.join(unknown) or 'nothing'} is not one of "
            f"{', '.join(known)} (combine them with commas)"
        )
    return chosen


def chapter_format(chosen: Iterable[str]) -> Format | None:
    """The chosen per-chapter format, if any."""
    wanted = set(chosen)
    return next((f for f in FORMATS if not f.whole_book and f.name in wanted), None)


def whole_book_formats(chosen: Iterable[str]) -> list[Format]:
    """The chosen whole-book formats, in table order."""
    wanted = set(chosen)
    return [f for f in FORMATS if f.whole_book and f.name in wanted]
