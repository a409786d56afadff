"""Every MP3 narrate writes opens with a LAME Info tag: exact length, gapless trims, honest tags.

A real book goes through `narrate generate` (espeak-ng, LAME); the files are
read with mutagen (its own parser of the Info/LAME tag) and decoded with
ffmpeg, and the transcripts and `narrate inspect` are held to what they play.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DATA, RATE, decode, decodes_cleanly
from mutagen.id3 import ID3
from mutagen.mp3 import MP3, BitrateMode
from mutagen.mp3._util import LAMEHeader, XingHeader

from narrate import __version__
from narrate.cli import main
from narrate.tools import ffmpeg_exe

FRAME = 576  # samples per MPEG-2 layer III frame (22,050 Hz)
NARRATOR = "espeak-ng voices (narrate)"


def _crc16(data: bytes) -> int:
    """CRC-16, polynomial 0x8005 reflected, from 0: the LAME tag's checksum."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def _tag(path: Path) -> tuple[XingHeader, LAMEHeader, bytes, bytes]:
    """mutagen's reading of the Info tag, the tag frame's bytes and the audio after it."""
    data = path.read_bytes()
    start = ID3(path).size
    info = MP3(path).info
    with path.open("rb") as file:
        file.seek(start + XingHeader.get_offset(info))
        xing = XingHeader(file)
    assert xing.lame_header is not None
    header = int.from_bytes(data[start : start + 4], "big")
    kbps = (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)[(header >> 12) & 15]
    length = 72 * kbps * 1000 // RATE
    return xing, xing.lame_header, data[start : start + length], data[start + length :]


def _count_frames(audio: bytes) -> int:
    """Walk the 64 kbps MPEG-2 frames by their headers' length and padding bits."""
    pos = count = 0
    while pos < len(audio):
        assert audio[pos] == 0xFF, pos
        pos += 72 * 64000 // RATE + ((audio[pos + 2] >> 1) & 1)
        count += 1
    assert pos == len(audio)
    return count


def _ffmpeg_duration(path: Path) -> float:
    """The duration ffmpeg (and ffprobe) report for the file, from its header."""
    err = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-i", str(path)],
        capture_output=True,
        text=True,
        check=False,  # ffmpeg exits 1: no output file was asked for
    ).stderr
    h, m, s = re.search(r"Duration: (\d+):(\d+):([\d.]+)", err).groups()
    assert "Estimating duration from bitrate" not in err
    return int(h) * 3600 + int(m) * 60 + float(s)


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("gapless")
    result = CliRunner().invoke(
        main,
        [
            "-q",
            "generate",
            str(DATA / "two-chapters.txt"),
            "--out",
            str(work),
            "--format",
            "mp3,mp3-single",
        ],
    )
    assert result.exit_code == 0, result.output
    return work / "the-red-kite"


def test_chapter_files_carry_a_correct_info_tag(book: Path) -> None:
    chapters = sorted(book.glob("0*.mp3"))
    assert len(chapters) == 2
    for path in [*chapters, book.with_name("the-red-kite (mp3-single)") / "the-red-kite.mp3"]:
        xing, lame, frame, audio = _tag(path)
        assert xing.is_info and frame[13:17] == b"Info"  # CBR: "Info", not "Xing"
        assert xing.frames == _count_frames(audio)
        assert xing.bytes == lame.music_length == len(frame) + len(audio)
        assert lame.vbr_method == 1 and lame.bitrate == 64
        assert lame.encoder_delay_start == 576 and 0 < lame.encoder_padding_end < 4096
        assert lame.music_crc == _crc16(audio)
        crc_at = 13 + 154  # mono MPEG-2: side information of 9 bytes after the header
        assert lame.header_crc == _crc16(frame[:crc_at])
        info = MP3(path).info
        assert info.bitrate_mode == BitrateMode.CBR
        assert re.fullmatch(r"LAME \d+\.\d+\S*", info.encoder_info), info.encoder_info
        assert info.encoder_settings == "-b 64"
        # Exact: the decoded length is the frames less the delay and padding the tag trims.
        played = xing.frames * FRAME - lame.encoder_delay_start - lame.encoder_padding_end
        assert len(decode(path)[0]) // 2 == played
        assert abs(info.length - played / RATE) < FRAME / RATE
        assert abs(_ffmpeg_duration(path) - played / RATE) < 0.011  # ffmpeg prints 1/100 s
        assert decodes_cleanly(path) == pytest.approx(played / RATE, abs=1 / RATE)


def test_cues_and_inspect_match_what_plays(book: Path) -> None:
    manifest = json.loads((book / ".narrate.json").read_text())["outputs"]
    for path in sorted(book.glob("0*.mp3")):
        played = len(decode(path)[0]) / 2 / RATE
        assert manifest[path.stem]["duration"] == pytest.approx(played, abs=1e-5)
        cues = re.findall(r"([\d:.]+) --> ([\d:.]+)", path.with_suffix(".vtt").read_text())

        def seconds(stamp: str) -> float:
            h, m, s = stamp.split(":")
            return int(h) * 3600 + int(m) * 60 + float(s)

        # The first words start at once (the encoder delay is trimmed); the last end in time.
        assert seconds(cues[0][0]) < 0.002
        assert seconds(cues[-1][1]) <= played
        shown = json.loads(
            CliRunner().invoke(main, ["inspect", str(path), "--format", "json"]).output
        )
        assert shown["duration"] == pytest.approx(played, abs=FRAME / RATE)


def test_single_mp3_chapters_start_where_each_chapter_file_does(book: Path) -> None:
    single = book.with_name("the-red-kite (mp3-single)") / "the-red-kite.mp3"
    shown = json.loads(
        CliRunner().invoke(main, ["inspect", str(single), "--format", "json"]).output
    )
    chapters = shown["chapters"]
    assert [c["title"] for c in chapters] == ["Chapter 1: The Hill", "Chapter 2: The Sky"]
    xing, _, _, _ = _tag(min(book.glob("0*.mp3")))
    span = xing.frames * FRAME / RATE  # the chapter's frames, delay and padding kept
    assert chapters[0]["start"] == 0.0
    assert chapters[1]["start"] == pytest.approx(span, abs=0.001)
    played = len(decode(single)[0]) / 2 / RATE
    assert chapters[-1]["end"] == pytest.approx(played, abs=0.001)
    assert shown["duration"] == pytest.approx(played, abs=FRAME / RATE)


def test_tags_credit_the_voices_and_the_software(book: Path) -> None:
    for path in sorted(book.glob("*.mp3")):
        tags = ID3(path)
        assert str(tags["TCOM"]) == NARRATOR == str(tags["TXXX:NARRATOR"])
        assert str(tags["TSSE"]) == f"narrate {__version__}"
        assert not tags.getall("COMM")  # a plain-text book has no description
    opening = min(book.glob("0*.vtt")).read_text()
    assert f"The Red Kite, by Ada Quill. Narrated by {NARRATOR}." in opening


def test_voices_yaml_description_and_narrator(tmp_path: Path) -> None:
    voices = tmp_path / "voices.yaml"
    voices.write_text(
        "book:\n  narrator: Kim Reader\n  description: Two children fly a kite.\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        main,
        [
            "-q",
            "generate",
            str(DATA / "no-headings.txt"),
            "--voices",
            str(voices),
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert result.exit_code == 0, result.output
    (path,) = (tmp_path / "out").glob("*/*.mp3")
    tags = ID3(path)
    assert str(tags["TCOM"]) == "Kim Reader"
    assert str(tags["COMM::eng"]) == "Two children fly a kite."
    assert str(tags["TXXX:DESCRIPTION"]) == "Two children fly a kite."
    assert "Narrated by Kim Reader." in path.with_suffix(".vtt").read_text()


def test_voices_yaml_description_is_checked(tmp_path: Path) -> None:
    voices = tmp_path / "voices.yaml"
    voices.write_text("book:\n  description: [a, b]\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["cast", str(DATA / "no-headings.txt"), "--voices", str(voices)]
    )
    assert result.exit_code == 3
    assert "book.description" in result.output
