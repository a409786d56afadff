"""The neural engine (hibari-tts, the `neural` extra): chosen per voice as hibari:heart.

Without the package, choosing it says how to install it; with it, a book mixes it
with espeak-ng at one sample rate and never reaches the network. The tests that
synthesize are skipped where the extra is not installed (CI installs `.[test]`).
"""

from __future__ import annotations

import importlib.util
import json
import re
import socket
import sys

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import REPO, assert_cues_at_onsets, decodes_cleanly, error_line, loudness, seconds_of

from narrate.cli import main
from narrate.records import Cast, Voice
from narrate.tts import PcmChunk, default_engine
from narrate.tts.resample import resample

HAS_HIBARI = importlib.util.find_spec("hibari") is not None
needs_hibari = pytest.mark.skipif(not HAS_HIBARI, reason="the neural extra is not installed")
LINE = "The lamp at Gull Point burned all night, and nobody slept."


def _voices(tmp_path, text="narrator: {voice: hibari:heart}\n"):
    path = tmp_path / "voices.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def without_hibari(monkeypatch):
    """The package as absent as it is where the extra was never installed."""
    for name in [n for n in sys.modules if n == "hibari" or n.startswith("hibari.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "hibari", None)  # `import hibari` raises ImportError


def test_without_the_extra_choosing_it_says_how_to_install(tmp_path, without_hibari):
    voices = _voices(tmp_path, "characters:\n  Wren: {voice: hibari:heart}\n")
    book = REPO / "samples" / "the-lamp-at-gull-point.txt"
    result = CliRunner().invoke(main, ["cast", str(book), "--voices", str(voices)])
    error_line(result, 4, "hibari-tts", "pip install '.[neural]'")


def test_without_the_extra_the_rest_works_and_doctor_says_so(without_hibari):
    listed = CliRunner().invoke(main, ["voices", "--lang", "en"])
    assert listed.exit_code == 0, listed.output
    assert "en-us" in listed.output and "hibari:" not in listed.output
    doctor = CliRunner().invoke(main, ["doctor"])
    assert doctor.exit_code == 0, doctor.output
    assert "hibari not installed" in doctor.output and ".[neural]" in doctor.output


def test_resampling_keeps_the_duration_and_the_pitch():
    rate = 24000
    t = np.arange(rate * 2) / rate
    tone = (0.5 * 32767 * np.sin(2 * np.pi * 440 * t)).astype("<i2")
    out = resample(PcmChunk(tone.tobytes(), rate), 22050)
    samples = np.frombuffer(out.samples, dtype="<i2").astype(np.float64)
    assert out.sample_rate == 22050 and len(samples) == 44100
    spectrum = np.abs(np.fft.rfft(samples))
    assert abs(np.argmax(spectrum) * 22050 / len(samples) - 440) < 1.0
    assert abs(np.sqrt(np.mean(samples**2)) - 0.5 * 32767 / np.sqrt(2)) < 200


@needs_hibari
def test_the_bundled_voice_only_is_offered_and_listed():
    engine = default_engine()
    neural = [v.id for v in engine.voices() if v.id.startswith("hibari:")]
    assert neural == ["hibari:heart"]  # the other hibari voices would be downloaded
    assert engine.knows_voice("hibari:heart") and not engine.knows_voice("hibari:emma")
    assert engine.closest_voices("hibari:hart") == ["hibari:heart"]
    listed = CliRunner().invoke(main, ["voices"])
    assert "hibari:heart\t" in listed.output and "en-us\t" in listed.output
    doctor = CliRunner().invoke(main, ["doctor"]).output
    assert "hibari 0.2.1" in doctor and "voices hibari:heart" in doctor


@needs_hibari
def test_a_voice_hibari_lacks_is_a_config_problem(tmp_path):
    voices = _voices(tmp_path, "narrator: {voice: hibari:fenrir}\n")
    book = REPO / "samples" / "the-lamp-at-gull-point.txt"
    result = CliRunner().invoke(main, ["cast", str(book), "--voices", str(voices)])
    error_line(result, 3, "unknown voice 'hibari:fenrir'", "hibari:heart")


@needs_hibari
def test_rate_volume_and_pitch_are_heard_at_the_books_rate():
    engine = default_engine()
    heart = Voice("espeak", "hibari:heart")
    plain = engine.synthesize(LINE, heart)
    assert plain.sample_rate == engine.sample_rate == 22050
    again = engine.synthesize(LINE, heart)
    assert again.samples == plain.samples  # a line always sounds the same
    fast = engine.synthesize(LINE, Voice("espeak", "hibari:heart", rate=260))
    assert len(fast.samples) < 0.8 * len(plain.samples)
    quiet = engine.synthesize(LINE, Voice("espeak", "hibari:heart", volume=0.5))
    level = [np.abs(np.frombuffer(c.samples, "<i2").astype(float)).mean() for c in (plain, quiet)]
    assert 0.45 < level[1] / level[0] < 0.55
    high = engine.synthesize(LINE, Voice("espeak", "hibari:heart", pitch=90))
    assert _pitch(high) > 1.2 * _pitch(plain)


def _pitch(chunk: PcmChunk) -> float:
    """The median fundamental of the voiced frames, by autocorrelation (60-500 Hz)."""
    x = np.frombuffer(chunk.samples, "<i2").astype(float)
    rate, size = chunk.sample_rate, 1024
    found = []
    for start in range(0, len(x) - size, size):
        frame = x[start : start + size] - x[start : start + size].mean()
        if np.sqrt(np.mean(frame**2)) < 500:
            continue
        ac = np.correlate(frame, frame, "full")[size - 1 :]
        lo, hi = rate // 500, rate // 60
        found.append(rate / (lo + int(np.argmax(ac[lo:hi]))))
    return float(np.median(found))


@needs_hibari
def test_the_cache_key_names_the_engine_and_its_model():
    engine = default_engine()
    alone = engine.key_id(Cast(Voice("espeak", "en-us"), {}))
    mixed = engine.key_id(Cast(Voice("espeak", "en-us"), {"Wren": Voice("hibari", "hibari:heart")}))
    model = engine.engine("hibari").info()["model"]
    assert alone.startswith("espeak-ng-") and "hibari" not in alone
    assert mixed.startswith(alone + " hibari-0.2.1-") and model in mixed


@needs_hibari
def test_never_a_network_call(tmp_path, monkeypatch):
    import hibari.voices

    def refuse(*args, **kwargs):
        raise AssertionError("narrate reached the network")

    monkeypatch.setattr(hibari.voices, "download", refuse)
    monkeypatch.setattr(hibari.voices.urllib.request, "urlopen", refuse)
    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    book = tmp_path / "line.txt"
    book.write_text(f"{LINE}\n", encoding="utf-8")
    voices = _voices(tmp_path)
    result = CliRunner().invoke(
        main,
        ["-q", "generate", str(book), "--voices", str(voices), "--out", str(tmp_path / "out")]
        + ["--jobs", "1", "--no-credits", "--no-transcripts"],
    )
    assert result.exit_code == 0, result.output
    (chapter,) = (tmp_path / "out").glob("*/*.mp3")
    assert decodes_cleanly(chapter) > 2.0


@pytest.fixture(scope="module")
def sample_book(tmp_path_factory):
    """The sample story, its narrator neural and its characters espeak-ng's."""
    work = tmp_path_factory.mktemp("neural")
    voices = _voices(work, "narrator: {voice: hibari:heart}\n")
    result = CliRunner().invoke(
        main,
        ["-q", "generate", str(REPO / "samples" / "the-lamp-at-gull-point.txt")]
        + ["--voices", str(voices), "--out", str(work / "out"), "--cache-dir", str(work / "c")],
    )
    assert result.exit_code == 0, result.output
    return work / "out" / "the-lamp-at-gull-point"


@needs_hibari
def test_the_sample_story_with_a_neural_narrator(sample_book):
    script = json.loads((sample_book / "script.json").read_text(encoding="utf-8"))
    cast = CliRunner().invoke(
        main,
        ["cast", str(REPO / "samples" / "the-lamp-at-gull-point.txt")]
        + ["--voices", str(sample_book.parent.parent / "voices.yaml"), "--format", "json"],
    )
    assert cast.exit_code == 0, cast.output
    listed = json.loads(cast.output)
    assert listed["narrator"]["engine"] == "hibari"
    assert {c["voice"]["engine"] for c in listed["characters"]} == {"espeak"}
    chapters = sorted(sample_book.glob("0*.mp3"))
    assert len(chapters) == 3 and script
    credits = (sample_book / chapters[0].with_suffix(".vtt").name).read_text()
    assert "Narrated by hibari voices (narrate)." in credits
    for path in chapters:
        seconds = decodes_cleanly(path)
        integrated, peak = loudness(path)
        assert abs(integrated - -18.0) <= 1.0, (path.name, integrated)
        assert peak <= -3.0, (path.name, peak)
        cues = assert_cues_at_onsets(path)
        ends = re.findall(r" --> ([\d:.]+)", path.with_suffix(".vtt").read_text())
        assert cues == len(ends) and seconds_of(ends[-1]) <= seconds + 0.01


@needs_hibari
def test_preview_speaks_the_neural_narrator(tmp_path):
    voices = _voices(tmp_path)
    sample = tmp_path / "narrator.mp3"
    result = CliRunner().invoke(
        main,
        ["preview", "narrator", "--voices", str(voices), "--text", LINE]
        + ["--out", str(sample), "--no-play"],
    )
    assert result.exit_code == 0, result.output
    assert decodes_cleanly(sample) > 2.0
