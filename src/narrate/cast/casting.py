"""Auto-casting: give every speaker a voice, deterministically.

Voices are built from what espeak-ng offers: a base voice per accent
(en-gb, en-us, en-gb-scotland, en-029, ...) combined with a variant
(m1..m8, f1..f5, ...) plus pitch and rate offsets. The candidates of each
pool are ordered so that consecutive picks differ in both accent and variant,
and speakers are served most frequent first, so the main characters get the
most distinct voices. Nothing depends on hash order or on the order the
engine lists its voices, so the same book and file give the same cast
everywhere.
"""

from __future__ import annotations

import difflib
import logging
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from narrate.config import (
    DEFAULT_PITCH,
    DEFAULT_RATE,
    DEFAULT_VOLUME,
    CharacterConfig,
    VoiceConfig,
)
from narrate.records import Cast, Character, Script, Voice, VoiceInfo

log = logging.getLogger("narrate")

ENGINE = "espeak"
# Preferred narrator voice per language: clear and neutral, no variant.
_NARRATOR_PREFERENCE = {"en": ("en", "en-us")}
# Accents in the order they are handed out.
_ACCENT_ORDER = (
    "en-us",
    "en",
    "en-gb-scotland",
    "en-029",
    "en-gb-x-rp",
    "en-us-nyc",
    "en-gb-x-gbclan",
    "en-gb-x-gbcwmd",
)
# espeak-ng lists its British voice under the language "en-gb", but selects it
# by name only as "en" ("en-gb+f3" is refused, "en+f3" works): accept both
# spellings and write the one that always works.
_SPELLINGS = {"en-gb": "en"}
_SKIP_BASES = {"en-shaw"}  # reads the Shavian alphabet, not Latin text
# Variants first in the order they sound most unlike each other; any other
# gendered variant the engine lists follows, minus novelty ones unfit for a role.
_VARIANT_ORDER = {
    "male": ("m3", "m7", "m1", "m5", "m2", "m6", "m4", "m8"),
    "female": ("f3", "f1", "f5", "f2", "f4"),
}
_CHILD_VARIANTS = ("zac",)  # espeak-ng's child-like variant
_NOVELTY = ("whisper", "robo", "demonic", "klatt", "croak", "zac", "fast", "grand")
_CHILD_WORDS = {"child", "boy", "girl", "kid", "baby", "toddler"}
# Small offsets cycled through a pool's picks, so two picks that happen to
# share an accent or a variant still differ.
_PITCH_STEPS = (0, -6, 6, -3, 3)
_RATE_STEPS = (0, -10, 10, -5, 5)
CHILD_PITCH = 80  # female variants read this high pass for a child


def split_voice_id(voice_id: str) -> tuple[str, str | None]:
    """``"en-us+f3"`` -> ``("en-us", "f3")``; ``"en-gb"`` -> ``("en-gb", None)``."""
    base, plus, variant = voice_id.partition("+")
    return base, (variant if plus else None)


class VoiceIndex:
    """The engine's voices, split into base voices (languages) and variants.

    ``en-gb+m3`` is valid when it is listed itself, or when ``en-gb`` is a
    listed base and ``m3`` a variant listed with any base.
    """

    def __init__(self, available: list[VoiceInfo]) -> None:
        self.exact = {v.id for v in available}
        self.bases: dict[str, VoiceInfo] = {}  # keys casefolded, as are variants'
        self.variants: dict[str, VoiceInfo] = {}
        self.spelled: dict[str, str] = {}  # casefolded -> as the engine spells it
        for info in sorted(available, key=lambda v: v.id):
            base, variant = split_voice_id(info.id)
            if variant is None:
                self.bases.setdefault(base.casefold(), info)
                self.spelled.setdefault(base.casefold(), base)
            else:
                self.variants.setdefault(variant.casefold(), info)
                self.spelled.setdefault("+" + variant.casefold(), variant)
        for listed, usable in _SPELLINGS.items():
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
        base, variant = split_voice_id(voice_id)
        if base.casefold() not in self.bases:
            return False
        return variant is None or self.spelled.get("+" + variant.casefold()) == variant

    def closest(self, voice_id: str, n: int = 3) -> list[str]:
        """Up to ``n`` usable ids nearest to an unknown ``voice_id`` (by id or by name)."""
        base, variant = split_voice_id(voice_id.casefold())
        bases = [self.spelled[b] for b in self._near(base, self.bases, 0.4)]
        if variant is None:
            return list(dict.fromkeys(bases))[:n]
        variants = [self.spelled["+" + v] for v in self._near(variant, self.variants, 0.5)]
        pairs = [f"{b}+{v}" for b in dict.fromkeys(bases) for v in dict.fromkeys(variants)]
        return pairs[:n]

    @staticmethod
    def _near(key: str, known: dict[str, VoiceInfo], cutoff: float) -> list[str]:
        if key in known:
            return [key]
        names = {info.name.casefold(): k for k, info in sorted(known.items())}
        by_name = [names[m] for m in difflib.get_close_matches(key, sorted(names), 3, 0.6)]
        return by_name + difflib.get_close_matches(key, sorted(known), 3, cutoff)


def validate_voices(config: VoiceConfig, available: list[VoiceInfo]) -> list[str]:
    """Problems (``file:line: ...; did you mean ...?``) for voice ids the engine lacks.

    Run it before any synthesis; an empty list means every voice id is usable.
    """
    index = VoiceIndex(available)
    where = str(config.source) if config.source else "voices.yaml"
    used: list[tuple[str, str]] = []
    if config.narrator.voice:
        used.append(("narrator.voice", config.narrator.voice))
    for name, entry in config.characters.items():
        if entry.voice:
            used.append((f"characters.{name}.voice", entry.voice))
    for group, ids in config.pools.items():
        used.extend((f"pools.{group}.{i}", voice_id) for i, voice_id in enumerate(ids))
    problems = []
    for key, voice_id in used:
        if index.knows(voice_id):
            continue
        line = config.lines.get(key)
        loc = f"{where}:{line}" if line else where
        near = index.closest(voice_id)
        hint = f"did you mean {', '.join(repr(n) for n in near)}?" if near else ""
        problems.append(
            f"{loc}: unknown voice '{voice_id}' for {key}; "
            f"{hint or 'run `narrate voices` to list the voices'}".rstrip()
        )
    return problems


# --- casting ---


def _language_bases(index: VoiceIndex, language: str) -> list[str]:
    """Base voice ids for ``language``, in the order accents are handed out."""
    lang = language.casefold().split("-")[0]

    def speaks(key: str) -> bool:  # by id (espeak-ng) or by listed languages (others)
        codes = [key, *(c.replace("_", "-").casefold() for c in index.bases[key].languages)]
        return any(c == lang or c.startswith(lang + "-") for c in codes)

    found = {b for b in index.bases if b not in _SKIP_BASES and speaks(b)}
    found -= set(_SPELLINGS)  # one voice, one name: the one espeak-ng accepts
    rank = {b: i for i, b in enumerate(_ACCENT_ORDER)}
    return [index.spelled[b] for b in sorted(found, key=lambda b: (rank.get(b, 99), b))]


def narrator_voice_id(available: list[VoiceInfo], language: str = "en") -> str:
    """A clear, neutral base voice (no variant) for the book's language."""
    index = VoiceIndex(available)
    lang = language.casefold()
    for choice in (*_NARRATOR_PREFERENCE.get(lang, ()), lang):
        if choice in index.bases:
            return index.spelled[choice]
    bases = _language_bases(index, lang)
    if bases:
        return bases[0]
    log.warning("no %s voice in the speech engine; reading the book with English", language)
    english = _language_bases(index, "en")
    return english[0] if english else min(index.spelled.get(b, b) for b in [*index.bases, "en"])


def _variants(index: VoiceIndex, gender: str) -> list[str]:
    """The engine's variants of ``gender``, spelled as the engine lists them."""
    spelled = {key: index.spelled["+" + key] for key in index.variants}
    preferred = [spelled[v] for v in _VARIANT_ORDER[gender] if v in spelled]
    others = sorted(
        spelled[key]
        for key, info in index.variants.items()
        if info.gender == gender
        and key not in _VARIANT_ORDER[gender]
        and not any(word in key for word in _NOVELTY)
    )
    return preferred + others


def _spread(bases: list[str], variants: list[str | None], used: Iterable[str]) -> list[str]:
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
        out.append(best[0] if best[1] is None else f"{best[0]}+{best[1]}")
    return out


def _pools(
    index: VoiceIndex, config: VoiceConfig, language: str, narrator: str
) -> dict[str, list[tuple[str, int, int]]]:
    """Candidates per pool as (voice id, pitch, rate offset), best first."""
    bases = _language_bases(index, language) or _language_bases(index, "en") or [narrator]
    used = [narrator.split("+")[0]]  # the narrator's accent counts as taken
    pools: dict[str, list[tuple[str, int, int]]] = {}
    for gender in ("male", "female"):
        variants: list[str | None] = list(_variants(index, gender))
        if variants:
            ids = _spread(bases, variants, used)
        else:  # an engine without variants (SAPI, NSSS): whole voices, by their gender
            ids = [
                b for b in bases if getattr(index.bases.get(b.casefold()), "gender", "") == gender
            ] or bases
        pools[gender] = [
            (v, DEFAULT_PITCH + _PITCH_STEPS[k % 5], _RATE_STEPS[(k // 5) % 5])
            for k, v in enumerate(ids)
        ]
    child: list[str | None] = [
        index.spelled["+" + v] for v in _CHILD_VARIANTS if v in index.variants
    ]
    pools["child"] = [(v, DEFAULT_PITCH, 10) for v in _spread(bases, list(child), used)] + [
        (v, CHILD_PITCH, 10) for v, _, _ in pools["female"]
    ]
    # Unknown gender: alternate between the two, so a wrong guess is not all of them.
    mixed = [c for pair in zip(pools["male"], pools["female"], strict=False) for c in pair]
    pools["unknown"] = mixed or pools["male"] or pools["female"]
    for name, ids in config.pools.items():  # the user's pools replace the built-in ones
        if ids:
            pools[name] = [(v, DEFAULT_PITCH + _PITCH_STEPS[k % 5], 0) for k, v in enumerate(ids)]
    return pools


def line_counts(script: Script) -> Counter[str]:
    """Segments per speaker (speech and thoughts): how often each character is heard."""
    return Counter(s.speaker for s in script.segments if s.speaker is not None)


def is_child(character: Character) -> bool:
    """True when the segmenter marked it a child, or a name or alias says so ("the child")."""
    if getattr(character, "age", None) == "child":  # should Character ever carry an age
        return True
    words = " ".join((character.name, *character.aliases)).casefold().split()
    return any(w.strip(".,'") in _CHILD_WORDS for w in words)


def _characters(script: Script | None, config: VoiceConfig) -> list[Character]:
    if script is not None:
        return list(script.characters)
    return [Character(c.name, c.aliases, c.gender or "unknown") for c in config.characters.values()]


def build_cast(
    script: Script | None,
    config: VoiceConfig,
    available: list[VoiceInfo],
    language: str = "en",
    engine: str = ENGINE,
) -> Cast:
    """Cast the narrator and every character of ``script`` (None: the file's characters).

    Voices, rates, pitches and volumes set in ``config`` win; the rest is
    chosen from the pools, most frequent speaker first, each distinct from
    the narrator and every speaker before it while candidates last (then
    the rarest speakers share). ``engine`` is recorded in every Voice
    (``narrate.tts.engine_name()``). Every character holds its place in its pool
    even when the file gives it a voice, and a voice from the file only
    displaces an automatic pick identical to it, so changing one character's
    voice leaves the others (and their cached audio) as they were.
    """
    index = VoiceIndex(available)
    cfg = config.narrator
    narrator = Voice(
        engine=engine,
        voice_id=cfg.voice or narrator_voice_id(available, language),
        rate=cfg.rate if cfg.rate is not None else DEFAULT_RATE,
        pitch=cfg.pitch if cfg.pitch is not None else DEFAULT_PITCH,
        volume=cfg.volume if cfg.volume is not None else DEFAULT_VOLUME,
    )
    characters = _characters(script, config)
    counts = line_counts(script) if script is not None else Counter()
    entries = {c.name: config.character(c.name) for c in characters}
    for c in characters:  # the script may name a character by one of the file's aliases
        entries[c.name] = entries[c.name] or next(
            filter(None, (config.character(a) for a in c.aliases)), None
        )
    # Automatic picks first ignore the file's voices, then only the picks that
    # equal one of them move on, so one edit never reshuffles everyone else
    # (and the segment cache keeps their audio).
    explicit = {e.voice.casefold() for e in entries.values() if e and e.voice}
    taken = {narrator.voice_id.casefold()}
    pools = _pools(index, config, language, narrator.voice_id)
    next_pick = Counter[str]()
    voices: dict[str, Voice] = {}
    clashes: list[tuple[str, str]] = []
    for character in sorted(characters, key=lambda c: (-counts[c.name], c.name)):
        entry = entries[character.name]
        gender = (entry.gender if entry and entry.gender else None) or character.gender
        child = entry.age == "child" if entry and entry.age else is_child(character)
        pool = "child" if child else gender
        voice_id, pitch, rate_step = narrator.voice_id, narrator.pitch, 0
        if pools.get(pool):
            # Drawn even for a character the file voices, so that giving one
            # character a voice does not move everyone after it in the pool.
            voice_id, pitch, rate_step = _pick(pools[pool], taken, next_pick, pool)
            taken.add(voice_id.casefold())
        if entry and entry.voice:
            voice_id, pitch, rate_step = entry.voice, DEFAULT_PITCH, 0
        elif voice_id.casefold() in explicit:
            clashes.append((character.name, pool))
        voices[character.name] = _voice(entry, narrator, voice_id, pitch, rate_step)
    for name, pool in clashes:
        voice_id, pitch, rate_step = _pick(pools[pool], taken | explicit, next_pick, pool)
        taken.add(voice_id.casefold())
        voices[name] = _voice(entries[name], narrator, voice_id, pitch, rate_step)
    return Cast(narrator=narrator, characters=voices, thoughts=config.thoughts)


def _voice(
    entry: CharacterConfig | None, narrator: Voice, voice_id: str, pitch: int, rate_step: int
) -> Voice:
    """The chosen voice with the file's rate, pitch and volume taking precedence."""
    return Voice(
        engine=narrator.engine,
        voice_id=voice_id,
        rate=entry.rate if entry and entry.rate is not None else narrator.rate + rate_step,
        pitch=entry.pitch if entry and entry.pitch is not None else pitch,
        volume=entry.volume if entry and entry.volume is not None else narrator.volume,
    )


def _pick(
    pool: list[tuple[str, int, int]], taken: set[str], next_pick: Counter[str], name: str
) -> tuple[str, int, int]:
    """The pool's next candidate not yet taken; once all are, share in turn."""
    for k in range(next_pick[name], len(pool)):
        if pool[k][0].casefold() not in taken:
            next_pick[name] = k + 1
            return pool[k]
    shared = pool[next_pick[name] % len(pool)]
    next_pick[name] += 1
    return shared


# --- what `narrate cast` reports and writes ---


def cast_report(script: Script | None, cast: Cast) -> dict[str, object]:
    """``narrate cast --format json``: {"narrator": VOICE, "characters": [...]}.

    Characters come most lines first, each {"name", "aliases", "gender",
    "lines", "voice"}; VOICE is {"engine", "id", "rate", "pitch", "volume"}.
    """
    characters = (
        list(script.characters)
        if script is not None
        else [Character(name) for name in cast.characters]
    )
    counts = line_counts(script) if script is not None else Counter()
    rows = [
        {
            "name": c.name,
            "aliases": list(c.aliases),
            "gender": c.gender,
            "lines": counts[c.name],
            "voice": cast.characters.get(c.name, cast.narrator).as_json(),
        }
        for c in sorted(characters, key=lambda c: (-counts[c.name], c.name))
    ]
    return {"narrator": cast.narrator.as_json(), "characters": rows}


def write_starter(path: Path, script: Script, cast: Cast, config: VoiceConfig) -> list[str]:
    """``narrate cast --write FILE``; see ``narrate.cast.report.write_starter``."""
    from narrate.cast.report import write_starter as write  # that module builds on this one

    return write(path, script, cast, config)
