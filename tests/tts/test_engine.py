"""The Engine Protocol and the registry: engines by name, one clear line for an unknown one."""

from __future__ import annotations

import pytest

from narrate.errors import EngineError
from narrate.records import Voice
from narrate.tts import ENGINES, CastingPools, Engine, PcmChunk, default_engine, get_engine
from narrate.tts.espeak.engine import EspeakEngine


def test_every_registered_engine_meets_the_protocol() -> None:
    for name in ENGINES:
        engine = get_engine(name)
        assert isinstance(engine, Engine), name
        assert engine.name == name


def test_espeak_is_the_default_here_and_reads_real_speech() -> None:
    engine = default_engine()
    assert isinstance(engine.base, EspeakEngine) and isinstance(engine, Engine)
    try:
        chunk = engine.synthesize("The lamp turned over the water.", Voice("espeak", "en-us"))
    finally:
        engine.close()
    assert isinstance(chunk, PcmChunk) and chunk.sample_rate == engine.sample_rate
    seconds = len(chunk.samples) / 2 / chunk.sample_rate
    assert 1.0 < seconds < 5.0


def test_unknown_engine_is_one_clear_line() -> None:
    with pytest.raises(EngineError) as caught:
        get_engine("festival")
    message = str(caught.value)
    assert "\n" not in message
    assert message == "no speech engine called 'festival'; narrate has espeak, hibari, nsss, sapi5"


def test_a_registered_factory_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[float] = []

    def factory(*, timeout: float) -> Engine:
        made.append(timeout)
        return EspeakEngine(timeout=timeout)

    monkeypatch.setitem(ENGINES, "espeak-copy", factory)
    assert isinstance(get_engine("espeak-copy", timeout=5.0), EspeakEngine)
    assert made == [5.0]


def test_espeak_voice_ids_are_checked_with_suggestions() -> None:
    espeak = get_engine("espeak")
    assert espeak.knows_voice("en-us+f3") and espeak.knows_voice("en-gb-scotland")
    assert not espeak.knows_voice("en-us+F3")  # espeak-ng would ignore the variant unheard
    assert espeak.closest_voices("en-us+F3") == ["en-us+f3"]
    assert not espeak.knows_voice("xx-nowhere")


def test_espeak_pools_spread_accents_and_keep_the_narrators_apart() -> None:
    espeak = get_engine("espeak")
    narrator = espeak.narrator_voice("en")
    pools = espeak.casting_pools("en", narrator)
    assert isinstance(pools, CastingPools)
    assert narrator == "en" and narrator not in pools.male + pools.female
    first = [voice_id.split("+")[0] for voice_id in pools.male[:4]]
    assert len(set(first)) == 4  # four accents before any repeats
    assert pools.child and pools.child_pitch > 50


def test_espeak_rate_and_markup_stay_inside_the_engine() -> None:
    espeak = get_engine("espeak")
    assert espeak.escape("a [[h@'loU]] b") == "a [ [ h@'loU] ] b"
    assert espeak.escape("plain text") == "plain text"
    info = espeak.info()
    assert info["engine"] == "espeak-ng" and info["version"]
