"""The espeak-ng synthesizer: pyttsx3 driving narrate's in-memory espeak-ng driver."""

from __future__ import annotations

import sys

from narrate.tts.engine import DEFAULT_TIMEOUT_S
from narrate.tts.espeak import driver
from narrate.tts.espeak.library import SAMPLE_RATE
from narrate.tts.synthesis import Pyttsx3Synthesizer

# pyttsx3 imports drivers by module name under pyttsx3.drivers.
DRIVER_NAME = "narrate_espeak"
sys.modules[f"pyttsx3.drivers.{DRIVER_NAME}"] = driver


class EspeakSynthesizer(Pyttsx3Synthesizer):
    """Renders into memory: no scratch file, no conversion."""

    def __init__(self, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        super().__init__(DRIVER_NAME, SAMPLE_RATE, pitch=True)
        inner = self.driver
        # Only the memory driver renders without a file; should pyttsx3 hand back
        # another one, the base class's file path still works.
        self._memory = inner if isinstance(inner, driver.EspeakMemoryDriver) else None
        if self._memory is not None:
            self._memory.timeout = timeout

    def _render(self, text: str) -> bytes:
        if self._memory is None:
            return super()._render(text)
        self._errors.clear()
        self._memory.last_pcm = b""
        self._tts.save_to_file(text, driver.MEMORY)
        self._tts.runAndWait()
        self._raise_errors(text)
        return self._memory.last_pcm
