"""The M4B's MP4 file, written box by box from the chapters' AAC (ADTS) streams.

No second program joins and muxes: the file is written in one pass over the
chapters' streams, each read once, its frames' ADTS headers dropped on the way.
The layout is the one players and library readers expect of an audiobook:

- ``ftyp`` with the major brand ``M4B ``;
- ``moov`` before ``mdat`` (players start, and read chapters, before the file
  has loaded): the audio track (``stsd``/``esds`` from the streams'
  AudioSpecificConfig, one chunk per chapter), the QuickTime chapter track (a
  text track the audio's ``tref/chap`` points at, one title per chunk), an
  empty tag list with room after it where mutagen writes the tags in place,
  and Nero chapters (``chpl``), which mutagen reads;
- ``mdat``: each chapter's title, then that chapter's audio. Readers that time
  a chapter by where its title lies among the audio chunks (music-metadata)
  find it where the chapter track says it starts.

Every table's length follows from the frame counts, which are known before the
streams are read, so ``moov`` is written as room first and filled in at the
end; memory holds one chapter's stream at a time. Chunk offsets are 64-bit
(``co64``) when the file may pass 4 GiB.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from narrate.errors import EngineError
from narrate.records import ChapterMark

BRAND = b"M4B "  # the major brand: what marks an MP4 as an audiobook to Apple's players
FRAME = 1024  # samples per AAC frame
# ADTS sampling_frequency_index -> Hz (ISO/IEC 14496-3)
_RATES = (96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000)
_MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
_U32 = 0xFFFFFFFF
_BLOCK = 1 << 23  # bytes of a stream read at a time


def box(kind: bytes, *parts: bytes) -> bytes:
    body = b"".join(parts)
    if len(body) + 8 <= _U32:
        return struct.pack(">I4s", len(body) + 8, kind) + body
    return struct.pack(">I4sQ", 1, kind, len(body) + 16) + body


def full(kind: bytes, version: int, flags: int, *parts: bytes) -> bytes:
    return box(kind, struct.pack(">I", (version << 24) | flags), *parts)


@dataclass(frozen=True)
class AudioConfig:
    """What the first ADTS header says of a stream."""

    object_type: int  # 2: AAC LC
    rate_index: int
    channels: int

    @property
    def sample_rate(self) -> int:
        return _RATES[self.rate_index]

    def specific(self) -> bytes:
        """The AudioSpecificConfig (esds' DecoderSpecificInfo)."""
        word = (self.object_type << 11) | (self.rate_index << 7) | (self.channels << 3)
        return struct.pack(">H", word)


def read_config(path: Path) -> AudioConfig:
    with path.open("rb") as f:
        head = f.read(7)
    if len(head) < 7 or head[0] != 0xFF or head[1] & 0xF6 != 0xF0:
        raise _damaged(path)
    rate_index = (head[2] >> 2) & 0xF
    if rate_index >= len(_RATES):
        raise _damaged(path)
    return AudioConfig(((head[2] >> 6) & 3) + 1, rate_index, ((head[2] & 1) << 2) | (head[3] >> 6))


def _unexpected() -> EngineError:
    return EngineError(
        "ffmpeg's AAC encoder framed a chapter unexpectedly: "
        "run `narrate doctor`, or choose MP3 output"
    )


def _damaged(path: Path) -> EngineError:
    return EngineError(f"{path}: the AAC stream is damaged: run the same command again")


def read_frames(path: Path) -> Iterator[tuple[np.ndarray, memoryview]]:
    """An ADTS stream's frames, a block at a time: their sizes, and their bytes one after
    another with the headers left out. Memory holds one block whatever the stream's length."""
    rest = b""
    with path.open("rb") as f:
        while block := f.read(_BLOCK):
            data = rest + block
            sizes, payload, used = adts_frames(data, path)
            rest = data[used:]
            yield sizes, payload
    if rest:
        raise _damaged(path)  # a frame cut short


def adts_frames(data: bytes, path: Path) -> tuple[np.ndarray, memoryview, int]:
    """The whole frames at the start of ``data``: sizes, headerless bytes, bytes used."""
    raw = np.frombuffer(data, np.uint8)
    quick = _headers_found(raw)
    if quick is None:
        sizes, frames, used = _walk(data, path)
        return np.array(sizes, dtype=np.uint32), memoryview(b"".join(frames)), used
    starts, lengths = quick
    used = int(starts[-1] + lengths[-1]) if len(starts) else 0
    keep = np.zeros(len(raw), dtype=bool)
    keep[:used] = True
    keep[(starts[:, None] + np.arange(7)).ravel()] = False
    return (lengths - 7).astype(np.uint32), raw[keep].data, used


def _headers_found(raw: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Where each whole frame starts and how long it is, found all at once; None if unsure.

    An encoder writes every frame's header alike but for its length: the same
    bytes as the first header (a 7-byte one, without CRC) but for the length
    bits mark a frame. The frames found must follow each other exactly, end to
    end; the same bytes inside a frame's data (rare) break that chain, and the
    stream is then walked header by header instead.
    """
    if len(raw) < 7 or raw[0] != 0xFF or raw[1] & 0xF7 != 0xF1:
        return None
    at = np.flatnonzero(raw[:-6] == 0xFF)
    alike = (raw[at + 1] == raw[1]) & (raw[at + 2] == raw[2]) & (raw[at + 6] == raw[6])
    alike &= ((raw[at + 3] ^ raw[3]) & 0xFC == 0) & ((raw[at + 5] ^ raw[5]) & 0x1F == 0)
    at = at[alike].astype(np.int64)
    high, mid, low = raw[at + 3] & 3, raw[at + 4], raw[at + 5] >> 5
    lengths = (high.astype(np.int64) << 11) | (mid.astype(np.int64) << 3) | low
    if not np.array_equal(at[1:], at[:-1] + lengths[:-1]) or lengths.min() <= 7:
        return None
    end = at[-1] + lengths[-1]
    if end > len(raw):  # the last frame runs on into the next block
        at, lengths = at[:-1], lengths[:-1]
    elif len(raw) - end >= 7:  # bytes after the last frame found that should be a frame
        return None
    return at, lengths


def _walk(data: bytes, path: Path) -> tuple[list[int], list[memoryview], int]:
    """Each whole frame's size and bytes, header by header, and the bytes they take."""
    sizes: list[int] = []
    frames: list[memoryview] = []
    view = memoryview(data)
    pos, end = 0, len(data)
    while pos + 7 <= end:
        if data[pos] != 0xFF or data[pos + 1] & 0xF6 != 0xF0:
            raise _damaged(path)
        length = ((data[pos + 3] & 3) << 11) | (data[pos + 4] << 3) | (data[pos + 5] >> 5)
        head = 7 if data[pos + 1] & 1 else 9  # protection_absent, else a CRC follows
        if length <= head:
            raise _damaged(path)
        if pos + length > end:
            break
        sizes.append(length - head)
        frames.append(view[pos + head : pos + length])
        pos += length
    return sizes, frames, pos


def title_sample(title: str) -> bytes:
    """A chapter track sample: the title as a QuickTime text sample, marked UTF-8."""
    text = title.encode("utf-8")[:0xFFFF]
    return struct.pack(">H", len(text)) + text + box(b"encd", struct.pack(">I", 0x100))


def _chpl_title(title: str) -> bytes:
    text = title.encode("utf-8")[:255]
    return text.decode("utf-8", "ignore").encode("utf-8")  # not cut inside a character


@dataclass
class _Tables:
    """What the sample tables say: filled in as the streams are read."""

    counts: Sequence[int]  # frames per chapter (one audio chunk each)
    titles: list[bytes]  # the chapter track's samples
    sizes: np.ndarray  # every audio frame's size
    audio_at: list[int]  # each chapter's audio chunk offset
    title_at: list[int]  # each title's offset
    wide: bool  # 64-bit chunk offsets


def _stsc(counts: Sequence[int]) -> bytes:
    runs: list[tuple[int, int]] = []
    for k, count in enumerate(counts):
        if not runs or runs[-1][1] != count:
            runs.append((k + 1, count))
    entries = [value for first, count in runs for value in (first, count, 1)]
    return full(b"stsc", 0, 0, struct.pack(f">I{len(entries)}I", len(runs), *entries))


def _stco(offsets: Sequence[int], wide: bool) -> bytes:
    kind, width = (b"co64", "Q") if wide else (b"stco", "I")
    return full(kind, 0, 0, struct.pack(f">I{len(offsets)}{width}", len(offsets), *offsets))


def _stts(durations: Sequence[int]) -> bytes:
    runs: list[list[int]] = []
    for duration in durations:
        if runs and runs[-1][1] == duration:
            runs[-1][0] += 1
        else:
            runs.append([1, duration])
    entries = [value for run in runs for value in run]
    return full(b"stts", 0, 0, struct.pack(f">I{len(entries)}I", len(runs), *entries))


def _tkhd(track: int, flags: int, duration: int, group: int, volume: int) -> bytes:
    v1 = duration > _U32
    times = struct.pack(">QQIIQ" if v1 else ">IIIII", 0, 0, track, 0, duration)
    tail = struct.pack(">IIhhhH", 0, 0, 0, group, volume, 0) + _MATRIX + struct.pack(">II", 0, 0)
    return full(b"tkhd", int(v1), flags, times, tail)


def _mdhd(scale: int, duration: int) -> bytes:
    v1 = duration > _U32
    times = struct.pack(">QQIQ" if v1 else ">IIII", 0, 0, scale, duration)
    return full(b"mdhd", int(v1), 0, times, struct.pack(">HH", 0x55C4, 0))  # language "und"


def _edts(duration: int) -> bytes:
    """One edit: the whole track, from its start (nothing trimmed)."""
    v1 = duration > _U32
    entry = struct.pack(">Qq" if v1 else ">Ii", duration, 0) + struct.pack(">hh", 1, 0)
    return box(b"edts", full(b"elst", int(v1), 0, struct.pack(">I", 1), entry))


def _hdlr(kind: bytes, name: bytes) -> bytes:
    return full(b"hdlr", 0, 0, struct.pack(">I4s12x", 0, kind), name + b"\0")


def _dinf() -> bytes:
    return box(b"dinf", full(b"dref", 0, 0, struct.pack(">I", 1), full(b"url ", 0, 1)))


def _descriptor(tag: int, body: bytes) -> bytes:
    size = len(body)  # in four 7-bit groups, as most muxers write it
    groups = [(size >> 21) & 0x7F | 0x80, (size >> 14) & 0x7F | 0x80, (size >> 7) & 0x7F | 0x80]
    return bytes([tag, *groups, size & 0x7F]) + body


def _esds(config: AudioConfig, sizes: np.ndarray) -> bytes:
    rate = config.sample_rate
    seconds = max(len(sizes) * FRAME / rate, 1e-9)
    average = int(int(sizes.sum()) * 8 / seconds)
    per_second = max(1, rate // FRAME)  # the fullest second's bits
    window = np.ones(max(1, min(per_second, len(sizes))), dtype=np.int64)
    fullest = int(np.convolve(sizes, window, "valid").max()) if len(sizes) else 0
    peak = int(fullest * 8 * rate / (per_second * FRAME))
    buffer = int(sizes.max(initial=0))
    decoder = struct.pack(">BB", 0x40, 0x15) + buffer.to_bytes(3, "big")  # AAC, audio stream
    decoder += struct.pack(">II", max(peak, average), average)
    decoder += _descriptor(0x05, config.specific())
    es = struct.pack(">HB", 1, 0) + _descriptor(0x04, decoder) + _descriptor(0x06, b"\x02")
    return full(b"esds", 0, 0, _descriptor(0x03, es))


def _mp4a(config: AudioConfig, sizes: np.ndarray) -> bytes:
    entry = struct.pack(">6xH8xHHhHI", 1, config.channels, 16, 0, 0, config.sample_rate << 16)
    return box(b"mp4a", entry, _esds(config, sizes))


def _audio_trak(config: AudioConfig, t: _Tables) -> bytes:
    frames = len(t.sizes)
    duration = frames * FRAME
    stbl = box(
        b"stbl",
        full(b"stsd", 0, 0, struct.pack(">I", 1), _mp4a(config, t.sizes)),
        _stts_uniform(frames),
        _stsc(t.counts),
        full(b"stsz", 0, 0, struct.pack(">II", 0, frames), t.sizes.astype(">u4").tobytes()),
        _stco(t.audio_at, t.wide),
        # every AAC frame needs the one before it to decode exactly: a roll distance of -1
        full(b"sgpd", 1, 0, struct.pack(">4sIIh", b"roll", 2, 1, -1)),
        full(b"sbgp", 0, 0, struct.pack(">4sIII", b"roll", 1, frames, 1)),
    )
    minf = box(b"minf", full(b"smhd", 0, 0, struct.pack(">hH", 0, 0)), _dinf(), stbl)
    mdia = box(b"mdia", _mdhd(config.sample_rate, duration), _hdlr(b"soun", b"SoundHandler"), minf)
    tref = box(b"tref", box(b"chap", struct.pack(">I", 2)))
    return box(b"trak", _tkhd(1, 3, duration, 1, 0x100), _edts(duration), tref, mdia)


def _stts_uniform(frames: int) -> bytes:
    return full(b"stts", 0, 0, struct.pack(">III", 1, frames, FRAME) if frames else b"\0" * 4)


def _text_trak(rate: int, t: _Tables) -> bytes:
    durations = [count * FRAME for count in t.counts]
    duration = sum(durations)
    sizes = [len(title) for title in t.titles]
    # A text sample entry: display flags, justification, colours, text box and style
    # record left at their defaults, one font (id 1) in its font table.
    text = struct.pack(">6xHIbb4x8x", 1, 1, 0, 0) + struct.pack(">HHHBB4x", 0, 0, 1, 0, 0)
    text += box(b"ftab", struct.pack(">HHB", 1, 1, 0))
    stbl = box(
        b"stbl",
        full(b"stsd", 0, 0, struct.pack(">I", 1), box(b"text", text)),
        _stts(durations),
        full(b"stsc", 0, 0, struct.pack(">IIII", 1, 1, 1, 1)),  # one title per chunk
        full(b"stsz", 0, 0, struct.pack(f">II{len(sizes)}I", 0, len(sizes), *sizes)),
        _stco(t.title_at, t.wide),
    )
    gmin = full(b"gmin", 0, 0, struct.pack(">HHHHhH", 0x40, 0x8000, 0x8000, 0x8000, 0, 0))
    gmhd = box(b"gmhd", gmin, box(b"text", _MATRIX))
    minf = box(b"minf", gmhd, _dinf(), stbl)
    mdia = box(b"mdia", _mdhd(rate, duration), _hdlr(b"text", b"SubtitleHandler"), minf)
    return box(b"trak", _tkhd(2, 2, duration, 0, 0), _edts(duration), mdia)


def _udta(marks: Sequence[ChapterMark], rate: int, counts: Sequence[int], room: int) -> bytes:
    meta = full(
        b"meta",
        0,
        0,
        full(b"hdlr", 0, 0, struct.pack(">I4s4s8x", 0, b"mdir", b"appl"), b"\0"),
        box(b"ilst"),
        box(b"free", bytes(max(room, 0))),  # where mutagen writes the tags, in place
    )
    entries, start = [], 0
    for mark, count in list(zip(marks, counts, strict=True))[:255]:
        title = _chpl_title(mark.title)
        entries.append(struct.pack(">QB", start * 10_000_000 // rate, len(title)) + title)
        start += count * FRAME
    chpl = full(b"chpl", 1, 0, struct.pack(">IB", 0, len(entries)), *entries)
    return box(b"udta", meta, chpl)


def _moov(config: AudioConfig, marks: Sequence[ChapterMark], t: _Tables, room: int) -> bytes:
    rate = config.sample_rate
    duration = len(t.sizes) * FRAME
    v1 = duration > _U32
    times = struct.pack(">QQIQ" if v1 else ">IIII", 0, 0, rate, duration)
    rest = struct.pack(">IH10x", 0x10000, 0x100) + _MATRIX + bytes(24) + struct.pack(">I", 3)
    mvhd = full(b"mvhd", int(v1), 0, times, rest)
    udta = _udta(marks, rate, t.counts, room)
    return box(b"moov", mvhd, _audio_trak(config, t), _text_trak(rate, t), udta)


def write_mp4(
    out: Path,
    streams: Sequence[Path],
    counts: Sequence[int],
    marks: Sequence[ChapterMark],
    *,
    room: int = 0,
) -> None:
    """Write ``out`` (a new, empty file) from each chapter's ADTS stream, ``counts[k]`` frames.

    ``marks`` give the chapters' titles; ``room`` bytes are left free for the tags.
    """
    config = read_config(streams[0])
    titles = [title_sample(mark.title) for mark in marks]
    most = sum(p.stat().st_size for p in streams) + sum(map(len, titles))
    # The tables' lengths depend only on the counts: moov is sized before any frame is read.
    zeros = [0] * len(counts)
    t = _Tables(counts, titles, np.zeros(sum(counts), np.uint32), zeros, list(zeros), False)
    ftyp = box(b"ftyp", BRAND, struct.pack(">I", 0x200), BRAND, b"isom", b"iso2")
    t.wide = len(ftyp) + len(_moov(config, marks, t, room)) + 16 + most > _U32
    moov_size = len(_moov(config, marks, t, room))
    mdat_head = 16 if 8 + most > _U32 else 8
    sizes: list[np.ndarray] = []
    with out.open("r+b") as f:
        f.write(ftyp + bytes(moov_size + mdat_head))
        pos = len(ftyp) + moov_size + mdat_head
        for k, (path, title) in enumerate(zip(streams, titles, strict=True)):
            t.title_at[k] = pos
            f.write(title)
            pos += len(title)
            if read_config(path) != config:
                raise _unexpected()
            t.audio_at[k] = pos
            frames = 0
            for found, audio in read_frames(path):
                frames += len(found)
                if frames > counts[k]:
                    raise _unexpected()
                f.write(audio)
                pos += len(audio)
                sizes.append(found)
            if frames != counts[k]:
                raise _unexpected()
        t.sizes = np.concatenate(sizes) if sizes else t.sizes
        moov = _moov(config, marks, t, room)
        assert len(moov) == moov_size, "the MP4 tables changed size"
        length = pos - len(ftyp) - moov_size
        head = (
            struct.pack(">I4sQ", 1, b"mdat", length)
            if mdat_head == 16
            else struct.pack(">I4s", length, b"mdat")
        )
        f.seek(len(ftyp))
        f.write(moov + head)
