"""Loudness: every voice brought to one target, peaks held under a ceiling.

Each voice (engine voice, rate, pitch) is measured once on a calibration
passage with ffmpeg's EBU R128 meter and given the gain that brings it to the
target; the gains are cached. Every utterance then gets its voice's gain and a
soft clipper on its peaks, so a chapter made of many voices and pauses
measures at the target and no character is louder than the narrator.
"""

from __future__ import annotations

import contextlib
import math
import re
import subprocess
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

from narrate.errors import EngineError
from narrate.outdir import write_atomic
from narrate.records import Voice
from narrate.render.cache import make_key, seal, unseal
from narrate.tools import ffmpeg_exe, parse_ebur128
from narrate.tts import PcmChunk

with warnings.catch_warnings():
    warnings.simplefilter("ignore", RuntimeWarning)  # pydub warns when ffmpeg is not on PATH
    from pydub import AudioSegment

Synthesize = Callable[[str, Voice], PcmChunk]
DEFAULT_TARGET = -18.0  # LUFS, integrated: inside the ACX range
# Sample-peak ceiling: 1.5 dB under the -3 dBTP limit leaves room for inter-sample
# peaks and the overshoot MP3 coding adds (measured: up to 0.6 dB).
CEILING_DBFS = -4.5
KNEE = 0.5  # the clipper leaves samples below half the ceiling as they are
LIMITER_VERSION = 3
# MP3 coding at 64 kbps measured 0.4-0.5 LU quieter than its PCM on espeak-ng
# speech; calibration aims that much higher.
MP3_LOSS_LU = 0.45
# No voice needs more than this many dB of gain either way; a stored gain beyond it is damaged.
MAX_GAIN_DB = 60.0

# Ordinary prose with questions, exclamations and a spread of sounds, long
# enough (about a minute) that the meter's gating sees speech as a book has it.
CALIBRATION_TEXT = (
    "The harbour lights came on one by one as the fishing boats rounded the point. "
    "Nobody on the quay could say whether the storm would hold off until morning, "
    "but everyone agreed that the old keeper knew the weather better than the radio. "
    "Quick, bright voices called across the water; heavy ropes thudded onto the stones. "
    "Would you like some tea? she asked, and he laughed and said he would like nothing better. "
    "Then the children came running down the lane, shouting that the ferry was in at last! "
    "It had been a long, grey week of waiting, of mending nets and counting the days, "
    "and now the whole village seemed to breathe out at once. Somebody fetched a fiddle. "
    "Somebody else found a lantern and hung it from the mast of the smallest dinghy, "
    "where it swung, yellow and cheerful, above the dark and patient sea."
)


def soft_clip(samples: np.ndarray, ceiling: float, knee: float = KNEE) -> np.ndarray:
    """Bend peaks above knee*ceiling smoothly towards ceiling; leave the rest untouched.

    espeak-ng's voiced speech is a train of sharp glottal pulses: about 20 dB
    from its loudness to its peaks. Riding the gain down for each pulse (a
    limiter) turns the whole voice down with it; shaping just the tips of the
    pulses lowers the peaks while the loudness follows the gain.
    """
    k = knee * ceiling
    magnitude = np.abs(samples)
    over = magnitude > k
    if over.any():
        span = ceiling - k
        bent = k + span * np.tanh((magnitude[over] - k) / span)
        samples[over] = np.copysign(bent, samples[over])
    return samples


def shape(pcm: PcmChunk, gain_db: float, ceiling_dbfs: float = CEILING_DBFS) -> PcmChunk:
    """Apply a voice's gain, then the soft clipper; 16-bit mono PCM in and out."""
    # pydub checks the one format narrate uses and fails loudly on anything else.
    segment = AudioSegment(data=pcm.samples, sample_width=2, frame_rate=pcm.sample_rate, channels=1)
    samples = np.frombuffer(segment.raw_data, dtype="<i2").astype(np.float32)
    samples *= np.float32(10 ** (gain_db / 20))
    shaped = soft_clip(samples, 32768 * 10 ** (ceiling_dbfs / 20))
    # The clipper keeps every sample under the ceiling, so no clipping is needed.
    np.rint(shaped, out=shaped)
    return PcmChunk(shaped.astype("<i2").tobytes(), pcm.sample_rate)


def measure(pcm: PcmChunk, peak: bool = True) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) of 16-bit mono PCM, by ffmpeg's ebur128 meter.

    With peak=False the (slower, oversampled) true-peak meter is skipped and the
    peak comes back as 0.
    """
    meter = "ebur128=peak=true:framelog=verbose" if peak else "ebur128=framelog=verbose"
    result = subprocess.run(
        [
            ffmpeg_exe(),
            "-hide_banner",
            "-nostats",
            "-f",
            "s16le",
            "-ar",
            str(pcm.sample_rate),
            "-ac",
            "1",
            "-i",
            "pipe:0",
            "-af",
            meter,
            "-f",
            "null",
            "-",
        ],
        input=pcm.samples,
        capture_output=True,
        check=False,
    )
    text = result.stderr.decode("utf-8", "replace")
    try:
        figures = parse_ebur128(text)
    except ValueError:  # no summary printed
        figures = None
    if result.returncode != 0 or figures is None:
        raise EngineError(f"ffmpeg could not measure loudness: {text[-300:]}")
    # The parser gives None for ebur128's "-inf" (silence).
    lufs, true_peak = figures["integrated_lufs"], figures["true_peak_dbtp"]
    return (
        float("-inf") if lufs is None else lufs,
        0.0 if not peak else float("-inf") if true_peak is None else true_peak,
    )


class Calibration:
    """Per-voice gains, measured once and kept in the cache folder, one file a voice.

    Worker processes calibrate the voices they meet as they render, so the
    measuring runs in parallel with the rendering; a file per voice, written
    atomically, keeps two workers from clobbering each other.
    """

    def __init__(
        self, root: Path, engine_id: str, target: float, pauses_ms: tuple[int, int] = (250, 600)
    ) -> None:
        self.folder = root / "gains"
        self.engine_id = engine_id
        self.target = target
        self.pauses_ms = pauses_ms  # (sentence, paragraph), as the book is assembled
        self._gains: dict[str, float] = {}
        self.damaged: set[str] = set()  # names of stored gains found damaged and dropped

    def _key(self, voice: Voice) -> str:
        return make_key(
            "gain",
            LIMITER_VERSION,
            self.engine_id,
            voice.engine,
            voice.voice_id,
            voice.rate,
            voice.pitch,
            self.target,
            self.pauses_ms,
        )

    def _passage(self, voice: Voice, synthesize: Synthesize) -> PcmChunk:
        """The calibration text read as a book is: sentence by sentence, with pauses.

        The meter's gate keeps the short pauses between sentences, so measuring
        one continuous utterance would overstate how loud the chapter comes out.
        """
        spoken = [synthesize(text, voice) for text in re.split(r"(?<=[.!?])\s+", CALIBRATION_TEXT)]
        rate = spoken[0].sample_rate
        # Each block also carries about 63 ms of encoder delay and padding.
        sentence, paragraph = (b"\0\0" * (rate * (ms + 63) // 1000) for ms in self.pauses_ms)
        parts = []
        for n, chunk in enumerate(spoken):
            if n:
                parts.append(paragraph if n % 4 == 0 else sentence)
            parts.append(chunk.samples)
        return PcmChunk(b"".join(parts), rate)

    def _path(self, voice: Voice) -> Path:
        return self.folder / f"{self._key(voice)}.gain"

    def stored(self, voice: Voice) -> float | None:
        """The voice's stored gain if it is intact and plausible; a damaged one is dropped.

        Each gain is sealed with a checksum (render/cache.py) and must be a finite
        number of at most MAX_GAIN_DB: a ``nan`` would silence every chapter.
        """
        path = self._path(voice)
        try:
            stored = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError:
            stored = b""  # a folder or an unreadable file where the gain should be
        body = unseal(stored)
        try:
            gain = float(body.decode("ascii")) if body is not None else math.nan
        except (UnicodeDecodeError, ValueError):
            gain = math.nan
        if math.isfinite(gain) and abs(gain) <= MAX_GAIN_DB:
            return gain
        self.damaged.add(path.name)
        with contextlib.suppress(OSError):
            path.unlink()
        return None

    def gain(self, voice: Voice, synthesize: Synthesize) -> float:
        """dB to add to this voice's audio so it measures at the target."""
        key = self._key(voice)
        if key not in self._gains:
            found = self.stored(voice)
            if found is None:
                plain = Voice(voice.engine, voice.voice_id, voice.rate, voice.pitch, 1.0)
                found = round(self._solve(self._passage(plain, synthesize)), 2)
                if not (math.isfinite(found) and abs(found) <= MAX_GAIN_DB):
                    raise EngineError(
                        f"voice {voice.voice_id!r} could not be brought to {self.target} LUFS "
                        f"(gain {found} dB): run `narrate doctor`, or choose another voice"
                    )
                self.folder.mkdir(parents=True, exist_ok=True)
                write_atomic(self._path(voice), seal(f"{found}".encode("ascii")))
            self._gains[key] = found
        return self._gains[key] + 20 * math.log10(max(voice.volume, 0.01))

    def _solve(self, pcm: PcmChunk) -> float:
        """The gain at which the shaped passage measures at the target (secant steps).

        The clipper takes a little more loudness away the harder it works, so
        loudness grows slightly slower than the gain.
        """
        target = self.target + MP3_LOSS_LU
        g0, l0 = 0.0, measure(shape(pcm, 0.0), peak=False)[0]
        g1 = target - l0
        l1 = measure(shape(pcm, g1), peak=False)[0]
        for _ in range(4):
            if abs(target - l1) < 0.1 or l1 == l0:
                break
            slope = (l1 - l0) / (g1 - g0)
            g0, l0 = g1, l1
            g1 = g1 + (target - l1) / min(max(slope, 0.5), 1.0)
            l1 = measure(shape(pcm, g1), peak=False)[0]
        return g1
