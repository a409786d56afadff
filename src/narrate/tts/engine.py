"""The Synthesizer: one pyttsx3 engine per process, text + Voice -> PCM."""

from __future__ import annotations

import logging
import multiprocessing
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import wave
import weakref
from pathlib import Path
from typing import Any

import pyttsx3

from narrate.errors import EngineError
from narrate.records import Voice, VoiceInfo
from narrate.tts import espeak_driver
from narrate.tts.espeak_lib import SAMPLE_RATE, Espeak, locate

log = logging.getLogger("narrate")

# pyttsx3 imports drivers by module name under pyttsx3.drivers.
_DRIVER_NAME = "narrate_espeak"
sys.modules[f"pyttsx3.drivers.{_DRIVER_NAME}"] = espeak_driver

_GENDERS = {1: "male", 2: "female"}


def engine_name() -> str:
    """ "espeak" wherever libespeak-ng loads, else the platform's pyttsx3 driver."""
    if locate() is not None:
        return "espeak"
    return {"darwin": "nsss", "win32": "sapi5"}.get(sys.platform, "espeak")


class Synthesizer:
    """Renders text in a Voice to 16-bit mono PCM at SAMPLE_RATE, checking every result."""

    def __init__(self, timeout: float = espeak_driver.SYNTH_TIMEOUT_S) -> None:
        _defer_ctrl_c_in_workers()
        self.engine = engine_name()
        driver = _DRIVER_NAME if self.engine == "espeak" else None
        try:
            self._tts = pyttsx3.init(driver)
        except Exception as exc:  # pyttsx3 raises bare errors from its drivers
            raise EngineError(
                f"the speech engine failed to start ({exc}); run `narrate doctor` to see what is missing"
            ) from exc
        self._errors: list[BaseException] = []
        self._tts.connect("error", self._on_error)
        inner = getattr(getattr(self._tts, "proxy", None), "_driver", None)
        if isinstance(inner, espeak_driver.EspeakMemoryDriver):
            inner.timeout = timeout
        # espeak-ng renders into memory; only the platform drivers need a scratch
        # file, made on first use and removed when the Synthesizer goes away.
        self._memory = inner if isinstance(inner, espeak_driver.EspeakMemoryDriver) else None
        self._workdir: Path | None = None
        self._settings: tuple[str, int, int, float] | None = None

    def _on_error(self, name: Any = None, exception: BaseException | None = None) -> None:
        if exception is not None:
            self._errors.append(exception)

    def _apply(self, voice: Voice) -> None:
        settings = (voice.voice_id, voice.rate, voice.pitch, voice.volume)
        if settings == self._settings:
            return
        self._errors.clear()
        self._tts.setProperty("voice", voice.voice_id)
        self._tts.setProperty("rate", voice.rate)
        self._tts.setProperty("volume", voice.volume)
        if self.engine == "espeak":
            self._tts.setProperty("pitch", voice.pitch)
        if self._errors:
            self._settings = None
            raise EngineError(
                f"the speech engine cannot use the voice {voice.voice_id!r} ({self._errors[0]}); "
                "run `narrate voices` to list the voices"
            ) from self._errors[0]
        self._settings = settings

    def synthesize(self, text: str, voice: Voice) -> bytes:
        """PCM for text. A crash, a timeout or no audio is retried once, then EngineError."""
        failure: EngineError | None = None
        for attempt in (1, 2):
            _stop_if_interrupted()
            self._apply(voice)  # a voice the engine lacks is not worth a retry
            try:
                pcm = self._render(text)
                _stop_if_interrupted()
            except EngineError as exc:
                failure = exc
                self._settings = None  # set the voice afresh after a failure
                log.debug("%s (attempt %d)", exc, attempt)
                continue
            if pcm or not any(ch.isalnum() for ch in text):
                return pcm
            failure = EngineError(f"the speech engine produced no audio for: {_quote(text)}")
            log.debug("engine wrote no audio for %r (attempt %d)", text[:60], attempt)
        assert failure is not None
        raise EngineError(f"{failure} (tried twice); run `narrate doctor` to check the engine")

    def _render(self, text: str) -> bytes:
        self._errors.clear()
        if self._memory is not None:
            self._memory.last_pcm = b""
            self._tts.save_to_file(text, espeak_driver.MEMORY)
            self._tts.runAndWait()
            self._raise_errors(text)
            return self._memory.last_pcm
        target = self._scratch() / ("utterance.aiff" if self.engine == "nsss" else "utterance.wav")
        target.unlink(missing_ok=True)
        self._tts.save_to_file(text, str(target))
        self._tts.runAndWait()
        self._raise_errors(text)
        if not target.exists():
            return b""
        return _read_pcm(target)

    def _raise_errors(self, text: str) -> None:
        if not self._errors:
            return
        exc = self._errors[0]
        if isinstance(exc, TimeoutError):
            raise EngineError(f"speech synthesis timed out on: {_quote(text)}") from exc
        raise EngineError(f"the speech engine failed ({exc}) on: {_quote(text)}") from exc

    def _scratch(self) -> Path:
        if self._workdir is None:
            self._workdir = Path(tempfile.mkdtemp(prefix="narrate-tts-"))
            weakref.finalize(self, shutil.rmtree, self._workdir, ignore_errors=True)
        return self._workdir

    def close(self) -> None:
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None


_ctrl_c = threading.Event()


def _note_ctrl_c(signum: int, frame: object) -> None:
    _ctrl_c.set()


def _defer_ctrl_c_in_workers() -> None:
    """In a worker process, Ctrl-C stops the work at the next utterance.

    A terminal sends Ctrl-C to the workers too. Raised wherever a worker happens
    to be (idle, or still starting) it prints a traceback and breaks the pool;
    noted here, the next synthesis raises KeyboardInterrupt, which travels back
    to the parent like any other error while the parent reports the interrupt.
    """
    in_worker = multiprocessing.parent_process() is not None
    if in_worker and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, _note_ctrl_c)


def _stop_if_interrupted() -> None:
    if _ctrl_c.is_set():
        raise KeyboardInterrupt


def _quote(text: str, limit: int = 80) -> str:
    """The text an error names, on one line and short."""
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= limit else flat[: limit - 1] + "…")


def _read_pcm(path: Path) -> bytes:
    """The file's audio as PCM in narrate's one format, converting only if needed."""
    if path.suffix == ".wav":
        with wave.open(str(path), "rb") as wav:
            if (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, SAMPLE_RATE):
                return wav.readframes(wav.getnframes())
    from narrate.tools import ffmpeg_exe

    result = subprocess.run(
        [
            ffmpeg_exe(),
            "-v",
            "error",
            "-i",
            str(path),
            "-f",
            "s16le",
            "-ac",
            "1",
            "-ar",
            str(SAMPLE_RATE),
            "-",
        ],
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        raise EngineError(
            f"could not read the engine's audio (ffmpeg: {stderr_tail(result.stderr)})"
        )
    return result.stdout


def stderr_tail(stderr: bytes | str, limit: int = 200) -> str:
    """The end of a tool's stderr on one line: its last lines are where it says why."""
    text = stderr.decode(errors="replace") if isinstance(stderr, bytes) else stderr
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    tail = " | ".join(lines[-3:]) or "no message"
    return tail if len(tail) <= limit else "…" + tail[-(limit - 1) :]


def _variants(data_path: str | None) -> list[VoiceInfo]:
    """espeak-ng's voice variants (m1, f3, klatt, ...), read from its data folder."""
    if not data_path:
        return []
    folder = Path(data_path) / "voices" / "!v"
    out = []
    for file in sorted(folder.glob("*")) if folder.is_dir() else []:
        name, gender = file.name, "unknown"
        for line in file.read_text(errors="replace").splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[0] == "name":
                name = " ".join(parts[1:])
            elif len(parts) >= 2 and parts[0] == "gender":
                gender = parts[1] if parts[1] in ("male", "female") else "unknown"
        out.append(VoiceInfo(id=f"+{file.name}", name=name, gender=gender, languages=()))
    return out


def list_voices(lang: str | None = None) -> list[VoiceInfo]:
    """The engine's voices. For espeak-ng: its languages (ids like "en-us"), then its
    variants (ids like "+f3"), which combine with any language as "en-us+f3"."""
    if engine_name() == "espeak":
        espeak = Espeak.get(locate())  # type: ignore[arg-type]
        voices = [
            VoiceInfo(
                id=language,
                name=name,
                gender=_GENDERS.get(gender, "unknown"),
                languages=(language,),
                age=age or None,
            )
            for _ident, name, gender, language, age in espeak.voices()
        ]
        if lang:
            voices = [v for v in voices if any(x.startswith(lang.lower()) for x in v.languages)]
        return sorted(voices, key=lambda v: v.id) + _variants(espeak.data_path())
    tts = pyttsx3.init()
    found = []
    for v in tts.getProperty("voices"):
        langs = tuple(str(x) for x in (v.languages or ()))
        gender = (v.gender or "unknown").lower()
        found.append(
            VoiceInfo(
                id=v.id,
                name=v.name,
                gender=gender if gender in _GENDERS.values() else "unknown",
                languages=langs,
                age=v.age,
            )
        )
    if lang:
        found = [v for v in found if any(lang.lower() in x.lower() for x in v.languages)]
    return found


def engine_info() -> dict[str, str]:
    """What `narrate doctor` reports about speech synthesis."""
    library = locate()
    if library is None:
        return {"engine": engine_name(), "source": f"pyttsx3 {engine_name()} driver"}
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
