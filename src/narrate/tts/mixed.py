"""A book read by more than one engine: voice ids that name their engine ("hibari:heart").

``MixedEngine`` is the book's engine (espeak-ng, say) as the rest of narrate
sees it, plus the engines a voices.yaml names in a voice id: a voice id
``NAME:VOICE`` is VOICE of engine NAME, every other id the book engine's. Each
other engine is made when one of its voices is first asked for, and its PCM
is resampled to the book engine's rate, so the book keeps one rate.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Iterable

from narrate.errors import EngineError
from narrate.records import Cast, Voice, VoiceInfo
from narrate.tts.engine import CastingPools, Engine, PcmChunk
from narrate.tts.resample import VERSION as RESAMPLER
from narrate.tts.resample import resample


class MixedEngine:
    """The book engine, with voices of the ``others`` engines reachable as ``NAME:VOICE``."""

    def __init__(
        self, base: Engine, others: Collection[str], make: Callable[[str], Engine]
    ) -> None:
        self.base = base
        self._names = tuple(n for n in others if n != base.name)
        self._make = make
        self._made: dict[str, Engine] = {}

    @property
    def name(self) -> str:
        return self.base.name

    @property
    def sample_rate(self) -> int:
        return self.base.sample_rate

    def engine(self, name: str) -> Engine:
        """The other engine called ``name``, made once."""
        if name not in self._made:
            self._made[name] = self._make(name)
        return self._made[name]

    def route(self, voice_id: str) -> tuple[Engine | None, str]:
        """(the other engine, its own voice id) for ``NAME:VOICE``; (None, id) for the book's."""
        name, mark, rest = voice_id.partition(":")
        if mark and name in self._names:
            return self.engine(name), rest
        return None, voice_id

    def engines_of(self, voices: Iterable[Voice]) -> list[Engine]:
        """The other engines these voices use, by name."""
        used = {v.voice_id.partition(":")[0] for v in voices if ":" in v.voice_id}
        return [self.engine(n) for n in sorted(used) if n in self._names]

    def key_id(self, cast: Cast) -> str:
        """What goes into the cache keys of a book read by ``cast``: every engine's
        name and version, and each other engine's model hash."""
        info = self.base.info()
        parts = [f"{info.get('engine')}-{info.get('version', '')}"]
        for other in self.engines_of([cast.narrator, *cast.characters.values()]):
            extra = other.info()
            parts.append(
                f"{other.name}-{extra.get('version', '')}-{extra.get('model', '')}-r{RESAMPLER}"
            )
        return " ".join(parts)

    def info_for(self, voice: Voice) -> dict[str, str]:
        """What the engine that reads ``voice`` says of itself (for the narrator's credit)."""
        other, _ = self.route(voice.voice_id)
        return (other or self.base).info()

    def others(self) -> dict[str, Engine | EngineError]:
        """Every other engine, or the error that says why it cannot be used here."""
        found: dict[str, Engine | EngineError] = {}
        for name in self._names:
            try:
                engine = self.engine(name)
                engine.voices()
            except EngineError as exc:
                found[name] = exc
            else:
                found[name] = engine
        return found

    # --- voices and casting ---

    def voices(self, lang: str | None = None) -> list[VoiceInfo]:
        """The book engine's voices, then each installed other engine's as ``NAME:VOICE``."""
        listed = list(self.base.voices(lang))
        for name, engine in self.others().items():
            if isinstance(engine, Engine):
                listed += [dataclasses.replace(v, id=f"{name}:{v.id}") for v in engine.voices(lang)]
        return listed

    def narrator_voice(self, language: str) -> str:
        return self.base.narrator_voice(language)

    def casting_pools(self, language: str, narrator: str) -> CastingPools:
        return self.base.casting_pools(language, narrator)

    def knows_voice(self, voice_id: str) -> bool:
        other, own = self.route(voice_id)
        return (other or self.base).knows_voice(own)

    def closest_voices(self, voice_id: str, n: int = 3) -> list[str]:
        other, own = self.route(voice_id)
        if other is None:
            return self.base.closest_voices(voice_id, n)
        return [f"{other.name}:{v}" for v in other.closest_voices(own, n)]

    # --- text ---

    def escape(self, text: str) -> str:
        return self.base.escape(text)

    def lexicon_problem(self, replacement: str) -> str | None:
        return self.base.lexicon_problem(replacement)

    def lexicon_hint(self) -> str:
        return self.base.lexicon_hint()

    # --- synthesis ---

    def start(self) -> None:
        self.base.start()

    def synthesize(self, text: str, voice: Voice) -> PcmChunk:
        other, own = self.route(voice.voice_id)
        if other is None:
            return self.base.synthesize(text, voice)
        chunk = other.synthesize(
            other.escape(text), dataclasses.replace(voice, engine=other.name, voice_id=own)
        )
        return resample(chunk, self.sample_rate)

    def close(self) -> None:
        self.base.close()
        for engine in self._made.values():
            engine.close()

    def info(self) -> dict[str, str]:
        return self.base.info()
