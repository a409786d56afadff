"""One book, one sample rate: PCM from an engine of another rate brought to the book's."""

from __future__ import annotations

import numpy as np

from narrate.tts.engine import PcmChunk


def resample(chunk: PcmChunk, rate: int) -> PcmChunk:
    """``chunk`` at ``rate``, by band-limited (FFT) resampling of its 16-bit samples.

    Everything above the lower rate's Nyquist frequency is cut; a line of speech
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
    out = np.fft.irfft(kept, n_out) * (n_out / n_in)
    pcm = np.clip(np.rint(out), -32768, 32767).astype("<i2")
    return PcmChunk(pcm.tobytes(), rate)
