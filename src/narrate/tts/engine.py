"""What every speech engine offers narrate: the ``Engine`` Protocol and its small records.

Only the interface belongs here. An engine's own knowledge (its voice-id syntax,
its sample rate, its markup) stays in its folder under ``narrate.tts``; the rest
of narrate sees an engine through this Protocol alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from narrate.records import Voice, VoiceInfo

DEFAULT_TIMEOUT_S = 120.0  # far beyond any sentence; a hung synthesis is cut off here


@dataclass(frozen=True, slots=True)
class PcmChunk:
    """Audio as 16-bit signed little-endian mono samples, with the rate they play at."""

    samples: bytes
    sample_rate: int


@dataclass(frozen=True, slots=True)
class CastingPools:
    """An engine's own suggestion of voice ids to cast from, best first.

    ``male`` and ``female`` are told apart by ear; ``child`` sound like a child
    as they are. When those run out a child is read by a female voice raised
    to ``child_pitch``.
    """

    male: tuple[str, ...]
    female: tuple[str, ...]
    child: tuple[str, ...]
    child_pitch: int


@runtime_checkable
class Engine(Protocol):
    """A speech engine: text in a Voice -> PCM, plus what casting needs to know of it."""

    @property
    def name(self) -> str:
        """What every Voice cast for this engine records ("espeak")."""
        ...

    @property
    def sample_rate(self) -> int:
        """The rate of every PcmChunk this engine returns."""
        ...

    def voices(self, lang: str | None = None) -> list[VoiceInfo]:
        """The voices the engine offers (`narrate voices`), those of ``lang`` if given."""
        ...

    def synthesize(self, text: str, voice: Voice) -> PcmChunk:
        """``text`` read in ``voice``; raises EngineError when the engine fails."""
        ...

    def info(self) -> dict[str, str]:
        """What `narrate doctor` shows; "engine" and "version" go into the cache keys."""
        ...

    def narrator_voice(self, language: str) -> str:
        """A clear, neutral voice id to read a book in ``language``."""
        ...

    def casting_pools(self, language: str, narrator: str) -> CastingPools:
        """Voice ids for the characters of a ``language`` book that ``narrator`` reads."""
        ...

    def knows_voice(self, voice_id: str) -> bool:
        """True when ``voice_id`` is usable as it is written."""
        ...

    def closest_voices(self, voice_id: str, n: int = 3) -> list[str]:
        """Up to ``n`` usable ids nearest to an unknown ``voice_id``."""
        ...

    def escape(self, text: str) -> str:
        """Book text with anything this engine would take as markup made plain."""
        ...

    def lexicon_problem(self, replacement: str) -> str | None:
        """What is wrong with a lexicon replacement and how to fix it; None if it is fine."""
        ...

    def lexicon_hint(self) -> str:
        """What a lexicon replacement may be, as a starter voices.yaml explains it."""
        ...

    def start(self) -> None:
        """Get ready to synthesize now, so that a broken install fails here, not mid-book."""
        ...

    def close(self) -> None:
        """Free what synthesis holds (scratch files); the engine may be used again."""
        ...
