"""`narrate preview`: a short sample of one voice, as a book would have it."""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
from pathlib import Path

from narrate.cast.casting import build_cast
from narrate.cast.report import lookup_voice
from narrate.cast.voices import load_voices
from narrate.errors import ConfigError
from narrate.outdir import write_atomic
from narrate.records import Voice
from narrate.render import loudness, mp3
from narrate.render.cache import default_cache_dir
from narrate.render.workers import spoken_text
from narrate.tts import default_engine
from narrate.tts.lexicon import apply_lexicon

log = logging.getLogger("narrate")
DEFAULT_TEXT = "This is how I sound when I read this book to you."
# Players tried in order; each takes a file name.
_PLAYERS = (
    ("afplay",),
    ("paplay",),
    ("ffplay", "-nodisp", "-autoexit", "-loglevel", "quiet"),
    ("mpg123", "-q"),
)


def render_preview(
    name: str,
    book: Path | None,
    voices: Path | None,
    text: str | None,
    out_file: Path | None,
    *,
    play: bool = True,
) -> Path:
    from narrate.pipeline import prepare_book

    engine = default_engine()
    engine.voices()  # asked first, so a broken engine is reported before anything else
    if book is not None:
        prep = prepare_book(book, voices)
        config, cast, characters = prep.config, prep.voiced, prep.script.characters
        if text is None:
            text = _first_line(prep.script, name)
    else:
        config = load_voices(voices, engine)
        cast = build_cast(None, config, engine)
        characters = ()
    voice = lookup_voice(cast, name, characters)
    if voice is None:
        known = ", ".join(["narrator", *sorted(cast.characters)])
        raise ConfigError(f"no voice for {name!r}: choose one of {known}")
    engine.start()
    try:
        calibration = loudness.Calibration(
            default_cache_dir(), engine.name, loudness.DEFAULT_TARGET
        )
        gain = calibration.gain(voice, engine.synthesize)
        spoken = apply_lexicon(engine.escape(spoken_text(text or DEFAULT_TEXT)), config.lexicon)
        plain = Voice(voice.engine, voice.voice_id, voice.rate, voice.pitch, 1.0)
        pcm = loudness.shape(engine.synthesize(spoken, plain), gain)
    finally:
        engine.close()
    target = out_file or Path(f"preview-{re.sub(r'[^A-Za-z0-9]+', '-', name).strip('-')}.mp3")
    write_atomic(target, mp3.encode(pcm).tagged())
    if play:
        _play(target)
    return target


def _first_line(script, name: str) -> str | None:
    key = name.casefold()
    for seg in script.segments:
        if seg.speaker and seg.speaker.casefold() == key and seg.kind == "speech":
            return seg.text
    if key == "narrator":
        return next((s.text for s in script.segments if s.kind == "narration"), None)
    return None


def _play(path: Path) -> None:
    """Play the sample with the first player found; say so when none is, or it fails."""
    for player in _PLAYERS:
        exe = shutil.which(player[0])
        if exe:
            done = subprocess.run(
                [exe, *player[1:], str(path)],
                check=False,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            if done.returncode:
                log.warning(
                    "%s could not play the sample (exit %s); it is in %s",
                    player[0],
                    done.returncode,
                    path.resolve(),
                )
            return
    tried = ", ".join(p[0] for p in _PLAYERS)
    log.warning("no audio player found (tried %s); the sample is in %s", tried, path.resolve())
