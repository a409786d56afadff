"""The Info tag: the first frame of every MP3 narrate writes, so players time it exactly.

LAME's tag frame (an MPEG frame holding no audio) says how many frames and
bytes follow, and in its LAME extension the encoder delay and padding: a
player that reads it knows the duration without estimating from the file size
and trims the delay and padding, so what it plays starts and ends with the
audio that was encoded. A constant-bitrate stream's tag reads "Info" (a
variable one's "Xing").

The layout, after the 4-byte frame header and the (all zero) side information:

    "Info"  flags(4)  frames(4)  bytes(4)  TOC(100)  quality(4)          Xing part
    version(9)  revision+method(1)  lowpass(1)  peak(4)  gains(2+2)
    ath(1)  bitrate(1)  delay+padding(12+12 bits)  misc(1)  mp3gain(1)
    preset(2)  music length(4)  music CRC(2)  tag CRC(2)                 LAME part

"frames" counts the audio frames after the tag; "bytes" and "music length"
count the tag frame too. Both CRCs are CRC-16 with polynomial 0x8005
(reflected, 0xA001), starting from 0: the music CRC over the audio frames, the
tag CRC over every byte of the tag frame before it (the first 190 bytes for
MPEG-1 stereo, where the side information is 32 bytes; fewer for mono and
MPEG-2, whose side information is shorter).
"""

from __future__ import annotations

import functools
import re
import struct
from dataclasses import dataclass

import numpy as np

# MPEG version bits -> bitrate table (kbps) and sample rates
V1_RATES = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
V2_RATES = (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)
SAMPLE_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}

_XING_FLAGS = 0x0F  # frames, bytes, TOC and quality present, as LAME writes them
_TAG_BYTES = 4 + 4 + 4 + 4 + 100 + 4 + 36  # the Xing part and the LAME part
_CBR = 1  # the LAME part's "VBR method" for constant bitrate


@dataclass(frozen=True, slots=True)
class Header:
    """An MPEG audio layer III frame header's fields that decide its size and layout."""

    word: int

    @property
    def version(self) -> int:  # 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5
        return (self.word >> 19) & 3

    @property
    def sample_rate(self) -> int:
        return SAMPLE_RATES[self.version][(self.word >> 10) & 3]

    @property
    def kbps(self) -> int:
        return (V1_RATES if self.version == 3 else V2_RATES)[(self.word >> 12) & 15]

    @property
    def mono(self) -> bool:
        return (self.word >> 6) & 3 == 3

    @property
    def frame_samples(self) -> int:
        return 1152 if self.version == 3 else 576

    @property
    def length(self) -> int:
        padding = (self.word >> 9) & 1
        return (self.frame_samples // 8) * self.kbps * 1000 // self.sample_rate + padding

    @property
    def tag_offset(self) -> int:
        """Where "Info" starts: after the header and the side information."""
        if self.version == 3:
            return 4 + (17 if self.mono else 32)
        return 4 + (9 if self.mono else 17)


def read_header(data: bytes, pos: int = 0) -> Header | None:
    """The layer III frame header at ``pos``, or None if there is none."""
    if pos + 4 > len(data):
        return None
    word = int.from_bytes(data[pos : pos + 4], "big")
    valid = (
        word >> 21 == 0x7FF
        and (word >> 19) & 3 != 1
        and (word >> 17) & 3 == 1
        and 0 < (word >> 12) & 15 < 15
        and (word >> 10) & 3 != 3
    )
    return Header(word) if valid else None


def _tag_header(first: Header) -> Header:
    """The tag frame's header: the stream's own, at the lowest bitrate whose frame holds the tag.

    At the stream's bitrate when the tag fits (so a constant-bitrate file stays
    one bitrate throughout); a low-bitrate stream's frame is too small for it
    (32 kbps at 22,050 Hz is 104 bytes), and the tag frame then takes a higher one.
    """
    index = (first.word >> 12) & 15
    # No CRC (protection bit set), no padding, mode extension 0; the rest as the stream's.
    base = (first.word & ~((15 << 12) | (1 << 9) | (3 << 4))) | (1 << 16)
    for candidate in range(index, 15):
        header = Header(base | (candidate << 12))
        if header.length >= header.tag_offset + _TAG_BYTES:
            return header
    raise ValueError("no MPEG frame is large enough for the Info tag")


# ---------------------------------------------------------------- CRC-16


def _crc_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_TABLE = _crc_table()
_NP_TABLE = np.array(_TABLE, dtype=np.uint16)
_ROW = 256  # bytes per lane when many lanes are checked at once


def crc16(data: bytes | bytearray, crc: int = 0) -> int:
    """CRC-16 (0x8005 reflected) of ``data``, continuing from ``crc``: byte by byte."""
    table = _TABLE
    for byte in data:
        crc = (crc >> 8) ^ table[(crc ^ byte) & 0xFF]
    return crc


@functools.cache
def _shift_table(length: int) -> list[int]:
    """For each CRC value, the CRC after ``length`` more zero bytes (the map is linear)."""
    basis = np.array([1 << bit for bit in range(16)], dtype=np.uint16)
    for _ in range(length):
        basis = (basis >> 8) ^ _NP_TABLE[basis & 0xFF]
    values = np.arange(65536, dtype=np.uint32)
    shifted = np.zeros(65536, dtype=np.uint16)
    for bit in range(16):
        shifted ^= np.where((values >> bit) & 1, basis[bit], 0).astype(np.uint16)
    return shifted.tolist()


class Crc16:
    """CRC-16 of a long stream, fed in pieces.

    A byte-by-byte loop in Python would take a minute over a long book, so whole
    rows of bytes are checked side by side with numpy, each row from 0, and the
    rows' CRCs joined in order: with a start of 0 the CRC is linear, so
    CRC(a + b) is CRC(a) carried over len(b) zero bytes, XOR CRC(b).
    """

    _BATCH = 1 << 20

    def __init__(self) -> None:
        self.value = 0
        self._pending = bytearray()

    def update(self, data: bytes) -> None:
        self._pending += data
        if len(self._pending) >= self._BATCH:
            self._rows()

    def _rows(self) -> None:
        rows = len(self._pending) // _ROW
        if not rows:
            return
        grid = np.frombuffer(bytes(self._pending[: rows * _ROW]), dtype=np.uint8)
        columns = grid.reshape(rows, _ROW).T.copy()
        lanes = np.zeros(rows, dtype=np.uint16)
        for column in columns:
            lanes = (lanes >> 8) ^ _NP_TABLE[(lanes ^ column) & 0xFF]
        shift, crc = _shift_table(_ROW), self.value
        for lane in lanes.tolist():
            crc = shift[crc] ^ lane
        self.value = crc
        del self._pending[: rows * _ROW]

    def digest(self) -> int:
        self._rows()
        self.value = crc16(self._pending, self.value)
        self._pending.clear()
        return self.value


# ---------------------------------------------------------------- the tag frame


@functools.cache
def encoder_version() -> bytes:
    """The LAME version lameenc's encoder marks its own output with, as the tag's 9 bytes.

    LAME writes its short version ("LAME3.100", "LAME4.0") into the first frame's
    spare bits; reading it back names the encoder that really made the audio.
    """
    import lameenc

    encoder = lameenc.Encoder()
    encoder.set_bit_rate(64)
    encoder.set_in_sample_rate(22050)
    encoder.set_out_sample_rate(22050)
    encoder.set_channels(1)
    data = bytes(encoder.encode(b"\0\0" * 2000)) + bytes(encoder.flush())
    found = re.search(rb"LAME\d{1,2}\.\d{1,3}[abr]?", data)
    return (found.group(0) if found else b"LAME3.100")[:9].ljust(9, b"\0")


@dataclass(frozen=True, slots=True)
class Gapless:
    """What a stream's tag says: its audio frames, and the samples to trim at each end."""

    frames: int
    delay: int  # encoder delay: samples before the first encoded one
    padding: int  # samples after the last encoded one
    quality: int  # LAME's -q, 0-9


def info_frame(first: Header, info: Gapless, music_bytes: int, music_crc: int) -> bytes:
    """The Info tag frame for ``music_bytes`` of audio frames whose first header is ``first``."""
    if not (0 <= info.delay < 4096 and 0 <= info.padding < 4096):
        raise ValueError(f"delay {info.delay} or padding {info.padding} outside 0-4095")
    header = _tag_header(first)
    total = header.length + music_bytes
    toc = bytes(min(255, i * 256 // 100) for i in range(100))  # CBR: position grows with time
    lowpass, peak, gains, ath = 0, 0, 0, 0  # not known: 0 means "unknown" to readers
    rate = first.sample_rate
    source = 0 if rate <= 32000 else 1 if rate == 44100 else 2 if rate == 48000 else 3
    misc = (source << 6) | ((0 if first.mono else 1) << 2)  # stereo mode 0: mono, 1: stereo
    body = (
        b"Info"
        + struct.pack(">III", _XING_FLAGS, info.frames, total)
        + toc
        + struct.pack(">I", 100 - 10 * 4 - info.quality)  # LAME: 100 - 10 * VBR quality - q
        + encoder_version()
        + bytes([_CBR, lowpass])
        + struct.pack(">IIBB", peak, gains, ath, min(first.kbps, 255))
        + ((info.delay << 12) | info.padding).to_bytes(3, "big")
        + bytes([misc, 0])
        + struct.pack(">HIH", 0, total, music_crc)  # preset 0: "-b <bitrate>"
    )
    frame = bytearray(header.length)
    frame[:4] = header.word.to_bytes(4, "big")
    frame[header.tag_offset : header.tag_offset + len(body)] = body
    end = header.tag_offset + len(body)
    frame[end : end + 2] = crc16(bytes(frame[:end])).to_bytes(2, "big")
    return bytes(frame)


def tag_length(first: Header) -> int:
    """How many bytes the tag frame for a stream starting with ``first`` takes."""
    return _tag_header(first).length


def read_info(data: bytes) -> tuple[Gapless, int] | None:
    """The tag at the start of ``data`` and the bytes it says the stream has; None if untagged."""
    header = read_header(data)
    if header is None:
        return None
    at = header.tag_offset
    if data[at : at + 4] not in (b"Info", b"Xing") or len(data) < at + _TAG_BYTES:
        return None
    flags, frames, total = struct.unpack_from(">III", data, at + 4)
    if flags != _XING_FLAGS:
        return None
    (scale,) = struct.unpack_from(">I", data, at + 116)
    trims = int.from_bytes(data[at + 141 : at + 144], "big")
    return Gapless(frames, trims >> 12, trims & 0xFFF, (100 - scale) % 10), total
