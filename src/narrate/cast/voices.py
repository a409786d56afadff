"""voices.yaml as the engine sees it: loading the file and checking its voice ids.

``narrate.config`` parses the file and knows no engine; here the parse is
composed with what only the engine can judge (its voice ids, its lexicon
markup), so one ConfigError lists every problem, in file order.
"""

from __future__ import annotations

from pathlib import Path

from narrate.config import VoiceConfig, raise_problems, read_config
from narrate.records import Character
from narrate.tts.engine import Engine


def load_voices(path: Path | None, engine: Engine, *, check_voices: bool = True) -> VoiceConfig:
    """Read a voices.yaml for ``engine``; ConfigError (exit code 3) lists every problem.

    The lexicon is always checked; voice ids only with ``check_voices`` (which
    asks the engine for its voices).
    """
    if check_voices:
        engine.voices()  # asked first, so a broken engine is reported before the file
    config, problems = read_config(path, engine.lexicon_problem)
    if check_voices and path is not None:
        problems = problems + validate_voices(config, engine)
    raise_problems(str(path), problems)
    return config


def validate_voices(config: VoiceConfig, engine: Engine) -> list[str]:
    """Problems (``file:line: ...; did you mean ...?``) for voice ids the engine lacks.

    Run it before any synthesis; an empty list means every voice id is usable.
    """
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
        if engine.knows_voice(voice_id):
            continue
        line = config.lines.get(key)
        loc = f"{where}:{line}" if line else where
        near = engine.closest_voices(voice_id)
        hint = f"did you mean {', '.join(repr(n) for n in near)}?" if near else ""
        problems.append(
            f"{loc}: unknown voice '{voice_id}' for {key}; "
            f"{hint or 'run `narrate voices` to list the voices'}".rstrip()
        )
    return problems


def characters_from_config(config: VoiceConfig) -> list[Character]:
    """The user's cast as Characters (for the segmenter), in file order."""
    return [
        Character(c.name, c.aliases, c.gender or "unknown", child=c.age == "child")
        for c in config.characters.values()
    ]
