"""A pyttsx3 driver for espeak-ng that synthesizes into memory.

pyttsx3's stock espeak driver fits narrate poorly: it only loads a system
libespeak-ng, polls with 10 ms sleeps, grows its buffer by repeated `+=`,
prints to stdout and can return before writing the file. This driver keeps
pyttsx3's driver interface (loaded by module name under `pyttsx3.drivers`,
which `narrate.tts.espeak.synth` arranges) but runs espeak-ng synchronously,
bounds each synthesis in time and writes a complete WAV or raises. Every
utterance starts from a freshly loaded espeak-ng with its voice and settings
set again, so a line's audio depends only on the line and its voice, never on
what the process said before it.
"""

from __future__ import annotations

import wave
from typing import Any

from pyttsx3.voice import Voice as PyttsxVoice

from narrate.tts.engine import DEFAULT_TIMEOUT_S
from narrate.tts.espeak.library import PITCH, RATE, SAMPLE_RATE, VOLUME, Espeak, locate

# A save_to_file target meaning "keep the audio in last_pcm, write no file".
MEMORY = ":memory:"


def buildDriver(proxy: Any) -> EspeakMemoryDriver:
    return EspeakMemoryDriver(proxy)


class EspeakMemoryDriver:
    def __init__(self, proxy: Any) -> None:
        library = locate()
        if library is None:
            raise OSError("libespeak-ng not found (neither system-wide nor espeakng-loader)")
        self._espeak = Espeak.get(library)
        self._proxy = proxy
        self._props: dict[str, Any] = {"voice": "en-us", "rate": 175, "volume": 1.0, "pitch": 50}
        self.timeout = DEFAULT_TIMEOUT_S
        self.last_pcm = b""
        self._espeak.set_voice("en-us")

    # pyttsx3 driver interface ------------------------------------------
    def destroy(self) -> None:
        pass

    def startLoop(self) -> None:
        # Synthesis is synchronous, so pumping the queue once runs every command.
        self._proxy.setBusy(False)

    def endLoop(self) -> None:
        pass

    def iterate(self) -> Any:
        self._proxy.setBusy(False)
        yield

    def stop(self) -> None:
        pass

    def say(self, text: str) -> None:
        raise NotImplementedError("narrate only renders to files; use save_to_file")

    def save_to_file(self, text: str, filename: str) -> None:
        self._proxy.notify("started-utterance")
        self._restart()
        pcm = self._espeak.synthesize(text, self.timeout)
        self.last_pcm = pcm
        if filename == MEMORY:
            self._proxy.notify("finished-utterance", completed=True)
            return
        with wave.open(filename, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(SAMPLE_RATE)
            out.writeframes(pcm)
        self._proxy.notify("finished-utterance", completed=True)

    def getProperty(self, name: str) -> Any:
        if name == "voices":
            return [
                PyttsxVoice(
                    id=ident,
                    name=vname,
                    languages=[lang],
                    gender=[None, "Male", "Female"][gender] if gender < 3 else None,
                    age=age or None,
                )
                for ident, vname, gender, lang, age in self._espeak.voices()
            ]
        if name in self._props:
            return self._props[name]
        raise KeyError(f"unknown property {name}")

    def _restart(self) -> None:
        """A freshly loaded espeak-ng with this driver's voice and settings."""
        if self._espeak.fresh:
            return
        self._espeak.restart()
        for name in ("voice", "rate", "volume", "pitch"):
            self._set(name, self._props[name])

    def setProperty(self, name: str, value: Any) -> None:
        self._set(name, value)
        self._props[name] = value

    def _set(self, name: str, value: Any) -> None:
        if name == "voice":
            if not self._espeak.set_voice(str(value)):
                raise ValueError(f"espeak-ng has no voice {value!r}")
        elif name == "rate":
            self._espeak.set_parameter(RATE, int(value))
        elif name == "volume":
            # pyttsx3 volume is 0-1; espeak's amplitude 100 is its normal level.
            self._espeak.set_parameter(VOLUME, round(float(value) * 100))
        elif name == "pitch":
            self._espeak.set_parameter(PITCH, int(value))
        else:
            raise KeyError(f"unknown property {name}")
