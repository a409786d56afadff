"""The book's folder: named after its title in any script, its own and no other book's;
its manifest and lock are untrusted, and a user's file is overwritten only with --force.
Through the CLI (`python -m narrate`, so warnings show as a user sees them).
"""

from __future__ import annotations

import json
import sys
import unicodedata
from pathlib import Path

import pytest
from conftest import Run, decodes_cleanly, run_narrate

from narrate.outdir import slug

BOOK = "The lamp was lit at dusk. The keeper climbed the stair.\n"  # titled "Lamp", after lamp.txt


class Shelf:
    """Books under tmp_path/in, output under tmp_path/out, the module's cache."""

    def __init__(self, root: Path, cache: Path) -> None:
        self.root = root
        self.out = root / "out"
        self.cache = cache
        (root / "in").mkdir()

    def book(self, name: str, text: str = BOOK) -> Path:
        path = self.root / "in" / name
        path.write_text(text, encoding="utf-8")
        return path

    def generate(self, book: Path, *extra: str) -> Run:
        args = ["generate", str(book), "--out", str(self.out), "--cache-dir", str(self.cache)]
        done = run_narrate(*args, "-j", "1", "--no-credits", *extra)
        assert "Traceback" not in done.stderr, done.stderr
        return done


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for the module's runs: what they test is the output folder."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture
def shelf(tmp_path: Path, cache: Path) -> Shelf:
    return Shelf(tmp_path, cache)


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


# --- 9. folder names ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("The Red Kite", "the-red-kite"),
        ("Война и мир", "война-и-мир"),
        ("战争与和平", "战争与和平"),
        ("الحرب والسلام", "الحرب-والسلام"),
        ("हिन्दी कहानी", "हिन्दी-कहानी"),  # the vowel signs stay with their letters
        ("Ｆｕｌｌ　Ｗｉｄｔｈ", "full-width"),  # NFKC
        ("Cafe\u0301 Cre\u0300me", "café-crème"),  # composed
        ("../../../../tmp/evil", "tmp-evil"),
        ("CON", "con-book"),
        ("\u202e\u200b!!!", "book"),
        ("", "book"),
    ],
)
def test_folder_names_keep_letters_of_every_script(title: str, name: str) -> None:
    assert slug(title) == name
    assert unicodedata.is_normalized("NFC", slug(title))


def test_a_long_title_is_cut_by_bytes_between_words() -> None:
    title = "The Long Road to the Sea, or a Tale of " + "Very " * 40 + "Long Roads"
    name = slug(title)
    assert len(name) > 60 and len(name.encode("utf-8")) <= 120
    assert name.startswith("the-long-road-to-the-sea-or-a-tale-of-very-") and name.endswith("very")
    cyrillic = slug("Долгая дорога " * 20)  # two bytes a letter
    assert len(cyrillic.encode("utf-8")) <= 120 and len(cyrillic) > 55
    assert set(cyrillic.split("-")) == {"долгая", "дорога"}  # whole words only


def test_books_titled_in_other_scripts_get_folders_of_their_own(shelf: Shelf) -> None:
    book = shelf.book("lamp.txt")
    for title in ("Война и мир", "战争与和平"):
        assert shelf.generate(book, "-q", "--title", title).code == 0
    folders = sorted(p.name for p in shelf.out.iterdir())
    assert folders == sorted(["война-и-мир", "战争与和平"])
    for folder in shelf.out.iterdir():
        assert [decodes_cleanly(mp3) > 1.0 for mp3 in folder.glob("*.mp3")] == [True]


def test_another_book_with_the_same_folder_name_goes_beside_it(shelf: Shelf) -> None:
    first = shelf.book("lamp.txt")
    assert shelf.generate(first, "-q").code == 0
    mine = shelf.out / "lamp"
    before = files(mine)
    other = shelf.book("other.txt", "A quite different story, told at noon.\n")
    assert shelf.generate(other, "-q", "--title", "LAMP!").code == 0
    assert files(mine) == before  # the first book is untouched
    beside = shelf.out / "lamp-2"
    assert json.loads((beside / "script.json").read_text())["book"]["title"] == "LAMP!"
    assert [decodes_cleanly(mp3) > 1.0 for mp3 in beside.glob("*.mp3")] == [True]
    # Each book goes on finding its own folder.
    assert shelf.generate(first, "-q").code == 0 and files(mine) == before
    assert shelf.generate(other, "-q", "--title", "LAMP!").code == 0
    assert sorted(p.name for p in shelf.out.iterdir()) == ["lamp", "lamp-2"]


def test_a_users_file_with_an_outputs_name_is_kept_without_force(shelf: Shelf) -> None:
    book = shelf.book("lamp.txt")
    folder = shelf.out / "lamp"
    folder.mkdir(parents=True)
    (folder / "script.json").write_text("my own notes", encoding="utf-8")
    refused = shelf.generate(book)
    assert refused.code == 5 and len(refused.lines) == 1, refused.stderr
    assert "script.json" in refused.lines[0] and "--force" in refused.lines[0]
    assert (folder / "script.json").read_text() == "my own notes"
    assert not list(folder.glob("*.mp3"))
    forced = shelf.generate(book, "-q", "--force")
    assert forced.code == 0, forced.stderr
    assert json.loads((folder / "script.json").read_text())["book"]["title"] == "Lamp"
    # Written by narrate now: the next run needs no --force.
    assert shelf.generate(book, "-q").code == 0


def test_a_folder_written_before_manifests_listed_files_is_still_narrates(
    shelf: Shelf,
) -> None:
    book = shelf.book("lamp.txt")
    assert shelf.generate(book, "-q").code == 0
    manifest = shelf.out / "lamp" / ".narrate.json"
    data = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({"outputs": data["outputs"]}), encoding="utf-8")
    rerun = shelf.generate(book, "-q", "--no-credits", "--loudness", "-20")
    assert rerun.code == 0, rerun.stderr
    assert sorted(json.loads(manifest.read_text())["files"]) == sorted(
        p.name for p in manifest.parent.iterdir() if not p.name.startswith(".")
    )


# --- 8. the manifest and the lock are untrusted ----------------------------------------------


def test_a_crafted_manifest_deletes_nothing_outside_the_folder(shelf: Shelf) -> None:
    book = shelf.book("lamp.txt")
    folder = shelf.out / "lamp"
    folder.mkdir(parents=True)
    victims = [shelf.root / f"victim{suffix}" for suffix in (".mp3", ".vtt", ".srt")]
    for victim in victims:
        victim.write_text("precious", encoding="utf-8")
    hostile = {
        "../../victim": {"key": "x", "duration": 1.0},
        str(shelf.root / "victim"): {"key": "x", "duration": 1.0},
        "..": {"key": "x"},
        "sub/../../../victim": {"key": "x"},
    }
    (folder / ".narrate.json").write_text(
        json.dumps({"outputs": hostile, "files": ["../../victim.mp3", 7, ["x"]]}),
        encoding="utf-8",
    )
    run = shelf.generate(book)
    assert run.code == 0, run.stderr
    assert [v.read_text() for v in victims] == ["precious"] * 3
    warned = [line for line in run.lines if ".narrate.json" in line]
    assert len(warned) == 1 and "ignored" in warned[0], run.stderr
    assert [decodes_cleanly(mp3) > 1.0 for mp3 in folder.glob("*.mp3")] == [True]


@pytest.mark.parametrize("garbage", ["[1, 2]", '{"outputs": [1]}', '{"outputs": {"a": 5}}', "{"])
def test_a_manifest_of_the_wrong_shape_is_ignored(shelf: Shelf, garbage: str) -> None:
    book = shelf.book("lamp.txt")
    folder = shelf.out / "lamp"
    folder.mkdir(parents=True)
    (folder / ".narrate.json").write_text(garbage, encoding="utf-8")
    assert shelf.generate(book, "-q").code == 0
    assert len(list(folder.glob("*.mp3"))) == 1


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges there")
@pytest.mark.parametrize("dangling", [False, True])
def test_a_lock_that_is_a_symbolic_link_is_not_followed(shelf: Shelf, dangling: bool) -> None:
    book = shelf.book("lamp.txt")
    folder = shelf.out / "lamp"
    folder.mkdir(parents=True)
    target = shelf.root / "target.txt"
    if not dangling:
        target.write_text("keep me", encoding="utf-8")
    (folder / ".narrate.lock").symlink_to(target)
    run = shelf.generate(book)
    assert run.code == 0, run.stderr
    assert [line for line in run.lines if "symbolic link" in line], run.stderr
    if dangling:
        assert not target.exists()  # never created through the link
    else:
        assert target.read_text() == "keep me"
    assert not (folder / ".narrate.lock").is_symlink()
    assert len(list(folder.glob("*.mp3"))) == 1
