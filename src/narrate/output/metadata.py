"""What goes into every output file's tags: TrackMeta from the book, voices.yaml and cover."""

from __future__ import annotations

from pathlib import Path

from narrate import __version__
from narrate.config import VoiceConfig
from narrate.errors import InputError
from narrate.ingest import read_cover
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
    """The cover image: --cover, else the book's own, else voices.yaml's, else one beside it."""
    if given is not None:
        return _image(given)
    if book_path is not None:
        own = read_cover(book_path)
        if own:
            return own
    if config.book.cover is not None:
        return _image(config.book.cover)
    if book_path is not None:
        for name in (f"{book_path.stem}.jpg", f"{book_path.stem}.png", "cover.jpg", "cover.png"):
            beside = book_path.parent / name
            if beside.is_file():
                return _image(beside)
    return None


def _image(path: Path) -> tuple[bytes, str]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the cover {path} ({exc.strerror}): check the path") from exc
    if data.startswith(b"\x89PNG"):
        return data, "image/png"
    if data.startswith(b"\xff\xd8"):
        return data, "image/jpeg"
    raise InputError(f"the cover {path} is not a PNG or JPEG image: convert it first")
