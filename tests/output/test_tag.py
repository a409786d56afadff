"""Tagging real MP3/M4B files, read back with mutagen and checked with ffmpeg."""

from __future__ import annotations

import functools
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import encode_mp3, make_png, sine
from mutagen import id3
from mutagen.mp4 import MP4, MP4Cover

from narrate.errors import NarrateError
from narrate.output.chapters import ffmetadata_chapters, parse_ffmetadata
from narrate.output.playlist import write_playlist
from narrate.output.tag_fields import TagError, language_code
from narrate.output.tags import tag_m4b, tag_mp3
from narrate.records import ChapterMark, TrackMeta
from narrate.tools import ffmpeg_exe

RATE = 22050


PNG = make_png(4, 4, (255, 0, 0))  # ffmpeg decodes the attached picture too


def make_mp3(path: Path, seconds: float = 2.0) -> Path:
    return encode_mp3(path, sine(seconds))


def ffmpeg(*args: str, data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-y", *args],
        input=data or b"",
        capture_output=True,
        check=True,
    )


@functools.cache
def jpeg() -> bytes:
    """A real 8x8 JPEG made by ffmpeg."""
    return ffmpeg(
        "-v",
        "error",
        "-f",
        "lavfi",
        "-i",
        "color=c=blue:s=8x8",
        "-frames:v",
        "1",
        "-f",
        "mjpeg",
        "-",
    ).stdout


def make_m4b(path: Path, metadata: Path | None = None, *extra: str) -> Path:
    meta_args = (
        ["-i", str(metadata), "-map", "0", "-map_metadata", "1", "-map_chapters", "1"]
        if metadata
        else []
    )
    ffmpeg(
        "-f",
        "s16le",
        "-ar",
        str(RATE),
        "-ac",
        "1",
        "-i",
        "-",
        *meta_args,
        "-c:a",
        "aac",
        "-b:a",
        "64k",
        *extra,
        str(path),
        data=sine(),
    )
    return path


def ffmeta(path: Path) -> tuple[dict[str, str], list[dict[str, object]]]:
    """What a real decoder sees: ffmpeg's FFMETADATA dump of the file."""
    out = ffmpeg("-v", "error", "-i", str(path), "-f", "ffmetadata", "-").stdout
    return parse_ffmetadata(out.decode("utf-8"))


def decode_errors(path: Path) -> str:
    done = subprocess.run(
        [ffmpeg_exe(), "-nostdin", "-v", "error", "-i", str(path), "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stderr + ("" if done.returncode == 0 else f"exit {done.returncode}")


MARKS = (
    ChapterMark("Opening", 0.0, 0.75),
    ChapterMark("Middle", 0.75, 1.5),
    ChapterMark("Ending", 1.5, 2.0),
)
META = TrackMeta(
    title="Chapter 1: Ashes",
    album="The Long Road",
    artist="Ada Writer",
    track=1,
    total=12,
    language="en",
    narrator="Nell Reader",
    year="1999",
    description="A road; a walk.",
    encoder="narrate 0.1.0",
    series="Roads",
    series_index="2",
    publisher="Small Press",
    isbn="978-3-16-148410-0",
    cover=PNG,
    cover_mime="image/png",
    chapters=MARKS,
)


@pytest.fixture()
def mp3(tmp_path: Path) -> Path:
    return make_mp3(tmp_path / "chapter.mp3")


def text(tags: id3.ID3, key: str) -> str:
    return str(tags[key].text[0])


def test_mp3_v24_fields(mp3: Path) -> None:
    tag_mp3(mp3, META)
    tags = id3.ID3(mp3)
    assert tags.version == (2, 4, 0)
    expected = {
        "TIT2": "Chapter 1: Ashes",
        "TALB": "The Long Road",
        "TPE1": "Ada Writer",
        "TPE2": "Ada Writer",
        "TRCK": "1/12",
        "TCON": "Audiobook",
        "TLAN": "eng",
        "TCOM": "Nell Reader",
        "TXXX:NARRATOR": "Nell Reader",
        "TDRC": "1999",
        "TXXX:DESCRIPTION": "A road; a walk.",
        "TXXX:SERIES": "Roads",
        "TXXX:SERIES-PART": "2",
        "MVNM": "Roads",
        "MVIN": "2",
        "TPUB": "Small Press",
        "TXXX:ISBN": "978-3-16-148410-0",
        "COMM::eng": "A road; a walk.",  # the description: libraries show it
        "TSSE": "narrate 0.1.0",
    }
    assert {key: text(tags, key) for key in expected} == expected
    (apic,) = tags.getall("APIC")
    assert (apic.type, apic.mime, apic.data) == (id3.PictureType.COVER_FRONT, "image/png", PNG)
    assert decode_errors(mp3) == ""


def test_mp3_chapters_seen_by_mutagen_and_ffmpeg(mp3: Path) -> None:
    tag_mp3(mp3, META)
    tags = id3.ID3(mp3)
    chaps = {c.element_id: c for c in tags.getall("CHAP")}
    assert [
        (chaps[k].start_time, chaps[k].end_time, text(chaps[k].sub_frames, "TIT2"))
        for k in ("chp0", "chp1", "chp2")
    ] == [(0, 750, "Opening"), (750, 1500, "Middle"), (1500, 2000, "Ending")]
    (toc,) = tags.getall("CTOC")
    assert toc.flags == id3.CTOCFlags.TOP_LEVEL | id3.CTOCFlags.ORDERED
    assert toc.child_element_ids == ["chp0", "chp1", "chp2"]
    assert text(toc.sub_frames, "TIT2") == "Chapter 1: Ashes"

    tags_seen, chapters = ffmeta(mp3)
    assert [(c["title"], c["start"]) for c in chapters] == [
        ("Opening", 0.0),
        ("Middle", 0.75),
        ("Ending", 1.5),
    ]
    assert tags_seen["title"] == "Chapter 1: Ashes"
    assert decode_errors(mp3) == ""


def test_mp3_v23(mp3: Path) -> None:
    tag_mp3(mp3, META, id3v23=True)
    assert mp3.read_bytes()[:4] == b"ID3\x03"
    raw = id3.ID3(mp3, translate=False)
    assert raw.version == (2, 3, 0)
    assert text(raw, "TYER") == "1999" and "TDRC" not in raw
    # v2.3 has no UTF-8: every text frame must have been re-encoded.
    assert all(getattr(f, "encoding", 0) != id3.Encoding.UTF8 for f in raw.values())
    assert text(raw, "TXXX:NARRATOR") == "Nell Reader"
    assert [c["title"] for c in ffmeta(mp3)[1]] == ["Opening", "Middle", "Ending"]
    assert decode_errors(mp3) == ""


def test_retagging_replaces_tags_and_keeps_audio(tmp_path: Path, mp3: Path) -> None:
    audio = mp3.read_bytes()
    tag_mp3(mp3, META)
    tag_mp3(mp3, replace(META, chapters=(), cover=None, narrator=None, language=None))
    tags = id3.ID3(mp3)
    assert not tags.getall("CHAP") and not tags.getall("CTOC") and not tags.getall("APIC")
    assert "TCOM" not in tags and "TLAN" not in tags
    header = mp3.read_bytes()
    size = id3.BitPaddedInt(header[6:10])
    assert header[10 + size :] == audio  # the MPEG frames are untouched
    # ffmpeg's own encoder tag is replaced too, and non-ASCII survives.
    made = tmp_path / "ff.mp3"
    ffmpeg(
        "-f",
        "s16le",
        "-ar",
        str(RATE),
        "-ac",
        "1",
        "-i",
        "-",
        "-b:a",
        "64k",
        str(made),
        data=sine(1.0),
    )
    tag_mp3(made, replace(META, title="Глава 1 — «Пепел»"))
    tags = id3.ID3(made)
    # ffmpeg's own TSSE ("Lavf...") gives way to ours.
    assert text(tags, "TSSE") == "narrate 0.1.0" and text(tags, "TIT2") == "Глава 1 — «Пепел»"
    assert decode_errors(made) == ""


def test_optional_fields_and_normalisation(mp3: Path) -> None:
    tag_mp3(
        mp3,
        TrackMeta(
            title="T",
            album="A",
            artist=None,
            track=3,
            total=4,
            year="1897-05-26 (first edition)",
            series="S",
            series_index="2.5",
            language="pt-BR",
        ),
    )
    tags = id3.ID3(mp3)
    assert "TPE1" not in tags and "TCOM" not in tags and "APIC:Cover" not in tags
    assert str(tags["TDRC"].text[0]) == "1897-05-26"
    assert text(tags, "TXXX:SERIES-PART") == "2.5" and "MVIN" not in tags
    assert text(tags, "TLAN") == "por"
    tag_mp3(mp3, TrackMeta(title="T", album="A", artist=None, track=1, total=1, year="unknown"))
    assert "TDRC" not in id3.ID3(mp3)


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("en", "eng"),
        ("EN-gb", "eng"),
        ("de_AT", "ger"),
        ("fra", "fra"),
        ("xx", None),
        (None, None),
        ("", None),
    ],
)
def test_language_code(given: str | None, code: str | None) -> None:
    assert language_code(given) == code


def test_cover_type_comes_from_bytes(mp3: Path, tmp_path: Path) -> None:
    tag_mp3(mp3, replace(META, cover=jpeg(), cover_mime="image/png"))
    assert id3.ID3(mp3).getall("APIC")[0].mime == "image/jpeg"
    with pytest.raises(TagError, match=r"chapter\.mp3.*JPEG or PNG"):
        tag_mp3(mp3, replace(META, cover=b"GIF89a....", cover_mime="image/gif"))


def test_tag_errors_name_the_file(tmp_path: Path) -> None:
    not_audio = tmp_path / "notes.mp3"
    not_audio.write_text("just text, no audio frames here\n" * 50)
    with pytest.raises(TagError) as caught:
        tag_mp3(not_audio, META)
    assert isinstance(caught.value, NarrateError)
    assert str(not_audio) in str(caught.value) and caught.value.path == not_audio
    assert not_audio.read_text().startswith("just text")  # nothing was written
    with pytest.raises(TagError, match="file not found"):
        tag_mp3(tmp_path / "missing.mp3", META)
    with pytest.raises(TagError, match="notes.mp3"):
        tag_m4b(not_audio, META)


def test_bad_chapter_marks_are_rejected(mp3: Path) -> None:
    with pytest.raises(ValueError, match="bad times"):
        tag_mp3(mp3, replace(META, chapters=(ChapterMark("x", 2.0, 1.0),)))
    with pytest.raises(ValueError):
        ffmetadata_chapters([ChapterMark("x", -1.0, 1.0)], META)


def test_ffmetadata_text_and_escaping() -> None:
    meta = TrackMeta(
        title="a=b;c#d\\e\nf", album="Book", artist=None, track=2, total=5, chapters=()
    )
    marks = [ChapterMark("One", 0.0, 1.2345), ChapterMark("Two = 2; #2", 1.2345, 3.0)]
    assert ffmetadata_chapters(marks, meta) == (
        ";FFMETADATA1\n"
        "title=a\\=b\\;c\\#d\\\\e\\\nf\n"
        "album=Book\n"
        "track=2/5\n"
        "genre=Audiobook\n"
        "\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=1234\ntitle=One\n"
        "\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=1234\nEND=3000\ntitle=Two \\= 2\\; \\#2\n"
    )
    tags, chapters = parse_ffmetadata(ffmetadata_chapters(marks, meta))
    assert tags["title"] == "a=b;c#d\\e\nf"
    assert [c["title"] for c in chapters] == ["One", "Two = 2; #2"]


def test_m4b_atoms_and_chapters(tmp_path: Path) -> None:
    metafile = tmp_path / "meta.txt"
    marks = (*MARKS[:2], ChapterMark("End = #3; \\ fin", 1.5, 2.0))
    metafile.write_text(ffmetadata_chapters(marks, META), encoding="utf-8")
    book = make_m4b(tmp_path / "book.m4b", metafile)
    tag_m4b(book, META)
    tags = MP4(book).tags
    assert tags is not None
    assert tags["\xa9nam"] == ["Chapter 1: Ashes"] and tags["\xa9alb"] == ["The Long Road"]
    assert tags["\xa9ART"] == tags["aART"] == ["Ada Writer"]
    assert tags["\xa9wrt"] == ["Nell Reader"] and tags["\xa9gen"] == ["Audiobook"]
    assert tags["trkn"] == [(1, 12)] and tags["\xa9day"] == ["1999"]
    assert tags["desc"] == ["A road; a walk."] and tags["\xa9cmt"] == ["A road; a walk."]
    assert bytes(tags["----:com.apple.iTunes:NARRATOR"][0]) == b"Nell Reader"
    assert tags["stik"] == [2]
    (cover,) = tags["covr"]
    assert cover.imageformat == MP4Cover.FORMAT_PNG and bytes(cover) == PNG
    assert tags["\xa9too"] == ["narrate 0.1.0"]  # ffmpeg's encoder tag was replaced
    # The chapters ffmpeg muxed survive mutagen's rewrite of the moov box.
    seen = ffmeta(book)[1]
    assert [c["title"] for c in seen] == ["Opening", "Middle", "End = #3; \\ fin"]
    # MP4 stores chapter times in the audio's sample clock: equal to within a sample.
    assert [c["start"] for c in seen] == pytest.approx([0.0, 0.75, 1.5], abs=1e-3)
    assert decode_errors(book) == ""


def test_m4b_jpeg_cover_and_faststart(tmp_path: Path) -> None:
    book = make_m4b(tmp_path / "fast.m4b", None, "-movflags", "+faststart")
    tag_m4b(book, replace(META, cover=jpeg(), cover_mime=None))
    assert MP4(book).tags["covr"][0].imageformat == MP4Cover.FORMAT_JPEG  # type: ignore[index]
    assert decode_errors(book) == ""


def test_playlist(tmp_path: Path) -> None:
    target = tmp_path / "book.m3u8"
    target.write_text("old")
    write_playlist(
        target, [("01 Über.mp3", 61.6, "Chapter 1: Über"), ("sub/02.mp3", 5.2, "Two\nlines")]
    )
    assert target.read_bytes().decode("utf-8") == (
        "#EXTM3U\n#EXTINF:62,Chapter 1: Über\n01 Über.mp3\n#EXTINF:5,Two lines\nsub/02.mp3\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.m3u8"]  # no temp file left
