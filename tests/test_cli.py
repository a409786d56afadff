"""The command line as a user meets it: help everywhere, voices, preview, config errors."""

from __future__ import annotations

from pathlib import Path

import click
from click.testing import CliRunner
from conftest import DATA, decode

from narrate.cli import main


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from all_commands(command, (*prefix, name))


def test_every_command_has_help():
    assert main.help
    for path, command in all_commands(main):
        assert command.help, f"narrate {' '.join(path)} has no help text"
        result = CliRunner().invoke(main, [*path, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output


def test_voices_lists_languages_and_variants():
    result = CliRunner().invoke(main, ["voices", "--lang", "en"])
    assert result.exit_code == 0
    ids = {line.split("\t")[0] for line in result.output.splitlines()}
    assert {"en-us", "en-gb-scotland", "+f3", "+m7"} <= ids


def test_three_mistakes_three_lines_nothing_synthesized(tmp_path):
    voices = tmp_path / "voices.yaml"
    voices.write_text(
        "narrator:\n"
        "  voice: en\n"
        "  pich: 40\n"  # line 3: unknown key
        "characters:\n"
        "  Tom:\n"
        "    voice: en-uss+m3\n"  # line 6: unknown voice
        "    volume: 1.5\n",  # line 7: out of range
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        main,
        [
            "generate",
            str(DATA / "two-chapters.txt"),
            "--voices",
            str(voices),
            "--out",
            str(tmp_path / "out"),
            "--cache-dir",
            str(tmp_path / "cache"),
        ],
    )
    assert result.exit_code == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 3, lines
    assert [line.split(":")[2] for line in lines] == ["3", "6", "7"]
    assert "pitch" in lines[0] and "en-us+m3" in lines[1] and "0 to 1" in lines[2]
    assert not (tmp_path / "out").exists() and not (tmp_path / "cache").exists()


def test_preview_writes_a_sample_in_the_characters_voice(tmp_path):
    out = tmp_path / "wren.mp3"
    result = CliRunner().invoke(
        main,
        [
            "preview",
            "Wren",
            "--voices",
            str(Path(__file__).parent.parent / "voices.yaml"),
            "--text",
            "Is the lamp broken?",
            "--out",
            str(out),
            "--no-play",
        ],
    )
    assert result.exit_code == 0, result.output
    pcm, errors = decode(out)
    assert errors == "" and 0.5 < len(pcm) / 2 / 22050 < 5


def test_unknown_preview_name_is_one_line(tmp_path):
    result = CliRunner().invoke(
        main, ["preview", "Nobody", "--no-play", "--out", str(tmp_path / "x.mp3")]
    )
    assert result.exit_code == 3
    assert "Nobody" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_lexicon_changes_what_is_spoken_not_the_script(tmp_path):
    from narrate.pipeline import prepare_book
    from narrate.records import Voice
    from narrate.render.assemble import plan_chapter
    from narrate.tts import default_engine

    voices = tmp_path / "voices.yaml"
    voices.write_text('lexicon:\n  Jo: Joanna\n  kite: "[[k\'aIt]]"\n', encoding="utf-8")
    prep = prepare_book(DATA / "two-chapters.txt", voices, cache_dir=tmp_path / "c")
    from narrate.render.workers import RenderSettings
    from narrate.tts.lexicon import apply_lexicon

    synth = default_engine()
    settings = RenderSettings(tmp_path, "test", 64, 5, 60.0, -18.0, (250, 600), synth.sample_rate)
    plan = plan_chapter(
        prep.script,
        prep.book.chapters[0],
        prep.cast,
        prep.config.pauses,
        lambda text: apply_lexicon(synth.escape(text), prep.config.lexicon),
        settings,
    )
    spoken = " ".join(u.spoken for u in plan.utterances)
    words = " ".join(u.text for u in plan.utterances)
    assert "Joanna" in spoken and "[[k'aIt]]" in spoken
    assert "Joanna" not in words and "Jo" in words and "kite" in words
    assert all("Joanna" not in s.text for s in prep.script.segments)
    # The engine reads the replacement: the same audio as the replacement written out.
    try:
        voice = Voice("espeak", "en-us")
        as_written = synth.synthesize("Joanna ran ahead.", voice).samples
        lexicon = prep.config.lexicon
        via_lexicon = synth.synthesize(apply_lexicon("Jo ran ahead.", lexicon), voice).samples
        plain = synth.synthesize("Jo ran ahead.", voice).samples
        assert abs(len(via_lexicon) - len(as_written)) < 0.02 * len(as_written)
        assert abs(len(plain) - len(as_written)) > 0.05 * len(as_written)
    finally:
        synth.close()
