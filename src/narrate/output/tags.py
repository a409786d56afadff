"""Tags, chapters, cover art and playlists for the finished audio files.

Every mutagen call in narrate goes through this module, and every mutagen
failure leaves it as a :class:`TagError`. The fields are declared once, as
data (:data:`FIELDS`): each readable name maps to its ID3 frame, its MP4 atom
and its ffmpeg metadata key, so writing and reading (``narrate inspect``)
cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import mutagen
from mutagen import MutagenError
from mutagen import id3 as _id3
from mutagen.id3._tags import save_frame
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4, AtomDataType, MP4Cover, MP4FreeForm

from narrate.errors import NarrateError
from narrate.outdir import write_text_atomic
from narrate.records import ChapterMark, TrackMeta

_UTF8 = _id3.Encoding.UTF8
_ITUNES = "----:com.apple.iTunes:"
_TOC_ID = "toc"
_DEFAULT_FIX = "check that the file is a complete MP3/M4B and writable, then run narrate again"


class TagError(NarrateError):
    """A file's tags could not be written or read."""

    def __init__(self, path: Path, reason: str, fix: str = _DEFAULT_FIX) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}; {fix}")


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
    TagField("comment", lambda m: m.comment, "COMM", "\xa9cmt", "comment"),
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
)


@contextmanager
def _mutagen(path: Path, action: str, fix: str = _DEFAULT_FIX) -> Iterator[None]:
    """Turn whatever mutagen (or the OS) raises into a TagError naming the file."""
    try:
        yield
    except (MutagenError, OSError, ValueError) as exc:
        # mutagen wraps the OS error; look through it so the fix can be specific.
        cause = exc if isinstance(exc, OSError) else exc.__cause__
        if isinstance(cause, FileNotFoundError):
            raise TagError(path, "file not found", "check the path and run again") from exc
        if isinstance(cause, PermissionError):
            raise TagError(
                path,
                f"permission denied while {action}",
                "make the file readable and writable, then run again",
            ) from exc
        raise TagError(path, f"{action} failed ({exc})", fix) from exc


def _present(meta: TrackMeta) -> Iterator[tuple[TagField, str]]:
    for spec in FIELDS:
        value = spec.value(meta)
        if value is not None and value.strip():
            yield spec, value


def _cover(path: Path, meta: TrackMeta) -> tuple[bytes, str] | None:
    # Trust the bytes, not the declared type: a mislabelled cover breaks some players.
    if not meta.cover:
        return None
    if meta.cover.startswith(b"\x89PNG\r\n\x1a\n"):
        return meta.cover, "image/png"
    if meta.cover.startswith(b"\xff\xd8\xff"):
        return meta.cover, "image/jpeg"
    raise TagError(
        path,
        f"the cover image is not JPEG or PNG (declared {meta.cover_mime})",
        "convert the cover to JPEG or PNG and run again",
    )


def _ms(seconds: float) -> int:
    return max(0, round(seconds * 1000))


def _check_marks(marks: Sequence[ChapterMark]) -> None:
    for mark in marks:
        if mark.start < 0 or mark.end < mark.start:
            raise ValueError(f"chapter {mark.title!r} has bad times {mark.start}..{mark.end}")


# ---------------------------------------------------------------- MP3 (ID3v2)


class _OrderedID3(_id3.ID3):
    """ID3 that writes frames in the order they were added.

    mutagen sorts frames by size, which shuffles the CHAP frames; ffmpeg (and the
    players built on it) list chapters in file order and ignore CTOC, so the
    chapters must be stored in time order. ``_write`` is mutagen's internal hook;
    tests/test_tag.py checks the order ffmpeg reads, so a mutagen change shows up.
    """

    def _write(self, config: object) -> bytearray:
        return bytearray().join(save_frame(frame, config=config) for frame in self.values())


def _id3_frame(spec: str, value: str) -> _id3.Frame:
    if spec.startswith("TXXX:"):
        return _id3.TXXX(encoding=_UTF8, desc=spec[5:], text=[value])
    if spec == "COMM":
        return _id3.COMM(encoding=_UTF8, lang="eng", desc="", text=[value])
    return _id3.Frames[spec](encoding=_UTF8, text=[value])


def _id3_chapters(tags: _id3.ID3, meta: TrackMeta) -> None:
    _check_marks(meta.chapters)
    ids = [f"chp{i}" for i in range(len(meta.chapters))]
    flags = _id3.CTOCFlags.TOP_LEVEL | _id3.CTOCFlags.ORDERED
    tags.add(
        _id3.CTOC(
            element_id=_TOC_ID,
            flags=flags,
            child_element_ids=ids,
            sub_frames=[_id3.TIT2(encoding=_UTF8, text=[meta.title])],
        )
    )
    for element_id, mark in zip(ids, meta.chapters, strict=True):
        tags.add(
            _id3.CHAP(
                element_id=element_id,
                start_time=_ms(mark.start),
                end_time=_ms(mark.end),
                sub_frames=[_id3.TIT2(encoding=_UTF8, text=[mark.title])],
            )
        )


def tag_mp3(path: Path, meta: TrackMeta, *, id3v23: bool = False) -> None:
    """Replace the MP3's tags with ``meta`` (ID3v2.4, or v2.3 for old players)."""
    path = Path(path)
    with _mutagen(path, "reading the MP3"):
        MP3(path)  # fails cleanly on a file that is not MP3 before anything is written
    cover = _cover(path, meta)
    tags = _OrderedID3()
    for spec, value in _present(meta):
        if spec.id3:
            tags.add(_id3_frame(spec.id3, value))
    if meta.chapters:
        _id3_chapters(tags, meta)
    if cover:  # last: a reader scanning for titles and chapters meets them first
        tags.add(
            _id3.APIC(
                encoding=_UTF8,
                mime=cover[1],
                type=_id3.PictureType.COVER_FRONT,
                desc="Cover",
                data=cover[0],
            )
        )
    if id3v23:
        tags.update_to_v23()  # TDRC -> TYER etc.; mutagen re-encodes UTF-8 text as UTF-16
    with _mutagen(path, "writing ID3 tags"):
        # v1=0 removes any ID3v1 tag: it cannot hold Unicode, chapters or a cover.
        tags.save(path, v1=0, v2_version=3 if id3v23 else 4)


# ---------------------------------------------------------------- M4B (MP4 atoms)


def _mp4_value(atom: str, value: str) -> object:
    if atom == "trkn":
        number, _, total = value.partition("/")
        return [(int(number), int(total or 0))]
    if atom.startswith("----:"):
        return [MP4FreeForm(value.encode("utf-8"), dataformat=AtomDataType.UTF8)]
    return [value]


def tag_m4b(path: Path, meta: TrackMeta) -> None:
    """Replace the M4B/M4A's metadata atoms with ``meta`` (chapters are left untouched)."""
    path = Path(path)
    cover = _cover(path, meta)
    with _mutagen(path, "reading the MP4"):
        audio = MP4(path)
    if audio.tags is None:
        audio.add_tags()
    tags = audio.tags
    assert tags is not None
    tags.clear()
    for spec, value in _present(meta):
        if spec.mp4:
            tags[spec.mp4] = _mp4_value(spec.mp4, value)
    tags["stik"] = [2]  # media kind "Audiobook": iTunes/Apple Books file it correctly
    if cover:
        kind = MP4Cover.FORMAT_PNG if cover[1] == "image/png" else MP4Cover.FORMAT_JPEG
        tags["covr"] = [MP4Cover(cover[0], imageformat=kind)]
    with _mutagen(path, "writing MP4 tags"):
        audio.save()


def _ffescape(text: str) -> str:
    # FFMETADATA: '=', ';', '#', '\' and newlines must be backslash-escaped.
    return re.sub(r"([=;#\\\n])", r"\\\1", text)


def ffmetadata_chapters(marks: Sequence[ChapterMark], meta: TrackMeta) -> str:
    """An ffmpeg FFMETADATA1 text: ``meta``'s global tags plus one [CHAPTER] per mark."""
    _check_marks(marks)
    lines = [";FFMETADATA1"]
    for spec, value in _present(meta):
        if spec.ffmeta:
            lines.append(f"{spec.ffmeta}={_ffescape(value)}")
    for mark in marks:
        lines += [
            "",
            "[CHAPTER]",
            "TIMEBASE=1/1000",
            f"START={_ms(mark.start)}",
            f"END={_ms(mark.end)}",
            f"title={_ffescape(mark.title)}",
        ]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- playlist


def write_playlist(path: Path, entries: Sequence[tuple[str, float, str]]) -> None:
    """Write an extended M3U8 of (relative file name, seconds, title) entries, atomically."""
    lines = ["#EXTM3U"]
    for name, seconds, title in entries:
        title = " ".join(title.split())  # a newline would end the #EXTINF line early
        lines.append(f"#EXTINF:{max(0, round(seconds))},{title}")
        lines.append(Path(name).as_posix())
    write_text_atomic(Path(path), "\n".join(lines) + "\n")


# ---------------------------------------------------------------- reading (inspect)


@dataclass(frozen=True, slots=True)
class Probe:
    """What mutagen can tell about an audio file."""

    format: str
    codec: str | None
    duration: float
    bitrate: int | None  # bits per second
    sample_rate: int | None
    channels: int | None
    tags: dict[str, str]
    chapters: tuple[ChapterMark, ...] | None  # None when mutagen cannot read them


def _id3_text(frame: _id3.Frame) -> str:
    if isinstance(frame, _id3.APIC):
        return f"{frame.mime}, {len(frame.data)} bytes"
    text = getattr(frame, "text", None)
    if text is not None:
        return "; ".join(str(t) for t in text)
    return str(frame)


def _id3_read(tags: _id3.ID3, duration: float) -> tuple[dict[str, str], tuple[ChapterMark, ...]]:
    found: dict[str, str] = {}
    used: set[str] = set()
    for spec in FIELDS:
        key = "COMM::eng" if spec.id3 == "COMM" else spec.id3
        if key and key in tags:
            found[spec.name] = _id3_text(tags[key])
            used.add(key)
    for key, frame in tags.items():
        if isinstance(frame, (_id3.CHAP, _id3.CTOC)) or key in used:
            continue
        found["cover" if isinstance(frame, _id3.APIC) else key] = _id3_text(frame)
    chaps = {f.element_id: f for f in tags.getall("CHAP")}
    tocs = [t for t in tags.getall("CTOC") if t.flags & _id3.CTOCFlags.TOP_LEVEL]
    order = [c for c in tocs[0].child_element_ids if c in chaps] if tocs else []
    if not order:  # no usable table of contents: fall back to time order
        order = sorted(chaps, key=lambda c: chaps[c].start_time)
    marks = []
    for element_id in order:
        chap = chaps[element_id]
        title = chap.sub_frames["TIT2"].text[0] if "TIT2" in chap.sub_frames else element_id
        end = chap.end_time / 1000 if chap.end_time else duration
        marks.append(ChapterMark(str(title), chap.start_time / 1000, end))
    return found, tuple(marks)


def _as_text(value: object) -> str:
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, MP4Cover):
            kind = "image/png" if item.imageformat == MP4Cover.FORMAT_PNG else "image/jpeg"
            out.append(f"{kind}, {len(item)} bytes")
        elif isinstance(item, bytes):
            out.append(item.decode("utf-8", "replace"))
        elif isinstance(item, tuple):
            out.append("/".join(str(i) for i in item))
        else:
            out.append(str(item))
    return "; ".join(out)


def _mp4_read(audio: MP4, duration: float) -> tuple[dict[str, str], tuple[ChapterMark, ...] | None]:
    tags = audio.tags or {}
    found = {
        spec.name: _as_text(tags[spec.mp4]) for spec in FIELDS if spec.mp4 and spec.mp4 in tags
    }
    known = {spec.mp4 for spec in FIELDS}
    for key, value in tags.items():
        if key == "stik":
            found["media_kind"] = "Audiobook" if value == [2] else _as_text(value)
        elif key not in known:
            found["cover" if key == "covr" else key] = _as_text(value)
    chapters = getattr(audio, "chapters", None)
    if not chapters:
        return found, None
    starts = [(float(c.start), str(c.title)) for c in chapters]
    ends = [s for s, _ in starts[1:]] + [duration]
    return found, tuple(ChapterMark(t, s, e) for (s, t), e in zip(starts, ends, strict=True))


def probe(path: Path) -> Probe:
    """Read stream facts, tags and chapters; TagError when mutagen cannot read the file."""
    path = Path(path)
    with _mutagen(
        path, "reading the file", "check that it is a complete, undamaged MP3, M4B or M4A file"
    ):
        audio = mutagen.File(path)
    if audio is None:
        raise TagError(path, "not an audio file narrate can read", "pass an MP3, M4B or M4A file")
    info = audio.info
    duration = float(getattr(info, "length", 0.0) or 0.0)
    chapters: tuple[ChapterMark, ...] | None = None
    if isinstance(audio, MP3):
        fmt = "MP3"
        tags, chapters = _id3_read(audio.tags, duration) if audio.tags else ({}, ())
    elif isinstance(audio, MP4):
        fmt = path.suffix.lstrip(".").upper() or "MP4"
        tags, chapters = _mp4_read(audio, duration)
    else:
        fmt = type(audio).__name__
        raw = audio.tags
        # keys() rather than iteration: Vorbis comments iterate as (key, value) pairs.
        names = list(raw.keys()) if raw else []
        tags = {str(k): _as_text(raw[k]) for k in names}
    return Probe(
        fmt,
        getattr(info, "codec", None),
        duration,
        getattr(info, "bitrate", None),
        getattr(info, "sample_rate", None),
        getattr(info, "channels", None),
        tags,
        chapters,
    )
