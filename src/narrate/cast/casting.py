"""Auto-casting: give every speaker a voice, deterministically, from any Engine.

The engine suggests voice ids per role (``Engine.casting_pools``), best first
and already spread across what it offers; casting adds small pitch
and rate offsets, serves the speakers most frequent first (so the main
characters get the most distinct voices) and lets the file's settings win.
Only the Engine Protocol is used here, so any registered engine can be cast from.
"""

from __future__ import annotations

from collections import Counter

from narrate.config import CharacterConfig, VoiceConfig
from narrate.records import Cast, Character, Script, Voice
from narrate.tts.engine import Engine

DEFAULT_RATE = 175  # words per minute; espeak-ng's own default
DEFAULT_PITCH = 50
DEFAULT_VOLUME = 1.0
_CHILD_WORDS = {"child", "boy", "girl", "kid", "baby", "toddler"}
# Small offsets cycled through a pool's picks, so two picks that happen to
# sound alike in some way still differ.
_PITCH_STEPS = (0, -6, 6, -3, 3)
_RATE_STEPS = (0, -10, 10, -5, 5)
_CHILD_RATE_STEP = 10  # children speak a little faster

Candidate = tuple[str, int, int]  # (voice id, pitch, rate offset)


def _pools(
    engine: Engine, config: VoiceConfig, language: str, narrator: str
) -> dict[str, list[Candidate]]:
    """Candidates per pool, best first."""
    suggested = engine.casting_pools(language, narrator)
    pools: dict[str, list[Candidate]] = {}
    for gender, ids in (("male", suggested.male), ("female", suggested.female)):
        pools[gender] = [
            (v, DEFAULT_PITCH + _PITCH_STEPS[k % 5], _RATE_STEPS[(k // 5) % 5])
            for k, v in enumerate(ids)
        ]
    pools["child"] = [(v, DEFAULT_PITCH, _CHILD_RATE_STEP) for v in suggested.child] + [
        (v, suggested.child_pitch, _CHILD_RATE_STEP) for v, _, _ in pools["female"]
    ]
    # Unknown gender: alternate between the two, so a wrong guess is not all of them.
    mixed = [c for pair in zip(pools["male"], pools["female"], strict=False) for c in pair]
    pools["unknown"] = mixed or pools["male"] or pools["female"]
    for name, chosen in config.pools.items():  # the user's pools replace the built-in ones
        if chosen:
            pools[name] = [
                (v, DEFAULT_PITCH + _PITCH_STEPS[k % 5], 0) for k, v in enumerate(chosen)
            ]
    return pools


def line_counts(script: Script) -> Counter[str]:
    """Segments per speaker (speech and thoughts): how often each character is heard."""
    return Counter(s.speaker for s in script.segments if s.speaker is not None)


def is_child(character: Character) -> bool:
    """True when the record says so, or a name or alias does ("the child")."""
    if character.child:
        return True
    words = " ".join((character.name, *character.aliases)).casefold().split()
    return any(w.strip(".,'") in _CHILD_WORDS for w in words)


def _characters(script: Script | None, config: VoiceConfig) -> list[Character]:
    if script is not None:
        return list(script.characters)
    return [Character(c.name, c.aliases, c.gender or "unknown") for c in config.characters.values()]


def build_cast(
    script: Script | None, config: VoiceConfig, engine: Engine, language: str = "en"
) -> Cast:
    """Cast the narrator and every character of ``script`` (None: the file's characters).

    Voices, rates, pitches and volumes set in ``config`` win; the rest is
    chosen from the engine's pools, most frequent speaker first, each distinct
    from the narrator and every speaker before it while candidates last (then
    the rarest speakers share). Every Voice records ``engine.name``. Every
    character holds its place in its pool even when the file gives it a voice,
    and a voice from the file only displaces an automatic pick identical to it,
    so changing one character's voice leaves the others (and their cached
    audio) as they were.
    """
    cfg = config.narrator
    narrator_id = cfg.voice or engine.narrator_voice(language)
    narrator = Voice(
        engine=engine_of(narrator_id, engine.name),
        voice_id=narrator_id,
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
    pools = _pools(engine, config, language, narrator.voice_id)
    next_pick = Counter[str]()
    voices: dict[str, Voice] = {}
    clashes: list[tuple[str, str]] = []
    for character in sorted(characters, key=lambda c: (-counts[c.name], c.name)):
        entry = entries[character.name]
        gender = (entry.gender if entry and entry.gender else None) or character.gender
        child = entry.age == "child" if entry and entry.age else is_child(character)
        pool: str = "child" if child else gender
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
        voices[character.name] = _voice(entry, narrator, voice_id, pitch, rate_step, engine.name)
    for name, pool in clashes:
        voice_id, pitch, rate_step = _pick(pools[pool], taken | explicit, next_pick, pool)
        taken.add(voice_id.casefold())
        voices[name] = _voice(entries[name], narrator, voice_id, pitch, rate_step, engine.name)
    return Cast(narrator=narrator, characters=voices, thoughts=config.thoughts)


def engine_of(voice_id: str, book_engine: str) -> str:
    """The engine a voice id names ("hibari:heart" -> "hibari"), else the book's."""
    name, mark, _ = voice_id.partition(":")
    return name if mark and name else book_engine


def _voice(
    entry: CharacterConfig | None,
    narrator: Voice,
    voice_id: str,
    pitch: int,
    rate_step: int,
    book_engine: str,
) -> Voice:
    """The chosen voice with the file's rate, pitch and volume taking precedence."""
    return Voice(
        engine=engine_of(voice_id, book_engine),
        voice_id=voice_id,
        rate=entry.rate if entry and entry.rate is not None else narrator.rate + rate_step,
        pitch=entry.pitch if entry and entry.pitch is not None else pitch,
        volume=entry.volume if entry and entry.volume is not None else narrator.volume,
    )


def _pick(pool: list[Candidate], taken: set[str], next_pick: Counter[str], name: str) -> Candidate:
    """The pool's next candidate not yet taken; once all are, share in turn."""
    for k in range(next_pick[name], len(pool)):
        if pool[k][0].casefold() not in taken:
            next_pick[name] = k + 1
            return pool[k]
    shared = pool[next_pick[name] % len(pool)]
    next_pick[name] += 1
    return shared
