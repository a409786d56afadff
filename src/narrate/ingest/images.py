"""Cover images: JPEG or PNG by their first bytes, and at most ``MAX_COVER_BYTES``.

A cover goes into every output file's tags, so a huge one (or a file that only
calls itself an image) is refused before it is read whole. Who named the cover
decides what a bad one means: one the user gave (``--cover``, voices.yaml) stops
the run; one the book names is left out with a warning (``cover_or_warning``).
"""

from __future__ import annotations

import logging
from pathlib import Path

from narrate.errors import NarrateError

log = logging.getLogger("narrate")

MAX_COVER_BYTES = 20 * 2**20  # players show covers of a few hundred kilobytes

_MAGIC = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))


def image_type(data: bytes) -> str | None:
    """ "image/png" or "image/jpeg" by the image's first bytes; None for anything else."""
    return next((mime for magic, mime in _MAGIC if data.startswith(magic)), None)


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.1f} MB"


def too_big(size: int) -> str | None:
    """Why a cover of ``size`` bytes is refused, or None."""
    if size <= MAX_COVER_BYTES:
        return None
    limit = _megabytes(MAX_COVER_BYTES)
    return f"is {_megabytes(size)}, over the {limit} a cover may be; use a smaller JPEG or PNG"


def check_cover(data: bytes) -> tuple[bytes, str] | str:
    """(data, mime type) of a usable cover, else what is wrong with it."""
    big = too_big(len(data))
    if big:
        return big
    mime = image_type(data)
    if mime is None:
        return "is not a JPEG or PNG image; convert it to JPEG or PNG"
    return data, mime


def read_limited(path: Path) -> bytes:
    """At most one byte more than a cover may be (the file may grow while it is read)."""
    with path.open("rb") as handle:
        return handle.read(MAX_COVER_BYTES + 1)


def read_cover_file(path: Path, named: str, error: type[NarrateError]) -> tuple[bytes, str]:
    """The image at ``path``; ``error`` ("NAMED PATH is ...") if it is missing, huge or no image."""
    try:
        big = too_big(path.stat().st_size)
        if big:
            raise error(f"{named} {path} {big}")
        data = read_limited(path)
    except OSError as exc:
        raise error(f"cannot read {named} {path} ({exc.strerror}): check the path") from None
    checked = check_cover(data)
    if isinstance(checked, str):
        raise error(f"{named} {path} {checked}")
    return checked


def cover_or_warning(data: bytes, named: str) -> tuple[bytes, str] | None:
    """A cover the book itself names: usable, or left out with one warning."""
    checked = check_cover(data)
    if isinstance(checked, str):
        log.warning("%s %s; the audio is tagged without it (give one with --cover)", named, checked)
        return None
    return checked
