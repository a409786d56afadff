"""The tag fields, declared once as data, and the one error every tag failure becomes.

Each readable name in :data:`FIELDS` maps to its ID3 frame, its MP4 atom and
its ffmpeg metadata key, and to how a :class:`TrackMeta` fills it; writing
(:mod:`narrate.output.tags`), chapters' global tags
(:mod:`narrate.output.chapters`) and reading back (:mod:`narrate.output.probe`)
all go through this table, so they cannot drift apart. Whatever mutagen (or the
OS) raises while tagging or reading leaves those modules as a :class:`TagError`.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from mutagen import MutagenError

from narrate.errors import NarrateError
from narrate.records import TrackMeta

_ITUNES = "----:com.apple.iTunes:"
_DEFAULT_FIX = "check that the file is a complete MP3/M4B and writable, then run narrate again"


class TagError(NarrateError):
    """A file's tags could not be written or read."""

    def __init__(self, path: Path, reason: str, fix: str = _DEFAULT_FIX) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}; {fix}")


@contextmanager
def mutagen_errors(path: Path, action: str, fix: str = _DEFAULT_FIX) -> Iterator[None]:
    """Turn whatever mutagen (or the OS) raises into a TagError naming the file."""
    try:
        yield
    except (MutagenError, OSError, ValueError) as exc:
        # mutagen wraps the OS error; look through it so the fix can be specific.
        cause = exc if isinstance(exc, OSError) else exc.__cause__
        if isinstance(cause, OSError) and cause.errno in (errno.ENOSPC, errno.EDQUOT):
            # a full disk is reported as one (exit 6), not as a problem with the tags
            if cause is exc:
                raise
            raise cause from exc
        if isinstance(cause, FileNotFoundError):
            raise TagError(path, "file not found", "check the path and run again") from exc
        if isinstance(cause, PermissionError):
            raise TagError(
                path,
                f"permission denied while {action}",
                "make the file readable and writable, then run again",
            ) from exc
        raise TagError(path, f"{action} failed ({exc})", fix) from exc


# ISO 639-1 -> 639-2/B: ID3 TLAN wants the three-letter code; books carry two.
_LANG3 = {
    "ar": "ara",
    "ca": "cat",
    "cs": "cze",
    "da": "dan",
    "de": "ger",
    "el": "gre",
    "en": "eng",
    "es": "spa",
    "fi": "fin",
    "fr": "fre",
    "he": "heb",
    "hi": "hin",
    "hu": "hun",
    "it": "ita",
    "ja": "jpn",
    "ko": "kor",
    "nl": "dut",
    "no": "nor",
    "pl": "pol",
    "pt": "por",
    "ro": "rum",
    "ru": "rus",
    "sv": "swe",
    "tr": "tur",
    "uk": "ukr",
    "zh": "chi",
}


def language_code(language: str | None) -> str | None:
    """The ISO 639-2 code for ``language`` ("en", "en-GB" or "eng"), or None."""
    if not language:
        return None
    base = re.split(r"[-_]", language.strip().lower())[0]
    if len(base) == 3 and base.isalpha():
        return base
    return _LANG3.get(base)


def _year(meta: TrackMeta) -> str | None:
    # ID3 timestamps accept only YYYY[-MM[-DD]]; keep that prefix of e.g. "1897-05-26 (1st ed.)".
    found = re.match(r"\s*(\d{4}(?:-\d{2}(?:-\d{2})?)?)", meta.year or "")
    return found.group(1) if found else None


def _whole_number(value: str | None) -> str | None:
    # MVIN / movement index are integers; a series part like "2.5" lives only in TXXX.
    return value.strip() if value and value.strip().isdigit() else None


@dataclass(frozen=True, slots=True)
class TagField:
    """One tag: where it lives in each container and how TrackMeta fills it."""

    name: str
    value: Callable[[TrackMeta], str | None]
    id3: str | None  # frame id, "TXXX:<desc>" or "COMM"
    mp4: str | None  # atom name or "----:com.apple.iTunes:<name>"
    ffmeta: str | None  # ffmpeg global metadata key (the M4B muxer maps these to atoms)


FIELDS: tuple[TagField, ...] = (
    TagField("title", lambda m: m.title, "TIT2", "\xa9nam", "title"),
    TagField("album", lambda m: m.album, "TALB", "\xa9alb", "album"),
    TagField("artist", lambda m: m.artist, "TPE1", "\xa9ART", "artist"),
    TagField("album_artist", lambda m: m.artist, "TPE2", "aART", "album_artist"),
    # Audiobook apps show the narrator in the composer field; NARRATOR is explicit.
    TagField("composer", lambda m: m.narrator, "TCOM", "\xa9wrt", "composer"),
    TagField("narrator", lambda m: m.narrator, "TXXX:NARRATOR", _ITUNES + "NARRATOR", None),
    TagField("track", lambda m: f"{m.track}/{m.total}", "TRCK", "trkn", "track"),
    TagField("genre", lambda m: m.genre, "TCON", "\xa9gen", "genre"),
    TagField("year", _year, "TDRC", "\xa9day", "date"),
    TagField(
        "language", lambda m: language_code(m.language), "TLAN", _ITUNES + "LANGUAGE", "language"
    ),
    # Libraries (Audiobookshelf) show the comment as the book's description when there
    # is no other: so it is the description, or absent.
    TagField("comment", lambda m: m.description, "COMM", "\xa9cmt", "comment"),
    TagField("description", lambda m: m.description, "TXXX:DESCRIPTION", "desc", "description"),
    TagField("series", lambda m: m.series, "TXXX:SERIES", _ITUNES + "SERIES", None),
    TagField(
        "series_part", lambda m: m.series_index, "TXXX:SERIES-PART", _ITUNES + "SERIES-PART", None
    ),
    # iTunes' movement frames: the one series slot some players actually display.
    TagField("movement", lambda m: m.series, "MVNM", None, None),
    TagField("movement_index", lambda m: _whole_number(m.series_index), "MVIN", None, None),
    TagField("publisher", lambda m: m.publisher, "TPUB", _ITUNES + "PUBLISHER", "publisher"),
    TagField("isbn", lambda m: m.isbn, "TXXX:ISBN", _ITUNES + "ISBN", None),
    # ffmpeg writes its own encoder tag; the M4B's is set afterwards, by mutagen.
    TagField("encoder", lambda m: m.encoder, "TSSE", "\xa9too", None),
)


def present_fields(meta: TrackMeta) -> Iterator[tuple[TagField, str]]:
    """The fields ``meta`` has a value for, in table order, with that value."""
    for spec in FIELDS:
        value = spec.value(meta)
        if value is not None and value.strip():
            yield spec, value
