"""The hibari engine: hibari-tts's neural voice behind the Engine Protocol.

hibari-tts (Apache-2.0, code and weights) ships one voice, "heart" (US English,
female), inside its wheel and downloads its other voices on first use. narrate
offers only the voices in the wheel and loads each from its file by path, so
hibari's downloader is never reached. The package is the ``neural`` extra; an
engine made without it lists no voices and says how to install it when a voice
of it is asked for.

Rate maps to hibari's speed (175 words per minute is its own pace); pitch is
approximated by scaling the pitch curve the model predicts (50 leaves it as it
is; 0 and 100 are six semitones down and up), which keeps the voice's timbre.
Each line's noise is seeded from its text, so a line always sounds the same.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import zlib
from types import ModuleType
from typing import Any

import numpy as np

from narrate.errors import EngineError
from narrate.records import Voice, VoiceInfo
from narrate.tts.engine import DEFAULT_TIMEOUT_S, CastingPools, PcmChunk

SAMPLE_RATE = 24000  # what hibari's model produces
INSTALL_HINT = "pip install '.[neural]'"
_PACE_WPM = 175  # the rate at which hibari reads at its own speed (1.0)
_SEMITONES_AT_EXTREMES = 6.0
PEAK_OVER_RMS_DB = 13.0  # see _tame_peaks
_LEAD_SAMPLES = SAMPLE_RATE * 5 // 1000  # kept before the first sound of a line
_TAIL_SAMPLES = SAMPLE_RATE * 30 // 1000  # and after its last


def _hibari() -> ModuleType:
    """The hibari package, or EngineError saying how to install it."""
    try:
        return importlib.import_module("hibari")
    except ImportError:
        raise EngineError(
            f"the neural voices (hibari:...) need the hibari-tts package; install it with {INSTALL_HINT}"
        ) from None


def _gender(word: str) -> Any:
    return word if word in ("male", "female") else "unknown"


def _trimmed(audio: np.ndarray) -> np.ndarray:
    """The line without the near-silence hibari leads and ends it with (about 0.3 s).

    narrate's pauses are its own, and a cue starts where its block does: speech
    must start there too. What is 40 dB under the line's peak counts as silence.
    """
    loud = np.nonzero(np.abs(audio) > 0.01 * float(np.abs(audio).max()))[0]
    if not len(loud):
        return audio
    start = max(int(loud[0]) - _LEAD_SAMPLES, 0)
    return audio[start : int(loud[-1]) + _TAIL_SAMPLES]


def _tame_peaks(audio: np.ndarray) -> np.ndarray:
    """The line with its peaks bent softly towards PEAK_OVER_RMS_DB above its RMS.

    hibari's voice peaks 15-22 dB above its RMS (median 17), and its sharp peaks overshoot
    between samples once MP3-coded: rendered at the book's loudness they broke
    the -3 dBTP limit that espeak-ng's voices keep. Bending the tips here, below
    where the book's clipper works, keeps them under it.
    """
    rms = float(np.sqrt(np.mean(np.square(audio, dtype=np.float64))))
    if rms <= 0.0:
        return audio
    ceiling = rms * 10 ** (PEAK_OVER_RMS_DB / 20)
    knee = 0.5 * ceiling
    magnitude = np.abs(audio)
    over = magnitude > knee
    span = ceiling - knee
    bent = knee + span * np.tanh((magnitude[over] - knee) / span)
    audio[over] = np.copysign(bent, audio[over]).astype(audio.dtype)
    return audio


class HibariEngine:
    """hibari-tts's bundled voice(s), read on the CPU with downloads never reached."""

    name = "hibari"
    sample_rate = SAMPLE_RATE

    def __init__(self, *, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        self._timeout = timeout  # a synthesis is one ONNX run per sentence: not cut off
        self._models: dict[str, Any] = {}
        self._digest: str | None = None

    # --- what the wheel holds ---

    def _bundled(self) -> dict[str, dict[str, Any]]:
        """Voice name -> hibari's registry entry, for the voices inside the wheel only."""
        _hibari()
        voices = importlib.import_module("hibari.voices")
        return {name: entry for name, entry in voices.VOICES.items() if entry.get("bundled")}

    def _model_path(self, voice_id: str) -> str:
        entry = self._bundled().get(voice_id)
        if entry is None:
            raise EngineError(
                f"hibari has no voice {voice_id!r} in its package; narrate offers "
                f"{', '.join('hibari:' + v for v in self._bundled())}"
            )
        voices = importlib.import_module("hibari.voices")
        return os.path.join(voices.ASSETS, entry["file"])

    def model_digest(self) -> str:
        """sha256 of the bundled model files, in the cache keys of what they read."""
        if self._digest is None:
            digest = hashlib.sha256()
            for name in sorted(self._bundled()):
                with open(self._model_path(name), "rb") as model:
                    digest.update(hashlib.sha256(model.read()).digest())
            self._digest = digest.hexdigest()
        return self._digest

    def voices(self, lang: str | None = None) -> list[VoiceInfo]:
        found = [
            VoiceInfo(
                id=name,
                name=f"{name} ({entry.get('accent', '')} {entry.get('gender', '')}, neural)",
                gender=_gender(entry.get("gender", "")),
                languages=(str(entry.get("language", "en-US")).lower(),),
            )
            for name, entry in sorted(self._bundled().items())
        ]
        if lang:
            found = [v for v in found if any(x.startswith(lang.lower()) for x in v.languages)]
        return found

    # --- casting: hibari's voices are chosen in voices.yaml, never handed out ---

    def narrator_voice(self, language: str) -> str:
        return min(self._bundled())

    def casting_pools(self, language: str, narrator: str) -> CastingPools:
        return CastingPools(male=(), female=(), child=(), child_pitch=80)

    def knows_voice(self, voice_id: str) -> bool:
        return voice_id in self._bundled()

    def closest_voices(self, voice_id: str, n: int = 3) -> list[str]:
        return sorted(self._bundled())[:n]

    # --- text ---

    def escape(self, text: str) -> str:
        # hibari reads "[word](/phonemes/)" as a pronunciation: book text must not.
        return text.replace("](", "] (")

    def lexicon_problem(self, replacement: str) -> str | None:
        return None

    def lexicon_hint(self) -> str:
        return "replacement text"

    # --- synthesis ---

    def _model(self, voice_id: str) -> Any:
        if voice_id not in self._models:
            path = self._model_path(voice_id)
            hibari = _hibari()
            # Loaded from its file by path: hibari's voice_path (and its download) is never called.
            self._models[voice_id] = hibari.Hibari(voice=voice_id, model=path, threads=1)
        return self._models[voice_id]

    def start(self) -> None:
        for name in self._bundled():
            self._model(name)

    def synthesize(self, text: str, voice: Voice) -> PcmChunk:
        tts = self._model(voice.voice_id)
        dsp = importlib.import_module("hibari.dsp")
        speed = min(max(voice.rate / _PACE_WPM, 0.5), 2.0)
        shift = 2 ** ((voice.pitch - 50) / 50 * _SEMITONES_AT_EXTREMES / 12)
        rng = np.random.default_rng(zlib.crc32(text.encode("utf-8")))
        parts = []
        try:
            for phonemes in tts.phonemize(self.escape(text)):
                ids = tts.ids(phonemes)
                if len(ids) < 3:
                    continue
                feeds = {
                    "ids": np.asarray([ids], np.int64),
                    "speed": np.asarray([speed], np.float32),
                }
                lh, th, ln, lr, phi, f0 = (out[0] for out in tts.sess.run(None, feeds))
                parts.append(dsp.synth(lh, th, ln, lr, phi, f0 * np.float32(shift), rng))
        except Exception as exc:  # onnxruntime and the phonemizer raise their own errors
            flat = " ".join(text.split())[:80]
            raise EngineError(f"hibari failed ({exc}) on: {flat!r}") from exc
        if not parts:
            if any(ch.isalnum() for ch in text):
                flat = " ".join(text.split())[:80]
                raise EngineError(f"hibari produced no audio for: {flat!r}")
            return PcmChunk(b"", SAMPLE_RATE)
        audio = _tame_peaks(_trimmed(np.concatenate(parts))) * np.float32(
            min(max(voice.volume, 0.0), 1.0)
        )
        pcm = np.rint(np.clip(audio, -1.0, 1.0) * 32767.0).astype("<i2")
        return PcmChunk(pcm.tobytes(), SAMPLE_RATE)

    def close(self) -> None:
        pass  # the models stay loaded: the engine may be used again

    def info(self) -> dict[str, str]:
        try:
            hibari = _hibari()
        except EngineError:
            return {"engine": self.name, "source": "not installed", "error": INSTALL_HINT}
        return {
            "engine": self.name,
            "version": str(getattr(hibari, "__version__", "")),
            "source": "hibari-tts (model inside the package; downloads never used)",
            "model": self.model_digest()[:16],
            "voices": ", ".join("hibari:" + v for v in sorted(self._bundled())),
        }
