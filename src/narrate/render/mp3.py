"""MP3 blocks: PCM encoded with LAME (lameenc), one independent stream per block.

Each block is encoded by a fresh encoder, so its frames depend on nothing
before them (no bit reservoir shared across blocks). A chapter file is then
the plain concatenation of its blocks, which lets a cached block be reused
byte for byte and re-encodes only what changed. Times come from frame counts:
a frame always decodes to a fixed number of samples.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import lameenc

from narrate.errors import EngineError
from narrate.tts import PcmChunk

# MPEG version bits -> (samples per frame, bitrate table kbps, sample rates)
_V1_RATES = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_V2_RATES = (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)
_SAMPLE_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
# LAME quality 0 (best, slowest) - 9 (fastest). 5 keeps speech clean at about
# twice the speed of LAME's default on espeak audio (see benchmarks/).
DEFAULT_QUALITY = 5
# Where a block's first input sample comes out when decoded: LAME's encoder
# delay plus the decoder's (576 + 529), measured with ffmpeg.
DECODER_DELAY = 1105


@dataclass(frozen=True, slots=True)
class Block:
    data: bytes
    frames: int
    samples: int  # what a decoder outputs for this block: frames * samples-per-frame


def frame_samples(version_bits: int) -> int:
    return 1152 if version_bits == 3 else 576


def scan_frames(data: bytes) -> tuple[int, int]:
    """(frames, decoded samples) of a headerless MPEG audio layer III stream."""
    pos = frames = samples = 0
    size = len(data)
    while pos + 4 <= size:
        header = int.from_bytes(data[pos : pos + 4], "big")
        if header >> 21 != 0x7FF:
            raise EngineError(f"MP3 stream damaged at byte {pos}: re-run to re-encode it")
        version = (header >> 19) & 3
        rate_index = (header >> 12) & 15
        rate_kbps = (_V1_RATES if version == 3 else _V2_RATES)[rate_index]
        sample_rate = _SAMPLE_RATES[version][(header >> 10) & 3]
        padding = (header >> 9) & 1
        per_frame = frame_samples(version)
        length = (per_frame // 8) * rate_kbps * 1000 // sample_rate + padding
        pos += length
        frames += 1
        samples += per_frame
    if pos != size:
        raise EngineError("MP3 stream truncated: re-run to re-encode it")
    return frames, samples


def block_samples(data: bytes) -> int:
    """Decoded samples of one of narrate's own constant-bitrate blocks, from its size.

    LAME spreads padding bytes so that n frames take n * mean-frame-length
    bytes to within one byte, so the count follows from the length; the full
    scan (scan_frames) is for anything not known to be such a block.
    """
    if len(data) < 4:
        raise EngineError("MP3 block truncated: clear the cache (`narrate cache clear`)")
    header = int.from_bytes(data[:4], "big")
    if header >> 21 != 0x7FF:
        raise EngineError("MP3 block damaged: clear the cache (`narrate cache clear`)")
    version = (header >> 19) & 3
    rate_kbps = (_V1_RATES if version == 3 else _V2_RATES)[(header >> 12) & 15]
    sample_rate = _SAMPLE_RATES[version][(header >> 10) & 3]
    per_frame = frame_samples(version)
    mean_length = per_frame / 8 * rate_kbps * 1000 / sample_rate
    return round(len(data) / mean_length) * per_frame


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
    return Block(data, frames, samples)


def silence(ms: int, bitrate: int = 64, *, sample_rate: int) -> Block:
    """A block of silence close to ms long (the encoder adds its own ~50 ms delay)."""
    overhead = 1152  # encoder delay and padding in samples: roughly two low-rate frames
    n = max(0, sample_rate * ms // 1000 - overhead)
    return encode(PcmChunk(b"\0\0" * n, sample_rate), bitrate, quality=9)


def describe_encoder() -> str:
    """The `narrate doctor` line for the MP3 encoder (fails if lameenc cannot load)."""
    importlib.import_module("lameenc")
    return "mp3 encoder: LAME through lameenc"
