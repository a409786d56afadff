"""Synthesis through pyttsx3, shared by the engines that drive it.

One pyttsx3 engine per process, text + Voice -> PCM, every result checked:
a crash, a timeout or no audio is retried once, then raised as EngineError.
Ctrl-C in a worker process stops the work at the next utterance. The base
class renders through a scratch file that ffmpeg converts; an engine with a
driver that renders into memory overrides ``_render``.
"""

from __future__ import annotations

import logging
import multiprocessing
import shutil
import signal
import tempfile
import threading
import wave
import weakref
from pathlib import Path
from typing import Any

import pyttsx3

from narrate.errors import EngineError
from narrate.records import Voice
from narrate.tools import decode_pcm

log = logging.getLogger("narrate")


class Pyttsx3Synthesizer:
    """Renders text in a Voice to 16-bit mono PCM at ``sample_rate``."""

    def __init__(
        self, driver: str | None, sample_rate: int, *, pitch: bool = False, scratch: str = ".wav"
    ) -> None:
        _defer_ctrl_c_in_workers()
        self.sample_rate = sample_rate
        self._pitch = pitch  # only some drivers take a pitch
        self._suffix = scratch  # the file type the driver writes
        try:
            self._tts = pyttsx3.init(driver)
        except Exception as exc:  # pyttsx3 raises bare errors from its drivers
            raise EngineError(
                f"the speech engine failed to start ({exc}); run `narrate doctor` to see what is missing"
            ) from exc
        self._errors: list[BaseException] = []
        self._tts.connect("error", self._on_error)
        self._workdir: Path | None = None
        self._settings: tuple[str, int, int, float] | None = None

    @property
    def driver(self) -> object:
        """The pyttsx3 driver object behind the engine (None if pyttsx3 hides it)."""
        return getattr(getattr(self._tts, "proxy", None), "_driver", None)

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
        if self._pitch:
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
        target = self._scratch() / f"utterance{self._suffix}"
        target.unlink(missing_ok=True)
        self._tts.save_to_file(text, str(target))
        self._tts.runAndWait()
        self._raise_errors(text)
        if not target.exists():
            return b""
        return read_pcm(target, self.sample_rate)

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


def read_pcm(path: Path, sample_rate: int) -> bytes:
    """The file's audio as 16-bit mono PCM at ``sample_rate``, converting only if needed."""
    if path.suffix == ".wav":
        with wave.open(str(path), "rb") as wav:
            if (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, sample_rate):
                return wav.readframes(wav.getnframes())
    result = decode_pcm(path, sample_rate)
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
