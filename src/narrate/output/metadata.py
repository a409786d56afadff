"""What goes into every output file's tags: TrackMeta from the book, voices.yaml and cover."""

from __future__ import annotations

from pathlib import Path

from narrate import __version__
from narrate.config import VoiceConfig
from narrate.errors import ConfigError, InputError
from narrate.ingest import read_cover
from narrate.ingest.images import read_cover_file
from narrate.records import Book, TrackMeta


def narrator_credit(config: VoiceConfig, engine_info: dict[str, str]) -> str:
    """Who reads the book, for the tags and the opening credits.

    voices.yaml's `book: narrator:` when given; else the truth, that a speech
    engine's voices read it ("espeak-ng voices (narrate)"), so a library does
    not list a person called "Narrate".
    """
    if config.book.narrator:
        return config.book.narrator
    engine = engine_info.get("engine") or "synthetic"
    return f"{engine} voices (narrate)"


def track_meta(
    book: Book,
    config: VoiceConfig,
    title: str,
    track: int,
    total: int,
    cover: tuple[bytes, str] | None,
    *,
    narrator: str,
) -> TrackMeta:
    meta = book.metadata
    return TrackMeta(
        title=title,
        album=book.title,
        artist=book.author,
        track=track,
        total=total,
        language=book.language,
        narrator=narrator,
        year=config.book.year or meta.get("year"),
        series=config.book.series,
        series_index=config.book.series_index,
        publisher=meta.get("publisher"),
        isbn=meta.get("isbn"),
        description=meta.get("description") or config.book.description,
        encoder=f"narrate {__version__}",
        cover=cover[0] if cover else None,
        cover_mime=cover[1] if cover else None,
    )


def find_cover(
    given: Path | None, book_path: Path | None, config: VoiceConfig
) -> tuple[bytes, str] | None:
    """The cover image: --cover, else the book's own, else voices.yaml's, else one beside it.

    A cover the user named that cannot be used stops the run: --cover (or one
    beside the book) as a file problem (exit 2), voices.yaml's as a config
    problem (exit 3, with its line); see ``narrate.ingest.images``.
    """
    if given is not None:
        return read_cover_file(given, "the cover", InputError)
    if book_path is not None:
        own = read_cover(book_path)
        if own:
            return own
    if config.book.cover is not None:
        line = config.lines.get("book.cover")
        where = f"{config.source or 'voices.yaml'}{f':{line}' if line else ''}: book.cover"
        return read_cover_file(config.book.cover, where, ConfigError)
    if book_path is not None:
        for name in (f"{book_path.stem}.jpg", f"{book_path.stem}.png", "cover.jpg", "cover.png"):
            beside = book_path.parent / name
            if beside.is_file():
                return read_cover_file(beside, "the cover", InputError)
    return None
