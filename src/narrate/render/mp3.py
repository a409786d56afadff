"""MP3 blocks: PCM encoded with LAME (lameenc), one independent stream per block.

Each block is encoded by a fresh encoder, so its frames depend on nothing
before them (no bit reservoir shared across blocks). A chapter file is then
the concatenation of its blocks' frames behind one Info tag frame
(:mod:`narrate.render.gapless`), which lets a cached block be reused byte for
byte and re-encodes only what changed. Times come from frame counts: a frame
always decodes to a fixed number of samples.

A block is cached as a file of its own, its frames behind its own Info tag
(:meth:`Block.tagged`), so its encoder delay and padding travel with it.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

import lameenc

from narrate.errors import EngineError
from narrate.render import gapless
from narrate.tts import PcmChunk

# LAME quality 0 (best, slowest) - 9 (fastest). 5 keeps speech clean at about
# twice the speed of LAME's default on espeak audio (see benchmarks/).
DEFAULT_QUALITY = 5
# LAME's encoder delay: the samples its output holds before the first input sample.
ENCODER_DELAY = 576
# An MP3 decoder's own delay (the synthesis filterbank's overlap), in samples.
DECODING_DELAY = 529
# Where a block's first input sample comes out when its bare frames are decoded
# (no Info tag to trim by): the encoder's delay plus the decoder's, measured with ffmpeg.
DECODER_DELAY = ENCODER_DELAY + DECODING_DELAY
# A block that is not what was encoded: the cache drops it (render/assemble.py) and a
# re-run renders it again.
DAMAGED = "MP3 block damaged: run the same command again to render it anew"


@dataclass(frozen=True, slots=True)
class Block:
    data: bytes  # the MPEG frames, no tag
    frames: int
    samples: int  # what a decoder outputs for the bare frames: frames * samples-per-frame
    delay: int = ENCODER_DELAY  # of those, the encoder's lead before the first input sample
    padding: int = 0  # and the samples after the last input sample
    quality: int = DEFAULT_QUALITY

    @property
    def gapless(self) -> gapless.Gapless:
        return gapless.Gapless(self.frames, self.delay, self.padding, self.quality)

    def tagged(self) -> bytes:
        """The block as an MP3 file of its own: its Info tag frame, then its frames."""
        first = gapless.read_header(self.data)
        if first is None:
            raise EngineError("the MP3 encoder (LAME) wrote no frames: run `narrate doctor`")
        crc = gapless.Crc16()
        crc.update(self.data)
        return gapless.info_frame(first, self.gapless, len(self.data), crc.digest()) + self.data


def frame_samples(version_bits: int) -> int:
    return 1152 if version_bits == 3 else 576


def scan_frames(data: bytes) -> tuple[int, int]:
    """(frames, decoded samples) of a headerless MPEG audio layer III stream."""
    pos = frames = samples = 0
    size = len(data)
    while pos + 4 <= size:
        header = gapless.read_header(data, pos)
        if header is None:
            raise EngineError(f"MP3 stream damaged at byte {pos}: re-run to re-encode it")
        pos += header.length
        frames += 1
        samples += header.frame_samples
    if pos != size:
        raise EngineError("MP3 stream truncated: re-run to re-encode it")
    return frames, samples


def read_block(data: bytes) -> Block:
    """A cached block (see :meth:`Block.tagged`) back as a Block, from its tag alone.

    The tag says how many frames and bytes there are, so no frame is scanned;
    a file whose length disagrees is damaged.
    """
    found = gapless.read_info(data)
    if found is None or found[1] != len(data):
        raise EngineError(DAMAGED)
    info, _ = found
    header = gapless.read_header(data)
    assert header is not None  # read_info found one
    audio = data[header.length :]
    first = gapless.read_header(audio)
    if first is None:
        raise EngineError(DAMAGED)
    samples = info.frames * first.frame_samples
    return Block(audio, info.frames, samples, info.delay, info.padding, info.quality)


class GaplessWriter:
    """Writes blocks' frames to a seekable file behind one Info tag for them all.

    Joined frame by frame, the blocks play as one stream: the file's delay is
    the first block's encoder delay and its padding the last block's, while
    the blocks in between keep their delays and paddings as (near-silent)
    audio. Room for the tag is kept at the start and filled in by finish().
    """

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.start = out.tell()
        self.first: gapless.Header | None = None
        self.first_block: Block | None = None
        self.frames = self.size = 0
        self.padding = 0
        self.crc = gapless.Crc16()

    def write(self, block: Block) -> None:
        if self.first is None:
            self.first = gapless.read_header(block.data)
            if self.first is None:
                raise EngineError(DAMAGED)
            self.first_block = block
            self.out.write(bytes(gapless.tag_length(self.first)))
        self.out.write(block.data)
        self.crc.update(block.data)
        self.frames += block.frames
        self.size += len(block.data)
        self.padding = block.padding

    def write_all(self, blocks: Iterable[Block]) -> None:
        for block in blocks:
            self.write(block)

    def finish(self) -> None:
        if self.first is None or self.first_block is None:
            return  # nothing written: no tag either
        head = self.first_block
        info = gapless.Gapless(self.frames, head.delay, self.padding, head.quality)
        frame = gapless.info_frame(self.first, info, self.size, self.crc.digest())
        end = self.out.tell()
        self.out.seek(self.start)
        self.out.write(frame)
        self.out.seek(end)


def encode(pcm: PcmChunk, bitrate: int = 64, quality: int = DEFAULT_QUALITY) -> Block:
    """Encode 16-bit mono PCM into one self-contained block at the PCM's own rate."""
    try:
        encoder = lameenc.Encoder()
        encoder.set_bit_rate(bitrate)
        encoder.set_in_sample_rate(pcm.sample_rate)
        encoder.set_out_sample_rate(pcm.sample_rate)
        encoder.set_channels(1)
        encoder.set_quality(quality)
        data = bytes(encoder.encode(pcm.samples)) + bytes(encoder.flush())
    except (RuntimeError, ValueError, TypeError) as exc:  # lameenc's bare errors
        raise EngineError(
            f"the MP3 encoder (LAME) failed ({exc}) at {bitrate} kbps: "
            "try another --bitrate, or run `narrate doctor`"
        ) from exc
    frames, samples = scan_frames(data)
    padding = samples - ENCODER_DELAY - len(pcm.samples) // 2
    if not 0 <= padding < 4096:
        raise EngineError(f"the MP3 encoder (LAME) padded a block by {padding} samples")
    return Block(data, frames, samples, ENCODER_DELAY, padding, quality)


def silence(ms: int, bitrate: int = 64, *, sample_rate: int) -> Block:
    """A block of silence close to ms long (the encoder adds its own ~50 ms delay)."""
    overhead = 1152  # encoder delay and padding in samples: roughly two low-rate frames
    n = max(0, sample_rate * ms // 1000 - overhead)
    return encode(PcmChunk(b"\0\0" * n, sample_rate), bitrate, quality=9)


def describe_encoder() -> str:
    """The `narrate doctor` line for the MP3 encoder (fails if lameenc cannot load)."""
    importlib.import_module("lameenc")
    return "mp3 encoder: LAME through lameenc"
