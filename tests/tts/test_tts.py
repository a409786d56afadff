"""Real espeak-ng synthesis through pyttsx3, through the Engine Protocol."""

import audioop  # noqa: F401 - pydub needs it; on 3.13+ audioop-lts provides it

import pytest
from pydub import AudioSegment

from narrate.errors import EngineError
from narrate.records import Voice
from narrate.render.workers import spoken_text
from narrate.tts import Engine, PcmChunk, get_engine

TEXT = "The lamp turned slowly over the dark water, and the boats came home."


class Synth:
    """The espeak engine, giving the samples of each chunk after checking its rate."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def synthesize(self, text: str, voice: Voice) -> bytes:
        chunk = self.engine.synthesize(text, voice)
        assert isinstance(chunk, PcmChunk) and chunk.sample_rate == self.engine.sample_rate
        return chunk.samples


@pytest.fixture(scope="module")
def synth():
    engine = get_engine("espeak")
    yield Synth(engine)
    engine.close()


RATE = get_engine("espeak").sample_rate


def seconds(pcm: bytes) -> float:
    return len(pcm) / 2 / RATE


def test_speech_length_follows_rate(synth):
    slow = synth.synthesize(TEXT, Voice("espeak", "en-us", rate=120))
    fast = synth.synthesize(TEXT, Voice("espeak", "en-us", rate=240))
    words = len(TEXT.split())
    # About words / (rate/60) seconds each; espeak is not exact, so allow a wide band.
    assert 0.5 * words / 2 < seconds(slow) < 2.0 * words / 2
    assert seconds(fast) < seconds(slow) * 0.7


def test_voices_and_settings_change_the_audio(synth):
    base = synth.synthesize(TEXT, Voice("espeak", "en-us"))
    other = synth.synthesize(TEXT, Voice("espeak", "en-gb+f3"))
    high = synth.synthesize(TEXT, Voice("espeak", "en-us", pitch=90))
    assert base != other and base != high
    loud = AudioSegment(
        data=synth.synthesize(TEXT, Voice("espeak", "en-us", volume=1.0)),
        sample_width=2,
        frame_rate=RATE,
        channels=1,
    )
    soft = AudioSegment(
        data=synth.synthesize(TEXT, Voice("espeak", "en-us", volume=0.4)),
        sample_width=2,
        frame_rate=RATE,
        channels=1,
    )
    assert soft.dBFS < loud.dBFS - 5


def test_same_input_same_length(synth):
    # espeak-ng carries a little state from one utterance to the next, so the
    # samples differ slightly; the cache is what makes re-runs byte-identical.
    voice = Voice("espeak", "en-gb-scotland+m3", rate=160, pitch=40)
    first, second = synth.synthesize(TEXT, voice), synth.synthesize(TEXT, voice)
    assert abs(len(first) - len(second)) < 0.02 * len(first)


def test_unknown_voice_is_an_engine_error(synth):
    with pytest.raises(EngineError):
        synth.synthesize(TEXT, Voice("espeak", "xx-nowhere"))


def test_synthesis_is_bounded_in_time():
    bounded = get_engine("espeak", timeout=0.01)
    try:
        with pytest.raises(EngineError, match="timed out"):
            bounded.synthesize("word " * 20000, Voice("espeak", "en-us"))
    finally:
        bounded.close()


def test_book_text_cannot_switch_on_phonemes_or_carry_controls():
    espeak = get_engine("espeak")
    assert espeak.escape(spoken_text("a [[h@'loU]] b")) == "a [ [ h@'loU] ] b"
    assert spoken_text("zero\u200bwidth\x07 bell\r\nline") == "zerowidth bell line"


def test_voices_listed_and_engine_reported():
    espeak = get_engine("espeak")
    ids = {v.id for v in espeak.voices("en")}
    assert {"en-us", "en-gb", "+f3", "+m3"} <= ids
    info = espeak.info()
    assert info["engine"] == "espeak-ng" and info["version"]
