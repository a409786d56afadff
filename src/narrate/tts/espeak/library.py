"""ctypes bindings to libespeak-ng, found on the system or in the espeakng-loader wheel.

Only what narrate needs: synchronous synthesis into memory, voice listing,
parameters. Synchronous mode runs the callback on the calling thread, so a
synthesis is one blocking call with no polling loop.

espeak-ng keeps synthesis state in C statics that nothing in its API resets
(the pitch flutter's position, the gain control, the voicing cycle count):
measured, the same line came out a few samples longer or shorter, and with
different samples, after each different line before it, and neither
``espeak_Terminate`` + ``espeak_Initialize`` nor re-selecting the voice or
re-seeding its noise changed that. Unloading the library and loading it
afresh does (``Espeak.restart``), at about 4 ms a line (`python
benchmarks/determinism.py`). The noise of breathy variants ("+f3") is seeded
from the clock besides, so every load seeds it with one number (``_seed``).
"""

from __future__ import annotations

import _ctypes
import contextlib
import ctypes
import ctypes.util
import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

AUDIO_OUTPUT_SYNCHRONOUS = 2
CHARS_UTF8 = 1
PHONEMES = 0x100  # lets "[[...]]" in the text be read as phonemes (the lexicon's)
ENDPAUSE = 0x1000
POS_CHARACTER = 1

RATE, VOLUME, PITCH, RANGE = 1, 2, 3, 4
EVENT_LIST_TERMINATED = 0
SAMPLE_RATE = 22050  # espeak-ng's fixed output rate


class _Voice(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_void_p),
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    ]


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", ctypes.c_void_p),
    ]


SynthCallback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event)
)


@dataclass(frozen=True)
class Library:
    """Where libespeak-ng comes from: the system's, or the copy a wheel ships."""

    path: str
    data_path: str | None  # None: the library's compiled-in default
    source: str  # "system" or "espeakng-loader"


def locate() -> Library | None:
    """Prefer the system's espeak-ng; fall back to the espeakng-loader wheel."""
    forced = os.environ.get("NARRATE_ESPEAK_LIBRARY")
    if forced:
        return Library(forced, os.environ.get("NARRATE_ESPEAK_DATA"), "NARRATE_ESPEAK_LIBRARY")
    if os.environ.get("NARRATE_BUNDLED_ONLY") != "1":
        found = ctypes.util.find_library("espeak-ng")
        if found:
            return Library(found, None, "system")
    try:
        import espeakng_loader
    except ImportError:
        return None
    lib = espeakng_loader.get_library_path()
    if not Path(lib).exists():
        return None
    return Library(lib, espeakng_loader.get_data_path(), "espeakng-loader")


class Espeak:
    """One initialised libespeak-ng per process (the library is process-global)."""

    _instance: Espeak | None = None

    def __init__(self, library: Library) -> None:
        self.library = library
        self._language_files: dict[str, str] | None = None
        self._chunks: list[bytes] = []
        self._deadline = 0.0
        self._timed_out = False
        # Keep a reference: ctypes callbacks die with their Python object.
        self._callback = SynthCallback(self._on_audio)
        self.dll = self._load()
        self.fresh = True  # nothing synthesized since the library was loaded

    def _load(self) -> ctypes.CDLL:
        library = self.library
        dll = ctypes.CDLL(library.path)
        self.dll = dll
        self.dll.espeak_Initialize.restype = ctypes.c_int
        self.dll.espeak_Initialize.argtypes = [
            ctypes.c_int,
            ctypes.c_int,
            ctypes.c_char_p,
            ctypes.c_int,
        ]
        self.dll.espeak_Synth.argtypes = [
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.POINTER(ctypes.c_uint),
            ctypes.c_void_p,
        ]
        self.dll.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        self.dll.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        self.dll.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_Voice))
        self.dll.espeak_ListVoices.argtypes = [ctypes.c_void_p]
        self.dll.espeak_Info.restype = ctypes.c_char_p
        self.dll.espeak_Info.argtypes = [ctypes.POINTER(ctypes.c_char_p)]
        data = library.data_path.encode() if library.data_path else None
        rate = self.dll.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 200, data, 0)
        if rate <= 0:
            raise OSError(f"libespeak-ng at {library.path} failed to initialise (data: {data!r})")
        self.dll.espeak_SetSynthCallback(self._callback)
        _seed(dll)
        return dll

    def restart(self) -> bool:
        """Unload libespeak-ng and load it afresh, so the next synthesis starts from
        the state a new process has. The caller sets the voice and parameters again.

        False where the library cannot be unloaded (no dlclose): it is then only
        re-initialised, which leaves some of its state as it was.
        """
        if self.fresh:
            return True
        self.dll.espeak_Terminate()
        close = getattr(_ctypes, "dlclose", None)
        if close is not None:
            close(self.dll._handle)
        self._load()
        self.fresh = True
        return close is not None

    @classmethod
    def get(cls, library: Library) -> Espeak:
        if cls._instance is None:
            cls._instance = cls(library)
        return cls._instance

    def version(self) -> str:
        raw = self.dll.espeak_Info(None)
        return raw.decode() if raw else "unknown"

    def data_path(self) -> str | None:
        path = ctypes.c_char_p()
        self.dll.espeak_Info(ctypes.byref(path))
        return path.value.decode() if path.value else None

    def voices(self) -> list[tuple[str, str, int, str, int]]:
        """(identifier, name, gender 0/1/2, languages, age) for every voice."""
        out = []
        array = self.dll.espeak_ListVoices(None)
        i = 0
        while array[i]:
            v = array[i].contents
            # languages: a priority byte, then a NUL-terminated code; the first
            # code is the voice's own language (later entries are not reliable).
            language = ctypes.string_at(v.languages + 1).decode(errors="replace")
            out.append(
                (
                    v.identifier.decode(errors="replace"),
                    v.name.decode(errors="replace"),
                    v.gender,
                    language,
                    v.age,
                )
            )
            i += 1
        return out

    def set_voice(self, name: str) -> bool:
        """Select "en-us", "en-gb+f3", a voice file ("gmw/en") or a voice's name."""
        if self.dll.espeak_SetVoiceByName(name.encode()) == 0:
            return True
        # A language code ("en-gb") that is not also a voice file name: find its file.
        language, _, variant = name.partition("+")
        if self._language_files is None:
            self._language_files = {}
            for ident, _vname, _gender, lang, _age in self.voices():
                self._language_files.setdefault(lang.lower(), ident)
        found = self._language_files.get(language.lower())
        if found is None:
            return False
        full = f"{found}+{variant}" if variant else found
        return self.dll.espeak_SetVoiceByName(full.encode()) == 0

    def set_parameter(self, parameter: int, value: int) -> None:
        self.dll.espeak_SetParameter(parameter, value, 0)

    def _on_audio(self, wav, numsamples, events) -> int:
        if numsamples > 0:
            self._chunks.append(ctypes.string_at(wav, numsamples * 2))
        if self._deadline and (self._deadline < 0 or _now() > self._deadline):
            self._timed_out = True
            return 1  # tells espeak to abort this synthesis
        return 0

    def _interrupt(self) -> None:
        self._deadline = -1.0  # any time is past it: the callback aborts the synthesis

    def synthesize(self, text: str, timeout: float) -> bytes:
        """Synthesize text to 16-bit mono PCM at SAMPLE_RATE; TimeoutError past the bound."""
        self._chunks = []
        self._timed_out = False
        self._deadline = _now() + timeout
        self.fresh = False
        data = text.encode("utf-8") + b"\0"
        # Ctrl-C while espeak runs our callback would raise inside it, where ctypes
        # can only print and drop it; held back until the call returns, it raises here.
        with _sigint_deferred(self._interrupt):
            err = self.dll.espeak_Synth(
                data, len(data), 0, POS_CHARACTER, 0, CHARS_UTF8 | PHONEMES | ENDPAUSE, None, None
            )
        self._deadline = 0.0
        if self._timed_out:
            raise TimeoutError(f"speech synthesis took over {timeout:.0f} s")
        if err != 0:
            raise OSError(f"espeak_Synth failed with error {err}")
        pcm = b"".join(self._chunks)
        self._chunks = []
        return pcm


SEED = 1  # the breathy variants' noise: one sequence in every process, every line


def _seed(dll: ctypes.CDLL) -> None:
    """Start espeak-ng's noise (the breath of voices like "+f3") from a fixed seed.

    espeak-ng seeds it from the clock when it starts, so a breathy voice's line
    came out different in every process. A library without
    ``espeak_ng_SetRandSeed`` (an older release) gets the C library's srand().
    """
    seed = getattr(dll, "espeak_ng_SetRandSeed", None)
    if seed is not None:
        seed.argtypes = [ctypes.c_long]
        seed(SEED)
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).srand(SEED)


@contextmanager
def _sigint_deferred(on_interrupt: Callable[[], None]) -> Iterator[None]:
    """While espeak runs, Ctrl-C only calls ``on_interrupt``; KeyboardInterrupt comes after.

    Python runs signal handlers between bytecodes, which during synthesis means
    inside our audio callback, where ctypes can only print an exception and drop
    it. So the handler just notes the interrupt and the raise waits for the return.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread receives Python signal handlers
        return
    caught: list[int] = []

    def note(signum: int, frame: object) -> None:
        caught.append(signum)
        if previous != signal.SIG_IGN:
            on_interrupt()

    previous = signal.signal(signal.SIGINT, note)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        if callable(previous):
            previous(signal.SIGINT, None)  # Python's default handler raises KeyboardInterrupt
        elif previous != signal.SIG_IGN:
            raise KeyboardInterrupt


def _now() -> float:
    import time

    return time.monotonic()
