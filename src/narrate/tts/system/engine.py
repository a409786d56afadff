"""The platform engines: pyttsx3's own nsss (macOS) and sapi5 (Windows) drivers.

They render to a file, which ffmpeg converts to PCM at the rate below. Their
voices are whole voices (no variants), cast by the gender they declare.
"""

from __future__ import annotations

from typing import Any

from narrate.records import Gender, Voice, VoiceInfo
from narrate.tts.engine import DEFAULT_TIMEOUT_S, PcmChunk
from narrate.tts.synthesis import Pyttsx3Synthesizer
from narrate.tts.voices import IndexedVoices, VoiceScheme

SAMPLE_RATE = 22050  # what the drivers' files are converted to
_SCHEME = VoiceScheme()


class SystemEngine(IndexedVoices):
    """One of pyttsx3's platform drivers, named by ``driver`` ("nsss", "sapi5")."""

    scheme = _SCHEME

    def __init__(
        self,
        driver: str,
        *,
        timeout: float = DEFAULT_TIMEOUT_S,
        voices: list[VoiceInfo] | None = None,
    ) -> None:
        self._driver = driver
        self._timeout = timeout  # the drivers themselves cannot be bounded in time
        self._listed = voices
        self._synth: Pyttsx3Synthesizer | None = None

    @property
    def name(self) -> str:
        return self._driver

    @property
    def sample_rate(self) -> int:
        return SAMPLE_RATE

    def voices(self, lang: str | None = None) -> list[VoiceInfo]:
        found = list(self._listed) if self._listed is not None else _listed_by_pyttsx3()
        if lang:
            found = [v for v in found if any(lang.lower() in x.lower() for x in v.languages)]
        return found

    def escape(self, text: str) -> str:
        return text  # the drivers are given plain text

    def lexicon_problem(self, replacement: str) -> str | None:
        return None

    def lexicon_hint(self) -> str:
        return "replacement text"

    def start(self) -> None:
        if self._synth is None:
            suffix = ".aiff" if self._driver == "nsss" else ".wav"
            self._synth = Pyttsx3Synthesizer(None, SAMPLE_RATE, scratch=suffix)

    def synthesize(self, text: str, voice: Voice) -> PcmChunk:
        self.start()
        assert self._synth is not None
        return PcmChunk(self._synth.synthesize(text, voice), SAMPLE_RATE)

    def close(self) -> None:
        if self._synth is not None:
            self._synth.close()

    def info(self) -> dict[str, str]:
        return {"engine": self._driver, "source": f"pyttsx3 {self._driver} driver"}


class NsssEngine(SystemEngine):
    def __init__(self, **options: Any) -> None:
        super().__init__("nsss", **options)


class Sapi5Engine(SystemEngine):
    def __init__(self, **options: Any) -> None:
        super().__init__("sapi5", **options)


def _listed_by_pyttsx3() -> list[VoiceInfo]:
    import pyttsx3

    found = []
    for v in pyttsx3.init().getProperty("voices"):
        gender = str(v.gender or "unknown").lower()
        found.append(
            VoiceInfo(
                id=v.id,
                name=v.name,
                gender=_gender(gender),
                languages=tuple(str(x) for x in (v.languages or ())),
                age=v.age,
            )
        )
    return found


def _gender(word: str) -> Gender:
    return "male" if word == "male" else "female" if word == "female" else "unknown"
