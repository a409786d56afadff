"""An engine's voice list as casting sees it: validation, suggestions, default pools.

Engines name voices in their own way; a ``VoiceScheme`` says how (whether ids
combine a base voice with a variant, and with which mark) and holds the
engine's taste (which accents and variants to hand out first, which to leave
out). ``VoiceIndex`` applies a scheme to the voices an engine lists. Nothing
here depends on hash order or on the order the engine lists its voices, so
the same book gives the same cast everywhere.
"""

from __future__ import annotations

import difflib
import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from narrate.records import VoiceInfo
from narrate.tts.engine import CastingPools

log = logging.getLogger("narrate")


@dataclass(frozen=True)
class VoiceScheme:
    """How an engine's voice ids are built and which of them suit a role best."""

    # Joins a base voice and a variant ("en-us" + "f3"); None: ids are whole voices.
    variant_mark: str | None = None
    # Preferred narrator voice per language: clear and neutral, no variant.
    narrator_preference: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    accent_order: tuple[str, ...] = ()  # base voices in the order they are handed out
    # Base ids the engine lists under one spelling but selects by another.
    spellings: Mapping[str, str] = field(default_factory=dict)
    skip_bases: frozenset[str] = frozenset()  # base voices unfit to read a book
    # Variants in the order they sound most unlike each other, by gender.
    variant_order: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: {"male": (), "female": ()}
    )
    child_variants: tuple[str, ...] = ()
    novelty: tuple[str, ...] = ()  # parts of variant names unfit for a role
    child_pitch: int = 80  # female voices read this high pass for a child

    def split(self, voice_id: str) -> tuple[str, str | None]:
        """``"en-us+f3"`` -> ``("en-us", "f3")``; ``"en-gb"`` -> ``("en-gb", None)``."""
        if self.variant_mark is None:
            return voice_id, None
        base, mark, variant = voice_id.partition(self.variant_mark)
        return base, (variant if mark else None)

    def join(self, base: str, variant: str | None) -> str:
        return (
            base
            if variant is None or self.variant_mark is None
            else base + self.variant_mark + variant
        )


class VoiceIndex:
    """The engine's voices, split into base voices (languages) and variants.

    ``en-gb+m3`` is valid when it is listed itself, or when ``en-gb`` is a
    listed base and ``m3`` a variant listed with any base.
    """

    def __init__(self, available: Iterable[VoiceInfo], scheme: VoiceScheme) -> None:
        self.scheme = scheme
        available = list(available)
        self.exact = {v.id for v in available}
        self.bases: dict[str, VoiceInfo] = {}  # keys casefolded, as are variants'
        self.variants: dict[str, VoiceInfo] = {}
        self.spelled: dict[str, str] = {}  # casefolded -> as the engine spells it
        for info in sorted(available, key=lambda v: v.id):
            base, variant = scheme.split(info.id)
            if variant is None:
                self.bases.setdefault(base.casefold(), info)
                self.spelled.setdefault(base.casefold(), base)
            else:
                self.variants.setdefault(variant.casefold(), info)
                self.spelled.setdefault("+" + variant.casefold(), variant)
        for listed, usable in scheme.spellings.items():
            if listed in self.bases or usable in self.bases:
                self.bases.setdefault(usable, self.bases.get(listed) or self.bases[usable])
                self.bases.setdefault(listed, self.bases[usable])
                self.spelled[listed] = self.spelled[usable] = usable

    def knows(self, voice_id: str) -> bool:
        """Listed, or a listed base plus a listed variant.

        Variants are case-sensitive: espeak-ng silently ignores a variant it
        cannot find ("en-us+F3", "en-us+f9"), so a typo would pass unheard.
        """
        if voice_id in self.exact:
            return True
        base, variant = self.scheme.split(voice_id)
        if base.casefold() not in self.bases:
            return False
        return variant is None or self.spelled.get("+" + variant.casefold()) == variant

    def closest(self, voice_id: str, n: int = 3) -> list[str]:
        """Up to ``n`` usable ids nearest to an unknown ``voice_id`` (by id or by name)."""
        base, variant = self.scheme.split(voice_id.casefold())
        bases = [self.spelled[b] for b in self._near(base, self.bases, 0.4)]
        if variant is None:
            return list(dict.fromkeys(bases))[:n]
        variants = [self.spelled["+" + v] for v in self._near(variant, self.variants, 0.5)]
        join = self.scheme.join
        return [join(b, v) for b in dict.fromkeys(bases) for v in dict.fromkeys(variants)][:n]

    @staticmethod
    def _near(key: str, known: dict[str, VoiceInfo], cutoff: float) -> list[str]:
        if key in known:
            return [key]
        names = {info.name.casefold(): k for k, info in sorted(known.items())}
        by_name = [names[m] for m in difflib.get_close_matches(key, sorted(names), 3, 0.6)]
        return by_name + difflib.get_close_matches(key, sorted(known), 3, cutoff)

    # --- default casting ---

    def language_bases(self, language: str) -> list[str]:
        """Base voice ids for ``language``, in the order accents are handed out."""
        lang = language.casefold().split("-")[0]

        def speaks(key: str) -> bool:  # by id (espeak-ng) or by listed languages (others)
            codes = [key, *(c.replace("_", "-").casefold() for c in self.bases[key].languages)]
            return any(c == lang or c.startswith(lang + "-") for c in codes)

        found = {b for b in self.bases if b not in self.scheme.skip_bases and speaks(b)}
        found -= set(self.scheme.spellings)  # one voice, one name: the one the engine accepts
        rank = {b: i for i, b in enumerate(self.scheme.accent_order)}
        return [self.spelled[b] for b in sorted(found, key=lambda b: (rank.get(b, 99), b))]

    def narrator_voice(self, language: str) -> str:
        """A clear, neutral base voice (no variant) for the book's language."""
        lang = language.casefold()
        for choice in (*self.scheme.narrator_preference.get(lang, ()), lang):
            if choice in self.bases:
                return self.spelled[choice]
        bases = self.language_bases(lang)
        if bases:
            return bases[0]
        log.warning("no %s voice in the speech engine; reading the book with English", language)
        english = self.language_bases("en")
        return english[0] if english else min(self.spelled.get(b, b) for b in [*self.bases, "en"])

    def _variants(self, gender: str) -> list[str]:
        """The engine's variants of ``gender``, spelled as the engine lists them."""
        spelled = {key: self.spelled["+" + key] for key in self.variants}
        order = self.scheme.variant_order.get(gender, ())
        preferred = [spelled[v] for v in order if v in spelled]
        others = sorted(
            spelled[key]
            for key, info in self.variants.items()
            if info.gender == gender
            and key not in order
            and not any(word in key for word in self.scheme.novelty)
        )
        return preferred + others

    def _spread(
        self, bases: list[str], variants: list[str | None], used: Iterable[str]
    ) -> list[str]:
        """Every base+variant pair, ordered so each pick reuses accent and variant least."""
        base_use = Counter(used)
        variant_use: Counter[str | None] = Counter()
        base_rank = {b: i for i, b in enumerate(bases)}
        variant_rank = {v: i for i, v in enumerate(variants)}
        remaining = [(b, v) for v in variants for b in bases]
        out = []
        while remaining:

            def cost(pair: tuple[str, str | None]) -> tuple[int, int, int, int]:
                b, v = pair
                return (
                    max(base_use[b], variant_use[v]),
                    base_use[b] + variant_use[v],
                    variant_rank[v],
                    base_rank[b],
                )

            best = min(remaining, key=cost)
            remaining.remove(best)
            base_use[best[0]] += 1
            variant_use[best[1]] += 1
            out.append(self.scheme.join(*best))
        return out

    def pools(self, language: str, narrator: str) -> CastingPools:
        """Voice ids per role, best first, each spreading accents and variants."""
        bases = self.language_bases(language) or self.language_bases("en") or [narrator]
        used = [self.scheme.split(narrator)[0]]  # the narrator's accent counts as taken
        by_gender: dict[str, tuple[str, ...]] = {}
        for gender in ("male", "female"):
            variants: list[str | None] = list(self._variants(gender))
            if variants:
                ids = self._spread(bases, variants, used)
            else:  # an engine without variants (SAPI, NSSS): whole voices, by their gender
                ids = [
                    b
                    for b in bases
                    if getattr(self.bases.get(b.casefold()), "gender", "") == gender
                ] or bases
            by_gender[gender] = tuple(ids)
        child: list[str | None] = [
            self.spelled["+" + v] for v in self.scheme.child_variants if v in self.variants
        ]
        return CastingPools(
            male=by_gender["male"],
            female=by_gender["female"],
            child=tuple(self._spread(bases, child, used)),
            child_pitch=self.scheme.child_pitch,
        )


class IndexedVoices:
    """The casting half of the Engine Protocol, for an engine whose voice ids follow a
    VoiceScheme: validation, suggestions and pools all come from one VoiceIndex.

    The engine sets ``scheme`` and provides ``voices()``; the index is built once.
    """

    scheme: VoiceScheme
    _index: VoiceIndex | None = None

    def voices(self, lang: str | None = None) -> list[VoiceInfo]:
        raise NotImplementedError

    def _voice_index(self) -> VoiceIndex:
        if self._index is None:
            self._index = VoiceIndex(self.voices(), self.scheme)
        return self._index

    def narrator_voice(self, language: str) -> str:
        return self._voice_index().narrator_voice(language)

    def casting_pools(self, language: str, narrator: str) -> CastingPools:
        return self._voice_index().pools(language, narrator)

    def knows_voice(self, voice_id: str) -> bool:
        return self._voice_index().knows(voice_id)

    def closest_voices(self, voice_id: str, n: int = 3) -> list[str]:
        return self._voice_index().closest(voice_id, n)
