"""Which speech engines narrate has, by name, and which one a run uses.

Adding an engine is a folder under ``narrate/tts/`` holding a class that meets
``narrate.tts.engine.Engine``, plus its one line in ``ENGINES``. Engines are
imported by name when first asked for, so a run loads only the one it uses.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable

from narrate.errors import EngineError
from narrate.tts.engine import DEFAULT_TIMEOUT_S, Engine
from narrate.tts.mixed import MixedEngine

# name -> "module:Class" (or a factory); each takes ``timeout=``, the seconds a synthesis may take.
ENGINES: dict[str, str | Callable[..., Engine]] = {
    "espeak": "narrate.tts.espeak.engine:EspeakEngine",
    "nsss": "narrate.tts.system.engine:NsssEngine",
    "sapi5": "narrate.tts.system.engine:Sapi5Engine",
    "hibari": "narrate.tts.hibari.engine:HibariEngine",  # the `neural` extra
}
# Engines whose voices a voices.yaml may give beside the book's engine, as "hibari:heart".
BESIDE = ("hibari",)


def get_engine(name: str, *, timeout: float = DEFAULT_TIMEOUT_S) -> Engine:
    """The engine called ``name``; EngineError (one line) if narrate has none by that name."""
    factory = ENGINES.get(name)
    if factory is None:
        raise EngineError(
            f"no speech engine called {name!r}; narrate has {', '.join(sorted(ENGINES))}"
        )
    if isinstance(factory, str):
        module, _, attr = factory.partition(":")
        factory = getattr(importlib.import_module(module), attr)
    return factory(timeout=timeout)


def default_engine_name() -> str:
    """ "espeak" wherever libespeak-ng loads, else the platform's pyttsx3 driver."""
    from narrate.tts.espeak.library import locate

    if locate() is not None:
        return "espeak"
    return {"darwin": "nsss", "win32": "sapi5"}.get(sys.platform, "espeak")


def default_engine(*, timeout: float = DEFAULT_TIMEOUT_S) -> MixedEngine:
    """The engine this machine reads with, and the BESIDE engines' voices as "NAME:VOICE"."""
    return MixedEngine(
        get_engine(default_engine_name(), timeout=timeout),
        BESIDE,
        lambda name: get_engine(name, timeout=timeout),
    )


def describe_speech() -> list[str]:
    """`narrate doctor`'s lines for the speech engine this machine reads with."""
    engine = default_engine()
    info = engine.info()
    library = f" ({info['library']})" if info.get("library") else ""
    lines = [
        f"speech: {info.get('engine')} {info.get('version', '')} from {info['source']}{library}"
    ]
    if info.get("error"):
        lines.append(f"  problem: {info['error']}")
    for name, other in engine.others().items():
        if isinstance(other, EngineError):
            lines.append(f"speech beside it: {name} not installed ({other})")
            continue
        extra = other.info()
        lines.append(
            f"speech beside it: {name} {extra.get('version', '')} from {extra['source']}; "
            f"model {extra.get('model', '?')}; voices {extra.get('voices', '')}"
        )
    return lines
