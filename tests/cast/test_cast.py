"""Auto-casting: distinct, gender-aware, deterministic voices; reports and thoughts."""

from __future__ import annotations

import logging
import random
from dataclasses import replace
from pathlib import Path

import pytest

from narrate.cast.casting import build_cast
from narrate.cast.report import cast_report, format_cast, lookup_voice
from narrate.cast.voices import load_voices, validate_voices
from narrate.config import CharacterConfig, VoiceConfig, load_config
from narrate.errors import ConfigError
from narrate.records import Book, Chapter, Character, Gender, Script, Segment, Voice, VoiceInfo
from narrate.tts import ENGINES, CastingPools, Engine, PcmChunk, get_engine
from narrate.tts.espeak.engine import EspeakEngine
from narrate.tts.system.engine import SystemEngine

REPO_VOICES = Path(__file__).resolve().parents[2] / "voices.yaml"

# What espeak-ng lists: languages, then variants ("+f3") that combine with any language.
_BASES = [
    "en-029",
    "en-gb",
    "en-gb-scotland",
    "en-gb-x-gbclan",
    "en-gb-x-gbcwmd",
    "en-gb-x-rp",
    "en-shaw",
    "en-us",
    "en-us-nyc",
    "de",
    "es",
    "fr",
]
_VARIANTS = {
    **{f"m{i}": "male" for i in range(1, 9)},
    **{f"f{i}": "female" for i in range(1, 6)},
    "zac": "unknown",
    "whisper": "male",
    "whisperf": "female",
    "croak": "male",
    "klatt": "unknown",
    "steph": "female",
    "Andy": "unknown",
    "travis": "male",
    "grandma": "female",
    "anikaRobot": "female",
    "linda": "female",
}


def espeak_voices() -> list[VoiceInfo]:
    voices = [VoiceInfo(b, b, "male", (b,)) for b in _BASES]
    return voices + [VoiceInfo(f"+{v}", v, g, ()) for v, g in _VARIANTS.items()]  # type: ignore[arg-type]


def espeak_engine(voices: list[VoiceInfo] | None = None) -> EspeakEngine:
    """The espeak-ng engine listing ``voices`` (default: the list above), as a machine might."""
    return EspeakEngine(voices=espeak_voices() if voices is None else voices)


def make_script(lines: dict[str, int], characters: list[Character]) -> Script:
    """A script in which each speaker has ``lines[name]`` speech segments."""
    segments = []
    for i, (name, count) in enumerate(sorted(lines.items())):
        segments += [Segment(1, i, "speech", name, "Hello.", 0, 6) for _ in range(count)]
    segments.append(Segment(1, 0, "narration", None, "It was dark.", 0, 12))
    book = Book("Hello. It was dark.", "Test", None, (Chapter(1, "One", ((0, 19),)),))
    return Script(book, tuple(characters), tuple(segments))


SAMPLE = [
    Character("Maren Holt", ("Maren", "Mrs. Holt"), "female"),
    Character("Elias Holt", ("Elias",), "male"),
    Character("Wren", ("the child",), "female"),
]
SAMPLE_LINES = {"Maren Holt": 14, "Elias Holt": 8, "Wren": 6}


def thirty_speakers() -> tuple[Script, list[Character]]:
    rng = random.Random(30)
    characters = []
    for i in range(30):
        genders: tuple[Gender, ...] = ("male", "female", "unknown")
        gender = genders[i % 3] if i % 7 else "male"
        characters.append(Character(f"Speaker {i:02d}", (), gender))
    lines = {c.name: 1 + rng.randrange(60) for c in characters}
    return make_script(lines, characters), characters


def test_sample_story_with_repo_file_has_four_distinct_voices() -> None:
    config = load_voices(REPO_VOICES, espeak_engine())
    cast = build_cast(make_script(SAMPLE_LINES, SAMPLE), config, espeak_engine())
    ids = [cast.narrator.voice_id] + [cast.characters[c.name].voice_id for c in SAMPLE]
    assert len(set(ids)) == 4
    assert cast.characters["Maren Holt"].voice_id == "en-gb-scotland+f3"
    assert cast.characters["Elias Holt"].rate == 158


def test_sample_story_without_a_file_is_cast_by_gender_and_age() -> None:
    cast = build_cast(make_script(SAMPLE_LINES, SAMPLE), VoiceConfig(), espeak_engine())
    voices = {c.name: cast.characters[c.name] for c in SAMPLE}
    assert cast.narrator.voice_id == "en"  # British English, no variant
    assert len({v.voice_id for v in voices.values()} | {cast.narrator.voice_id}) == 4
    assert voices["Maren Holt"].voice_id.split("+")[1] in {"f1", "f2", "f3", "f4", "f5"}
    assert voices["Elias Holt"].voice_id.split("+")[1] in {f"m{i}" for i in range(1, 9)}
    assert voices["Wren"].voice_id.endswith("+zac")  # "the child"


def test_thirty_speakers_twelve_most_frequent_are_distinct_and_stable() -> None:
    script, characters = thirty_speakers()
    first = build_cast(script, VoiceConfig(), espeak_engine())
    # Another machine may list voices and characters in another order.
    shuffled = espeak_voices()
    random.Random(1).shuffle(shuffled)
    other = replace(script, characters=tuple(reversed(script.characters)))
    second = build_cast(other, VoiceConfig(), espeak_engine(shuffled))
    assert first == second and first.characters == second.characters

    counts = {c.name: sum(s.speaker == c.name for s in script.segments) for c in characters}
    top = sorted(counts, key=lambda n: (-counts[n], n))[:12]
    ids = [first.characters[n].voice_id for n in top]
    assert len(set(ids)) == 12
    assert first.narrator.voice_id not in ids
    # Here there are enough candidates for everyone.
    assert len({v.voice_id for v in first.characters.values()}) == 30


def test_gender_is_respected() -> None:
    script, characters = thirty_speakers()
    cast = build_cast(script, VoiceConfig(), espeak_engine())
    for c in characters:
        variant = cast.characters[c.name].voice_id.partition("+")[2]
        if c.gender != "unknown":
            assert _VARIANTS[variant] == c.gender, (c, variant)
        assert variant not in {"whisper", "whisperf", "croak", "klatt", "anikaRobot"}


def test_one_changed_voice_leaves_the_others_alone() -> None:
    script, characters = thirty_speakers()
    before = build_cast(script, VoiceConfig(), espeak_engine())
    name = characters[1].name
    config = VoiceConfig(characters={name: CharacterConfig(name, voice="en-us-nyc+steph")})
    after = build_cast(script, config, espeak_engine())
    changed = {n for n in before.characters if before.characters[n] != after.characters[n]}
    assert changed == {name}

    # Taking another character's voice moves only that character on.
    other = characters[2].name
    taken = before.characters[other].voice_id
    config = VoiceConfig(characters={name: CharacterConfig(name, voice=taken)})
    after = build_cast(script, config, espeak_engine())
    changed = {n for n in before.characters if before.characters[n] != after.characters[n]}
    assert changed == {name, other}
    assert after.characters[other].voice_id != taken


def test_file_settings_win_field_by_field() -> None:
    config = VoiceConfig(characters={"Wren": CharacterConfig("Wren", pitch=70, age="child")})
    cast = build_cast(make_script(SAMPLE_LINES, SAMPLE), config, espeak_engine())
    assert cast.characters["Wren"].pitch == 70
    assert cast.characters["Wren"].voice_id.endswith("+zac")


def test_thoughts_are_softer_or_read_by_the_narrator() -> None:
    cast = build_cast(make_script(SAMPLE_LINES, SAMPLE), VoiceConfig(), espeak_engine())
    thought = Segment(1, 0, "thought", "Wren", "Where is he?", 0, 12)
    speech = replace(thought, kind="speech")
    assert cast.voice_for(thought).volume == pytest.approx(0.8)
    assert cast.voice_for(thought).voice_id == cast.voice_for(speech).voice_id
    narrated = replace(cast, thoughts="narrator")
    assert narrated.voice_for(thought) == cast.narrator


def test_narrator_for_other_languages(caplog: pytest.LogCaptureFixture) -> None:
    assert espeak_engine().narrator_voice("de") == "de"
    assert espeak_engine().narrator_voice("en-us") == "en-us"
    with caplog.at_level(logging.WARNING, logger="narrate"):
        assert espeak_engine().narrator_voice("xx") == "en-us"
    assert "no xx voice" in caplog.text


def test_reports() -> None:
    script = make_script(SAMPLE_LINES, SAMPLE)
    cast = build_cast(script, VoiceConfig(), espeak_engine())
    data = cast_report(script, cast)
    assert set(data["narrator"]) == {"engine", "id", "rate", "pitch", "volume"}  # type: ignore[call-overload]
    first = data["characters"][0]  # type: ignore[index]
    assert first["name"] == "Maren Holt" and first["lines"] == 14
    assert first["aliases"] == ["Maren", "Mrs. Holt"] and first["gender"] == "female"
    text = format_cast(script, cast)
    header, narrator, first_row = text.splitlines()[:3]
    assert header.split() == ["character", "gender", "lines", "voice", "rate", "pitch", "volume"]
    assert narrator.startswith("Narrator") and "Elias Holt" in text
    assert first_row.split()[:3] == ["Maren", "Holt", "female"] and first_row.split()[3] == "14"
    assert lookup_voice(cast, "mrs. holt", SAMPLE) == cast.characters["Maren Holt"]
    assert lookup_voice(cast, "Narrator") == cast.narrator
    assert lookup_voice(cast, "Nobody", SAMPLE) is None


def test_cast_without_a_book_uses_the_file() -> None:
    config = load_config(REPO_VOICES)
    cast = build_cast(None, config, espeak_engine())
    assert set(cast.characters) == {"Maren Holt", "Elias Holt", "Wren"}


def test_engines_without_variants_cast_whole_voices_by_gender() -> None:
    sapi = [
        VoiceInfo("TTS_MS_EN-US_ZIRA_11.0", "Zira", "female", ("en-US",)),
        VoiceInfo("TTS_MS_EN-US_DAVID_11.0", "David", "male", ("en-US",)),
        VoiceInfo("TTS_MS_EN-GB_HAZEL_11.0", "Hazel", "female", ("en-GB",)),
        VoiceInfo("TTS_MS_DE-DE_HEDDA_11.0", "Hedda", "female", ("de-DE",)),
    ]
    script = make_script({"Maren Holt": 14, "Elias Holt": 8}, SAMPLE[:2])
    cast = build_cast(script, VoiceConfig(), SystemEngine("sapi5", voices=sapi))
    assert cast.narrator.engine == "sapi5"
    assert cast.characters["Elias Holt"].voice_id == "TTS_MS_EN-US_DAVID_11.0"
    assert cast.characters["Maren Holt"].voice_id in {
        "TTS_MS_EN-US_ZIRA_11.0",
        "TTS_MS_EN-GB_HAZEL_11.0",
    } - {cast.narrator.voice_id}


def test_variants_are_checked_case_sensitively() -> None:
    config = VoiceConfig(
        characters={"Wren": CharacterConfig("Wren", voice="en-us+F3")},
        source=Path("voices.yaml"),
        lines={"characters.Wren.voice": 4},
    )
    (problem,) = validate_voices(config, espeak_engine())
    assert problem.startswith("voices.yaml:4: unknown voice 'en-us+F3'")
    assert "did you mean 'en-us+f3'?" in problem


class FakeEngine:
    """An engine narrate has never heard of: whole voices named by register, no markup."""

    name = "fake"
    sample_rate = 16000

    def __init__(self, *, timeout: float = 1.0) -> None:
        self.listed = [
            VoiceInfo("bass", "Bass", "male", ("en",)),
            VoiceInfo("baritone", "Baritone", "male", ("en",)),
            VoiceInfo("alto", "Alto", "female", ("en",)),
            VoiceInfo("soprano", "Soprano", "female", ("en",)),
            VoiceInfo("treble", "Treble", "unknown", ("en",)),
            VoiceInfo("tenor", "Tenor", "male", ("en",)),
        ]

    def voices(self, lang: str | None = None) -> list[VoiceInfo]:
        return list(self.listed)

    def synthesize(self, text: str, voice: Voice) -> PcmChunk:
        return PcmChunk(b"\0\0" * len(text), self.sample_rate)

    def info(self) -> dict[str, str]:
        return {"engine": "fake", "version": "1", "source": "a test"}

    def narrator_voice(self, language: str) -> str:
        return "tenor"

    def casting_pools(self, language: str, narrator: str) -> CastingPools:
        male = tuple(v.id for v in self.listed if v.gender == "male" and v.id != narrator)
        female = tuple(v.id for v in self.listed if v.gender == "female")
        return CastingPools(male=male, female=female, child=("treble",), child_pitch=70)

    def knows_voice(self, voice_id: str) -> bool:
        return voice_id in {v.id for v in self.listed}

    def closest_voices(self, voice_id: str, n: int = 3) -> list[str]:
        return sorted(v.id for v in self.listed if v.id[0] == voice_id[:1])[:n]

    def escape(self, text: str) -> str:
        return text

    def lexicon_problem(self, replacement: str) -> str | None:
        return "is empty; write how it is said" if not replacement.strip("-") else None

    def lexicon_hint(self) -> str:
        return "replacement text"

    def start(self) -> None:
        pass

    def close(self) -> None:
        pass


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setitem(ENGINES, "fake", FakeEngine)
    engine = get_engine("fake")
    assert isinstance(engine, Engine)
    return engine


def test_a_registered_engine_is_cast_from_through_the_protocol(fake: Engine) -> None:
    script = make_script(SAMPLE_LINES, SAMPLE)
    cast = build_cast(script, VoiceConfig(), fake)
    assert cast.narrator.voice_id == "tenor" and cast.narrator.engine == "fake"
    assert cast.characters["Elias Holt"].voice_id == "bass"
    assert cast.characters["Maren Holt"].voice_id == "alto"
    assert cast.characters["Wren"].voice_id == "treble"  # "the child": the engine's child voice
    assert {v.engine for v in cast.characters.values()} == {"fake"}
    # Past the engine's child voices a child is a female voice at the engine's child pitch.
    twins = [Character("Wren", ("the child",), "female"), Character("Pip", ("the boy",), "male")]
    two = build_cast(make_script({"Wren": 6, "Pip": 3}, twins), VoiceConfig(), fake)
    assert two.characters["Pip"].voice_id == "alto" and two.characters["Pip"].pitch == 70


def test_a_registered_engine_checks_the_voices_file(fake: Engine, tmp_path: Path) -> None:
    path = tmp_path / "voices.yaml"
    path.write_text("narrator: basso\nlexicon:\n  Niamh: '-'\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_voices(path, fake)
    assert str(caught.value).splitlines() == [
        f"{path}:1: unknown voice 'basso' for narrator.voice; did you mean 'baritone', 'bass'?",
        f"{path}:3: lexicon.Niamh is empty; write how it is said",
    ]
    path.write_text("narrator: bass\n", encoding="utf-8")
    config = load_voices(path, fake)
    assert build_cast(None, config, fake).narrator.voice_id == "bass"
