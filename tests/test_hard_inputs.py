"""Hard inputs and bad configuration, run as a new user would: `python -m narrate ...`.

Every case ends in good audio (MP3s that decode cleanly) or one short line on
stderr naming the problem and the fix, with the documented exit code, no
traceback, no partial file and nothing written outside --out and the cache.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Run, assert_no_temp_files, decodes_cleanly

EXIT_INPUT, EXIT_CONFIG, EXIT_ENGINE, EXIT_OUTPUT, EXIT_OS = 2, 3, 4, 5, 6
STORY = 'The wind rose over the harbour. "Bring the boats in," said Maren.\n\nThey ran.\n'


class Sandbox:
    """A fresh home, temp folder and working folder; only out/ and cache/ may change."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.out = root / "out"
        self.cache = root / "cache"
        for name in ("home", "tmp", "work", "in"):
            (root / name).mkdir()

    def book(self, name: str, data: str | bytes) -> Path:
        path = self.root / "in" / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return path

    def snapshot(self) -> dict[str, bytes]:
        """Every file outside out/ and cache/, with its bytes."""
        files = {}
        for path in sorted(self.root.rglob("*")):
            rel = path.relative_to(self.root)
            if rel.parts[0] in ("out", "cache") or not path.is_file():
                continue
            files[str(rel)] = path.read_bytes()
        return files

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NARRATE_")}
        env.update(
            HOME=str(self.root / "home"),
            TMPDIR=str(self.root / "tmp"),
            NARRATE_CACHE_DIR=str(self.cache),
            XDG_CACHE_HOME=str(self.root / "home"),
            PYTHONIOENCODING="utf-8",
        )
        return env

    def run(self, *args: str, timeout: float = 120) -> Run:
        """Run narrate in a subprocess; fails the test if it does not finish in time."""
        before = self.snapshot()
        try:
            done = subprocess.run(
                [sys.executable, "-m", "narrate", *args],
                cwd=self.root / "work",
                env=self.env(),
                capture_output=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:  # a hang is a failure, not a slow pass
            pytest.fail(f"narrate {' '.join(args)} did not finish within {timeout:.0f} s")
        assert self.snapshot() == before, "narrate wrote outside --out and the cache"
        assert not any(self.root.glob("tmp/*")), "narrate left files in the temp folder"
        return Run(
            done.returncode,
            done.stdout.decode("utf-8", "replace"),
            done.stderr.decode("utf-8", "replace"),
        )

    def generate(self, book: Path, *extra: str, quiet: bool = False) -> Run:
        return self.run(
            *(["-q"] if quiet else []),
            "generate",
            str(book),
            "--out",
            str(self.out),
            "--cache-dir",
            str(self.cache),
            "--jobs",
            "1",
            *extra,
        )


def assert_clean_error(run: Run, code: int, *words: str, lines: int = 1) -> str:
    """Exit code, exactly ``lines`` lines of 'narrate: ...' on stderr, no traceback."""
    assert run.code == code, (run.code, run.stderr)
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr, run.stderr
    assert len(run.lines) == lines, run.stderr
    assert all(line.startswith("narrate: ") for line in run.lines), run.stderr
    message = run.stderr.lower()
    for word in words:
        assert word.lower() in message, (word, run.stderr)
    return run.lines[0]


def assert_no_audio(box: Sandbox) -> None:
    """A failed run leaves no chapter, playlist or script behind (nor temp files)."""
    made = [p for p in box.out.rglob("*") if p.is_file() and not p.name.startswith(".")]
    assert not made, made
    assert_no_temp_files(box.out, box.cache)


def assert_good_audio(box: Sandbox, run: Run, chapters: int | None = None) -> list[Path]:
    assert run.code == 0, run.stderr
    assert "Traceback" not in run.stderr
    mp3s = sorted(box.out.rglob("*.mp3"))
    assert mp3s, "no audio written"
    if chapters is not None:
        assert len(mp3s) == chapters, mp3s
    for mp3 in mp3s:
        assert decodes_cleanly(mp3) > 0.5, mp3
    assert_no_temp_files(box.out, box.cache)
    return mp3s


def script_text(box: Sandbox, run: Run) -> dict:
    assert run.code == 0, run.stderr
    assert "Traceback" not in run.stderr
    return json.loads(run.stdout)


def chapter_titles(script: dict) -> list[str]:
    return list(dict.fromkeys(s["chapter_title"] for s in script["segments"]))


@pytest.fixture
def box(tmp_path: Path) -> Sandbox:
    return Sandbox(tmp_path)


# --- 1. inputs ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [b"", b"   \n\n\t \r\n", "\u200b\u200b\n\ufeff".encode()],
    ids=["empty", "whitespace", "invisible"],
)
def test_empty_book_is_one_clear_line(box: Sandbox, content: bytes) -> None:
    run = box.generate(box.book("story.txt", content))
    assert_clean_error(run, EXIT_INPUT, "story.txt", "empty")
    assert_no_audio(box)


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "png"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "pdf"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(400), "jpeg"),
        (random.Random(7).randbytes(4000), "binary"),
        (b"\x1f\x8b\x08\x00" + random.Random(8).randbytes(2000), "gzip"),
    ],
    ids=["png", "pdf", "jpeg", "noise", "gzip"],
)
def test_binary_file_renamed_txt_is_refused(box: Sandbox, content: bytes, kind: str) -> None:
    run = box.generate(box.book("story.txt", content))
    line = assert_clean_error(run, EXIT_INPUT, "story.txt", kind, "convert")
    assert len(line) < 160
    assert_no_audio(box)


def test_utf16_with_bom_reads_as_text(box: Sandbox) -> None:
    book = box.book("story.txt", STORY.replace("Maren", "Maren Ødegård").encode("utf-16"))
    script = script_text(box, box.run("script", str(book), "--format", "json"))
    assert "Ødegård" in "".join(s["text"] for s in script["segments"])
    assert_good_audio(box, box.generate(book, quiet=True), chapters=1)


@pytest.mark.parametrize("codec", ["cp1252", "latin-1"])
def test_legacy_encoding_is_decoded_with_one_warning(box: Sandbox, codec: str) -> None:
    text = "The café was warm. \u201cCome in,\u201d said Zoë, and smiled.\n\nIt was late.\n"
    if codec == "latin-1":
        text = text.replace("\u201c", '"').replace("\u201d", '"')
    book = box.book("story.txt", text.encode(codec))
    run = box.run("script", str(book), "--format", "json")
    script = script_text(box, run)
    spoken = "".join(s["text"] for s in script["segments"])
    assert "café" in spoken and "Zoë" in spoken
    warnings = [line for line in run.lines if "utf-8" in line.lower()]
    assert len(warnings) == 1 and "windows-1252" in warnings[0].lower(), run.stderr
    # generate warns once too, and still makes good audio
    gen = box.generate(book)
    assert sum("utf-8" in line.lower() for line in gen.lines) == 1, gen.stderr
    assert_good_audio(box, gen, chapters=1)


def test_mixed_line_endings(box: Sandbox) -> None:
    raw = (
        b"The Harbour\r\n\r\nChapter 1\r\n\r\nThe wind rose.\rThe boats came in.\n\n"
        b'"Hold fast," said Maren.\r\n\r\rChapter 2\n\r\nMorning came.\r\nAll was still.\r'
    )
    book = box.book("story.txt", raw)
    script = script_text(box, box.run("script", str(book), "--format", "json"))
    assert chapter_titles(script) == ["Chapter 1", "Chapter 2"]
    text = " ".join(s["text"] for s in script["segments"])
    for words in ("The wind rose.", "The boats came in.", "Hold fast", "All was still."):
        assert words in text
    assert_good_audio(box, box.generate(book, quiet=True), chapters=2)


def test_control_and_zero_width_characters(box: Sandbox) -> None:
    text = (
        "It was\u200b a dark\u200d night\x07 by the\u00ad sea.\u202e\u2066 "
        '"Who\ufeff is there?" asked Maren.\x0b\x0c\n\nNo one\x1b[31m answered.\n'
    )
    book = box.book("story.txt", text)
    script = script_text(box, box.run("script", str(book), "--format", "json"))
    assert "answered" in " ".join(s["text"] for s in script["segments"])
    assert_good_audio(box, box.generate(book, quiet=True), chapters=1)


def test_unclosed_quote_for_a_whole_chapter(box: Sandbox) -> None:
    paragraphs = "\n\n".join(
        f"The tide turned at the {n}th bell and the lamps were lit one by one." for n in range(30)
    )
    text = (
        f"Chapter 1\n\n\u201cIt began on the night of the storm. {paragraphs}\n\n"
        "Chapter 2\n\nMorning came, and the sea was calm.\n"
    )
    book = box.book("story.txt", text)
    script = script_text(box, box.run("script", str(book), "--format", "json"))
    assert len(chapter_titles(script)) == 2
    covered = "".join(s["text"] for s in script["segments"] if s["chapter"] == 1)
    assert covered.count("bell") == 30  # nothing of the chapter is lost
    assert any(s["chapter"] == 2 for s in script["segments"])
    short = box.book(
        "short.txt",
        "Chapter 1\n\n\u201cIt began.\n\nThe lamps were lit.\n\nChapter 2\n\nMorning came.\n",
    )
    assert_good_audio(box, box.generate(short, quiet=True), chapters=2)


def test_nested_and_mismatched_quote_marks(box: Sandbox) -> None:
    text = (
        'He said, "She told me \u2018go \u201cnow\u201d\u2019 and left." Then \u201cwhat\u201d'
        " he 'asked\u201d. \u201d Odd \u201c \u2018 \u2019\u2019 \"\" '\n\n"
        '\u201cOne\u201d "two\u201d \u2018three" \u00abfour\u00bb \u201esix\u201c.\n\n'
        "It\u2019s the sailors\u2019 lamp, isn\u2019t it?\n"
    )
    book = box.book("story.txt", text)
    script = script_text(box, box.run("script", str(book), "--format", "json"))
    words = "".join(s["text"] for s in script["segments"])
    for word in ("now", "left", "asked", "Odd", "three", "four", "six", "lamp"):
        assert word in words
    assert_good_audio(box, box.generate(book, quiet=True), chapters=1)


def test_language_without_a_voice_falls_back_with_one_warning(box: Sandbox) -> None:
    # Klingon: espeak-ng has no voice for it, so the narrator's language is used.
    book = box.book("story.md", "---\ntitle: The Harbour\nlanguage: tlh\n---\n\n" + STORY)
    run = box.generate(book)
    warnings = [line for line in run.lines if "voice" in line and "tlh" in line]
    assert len(warnings) == 1 and "english" in warnings[0].lower(), run.stderr
    assert_good_audio(box, run, chapters=1)


# --- big inputs: ingest and segment only, in a subprocess with a time guard -------------


def _prose(rng: random.Random, words: int) -> str:
    vocab = [
        "the",
        "sea",
        "was",
        "grey",
        "and",
        "cold",
        "she",
        "walked",
        "along",
        "the",
        "shore",
        "while",
        "wind",
        "pulled",
        "at",
        "the",
        "lamp",
        "house",
        "at",
        "night",
    ]
    return " ".join(rng.choice(vocab) for _ in range(words))


def test_one_megabyte_paragraph_without_punctuation(box: Sandbox) -> None:
    text = _prose(random.Random(2), 220_000)[:1_000_000]
    book = box.book("long.txt", text + "\n")
    script = script_text(box, box.run("script", str(book), "--format", "json"))
    joined = "".join(s["text"] for s in script["segments"])
    assert "".join(joined.split()) == "".join(text.split())


def test_ten_thousand_one_line_chapters(box: Sandbox) -> None:
    text = "\n\n".join(f"Chapter {n}\n\nShe walked {n} steps." for n in range(1, 10_001))
    book = box.book("many.txt", text + "\n")
    script = script_text(box, box.run("script", str(book), "--format", "json"))
    assert len(chapter_titles(script)) == 10_000
    assert script["segments"][-1]["text"] == "She walked 10000 steps."


# --- 2. configuration ----------------------------------------------------------------


def _voices(box: Sandbox, text: str) -> Path:
    path = box.root / "in" / "voices.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("yaml_text", "words"),
    [
        ("narrator: [en-us\n  rate: 170\n", ("voices.yaml:2", "yaml syntax")),
        ("narrator:\n  rate: fast\n", ("voices.yaml:2", "narrator.rate", "number")),
        ("pauses:\n  sentence: [1, 2]\n", ("voices.yaml:2", "pauses.sentence", "number")),
        ("thoughts: 7\n", ("voices.yaml:1", "thoughts", "use one of")),
        ("- en-us\n- en-gb\n", ("voices.yaml:1", "mapping")),
        ("narrator:\n  voice: xx-nowhere\n", ("voices.yaml:2", "unknown voice", "xx-nowhere")),
        ("characters:\n  Maren: en-us+nosuch\n", ("voices.yaml:2", "unknown voice", "voices")),
        ("book:\n  cover: missing.jpg\n", ("voices.yaml:2", "missing.jpg", "not found")),
        ("narratr:\n  voice: en-us\n", ("voices.yaml:1", "did you mean 'narrator'")),
        (
            'lexicon:\n  Maren: !!python/object/apply:os.system ["echo hi"]\n',
            ("voices.yaml:2", "not allowed"),
        ),
        (
            "narrator: &n\n  rate: 170\ncharacters:\n  Maren:\n    <<: *n\n",
            ("voices.yaml:5", "merge keys"),
        ),
        ("narrator:\n  rate: !!int fast\n", ("voices.yaml:2", "cannot read this value")),
    ],
    ids=[
        "invalid-yaml",
        "rate-text",
        "pause-list",
        "thoughts-number",
        "not-a-mapping",
        "unknown-narrator-voice",
        "unknown-character-voice",
        "missing-cover",
        "typo",
        "code-tag",
        "merge-key",
        "bad-int-tag",
    ],
)
def test_bad_voices_file_is_one_clear_line(
    box: Sandbox, yaml_text: str, words: tuple[str, ...]
) -> None:
    run = box.generate(box.book("story.txt", STORY), "--voices", str(_voices(box, yaml_text)))
    assert_clean_error(run, EXIT_CONFIG, *words)
    assert_no_audio(box)


def test_every_config_problem_is_listed_one_per_line(box: Sandbox) -> None:
    voices = _voices(box, "narrator:\n  rate: 9000\n  pitch: high\nthoughts: loud\n")
    run = box.generate(box.book("story.txt", STORY), "--voices", str(voices))
    assert_clean_error(run, EXIT_CONFIG, "voices.yaml:2", "voices.yaml:3", "voices.yaml:4", lines=3)


@pytest.mark.parametrize("which", ["book", "voices"])
def test_missing_files_are_named(box: Sandbox, which: str) -> None:
    book = box.book("story.txt", STORY)
    if which == "book":
        run = box.generate(box.root / "in" / "nowhere.txt")
        assert_clean_error(run, EXIT_INPUT, "nowhere.txt", "not found")
    else:
        run = box.generate(book, "--voices", str(box.root / "in" / "nowhere.yaml"))
        assert_clean_error(run, EXIT_CONFIG, "nowhere.yaml", "not found")
    assert_no_audio(box)


@pytest.mark.parametrize("cover", ["missing.jpg", "story.txt"], ids=["missing", "not-image"])
def test_bad_cover_option(box: Sandbox, cover: str) -> None:
    book = box.book("story.txt", STORY)
    run = box.generate(book, "--cover", str(box.root / "in" / cover))
    assert_clean_error(run, EXIT_INPUT, "cover", cover)
    assert_no_audio(box)


def test_book_path_that_is_a_folder(box: Sandbox) -> None:
    run = box.generate(box.root / "in")
    assert_clean_error(run, EXIT_INPUT, "folder")


def test_output_folder_under_a_regular_file(box: Sandbox) -> None:
    book = box.book("story.txt", STORY)
    box.out.mkdir()
    blocker = box.out / "taken"
    blocker.write_text("not a folder")
    run = box.run(
        "generate",
        str(book),
        "--out",
        str(blocker / "sub"),
        "--cache-dir",
        str(box.cache),
        "--jobs",
        "1",
    )
    assert_clean_error(run, EXIT_OUTPUT, "--out")
    assert blocker.read_text() == "not a folder"
    assert_no_temp_files(box.out, box.cache)


def test_output_folder_without_write_permission(box: Sandbox) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can write anywhere; the under-a-file case covers this")
    book = box.book("story.txt", STORY)
    box.out.mkdir()
    box.out.chmod(0o500)
    try:
        run = box.generate(book)
        assert_clean_error(run, EXIT_OUTPUT, "--out")
    finally:
        box.out.chmod(0o700)


def test_a_failed_run_leaves_earlier_output_intact(box: Sandbox) -> None:
    book = box.book("story.txt", STORY)
    first = assert_good_audio(box, box.generate(book, quiet=True), chapters=1)
    before = {p: p.read_bytes() for p in box.out.rglob("*") if p.is_file()}
    # The same book again, with a broken voices file: nothing is touched.
    run = box.generate(book, "--voices", str(_voices(box, "narrator: [\n")))
    assert_clean_error(run, EXIT_CONFIG, "yaml syntax")
    after = {p: p.read_bytes() for p in box.out.rglob("*") if p.is_file()}
    assert after == before
    assert decodes_cleanly(first[0]) > 0.5


# --- last: the 50 MB book started at the top of the module -------------------------


BIG_TEST = "test_fifty_megabyte_text_finishes"


@pytest.fixture(scope="module", autouse=True)
def big_book(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[subprocess.Popen, int]]:
    """`narrate script` on a 50 MB book, started before this module's other tests.

    It takes tens of seconds, so it runs alongside them; the test that checks it
    comes last and waits, with a generous bound, for it to finish. Nothing is
    started when that test is not selected.
    """
    if not any(item.name == BIG_TEST for item in request.session.items):
        yield None  # type: ignore[misc]
        return
    box = Sandbox(tmp_path_factory.mktemp("big"))
    rng = random.Random(1)
    chunk = "\n\n".join(_prose(rng, 60).capitalize() + "." for _ in range(400))
    chapter = f"{chunk}\n\n\u201cHold the light,\u201d she said.\n\n"
    path = box.root / "in" / "big.txt"
    chapters = 0
    with path.open("w", encoding="utf-8") as out:
        while out.tell() < 50_000_000:
            chapters += 1
            out.write(f"Chapter {chapters}\n\n{chapter}")
    proc = subprocess.Popen(
        [sys.executable, "-m", "narrate", "script", str(path)],
        cwd=box.root / "work",
        env=box.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    yield proc, chapters
    if proc.poll() is None:
        proc.kill()
    proc.communicate()


def test_fifty_megabyte_text_finishes(big_book: tuple[subprocess.Popen, int]) -> None:
    proc, chapters = big_book
    try:
        stdout, stderr = proc.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        pytest.fail("narrate script did not finish a 50 MB book within 300 s")
    assert proc.returncode == 0, stderr.decode()
    assert stdout.decode().count("Hold the light") == chapters
