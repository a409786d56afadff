"""espeak-ng's voices: its languages, its ``+variant`` ids, and its taste in casting.

espeak-ng lists languages ("en-us") and, in its data folder, voice variants
("m3", "f1", "zac", ...) that combine with any language as "en-us+f3". The
scheme below says which accents and variants narrate hands out first.
"""

from __future__ import annotations

from pathlib import Path

from narrate.records import Gender, VoiceInfo
from narrate.tts.voices import VoiceScheme

_GENDERS: dict[int, Gender] = {1: "male", 2: "female"}

SCHEME = VoiceScheme(
    variant_mark="+",
    narrator_preference={"en": ("en", "en-us")},
    accent_order=(
        "en-us",
        "en",
        "en-gb-scotland",
        "en-029",
        "en-gb-x-rp",
        "en-us-nyc",
        "en-gb-x-gbclan",
        "en-gb-x-gbcwmd",
    ),
    # espeak-ng lists its British voice under the language "en-gb", but selects it
    # by name only as "en" ("en-gb+f3" is refused, "en+f3" works): accept both
    # spellings and write the one that always works.
    spellings={"en-gb": "en"},
    skip_bases=frozenset({"en-shaw"}),  # reads the Shavian alphabet, not Latin text
    # Variants first in the order they sound most unlike each other; any other
    # gendered variant the engine lists follows, minus novelty ones unfit for a role.
    variant_order={
        "male": ("m3", "m7", "m1", "m5", "m2", "m6", "m4", "m8"),
        "female": ("f3", "f1", "f5", "f2", "f4"),
    },
    child_variants=("zac",),  # espeak-ng's child-like variant
    novelty=("whisper", "robo", "demonic", "klatt", "croak", "zac", "fast", "grand"),
    child_pitch=80,
)


def languages(
    listed: list[tuple[str, str, int, str, int]], lang: str | None = None
) -> list[VoiceInfo]:
    """espeak-ng's languages (ids like "en-us") from ``Espeak.voices()``, sorted by id."""
    voices = [
        VoiceInfo(
            id=language,
            name=name,
            gender=_GENDERS.get(gender, "unknown"),
            languages=(language,),
            age=age or None,
        )
        for _ident, name, gender, language, age in listed
    ]
    if lang:
        voices = [v for v in voices if any(x.startswith(lang.lower()) for x in v.languages)]
    return sorted(voices, key=lambda v: v.id)


def variants(data_path: str | None) -> list[VoiceInfo]:
    """espeak-ng's voice variants (ids like "+f3"), read from its data folder."""
    if not data_path:
        return []
    folder = Path(data_path) / "voices" / "!v"
    out = []
    for file in sorted(folder.glob("*")) if folder.is_dir() else []:
        name, gender = file.name, "unknown"
        for line in file.read_text(errors="replace").splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[0] == "name":
                name = " ".join(parts[1:])
            elif len(parts) >= 2 and parts[0] == "gender":
                gender = parts[1] if parts[1] in ("male", "female") else "unknown"
        out.append(VoiceInfo(id=f"+{file.name}", name=name, gender=_gender(gender), languages=()))
    return out


def _gender(word: str) -> Gender:
    return "male" if word == "male" else "female" if word == "female" else "unknown"
