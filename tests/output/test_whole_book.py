"""Whole-book MP3 and M4B files from real blocks, checked with ffmpeg and mutagen.

Every chapter opens with a loud 2 kHz tone and its speech is kept quiet, so
decoding the finished file and finding the tone onsets shows where each
chapter's audio really starts; those must agree with the chapter marks ffmpeg
reads, within 50 ms.
"""

from __future__ import annotations

import array
import math
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import RATE, decode, make_png
from mutagen import id3
from mutagen.mp4 import MP4, MP4Cover

from narrate import tools
from narrate.errors import EngineError
from narrate.output.chapters import mp3_lead
from narrate.output.m4b import marks as m4b_marks
from narrate.output.m4b import write_m4b
from narrate.output.single_mp3 import write_single_mp3
from narrate.output.whole_book import ChapterAudio, chapter_marks, played_marks
from narrate.records import ChapterMark, TrackMeta, Voice
from narrate.render import mp3
from narrate.render.assemble import block_pcm
from narrate.tts import PcmChunk, get_engine

TOLERANCE = 0.050  # seconds: a chapter mark vs. where its audio starts
# Tone onsets are held tighter: AAC priming is 1024 samples (46 ms), just inside
# TOLERANCE, so only a tight bound catches an M4B whose edit list went missing.
ONSET_TOLERANCE = 0.010
THRESHOLD = 16000  # |sample| only the tone reaches (speech is scaled below it)
QUIET_GAP = int(0.35 * RATE)  # an onset needs this much quiet before it
TITLES = ("The Letter", "A Journey; North", "Home = Again")  # ';' and '=' need escaping
LINES = (
    "A letter came in the morning",
    "They walked north for three long days",
    "At last the lights of home appeared",
)


PNG = make_png(2, 2, (0, 255, 0))
META = TrackMeta(
    title="The Test Book",
    album="The Test Book",
    artist="A. Writer",
    track=1,
    total=1,
    language="en",
    narrator="narrate",
    year="1901",
    cover=PNG,
    cover_mime="image/png",
)


def _tone(seconds: float, freq: float = 2000.0, amplitude: float = 0.9) -> PcmChunk:
    peak = amplitude * 32767
    return PcmChunk(
        array.array(
            "h",
            (
                int(peak * math.sin(2 * math.pi * freq * i / RATE))
                for i in range(int(RATE * seconds))
            ),
        ).tobytes(),
        RATE,
    )


def _quieter(pcm: PcmChunk, peak: int = 8000) -> PcmChunk:
    samples = array.array("h", pcm.samples)
    top = max(1, max(abs(s) for s in samples))
    return PcmChunk(array.array("h", (s * peak // top for s in samples)).tobytes(), pcm.sample_rate)


def _onsets(pcm: bytes) -> list[int]:
    """Sample indexes where the signal first exceeds THRESHOLD after QUIET_GAP of quiet."""
    found, last_loud = [], -QUIET_GAP  # the file's start counts as quiet
    for i, sample in enumerate(array.array("h", pcm)):
        if abs(sample) > THRESHOLD:
            if i - last_loud >= QUIET_GAP:
                found.append(i)
            last_loud = i
    return found


@dataclass(frozen=True)
class Book:
    chapters: list[ChapterAudio]
    samples: int  # what a player plays: every block's samples less the file's delay and padding
    lead: int  # samples from a tone block's first played sample to its audible onset


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Book:
    synth = get_engine("espeak")
    assert synth.sample_rate == RATE  # the rate the test decodes at
    voice = Voice("espeak", "en-us")
    tone_pcm = _tone(0.3)
    tone = mp3.encode(tone_pcm)
    # Where the tone starts in its own (Info-tagged, so trimmed) file, per ffmpeg.
    alone = tmp_path_factory.mktemp("tone") / "tone.mp3"
    alone.write_bytes(tone.tagged())
    lead = _onsets(decode(alone)[0])[0]
    chapters, total = [], 0
    for title, line in zip(TITLES, LINES, strict=True):
        speech_pcm = _quieter(synth.synthesize(line, voice))
        speech = mp3.encode(speech_pcm)
        blocks = [
            tone,
            mp3.silence(200, sample_rate=RATE),
            speech,
            mp3.silence(600, sample_rate=RATE),
        ]
        # Each block's span as PCM, as the cache gives it to the M4B writer.
        spans = [
            (tone, block_pcm(tone, tone_pcm.samples)),
            (blocks[1], block_pcm(blocks[1], None)),
            (speech, block_pcm(speech, speech_pcm.samples)),
            (blocks[3], block_pcm(blocks[3], None)),
        ]
        samples = sum(b.samples for b in blocks)
        total += samples
        played = samples - blocks[0].delay - blocks[-1].padding
        chapters.append(
            ChapterAudio(
                title,
                played / RATE,
                samples / RATE,
                lambda blocks=blocks: iter(blocks),
                lambda spans=spans: iter(spans),
            )
        )
    last = chapters[-1]
    played = total - round((last.span - last.duration) * RATE)
    return Book(chapters, played, lead)


def _ffmeta(path: Path) -> list[dict]:
    """ffmpeg's own view of the chapters: [{title, start, end}] in seconds."""
    done = subprocess.run(
        [tools.ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "ffmetadata", "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    chapters: list[dict] = []
    for line in done.stdout.splitlines():
        if line == "[CHAPTER]":
            chapters.append({})
        elif chapters and "=" in line:
            key, _, value = line.partition("=")
            chapters[-1][key.lower()] = value.replace("\\", "")  # FFMETADATA escapes
    out = []
    for chap in chapters:
        num, _, den = chap["timebase"].partition("/")
        scale = int(num) / int(den)
        out.append(
            {
                "title": chap["title"],
                "start": int(chap["start"]) * scale,
                "end": int(chap["end"]) * scale,
            }
        )
    return out


def _decodes_cleanly(path: Path) -> None:
    done = subprocess.run(
        [tools.ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and done.stdout + done.stderr == ""


def _check_chapters(
    path: Path, book: Book, expected: tuple[ChapterMark, ...], opening: int = 0
) -> list[float]:
    """ffmpeg's chapters match the expected marks and the tone onsets; the errors in s.

    ``opening``: samples each chapter's audio starts after its mark (the M4B's AAC priming).
    """
    found = _ffmeta(path)
    assert [c["title"] for c in found] == list(TITLES)
    for chap, mark in zip(found, expected, strict=True):
        assert abs(chap["start"] - mark.start) < TOLERANCE
    onsets = _onsets(decode(path)[0])
    assert len(onsets) == len(TITLES)
    errors = [
        (onset - book.lead - opening) / RATE - chap["start"]
        for onset, chap in zip(onsets, found, strict=True)
    ]
    assert all(abs(e) < ONSET_TOLERANCE for e in errors), errors
    return errors


def _no_temp_files(folder: Path) -> None:
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []


# ---------------------------------------------------------------- single MP3


def test_single_mp3_chapters_land_on_the_audio(tmp_path: Path, book: Book) -> None:
    out = tmp_path / "book.mp3"
    write_single_mp3(out, book.chapters, META)
    errors = _check_chapters(out, book, chapter_marks(book.chapters))
    print("mp3 chapter-start errors (ms):", [round(e * 1000, 1) for e in errors])
    _decodes_cleanly(out)
    pcm, _ = decode(out)
    assert len(pcm) // 2 == book.samples  # no frame lost or added at the joins
    assert chapter_marks(book.chapters)[-1].end == pytest.approx(book.samples / RATE, abs=1e-6)
    _no_temp_files(tmp_path)


def test_single_mp3_id3_table_of_contents_and_cover(tmp_path: Path, book: Book) -> None:
    out = tmp_path / "book.mp3"
    write_single_mp3(out, book.chapters, META)
    tags = id3.ID3(out)
    assert tags.version == (2, 4, 0)
    (toc,) = tags.getall("CTOC")
    assert toc.flags & id3.CTOCFlags.TOP_LEVEL and toc.flags & id3.CTOCFlags.ORDERED
    chaps = {c.element_id: c for c in tags.getall("CHAP")}
    ordered = [chaps[element] for element in toc.child_element_ids]
    assert [c.sub_frames["TIT2"].text[0] for c in ordered] == list(TITLES)
    # CHAP times are on the decoder's timeline: the marks plus the delay players trim.
    lead = mp3_lead(out)
    assert lead == pytest.approx((576 + 529) / RATE)
    for chap, mark in zip(ordered, chapter_marks(book.chapters), strict=True):
        assert abs(chap.start_time - (mark.start + lead) * 1000) <= 1
        assert abs(chap.end_time - (mark.end + lead) * 1000) <= 1
    assert tags["TIT2"].text == ["The Test Book"] and tags["TPE1"].text == ["A. Writer"]
    (apic,) = tags.getall("APIC")
    assert apic.data == PNG and apic.mime == "image/png"


def test_single_mp3_id3v23(tmp_path: Path, book: Book) -> None:
    out = tmp_path / "old.mp3"
    write_single_mp3(out, book.chapters, META, id3v23=True)
    assert id3.ID3(out).version == (2, 3, 0)
    assert [c["title"] for c in _ffmeta(out)] == list(TITLES)


def test_single_mp3_failure_leaves_nothing(tmp_path: Path, book: Book) -> None:
    def broken() -> Iterator[bytes]:
        yield next(iter(book.chapters[0].chunks()))
        raise KeyboardInterrupt

    chapters = [book.chapters[0], ChapterAudio("Broken", 1.0, 1.0, broken)]
    with pytest.raises(KeyboardInterrupt):
        write_single_mp3(tmp_path / "book.mp3", chapters, META)
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- M4B


def test_m4b_chapters_tags_and_cover(tmp_path: Path, book: Book) -> None:
    out = tmp_path / "book.m4b"
    write_m4b(out, book.chapters, META, sample_rate=RATE)
    # The M4B is the chapters as their own files play, one after another, each
    # chapter's stream a whole number of AAC frames that opens with the priming frame.
    marks = m4b_marks(book.chapters, RATE)
    for mark, played in zip(marks, played_marks(book.chapters), strict=True):
        assert abs(mark.start - played.start) <= 512 / RATE
    errors = _check_chapters(out, book, marks, opening=1024)
    print("m4b chapter-start errors (ms):", [round(e * 1000, 1) for e in errors])
    _decodes_cleanly(out)
    pcm, _ = decode(out)
    played = round(sum(c.duration for c in book.chapters) * RATE)
    assert abs(len(pcm) // 2 - played) <= 1024  # one AAC frame
    audio = MP4(out)
    assert abs(audio.info.length - played / RATE) < 0.100
    tags = audio.tags
    assert tags is not None
    assert tags["\xa9nam"] == ["The Test Book"] and tags["\xa9alb"] == ["The Test Book"]
    assert tags["\xa9ART"] == ["A. Writer"]
    (cover,) = tags["covr"]
    assert bytes(cover) == PNG and cover.imageformat == MP4Cover.FORMAT_PNG
    assert [c.title for c in audio.chapters] == list(TITLES)
    for chap, mark in zip(audio.chapters, marks, strict=True):
        assert abs(chap.start - mark.start) < TOLERANCE
    _no_temp_files(tmp_path)


def test_m4b_ffmpeg_failure_reports_stderr_tail(
    tmp_path: Path, book: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    if os.name == "nt":
        pytest.skip("the stand-in ffmpeg is a shell script")
    fake = tmp_path / "bin" / "ffmpeg"
    fake.parent.mkdir()
    # Quits without reading stdin, like an ffmpeg that rejects its arguments.
    fake.write_text(
        "#!/bin/sh\nprintf '%0800d\\n' 0 >&2\necho 'Unknown encoder: FAKE-AAC' >&2\nexit 1\n"
    )
    fake.chmod(0o755)
    monkeypatch.setattr(tools, "ffmpeg_exe", lambda: str(fake))
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(EngineError) as caught:
        write_m4b(folder / "book.m4b", book.chapters, META, sample_rate=RATE)
    message = str(caught.value)
    assert "Unknown encoder: FAKE-AAC" in message and "exit status 1" in message
    assert "0" * 400 not in message  # only the tail is quoted
    assert list(folder.iterdir()) == []


def test_m4b_bad_bitrate_is_an_engine_error(tmp_path: Path, book: Book) -> None:
    with pytest.raises(EngineError, match="bitrate"):
        write_m4b(tmp_path / "book.m4b", book.chapters, META, sample_rate=RATE, bitrate=-64)
    assert list(tmp_path.iterdir()) == []


def test_m4b_interrupt_leaves_nothing(tmp_path: Path, book: Book) -> None:
    first = book.chapters[0]
    assert first.pcm is not None

    def interrupted() -> Iterator[tuple[mp3.Block, bytes]]:
        yield from first.pcm()  # type: ignore[misc]
        raise KeyboardInterrupt

    chapters = [first, ChapterAudio("Cut", 1.0, 1.0, first.chunks, interrupted)]
    with pytest.raises(KeyboardInterrupt):
        write_m4b(tmp_path / "book.m4b", chapters, META, sample_rate=RATE)
    assert list(tmp_path.iterdir()) == []


def test_no_chapters_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_single_mp3(tmp_path / "a.mp3", [], META)
    with pytest.raises(ValueError):
        write_m4b(tmp_path / "a.m4b", [], META, sample_rate=RATE)
