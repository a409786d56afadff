"""voices.yaml: forgiving to read, strict to check, every problem on its own line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from narrate.cast.casting import build_cast
from narrate.cast.starter import write_starter
from narrate.cast.voices import characters_from_config, load_voices, validate_voices
from narrate.config import Pauses, load_config
from narrate.errors import ConfigError
from narrate.records import Book, Chapter, Character, Gender, Script, Segment, VoiceInfo
from narrate.tts.engine import Engine
from narrate.tts.espeak.engine import EspeakEngine

REPO_VOICES = Path(__file__).resolve().parents[1] / "voices.yaml"


def espeak_engine() -> Engine:
    """espeak-ng listing its voices as below: languages, then "+variant" ids."""
    bases = ["en-029", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-us", "en-us-nyc", "de"]
    variants: dict[str, Gender] = {
        **{f"m{i}": "male" for i in range(1, 9)},
        **{f"f{i}": "female" for i in range(1, 6)},
        "zac": "unknown",
    }
    listed = [VoiceInfo(b, b, "male", (b,)) for b in bases] + [
        VoiceInfo(f"+{v}", v, g, ()) for v, g in variants.items()
    ]
    return EspeakEngine(voices=listed)


def write(tmp_path: Path, text: str, name: str = "voices.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def problems(path: Path, engine: Engine | None = None) -> list[str]:
    """The lines of the ConfigError; voice ids are checked when an engine is given."""
    with pytest.raises(ConfigError) as caught:
        load_voices(path, engine or EspeakEngine(), check_voices=engine is not None)
    assert caught.value.exit_code != 0
    return str(caught.value).splitlines()


def test_defaults_without_a_file() -> None:
    config = load_config(None)
    assert config.pauses == Pauses(250, 600, 350, 1200, 2000)
    assert config.thoughts == "character" and config.characters == {} and config.source is None


def test_repo_voices_file_is_valid_for_the_sample_story() -> None:
    config = load_voices(REPO_VOICES, espeak_engine())
    assert set(config.characters) == {"Maren Holt", "Elias Holt", "Wren"}
    assert config.characters["Maren Holt"].aliases == ("Maren", "Mrs. Holt")
    assert config.characters["Wren"].age == "child"
    assert config.lexicon["Niamh"] == "Neev"
    assert config.book.narrator


def test_three_mistakes_give_three_lines_with_file_and_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        narrator:
          voice: en-gb
        characters:
          Maren:
            voice: en-gb+f3
            pich: 40
          Elias:
            voice: en-uss+m3
            volume: 1.5
        """,
    )
    lines = problems(path, espeak_engine())
    assert len(lines) == 3, lines
    assert lines[0] == (
        f"{path}:6: unknown key 'pich' under characters.Maren; did you mean 'pitch'?"
    )
    assert lines[1].startswith(f"{path}:8: unknown voice 'en-uss+m3' for characters.Elias.voice")
    assert lines[2].startswith(
        f"{path}:9: characters.Elias.volume is 1.5, out of range; use 0 to 1"
    )
    assert "did you mean 'en-us+m3'" in lines[1]


def test_every_kind_of_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        narator: en-gb
        characters:
          Maren Holt:
            aliases: [Maren, Holt]
            gender: wmoan
          Elias Holt:
            aliases: [Elias, Holt]
            rate: fast
          Elias Holt:
            pitch: 101
        thoughts: loud
        pauses:
          sentence: -5
        lexicon:
          Siobhan: "[[S@v"
        book:
          cover: missing.jpg
        """,
    )
    lines = problems(path)
    expected = [
        ":1: unknown key 'narator'; did you mean 'narrator'?",
        ":5: characters.Maren Holt.gender 'wmoan' is not valid; did you mean 'female'?",
        ":7: alias 'Holt' of 'Elias Holt' is already claimed by 'Maren Holt' (line 4)",
        ":8: characters.Elias Holt.rate must be a number from 80 to 450",
        ":9: 'Elias Holt' under characters is given twice (first on line 6)",
        ":11: thoughts 'loud' is not valid; use one of: character, narrator",
        ":13: pauses.sentence is -5, out of range; use 0 to 60000",
        ":15: lexicon.Siobhan opens phonemes with '[[' but does not close them",
        ":17: book.cover 'missing.jpg' not found next to this file",
    ]
    assert len(lines) == len(expected), lines
    for line, want in zip(lines, expected, strict=True):  # in file order
        assert line.startswith(str(path) + want), (want, line)


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        narrator:
          voice: en-gb
        characters: [Maren
        pauses:
        """,
    )
    (line,) = problems(path)
    assert line.startswith(f"{path}:4: YAML syntax error")


def test_missing_file(tmp_path: Path) -> None:
    (line,) = problems(tmp_path / "nope.yaml")
    assert "file not found" in line


def test_forgiving_forms(tmp_path: Path) -> None:
    (tmp_path / "cover.jpg").write_bytes(b"\xff\xd8")
    path = write(
        tmp_path,
        """
        Narrator: en-us
        characters:
          Wren: en-us+f4
          Maren Holt: [Maren, Mrs. Holt]
          Elias:
            aliases: Eli
            gender: man
            rate: "170"
            volume: 80%
          The Stranger:
        Pauses:
          Speaker-Change: 300
        pools:
          female: en-us+f2
        book:
          year: 1987
          series_index: 2
          cover: cover.jpg
        """,
    )
    config = load_voices(path, espeak_engine())
    assert config.narrator.voice == "en-us"
    assert config.characters["Wren"].voice == "en-us+f4"
    assert config.characters["Maren Holt"].aliases == ("Maren", "Mrs. Holt")
    elias = config.characters["Elias"]
    assert (elias.aliases, elias.gender, elias.rate, elias.volume) == (("Eli",), "male", 170, 0.8)
    assert config.characters["The Stranger"].voice is None
    assert config.pauses.speaker_change == 300 and config.pauses.chapter == 2000
    assert config.pools == {"female": ("en-us+f2",)}
    assert (config.book.year, config.book.series_index) == ("1987", "2")
    assert config.book.cover == tmp_path / "cover.jpg"
    names = [c.name for c in characters_from_config(config)]
    assert names == ["Wren", "Maren Holt", "Elias", "The Stranger"]
    assert characters_from_config(config)[2] == Character("Elias", ("Eli",), "male")


def test_validate_voices_suggests_the_closest(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        narrator: en-gb-scotlnd
        characters:
          Wren: en-us+f9
        pools:
          male: [en-us+m3, en-us+mm7]
        """,
    )
    config = load_config(path)
    lines = validate_voices(config, espeak_engine())
    assert len(lines) == 3, lines
    assert lines[0].startswith(
        f"{path}:1: unknown voice 'en-gb-scotlnd' for narrator.voice; did you mean 'en-gb-scotland'"
    )
    assert lines[1].startswith(f"{path}:3: unknown voice 'en-us+f9'")
    assert "'en-us+f" in lines[1]
    assert lines[2].startswith(f"{path}:5: unknown voice 'en-us+mm7' for pools.male")
    # The British voice answers to both names espeak-ng uses for it.
    ok = write(tmp_path, "narrator: en\ncharacters:\n  A: en-gb+f3\n  B: en+m1\n", "ok.yaml")
    assert validate_voices(load_config(ok), espeak_engine()) == []


# --- narrate cast --write ---


def script_with(lines: dict[str, int], characters: list[Character]) -> Script:
    segments = tuple(
        Segment(1, 0, "speech", name, "Hi.", 0, 3)
        for name, count in lines.items()
        for _ in range(count)
    )
    book = Book("Hi.", "The Lamp at Gull Point", "Ada Quill", (Chapter(1, "One", ((0, 3),)),))
    return Script(book, tuple(characters), segments)


FAMILY = [
    Character("Maren Holt", ("Maren", "Mrs. Holt"), "female"),
    Character("Elias Holt", ("Elias",), "male"),
]


def test_write_starter_then_merge_never_overwrites_edits(tmp_path: Path) -> None:
    path = tmp_path / "voices.yaml"
    voices = espeak_engine()
    script = script_with({"Maren Holt": 9, "Elias Holt": 5}, FAMILY)
    cast = build_cast(script, load_config(None), voices)
    assert write_starter(path, script, cast, load_config(None)) == ["Maren Holt", "Elias Holt"]
    first = load_voices(path, voices)
    assert first.characters["Maren Holt"].voice == cast.characters["Maren Holt"].voice_id

    # The user edits the file: a new voice, a comment, a lexicon entry.
    text = path.read_text().replace(
        f"voice: {cast.characters['Elias Holt'].voice_id}", "voice: en-029+m5  # my pick"
    )
    text = text.replace("lexicon: {}", "lexicon:\n  Niamh: Neev")
    path.write_text(text)
    edited = load_voices(path, voices)

    # The book now has a third speaker; only she is added.
    wren = Character("Wren", ("the child",), "female")
    script = script_with({"Maren Holt": 9, "Elias Holt": 5, "Wren": 4}, [*FAMILY, wren])
    cast = build_cast(script, edited, voices)
    assert write_starter(path, script, cast, edited) == ["Wren"]
    merged = load_voices(path, voices)
    assert "voice: en-029+m5  # my pick" in path.read_text()
    # The user's text is all there, untouched, with Wren's entry inserted in one piece.
    new = path.read_text().splitlines(keepends=True)
    start = new.index(next(line for line in new if line.startswith("  Wren:")))
    end = next(i for i in range(start + 1, len(new)) if not new[i].startswith("    "))
    assert "".join(new[:start] + new[end:]) == text
    assert new[start - 1].strip().startswith("volume:")  # after the last character
    assert merged.characters["Elias Holt"] == edited.characters["Elias Holt"]
    assert merged.characters["Wren"].voice == cast.characters["Wren"].voice_id
    assert merged.characters["Wren"].age == "child"
    assert merged.lexicon == {"Niamh": "Neev"} and merged.pauses == edited.pauses

    # Running again changes nothing.
    before = path.read_text()
    assert write_starter(path, script, cast, merged) == []
    assert path.read_text() == before


@pytest.mark.parametrize(
    "original",
    [
        "# my notes\nnarrator: en-us  # keep\n",
        "narrator: en-us\ncharacters:\n\nthoughts: narrator\n",
        "narrator: en-us\ncharacters: {}  # none yet\nthoughts: narrator\n",
        "characters:\n    Maren Holt:\n        voice: en-us+f2\n# end\npauses:\n    chapter: 900",
    ],
)
def test_merge_into_other_layouts(tmp_path: Path, original: str) -> None:
    path = write(tmp_path, original)
    before = load_config(path)
    script = script_with({"Maren Holt": 9, "Elias Holt": 5}, FAMILY)
    cast = build_cast(script, before, espeak_engine())
    write_starter(path, script, cast, before)
    after = load_voices(path, espeak_engine())
    assert set(after.characters) == {"Maren Holt", "Elias Holt"}
    for name, entry in before.characters.items():
        assert after.characters[name] == entry
    assert (after.narrator, after.thoughts, after.pauses) == (
        before.narrator,
        before.thoughts,
        before.pauses,
    )
    assert "# " in path.read_text() or "#" not in original


def test_merge_refuses_a_broken_file(tmp_path: Path) -> None:
    path = write(tmp_path, "characters:\n  Maren Holt:\n    pich: 3\n")
    script = script_with({"Elias Holt": 5}, FAMILY)
    cast = build_cast(script, load_config(None), espeak_engine())
    with pytest.raises(ConfigError):
        write_starter(path, script, cast, load_config(None))
    assert path.read_text() == "characters:\n  Maren Holt:\n    pich: 3\n"
