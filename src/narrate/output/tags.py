"""Writing tags onto finished files: ID3v2 on MP3s, metadata atoms on M4Bs.

Which fields there are, and where each lives in each container, is the table
in :mod:`narrate.output.tag_fields`; the chapter frames come from
:mod:`narrate.output.chapters`. Every mutagen failure leaves as a TagError.
"""

from __future__ import annotations

from pathlib import Path

from mutagen import id3 as _id3
from mutagen.id3._tags import save_frame
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4, AtomDataType, MP4Cover, MP4FreeForm

from narrate.output.chapters import add_id3_chapters, mp3_lead
from narrate.output.tag_fields import TagError, mutagen_errors, present_fields
from narrate.records import TrackMeta

_UTF8 = _id3.Encoding.UTF8


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


# ---------------------------------------------------------------- MP3 (ID3v2)


class _OrderedID3(_id3.ID3):
    """ID3 that writes frames in the order they were added.

    mutagen sorts frames by size, which shuffles the CHAP frames; ffmpeg (and the
    players built on it) list chapters in file order and ignore CTOC, so the
    chapters must be stored in time order. ``_write`` is mutagen's internal hook;
    tests/output/test_tag.py checks the order ffmpeg reads, so a mutagen change shows up.
    """

    def _write(self, config: object) -> bytearray:
        return bytearray().join(save_frame(frame, config=config) for frame in self.values())


def _id3_frame(spec: str, value: str) -> _id3.Frame:
    if spec.startswith("TXXX:"):
        return _id3.TXXX(encoding=_UTF8, desc=spec[5:], text=[value])
    if spec == "COMM":
        return _id3.COMM(encoding=_UTF8, lang="eng", desc="", text=[value])
    return _id3.Frames[spec](encoding=_UTF8, text=[value])


def tag_mp3(path: Path, meta: TrackMeta, *, id3v23: bool = False) -> None:
    """Replace the MP3's tags with ``meta`` (ID3v2.4, or v2.3 for old players)."""
    path = Path(path)
    with mutagen_errors(path, "reading the MP3"):
        MP3(path)  # fails cleanly on a file that is not MP3 before anything is written
    cover = _cover(path, meta)
    tags = _OrderedID3()
    for spec, value in present_fields(meta):
        if spec.id3:
            tags.add(_id3_frame(spec.id3, value))
    if meta.chapters:
        add_id3_chapters(tags, meta, mp3_lead(path))
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
    with mutagen_errors(path, "writing ID3 tags"):
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
    with mutagen_errors(path, "reading the MP4"):
        audio = MP4(path)
    if audio.tags is None:
        audio.add_tags()
    tags = audio.tags
    assert tags is not None
    tags.clear()
    for spec, value in present_fields(meta):
        if spec.mp4:
            tags[spec.mp4] = _mp4_value(spec.mp4, value)
    tags["stik"] = [2]  # media kind "Audiobook": iTunes/Apple Books file it correctly
    if cover:
        kind = MP4Cover.FORMAT_PNG if cover[1] == "image/png" else MP4Cover.FORMAT_JPEG
        tags["covr"] = [MP4Cover(cover[0], imageformat=kind)]
    with mutagen_errors(path, "writing MP4 tags"):
        audio.save()
