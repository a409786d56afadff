"""The espeak-ng engine: what narrate knows of espeak-ng, behind the Engine Protocol.

Its fixed 22,050 Hz output, its ``base+variant`` voice ids, its ``[[phonemes]]``
input and what `narrate doctor` says of it all live in this folder.
"""

from __future__ import annotations

import re

import pyttsx3

from narrate.errors import EngineError
from narrate.records import Voice, VoiceInfo
from narrate.tts.engine import DEFAULT_TIMEOUT_S, PcmChunk
from narrate.tts.espeak import voices as espeak_voices
from narrate.tts.espeak.library import SAMPLE_RATE, Espeak, locate
from narrate.tts.espeak.synth import EspeakSynthesizer
from narrate.tts.voices import IndexedVoices

_CLOSERS = re.compile(r"\](?=\])")


class EspeakEngine(IndexedVoices):
    """espeak-ng through narrate's in-memory pyttsx3 driver."""

    name = "espeak"
    sample_rate = SAMPLE_RATE
    scheme = espeak_voices.SCHEME

    def __init__(
        self, *, timeout: float = DEFAULT_TIMEOUT_S, voices: list[VoiceInfo] | None = None
    ) -> None:
        """``voices`` fixes the voice list (as another machine listed it); None asks espeak-ng."""
        self._timeout = timeout
        self._listed = voices
        self._all: list[VoiceInfo] | None = None
        self._synth: EspeakSynthesizer | None = None

    # --- voices and casting ---

    def voices(self, lang: str | None = None) -> list[VoiceInfo]:
        """Its languages (ids like "en-us"), then its variants (ids like "+f3"), which
        combine with any language as "en-us+f3"."""
        if self._listed is not None:
            return [
                v
                for v in self._listed
                if not lang
                or not v.languages
                or any(x.startswith(lang.lower()) for x in v.languages)
            ]
        if not lang and self._all is not None:
            return list(self._all)
        library = locate()
        if library is None:
            raise EngineError(
                "libespeak-ng not found (neither system-wide nor espeakng-loader); "
                "run `narrate doctor` to see what is missing"
            )
        espeak = Espeak.get(library)
        listed = espeak_voices.languages(espeak.voices(), lang)
        listed += espeak_voices.variants(espeak.data_path())
        if not lang:  # listed once: loading the file and casting both ask
            self._all = listed
        return list(listed)

    # --- text ---

    def escape(self, text: str) -> str:
        # Book text must not switch espeak into phoneme input: only the lexicon may.
        # Every '[' of the book is followed by a space, so no run of brackets ("[[[")
        # and no bracket just before a lexicon replacement ("[" + "[[m'A:r@n]]")
        # makes the "[[" that opens phonemes; a run of closers is spaced out too.
        return _CLOSERS.sub("] ", text.replace("[", "[ "))

    def lexicon_problem(self, replacement: str) -> str | None:
        if "[[" in re.sub(r"\[\[.*?\]\]", "", replacement):
            return "opens phonemes with '[[' but does not close them; end it with ']]'"
        return None

    def lexicon_hint(self) -> str:
        return "replacement text, or espeak phonemes in [[...]]"

    # --- synthesis ---

    def start(self) -> None:
        if self._synth is None:
            self._synth = EspeakSynthesizer(timeout=self._timeout)

    def synthesize(self, text: str, voice: Voice) -> PcmChunk:
        self.start()
        assert self._synth is not None
        return PcmChunk(self._synth.synthesize(text, voice), SAMPLE_RATE)

    def close(self) -> None:
        if self._synth is not None:
            self._synth.close()

    def info(self) -> dict[str, str]:
        library = locate()
        if library is None:
            return {"engine": self.name, "source": f"pyttsx3 {self.name} driver"}
        try:
            espeak = Espeak.get(library)
        except OSError as exc:
            return {"engine": "espeak", "source": library.source, "error": str(exc)}
        return {
            "engine": "espeak-ng",
            "version": espeak.version(),
            "source": library.source,
            "library": library.path,
            "data": espeak.data_path() or "",
            "interface": f"pyttsx3 {getattr(pyttsx3, '__version__', '')}".strip(),
        }
