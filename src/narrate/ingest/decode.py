"""Reading a book file's bytes: existence checks, binary sniffing and decoding."""

from __future__ import annotations

import codecs
import logging
from pathlib import Path

from narrate.errors import InputError
from narrate.ingest.common import is_invisible

log = logging.getLogger("narrate")

# Magic numbers of files people commonly pass by mistake, with a friendly name.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\xd0\xcf\x11\xe0", "an old Word document"),
    (b"ID3", "an MP3"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
)
_CONVERT = "convert it to plain text, EPUB or Markdown first"
_SNIFF = 65536  # bytes inspected for control characters
# Control bytes normal text never has; \t \n \v \f \r and ESC-free text stay allowed.
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13)) + b"\x7f"


def check_readable(path: Path) -> None:
    """InputError naming the problem and the fix if ``path`` is missing or a folder."""
    name = path.name or str(path)
    if not path.exists():
        raise InputError(f"{name} not found: check the path")
    if path.is_dir():
        raise InputError(
            f"{name} is a folder, not a book: give the path of a text, Markdown or EPUB file"
        )


def read_bytes(path: Path) -> bytes:
    """Read ``path`` or raise an InputError naming the problem and the fix."""
    name = path.name or str(path)
    check_readable(path)
    try:
        data = path.read_bytes()
    except PermissionError:
        raise InputError(
            f"{name} cannot be read (permission denied): check its permissions"
        ) from None
    except OSError as exc:
        raise InputError(f"{name} cannot be read ({exc.strerror}): check the file") from None
    if not data.strip():
        raise InputError(f"{name} is empty: give a text file with the story")
    return data


def _bomless_utf16(data: bytes) -> str | None:
    """Spot UTF-16 without a BOM: ASCII text with a NUL in every other byte."""
    sample = data[:_SNIFF] if len(data) % 2 == 0 else data[: min(_SNIFF, len(data) - 1)]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def sniff_binary(data: bytes, name: str) -> None:
    """Raise InputError if ``data`` is clearly not text (a PDF, an image, an archive...)."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise InputError(f"{name} looks binary ({kind}?), not text: {_CONVERT}")
    if data.startswith(b"PK\x03\x04"):
        kind = "a Word document" if b"word/" in data[:4096] else "a ZIP archive"
        raise InputError(f"{name} looks binary ({kind}?), not text: {_CONVERT}")
    if data[60:68] == b"BOOKMOBI":
        raise InputError(f"{name} looks binary (a Kindle book?), not text: {_CONVERT}")
    if data.startswith(b"{\\rtf"):
        raise InputError(f"{name} is an RTF document, not plain text: {_CONVERT}")
    if b"\x00" in data:
        if _bomless_utf16(data) is None:
            raise InputError(f"{name} looks binary (it contains NUL bytes), not text: {_CONVERT}")
        return  # UTF-16 text: its NULs are half of every ASCII character
    sample = data[:_SNIFF]
    controls = len(sample) - len(sample.translate(None, _CONTROL))
    # Prose has next to no control bytes (a stray form feed or DOS end mark is fine);
    # compressed or random data has about one byte in nine.
    if controls > max(8, 0.05 * len(sample)):
        raise InputError(f"{name} looks binary (many control characters), not text: {_CONVERT}")


def decode(data: bytes, name: str) -> str:
    """Decode book bytes: UTF-8 (BOM tolerated), UTF-16/32 by BOM, else Windows-1252.

    Only a BOM is dropped, so offsets into the result are offsets into the file's text.
    """
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as exc:
                label = codec.replace("-sig", "").upper()
                raise InputError(
                    f"{name} starts with a {label} mark but is not valid {label} "
                    f"(byte {exc.start}): re-save it as UTF-8"
                ) from None
    guessed = _bomless_utf16(data) if b"\x00" in data[:_SNIFF] else None
    if guessed:
        try:
            return data.decode(guessed)
        except UnicodeDecodeError:
            raise InputError(
                f"{name} could not be decoded as UTF-16: re-save it as UTF-8"
            ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Not UTF-8: bytes that are not valid UTF-8 are read as Windows-1252, by far the
    # likeliest legacy encoding. A pure Windows-1252 file decodes exactly as with
    # that codec, and a file mixing both (pasted chapters) keeps its UTF-8 parts.
    log.warning(
        "%s is not valid UTF-8; read it as Windows-1252 (re-save it as UTF-8 to be sure)", name
    )
    return data.decode("utf-8", errors=_HANDLER)


def _legacy_bytes(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: decode the offending bytes as Windows-1252 (else Latin-1)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    chunk = error.object[error.start : error.end]
    text = "".join(bytes([b]).decode("cp1252") if b not in _CP1252_HOLES else chr(b) for b in chunk)
    return text, error.end


_HANDLER = "narrate-windows-1252"
_CP1252_HOLES = frozenset((0x81, 0x8D, 0x8F, 0x90, 0x9D))  # undefined in Windows-1252
codecs.register_error(_HANDLER, _legacy_bytes)


def normalize_newlines(text: str) -> str:
    """Windows (CRLF) and old Mac (CR) line endings as LF: line endings are not content."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def load_text(path: Path) -> str:
    """Read, sniff and decode a text-like book file, its line endings made LF."""
    data = read_bytes(path)
    name = path.name
    if not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE)):
        sniff_binary(data, name)
    text = normalize_newlines(decode(data, name))
    if is_invisible(text):  # only spaces, BOMs, zero-width or control characters
        raise InputError(f"{name} is empty: give a text file with the story")
    return text
