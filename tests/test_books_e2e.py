"""EPUB and Project Gutenberg books end to end: real chapter titles, metadata and cover in
the tags, and nothing of the licence spoken."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from conftest import EPUB_CHAPTERS, GUTENBERG, make_epub, make_png
from mutagen.id3 import ID3

from narrate.cli import main


def generate(book: Path, tmp_path: Path) -> Path:
    result = CliRunner().invoke(
        main,
        [
            "-q",
            "generate",
            str(book),
            "--out",
            str(tmp_path / "out"),
            "--cache-dir",
            str(tmp_path / "cache"),
        ],
    )
    assert result.exit_code == 0, result.output
    (folder,) = (tmp_path / "out").iterdir()
    return folder


def test_epub_chapters_titles_metadata_and_cover(tmp_path):
    folder = generate(make_epub(tmp_path / "harbour.epub"), tmp_path)
    mp3s = sorted(folder.glob("*.mp3"))
    assert len(mp3s) == 3
    for path, (title, _) in zip(mp3s, EPUB_CHAPTERS, strict=True):
        tags = ID3(path)
        assert str(tags["TIT2"]) == title
        assert str(tags["TALB"]) == "The Glass Harbour"
        assert str(tags["TPE1"]) == "Ada Quill"
        assert str(tags["TPUB"]) == "Quill Press"
        assert str(tags["TLAN"]) == "eng"
        apic = tags.getall("APIC")[0]
        assert apic.data == make_png(1, 1, (255, 0, 0)) and apic.mime == "image/png"


def test_gutenberg_text_has_its_chapters_and_no_licence_spoken(tmp_path):
    book = tmp_path / "pg99999.txt"
    book.write_text(GUTENBERG.format(first="CHAPTER I.", second="CHAPTER II."), encoding="utf-8")
    folder = generate(book, tmp_path)
    assert [ID3(p)["TIT2"].text[0] for p in sorted(folder.glob("*.mp3"))] == [
        "Chapter I: The Well",
        "Chapter II: The Market",
    ]
    assert str(ID3(next(folder.glob("*.mp3")))["TPE1"]) == "Ada Quill"
    spoken = " ".join(p.read_text(encoding="utf-8") for p in folder.glob("*.vtt"))
    script = json.loads((folder / "script.json").read_text(encoding="utf-8"))
    narrated = " ".join(s["text"] for s in script["segments"])
    for text in (spoken, narrated):
        for word in ("Gutenberg", "License", "eBook", "volunteer", "CONTENTS"):
            assert word not in text
    assert "Water is a rumour" in spoken
