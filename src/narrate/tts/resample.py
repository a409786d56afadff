"""One book, one sample rate: PCM from an engine of another rate brought to the book's."""

from __future__ import annotations

import numpy as np

from narrate.tts.engine import PcmChunk

VERSION = 1  # in the cache keys of resampled audio: a change here renders it again
# The top of the band is faded out rather than cut: a brick wall at the Nyquist
# frequency rings, and its overshoot between samples eats into the peak headroom.
_FADE_FROM = 0.7  # of the lower rate's Nyquist frequency


def resample(chunk: PcmChunk, rate: int) -> PcmChunk:
    """``chunk`` at ``rate``, by band-limited (FFT) resampling of its 16-bit samples.

    Everything above the lower rate's Nyquist frequency is cut (the top 30% of the
    band below it faded out); a line of speech
    starts and ends in near silence, so treating it as one period is harmless.
    The length is the source's duration in samples of ``rate``, rounded.
    """
    if chunk.sample_rate == rate or not chunk.samples:
        return PcmChunk(chunk.samples, rate)
    samples = np.frombuffer(chunk.samples, dtype="<i2").astype(np.float64)
    n_in = len(samples)
    n_out = max(1, round(n_in * rate / chunk.sample_rate))
    spectrum = np.fft.rfft(samples)
    bins = n_out // 2 + 1
    kept = np.zeros(bins, dtype=complex)
    common = min(bins, len(spectrum))
    kept[:common] = spectrum[:common]
    fade = np.arange(bins) / (bins - 1)  # 0 .. 1 of the lower Nyquist frequency
    top = fade > _FADE_FROM
    kept[top] *= 0.5 + 0.5 * np.cos(np.pi * (fade[top] - _FADE_FROM) / (1 - _FADE_FROM))
    out = np.fft.irfft(kept, n_out) * (n_out / n_in)
    pcm = np.clip(np.rint(out), -32768, 32767).astype("<i2")
    return PcmChunk(pcm.tobytes(), rate)
