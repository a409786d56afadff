"""Faults while narrating: engine crashes and time-outs, encoder failures, a full disk,
Ctrl-C, and the safety of names and text. Run in-process through the CLI so a
fault can be injected exactly where it would happen.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Self

import pytest
from click.testing import CliRunner, Result
from conftest import assert_no_temp_files, decodes_cleanly, error_line

import narrate.render.assemble
from narrate.cli import main
from narrate.errors import EngineError
from narrate.outdir import safe_name
from narrate.tts.espeak import library as espeak_lib
from narrate.tts.lexicon import apply_lexicon
from narrate.tts.synthesis import read_pcm, stderr_tail

BOOK = (
    "The Lamp\n\nby Ada Quill\n\nChapter 1\n\nThe lamp was lit at dusk. "
    '"Keep it burning," said Maren.\n\nChapter 2\n\nThe storm came at midnight. '
    "The keeper climbed the stair.\n"
)


class Case:
    """A book, an output folder and a cache under tmp_path; runs `narrate generate`."""

    def __init__(self, root: Path, text: str = BOOK) -> None:
        self.root = root
        self.book = root / "lamp.txt"
        self.book.write_text(text, encoding="utf-8")
        self.out = root / "out"
        self.cache = root / "cache"

    def generate(self, *extra: str, jobs: int = 1) -> Result:
        return CliRunner().invoke(
            main,
            [
                "-q",
                "generate",
                str(self.book),
                "--out",
                str(self.out),
                "--cache-dir",
                str(self.cache),
                "--jobs",
                str(jobs),
                "--no-spoken-titles",
                *extra,
            ],
        )

    def files(self) -> dict[Path, bytes]:
        return {
            p: p.read_bytes()
            for p in sorted(self.out.rglob("*"))
            if p.is_file() and not p.name.startswith(".")
        }

    def outside(self) -> set[Path]:
        """Every file under the test folder except the output folder and the cache."""
        return {
            p
            for p in self.root.rglob("*")
            if p.is_file() and not p.is_relative_to(self.out) and not p.is_relative_to(self.cache)
        }


@pytest.fixture
def case(tmp_path: Path) -> Iterator[Case]:
    made = Case(tmp_path)
    before = made.outside()
    yield made
    assert made.outside() == before, "narrate wrote outside --out and the cache"
    assert_no_temp_files(made.out, made.cache)


def fail_for(
    marker: str, exc: Callable[[], BaseException], times: int | None = None
) -> Callable[..., bytes]:
    """An Espeak.synthesize that raises for text containing ``marker`` (``times`` times)."""
    real = espeak_lib.Espeak.synthesize
    calls = {"n": 0}

    def synthesize(self: espeak_lib.Espeak, text: str, timeout: float) -> bytes:
        if marker in text and (times is None or calls["n"] < times):
            calls["n"] += 1
            raise exc()
        return real(self, text, timeout)

    synthesize.calls = calls  # type: ignore[attr-defined]
    return synthesize


# --- 3. the engine and the encoder ---------------------------------------------------------


def test_engine_crash_on_one_segment_is_retried_once(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    flaky = fail_for("midnight", lambda: OSError("espeak_Synth failed with error 1"), times=1)
    monkeypatch.setattr(espeak_lib.Espeak, "synthesize", flaky)
    result = case.generate()
    assert result.exit_code == 0, result.output
    assert flaky.calls["n"] == 1  # type: ignore[attr-defined]
    for mp3 in case.out.rglob("*.mp3"):
        assert decodes_cleanly(mp3) > 0.5


def test_engine_crash_twice_is_reported_with_the_text(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = fail_for("midnight", lambda: OSError("espeak_Synth failed with error 1"))
    monkeypatch.setattr(espeak_lib.Espeak, "synthesize", broken)
    line = error_line(
        case.generate(), 4, "speech engine failed", "storm came at midnight", "tried twice"
    )
    assert broken.calls["n"] == 2  # type: ignore[attr-defined]
    assert len(line) < 300
    assert not list(case.out.rglob("*Chapter 2*.mp3"))


def test_engine_failure_names_the_chapter(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        espeak_lib.Espeak,
        "synthesize",
        fail_for("midnight", lambda: OSError("espeak_Synth failed")),
    )
    error_line(case.generate(), 4, "Chapter 2", "midnight")


def test_synthesis_over_its_time_bound_is_retried_then_reported(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow = fail_for("midnight", lambda: TimeoutError("speech synthesis took over 120 s"))
    monkeypatch.setattr(espeak_lib.Espeak, "synthesize", slow)
    error_line(case.generate(), 4, "timed out", "midnight")
    assert slow.calls["n"] == 2  # type: ignore[attr-defined]


def test_real_time_bound_cuts_a_long_synthesis() -> None:
    from narrate.records import Voice
    from narrate.tts import get_engine

    bounded = get_engine("espeak", timeout=0.01)
    try:
        with pytest.raises(EngineError, match="timed out") as info:
            bounded.synthesize("the long night " * 5000, Voice("espeak", "en-us"))
        assert "\n" not in str(info.value) and len(str(info.value)) < 300
    finally:
        bounded.close()


LONG_BOOK = (
    "Chapter 1\n\n"
    + " ".join(f"Wave {n} broke on the rocks." for n in range(60))
    + ("\n\nChapter 2\n\nThe keeper slept at midnight.\n")
)


def test_killed_worker_is_retried_then_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = Case(tmp_path, LONG_BOOK)
    parent = os.getpid()
    real = espeak_lib.Espeak.synthesize

    def dies(self: espeak_lib.Espeak, text: str, timeout: float) -> bytes:
        if "midnight" in text and os.getpid() != parent:
            os._exit(9)  # what the OOM killer or a segfault in the engine looks like
        return real(self, text, timeout)

    monkeypatch.setattr(espeak_lib.Espeak, "synthesize", dies)
    error_line(case.generate(jobs=2), 4, "midnight")
    assert_no_temp_files(case.out, case.cache)


def test_encoder_failure_is_an_engine_error(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    class BrokenEncoder:
        def __getattr__(self, name: str) -> Callable[..., Any]:
            def call(*args: object) -> Any:
                if name == "encode":
                    raise RuntimeError("lame_encode_buffer failed: -2")
                return None

            return call

    monkeypatch.setattr(narrate.render.mp3.lameenc, "Encoder", BrokenEncoder)
    error_line(case.generate(), 4, "encod")


def test_converter_failure_reports_the_tail_of_its_stderr(tmp_path: Path) -> None:
    bogus = tmp_path / "utterance.aiff"
    bogus.write_bytes(b"FORM\x00\x00\x00\x04AIFFnot really audio")
    with pytest.raises(EngineError) as info:
        read_pcm(bogus, 16_000)  # any rate: the file cannot be read at all
    message = str(info.value)
    assert "ffmpeg" in message and "\n" not in message and len(message) < 300
    assert stderr_tail(b"line one\nline two\n\n  last words  \n") == (
        "line one | line two | last words"
    )
    assert stderr_tail("x" * 500).startswith("…") and len(stderr_tail("x" * 500)) == 200


# --- the disk filling up, Ctrl-C: nothing earlier lost, and a resumable state --------------


def _full_disk(budget: int) -> Callable[..., Any]:
    """Path.open for chapter files being written: they hit ENOSPC mid-write."""
    real = Path.open

    def opened(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = real(self, mode, *args, **kwargs)
        if mode == "xb" and self.name.endswith(".part") and ".mp3." in self.name:
            return _FullFile(handle, budget)
        return handle

    return opened


class _FullFile:
    def __init__(self, handle: Any, budget: int) -> None:
        self.handle = handle
        self.left = budget

    def write(self, data: bytes) -> int:
        if len(data) > self.left:
            self.handle.write(data[: self.left])  # a partial write, as a full disk gives
            self.left = 0
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.left -= len(data)
        return self.handle.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.handle, name)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.close()


def test_disk_full_while_writing_a_chapter(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    assert case.generate().exit_code == 0
    earlier = case.files()
    # The book changes, so chapter 2 is written again, and the disk fills up doing it.
    case.book.write_text(BOOK.replace("at midnight", "before dawn"), encoding="utf-8")
    monkeypatch.setattr(Path, "open", _full_disk(budget=2000))
    error_line(case.generate(), 6, "disk is full", "run the same command again")
    assert case.files() == earlier  # the old chapter files are whole and untouched
    assert_no_temp_files(case.out, case.cache)
    monkeypatch.undo()
    # With space again the same command finishes the job.
    assert case.generate().exit_code == 0
    changed = [p for p, data in case.files().items() if earlier.get(p) != data]
    assert any("Chapter 2" in p.name and p.suffix == ".mp3" for p in changed)
    for mp3 in case.out.rglob("*.mp3"):
        assert decodes_cleanly(mp3) > 0.5


def test_cache_folder_that_cannot_be_written(tmp_path: Path) -> None:
    case = Case(tmp_path)
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder")
    case.cache = blocker / "cache"
    before = case.outside()
    error_line(case.generate(), 6, "blocker", "--cache-dir")
    assert case.outside() == before and blocker.read_text() == "a file, not a folder"
    assert not case.out.exists()  # no empty book folder either
    assert_no_temp_files(case.out)


def test_ctrl_c_exits_130_and_the_next_run_resumes(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = espeak_lib.Espeak.synthesize
    spoken: list[str] = []

    def interrupted(self: espeak_lib.Espeak, text: str, timeout: float) -> bytes:
        if "midnight" in text:
            raise KeyboardInterrupt
        spoken.append(text)
        return real(self, text, timeout)

    monkeypatch.setattr(espeak_lib.Espeak, "synthesize", interrupted)
    error_line(case.generate(), 130, "interrupted", "run the same command again")
    assert_no_temp_files(case.out, case.cache)
    assert not list(case.out.rglob("*Chapter 2*.mp3"))  # no partial chapter
    done_before = len(spoken)
    assert done_before > 0
    spoken.clear()
    monkeypatch.setattr(
        espeak_lib.Espeak,
        "synthesize",
        lambda self, text, timeout: spoken.append(text) or real(self, text, timeout),
    )
    result = case.generate()
    assert result.exit_code == 0, result.output
    # What was rendered before Ctrl-C came from the cache; only the rest was spoken.
    assert any("midnight" in text for text in spoken)
    assert len(spoken) < done_before + 3
    assert len(list(case.out.rglob("*.mp3"))) == 2


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("jobs", [1, 2])
def test_real_ctrl_c_mid_synthesis(tmp_path: Path, jobs: int) -> None:
    """SIGINT to the whole process group, as a terminal sends it, while espeak speaks."""
    case = Case(tmp_path, LONG_BOOK)
    cmd = [
        sys.executable,
        "-m",
        "narrate",
        "-q",
        "generate",
        str(case.book),
        "--out",
        str(case.out),
        "--cache-dir",
        str(case.cache),
        "--jobs",
        str(jobs),
    ]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 60
        while not list(case.cache.glob("blocks/*/*.mp3")) and proc.poll() is None:
            assert time.monotonic() < deadline, "no audio rendered within 60 s"
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    if proc.returncode == 0:
        pytest.skip("the run finished before Ctrl-C arrived")
    stderr = err.decode()
    assert proc.returncode == 130, stderr
    assert stderr.strip().splitlines() == [
        "narrate: interrupted; run the same command again to resume"
    ], stderr
    assert_no_temp_files(case.out, case.cache)
    if jobs == 2:  # the same command again finishes the book
        done = subprocess.run(cmd, capture_output=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr.decode()
        for mp3 in case.out.rglob("*.mp3"):
            assert decodes_cleanly(mp3) > 0.5


# --- 4. safety ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "..",
        "../../etc/passwd",
        'a/b\\c:d*e?f"g<h>i|j',
        "CON",
        "con.txt",
        "NUL",
        "com1",
        "LPT9",
        ".hidden",
        "x" * 400,
        "\U0001f419" * 120,
        "zero\u200bwidth\u202eright",
        "tab\there\x00nul",
        "Wait... what?",
        "   ",
        "",
    ],
)
def test_safe_name(title: str) -> None:
    name = safe_name(title)
    assert name and "/" not in name and "\\" not in name and ".." not in name
    assert not name.startswith(".") and not name.endswith((".", " "))
    assert name.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL", "COM1", "LPT9"}
    assert len(name) <= 80 and len(name.encode("utf-8")) <= 150
    assert all(ch.isprintable() for ch in name)


def test_hostile_titles_stay_inside_the_output_folder(tmp_path: Path) -> None:
    case = Case(
        tmp_path,
        "Chapter 1: ../../../escape\n\nThe lamp was lit.\n\n"
        "Chapter 2: " + "\U0001f419" * 100 + "\n\nThe storm came.\n",
    )
    before = case.outside()
    result = case.generate("--title", "../../../../tmp/evil")
    assert result.exit_code == 0, result.output
    assert case.outside() == before
    folder = case.out / "tmp-evil"
    names = sorted(p.name for p in folder.glob("*.mp3"))
    assert len(names) == 2 and all(".." not in n and "/" not in n for n in names), names
    for mp3 in folder.glob("*.mp3"):
        assert decodes_cleanly(mp3) > 0.3


def test_book_text_never_reaches_espeak_as_markup(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    case.book.write_text(
        'She said "[[h@\'loU]]" and <speak><audio src="/etc/passwd"/></speak> then '
        "<break time='99s'/> $(rm -rf ~) `reboot` ]] [[ done.\n",
        encoding="utf-8",
    )
    calls: list[tuple[bytes, int]] = []
    real_synth = espeak_lib.Espeak.synthesize

    def watched(self: espeak_lib.Espeak, text: str, timeout: float) -> bytes:
        dll = self.dll

        class Spy:
            def __getattr__(self, name: str) -> Any:
                return getattr(dll, name)

            def espeak_Synth(
                self,
                data: bytes,
                size: int,
                position: int,
                ptype: int,
                end: int,
                flags: int,
                *rest: Any,
            ) -> int:
                calls.append((data, flags))
                return dll.espeak_Synth(data, size, position, ptype, end, flags, *rest)

        self.dll = Spy()
        try:
            return real_synth(self, text, timeout)
        finally:
            self.dll = dll

    monkeypatch.setattr(espeak_lib.Espeak, "synthesize", watched)
    result = case.generate()
    assert result.exit_code == 0, result.output
    assert calls
    ssml = 0x10  # espeakSSML: never set, so tags are read as text, not obeyed
    for data, flags in calls:
        assert not flags & ssml
        assert b"[[" not in data and b"]]" not in data  # no phoneme mode from the book
        assert b"\x00" not in data[:-1]


def test_lexicon_is_data_not_code_or_patterns() -> None:
    lexicon = {"a.*b": "X", "__import__('os')": "nothing", "Maren": "[[m'A:r@n]]"}
    assert apply_lexicon("axxb a.*b", lexicon) == "axxb X"
    assert apply_lexicon("__import__('os') Maren", lexicon) == "nothing [[m'A:r@n]]"


def test_ssml_option_does_not_exist_so_markup_is_never_enabled() -> None:
    result = CliRunner().invoke(main, ["generate", "--help"])
    assert result.exit_code == 0 and "--ssml" not in result.output


def test_no_traceback_for_an_internal_error_either(tmp_path: Path) -> None:
    # A bug still ends in one line and exit 70 (details only behind -v).
    script = (
        "import sys, narrate.ingest as ingest\n"
        "def boom(*a, **k): raise ZeroDivisionError('boom')\n"
        "ingest.read_book = boom\n"
        "import narrate.pipeline as p; p.read_book = boom\n"
        "from narrate.cli import main\n"
        "sys.argv = ['narrate', 'script', sys.argv[1]]\n"
        "main()\n"
    )
    book = tmp_path / "b.txt"
    book.write_text("It was dark.\n")
    done = subprocess.run(
        [sys.executable, "-c", script, str(book)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 70, done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
