"""Speech synthesis: engines behind one Protocol, chosen by name from a registry.

``narrate.tts.engine`` is the interface (Engine, PcmChunk, CastingPools);
``narrate.tts.registry`` names the engines (get_engine, default_engine); each
engine lives in its own folder (``espeak/``, ``system/``, ``hibari/``); ``mixed``
lets a book's voices name another engine (``hibari:heart``). ``lexicon`` applies
the pronunciation lexicon, ``voices`` is the voice-list logic engines share.
Submodules never import this package itself, only each other.
"""

from narrate.tts.engine import CastingPools, Engine, PcmChunk
from narrate.tts.mixed import MixedEngine
from narrate.tts.registry import ENGINES, default_engine, default_engine_name, get_engine

__all__ = [
    "ENGINES",
    "CastingPools",
    "Engine",
    "MixedEngine",
    "PcmChunk",
    "default_engine",
    "default_engine_name",
    "get_engine",
]
