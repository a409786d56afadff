"""Tests for narrate.ingest: plain text, Gutenberg, Markdown and EPUB books."""

from __future__ import annotations

import codecs
import logging
import zipfile
from pathlib import Path

import pytest
from conftest import EPUB_CHAPTERS, GUTENBERG, make_epub, make_png
from hypothesis import given, settings
from hypothesis import strategies as st

from narrate.errors import InputError
from narrate.ingest import parse_text, read_book, read_cover
from narrate.records import Book

DATA = Path(__file__).parent.parent / "data"
SAMPLE = Path(__file__).parents[2] / "samples" / "the-lamp-at-gull-point.txt"


def check_offsets(book: Book) -> None:
    """Every span is non-empty, trimmed, in order, and chapters never overlap."""
    last = 0
    assert book.chapters
    for number, chapter in enumerate(book.chapters, 1):
        assert chapter.index == number
        assert chapter.paragraphs
        for start, end in chapter.paragraphs:
            text = book.text(start, end)
            assert text and text == text.strip()
            assert start >= last
            last = end
        assert all(0 < i < len(chapter.paragraphs) for i in chapter.scene_breaks)


def paragraphs(book: Book, chapter: int = 0) -> list[str]:
    return [book.text(s, e) for s, e in book.chapters[chapter].paragraphs]


def all_text(book: Book) -> str:
    return "\n".join(book.text(s, e) for c in book.chapters for s, e in c.paragraphs)


# --- the bundled sample and the test books ---------------------------------------------


def test_sample_story() -> None:
    book = read_book(SAMPLE)
    check_offsets(book)
    assert book.title == "The Lamp at Gull Point"
    assert book.author == "Ada Quill"
    assert book.language == "en"
    assert [c.title for c in book.chapters] == [
        "Chapter 1: The Storm",
        "Chapter 2: The Long Night",
        "Chapter 3: The Morning",
    ]
    text = all_text(book)
    assert "A note from the author" not in text and "by Ada Quill" not in text
    assert "* * *" not in text
    assert [bool(c.scene_breaks) for c in book.chapters] == [False, True, False]
    assert 25 <= text.count("“") <= 35
    assert text.count("‘") == 1
    words = len(book.source.split())
    assert 900 <= words <= 1100


def test_two_chapter_book() -> None:
    book = read_book(DATA / "two-chapters.txt")
    check_offsets(book)
    assert (book.title, book.author) == ("The Red Kite", "Ada Quill")
    assert [c.title for c in book.chapters] == ["Chapter 1: The Hill", "Chapter 2: The Sky"]


def test_no_headings_book_is_one_chapter_named_after_the_file() -> None:
    book = read_book(DATA / "no-headings.txt")
    check_offsets(book)
    assert book.title == "No Headings" and book.author is None
    assert [c.title for c in book.chapters] == ["No Headings"]
    assert paragraphs(book)[0].startswith("The cat sat by the window")


# --- headings ----------------------------------------------------------------------------

BODY = "The wind rose and the boats came home one by one across the grey water."


@pytest.mark.parametrize(
    ("heading", "title"),
    [
        ("Chapter 1", "Chapter 1"),
        ("CHAPTER IV.", "Chapter IV"),
        ("Chapter Twelve: The Ship", "Chapter Twelve: The Ship"),
        ("Chapter 3 - Home", "Chapter 3: Home"),
        ("Chapter 3 — Home", "Chapter 3: Home"),
        ("CHAPTER I. THE BOY WHO LIVED", "Chapter I: The Boy Who Lived"),
        ("Chapter twenty-one", "Chapter Twenty-One"),
        ("Part One", "Part One"),
        ("BOOK TWO", "Book Two"),
        ("STAVE III.", "Stave III"),
        ("Prologue", "Prologue"),
        ("EPILOGUE", "Epilogue"),
        ("Prologue: The Fire", "Prologue: The Fire"),
        ("# The Ship", "The Ship"),
        ("## Chapter 2 - Rain", "Chapter 2: Rain"),
        ("CHAPTER\n7", "Chapter 7"),
        ("CHAPITRE III", "Chapitre III"),
        ("Kapitel 4: Der Sturm", "Kapitel 4: Der Sturm"),
        ("Capítulo 5", "Capítulo 5"),
        ("CHAPTER II.\nDown the Well", "Chapter II: Down the Well"),
    ],
)
def test_heading_forms(heading: str, title: str) -> None:
    book = parse_text(f"{BODY}\n\n{heading}\n\n{BODY}\n\n{BODY}")
    check_offsets(book)
    assert [c.title for c in book.chapters] == ["Opening", title]
    assert len(book.chapters[1].paragraphs) == 2


@pytest.mark.parametrize(
    "line", ["Chapter one was over.", "Part of the problem was the rain.", "Book two of them."]
)
def test_prose_that_starts_like_a_heading_is_prose(line: str) -> None:
    book = parse_text(f"{BODY}\n\n{line}\n\n{BODY}")
    assert len(book.chapters) == 1 and paragraphs(book)[1] == line


def test_short_title_paragraph_joins_its_heading() -> None:
    book = parse_text("CHAPTER I.\n\nThe Boy Who Lived\n\n" + BODY)
    assert [c.title for c in book.chapters] == ["Chapter I: The Boy Who Lived"]
    assert paragraphs(book) == [BODY]


def test_a_sentence_after_a_heading_is_not_its_title() -> None:
    book = parse_text("Chapter 1\n\nIt rained.\n\n" + BODY)
    assert book.chapters[0].title == "Chapter 1"
    assert paragraphs(book) == ["It rained.", BODY]


def test_bare_numerals_need_company() -> None:
    book = parse_text(f"I\n\n{BODY}\n\nII.\n\n{BODY}")
    assert [c.title for c in book.chapters] == ["Chapter I", "Chapter II"]
    single = parse_text(f"{BODY}\n\nI\n\n{BODY}")
    assert len(single.chapters) == 1 and paragraphs(single)[1] == "I"


def test_empty_chapters_and_contents_are_dropped() -> None:
    text = (
        "Contents\n\nChapter 1: Away\nChapter 2: Back\n\n"
        f"Part One\n\nChapter 1: Away\n\n{BODY}\n\nChapter 2: Back\n\n{BODY}\n\nChapter 3"
    )
    book = parse_text(text)
    check_offsets(book)
    assert [c.title for c in book.chapters] == ["Chapter 1: Away", "Chapter 2: Back"]


def test_prose_before_the_first_heading_is_an_opening_chapter() -> None:
    book = parse_text(f"{BODY}\n\nChapter 1\n\n{BODY}")
    assert [c.title for c in book.chapters] == ["Opening", "Chapter 1"]


# --- header, notes, titles ---------------------------------------------------------------


def test_header_and_note_are_not_story() -> None:
    text = f"The Gull\n\nby Ada Quill\n\nFor my sister.\n\nwritten in the winter\n\n{BODY}"
    book = parse_text(text)
    assert (book.title, book.author) == ("The Gull", "Ada Quill")
    assert paragraphs(book) == [BODY]
    assert book.chapters[0].title == "The Gull"


@pytest.mark.parametrize(
    "header",
    [
        "Title: The Gull\nAuthor: Ada Quill",
        "Title: The Gull\n\nAuthor: Ada Quill",
        "THE GULL\n\n\nby\n\nAda Quill\n\n(1901)",
        "The Gull\nby Ada Quill",
        "The Gull\n\nA Tale of the Sea\n\nBy Ada Quill.",
        "# The Gull\n\nby Ada Quill",
    ],
)
def test_header_forms(header: str) -> None:
    book = parse_text(f"{header}\n\nChapter 1\n\n{BODY}")
    assert (book.title, book.author) == ("The Gull", "Ada Quill")
    assert [c.title for c in book.chapters] == ["Chapter 1"] and paragraphs(book) == [BODY]


def test_no_header_keeps_the_first_paragraph() -> None:
    text = f"It was late.\n\nby the sea they waited.\n\n{BODY}"
    book = parse_text(text, fallback_title="Late")
    assert book.title == "Late" and book.author is None
    assert paragraphs(book) == ["It was late.", "by the sea they waited.", BODY]


def test_title_line_without_by_line_before_a_heading() -> None:
    book = parse_text(f"THE GULL\n\nChapter 1\n\n{BODY}")
    assert book.title == "The Gull" and [c.title for c in book.chapters] == ["Chapter 1"]


def test_arguments_override_the_header(tmp_path: Path) -> None:
    path = tmp_path / "my-book.txt"
    path.write_text(f"The Gull\n\nby Ada Quill\n\n{BODY}", encoding="utf-8")
    book = read_book(path, title="Another", author="Someone")
    assert (book.title, book.author) == ("Another", "Someone")
    plain = tmp_path / "my-book.txt"
    plain.write_text(BODY, encoding="utf-8")
    assert read_book(plain).title == "My Book"


# --- scene breaks -----------------------------------------------------------------------


@pytest.mark.parametrize("mark", ["* * *", "***", "#", "~~~", "—", "  *  *  *  ", "o0o", "⁂"])
def test_scene_breaks(mark: str) -> None:
    book = parse_text(f"{BODY}\n\n{mark}\n\n{BODY}\n\n{BODY}")
    check_offsets(book)
    assert len(book.chapters[0].paragraphs) == 3
    assert book.chapters[0].scene_breaks == frozenset({1})


def test_scene_breaks_at_chapter_edges_are_ignored() -> None:
    book = parse_text(f"Chapter 1\n\n* * *\n\n{BODY}\n\n* * *\n\nChapter 2\n\n{BODY}")
    assert all(not c.scene_breaks for c in book.chapters)


def test_quoted_dots_are_not_a_scene_break() -> None:
    book = parse_text(f"{BODY}\n\n“...”\n\n{BODY}")
    assert paragraphs(book)[1] == "“...”"


# --- encodings and line endings ----------------------------------------------------------

STORY = "Title Line\n\nby Ada Quill\n\nChapter 1\n\n“Où est-il?” she asked.\n\nNobody knew, café or not."


def _write(tmp_path: Path, data: bytes, name: str = "book.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_utf8_bom_is_dropped(tmp_path: Path) -> None:
    book = read_book(_write(tmp_path, codecs.BOM_UTF8 + STORY.encode()))
    assert book.source == STORY and book.title == "Title Line"
    assert paragraphs(book)[0] == "“Où est-il?” she asked."


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32(tmp_path: Path, codec: str) -> None:
    data = STORY.encode(codec)
    if codec == "utf-16-le":
        data = codecs.BOM_UTF16_LE + data
    if codec == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    book = read_book(_write(tmp_path, data))
    assert book.source == STORY
    assert paragraphs(book)[1] == "Nobody knew, café or not."


def test_bomless_utf16_is_recognised(tmp_path: Path) -> None:
    book = read_book(_write(tmp_path, STORY.encode("utf-16-le")))
    assert book.source == STORY


def test_cp1252_is_decoded_with_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = _write(tmp_path, STORY.encode("cp1252"))
    with caplog.at_level(logging.WARNING, logger="narrate"):
        book = read_book(path)
    assert book.source == STORY
    warnings = [r for r in caplog.records if r.name == "narrate"]
    assert len(warnings) == 1 and "Windows-1252" in warnings[0].getMessage()


def test_latin1_fallback(tmp_path: Path) -> None:
    # 0x81 is undefined in Windows-1252, so only Latin-1 can read this file.
    book = read_book(_write(tmp_path, BODY.encode() + b" caf\xe9 \x81."))
    assert "café" in book.source


def test_utf8_mixed_with_cp1252(tmp_path: Path) -> None:
    data = "Café “one”".encode() + b" and \x93two\x94 na\xefve."
    assert read_book(_write(tmp_path, data)).source == "Café “one” and “two” naïve."


def test_mixed_line_endings(tmp_path: Path) -> None:
    text = (
        "The Gull\r\nby Ada Quill\r\n\r\nChapter 1\r\rOne line\rstill one.\n\nTwo.\r\n \r\nThree."
    )
    book = read_book(_write(tmp_path, text.encode()))
    # Line endings are not content: CRLF and CR are read as LF.
    assert book.source == text.replace("\r\n", "\n").replace("\r", "\n")
    assert paragraphs(book) == ["One line\nstill one.", "Two.", "Three."]
    check_offsets(book)


def test_control_and_zero_width_characters_do_not_crash() -> None:
    text = f"{BODY}\x07 and\u200b more.\n\n\u200b\u200d\n\n\x0c\n\n{BODY}"
    book = parse_text(text)
    check_offsets(book)
    assert len(book.chapters[0].paragraphs) == 2


# --- errors ------------------------------------------------------------------------------


def _error(path: Path) -> str:
    with pytest.raises(InputError) as info:
        read_book(path)
    message = str(info.value)
    assert "\n" not in message and ": " in message
    return message


def test_missing_file(tmp_path: Path) -> None:
    assert _error(tmp_path / "book.txt") == "book.txt not found: check the path"


def test_directory(tmp_path: Path) -> None:
    assert "is a folder" in _error(tmp_path)


@pytest.mark.parametrize("data", [b"", b"   \n\n\t ", codecs.BOM_UTF8 + b"\n"])
def test_empty(tmp_path: Path, data: bytes) -> None:
    assert _error(_write(tmp_path, data)) == "book.txt is empty: give a text file with the story"


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "a PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "PNG"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG"),
        (b"plain start\x00\x01\x02\x00 then \x00 binary \x00\x00\x00\x03", "NUL"),
        (bytes(range(1, 9)) * 200, "control characters"),
    ],
)
def test_binary_files(tmp_path: Path, data: bytes, kind: str) -> None:
    message = _error(_write(tmp_path, data))
    assert message.startswith("book.txt looks binary") and kind in message
    assert message.endswith("convert it to plain text, EPUB or Markdown first")


def test_zip_that_is_not_an_epub(tmp_path: Path) -> None:
    path = tmp_path / "book.txt"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert "ZIP archive" in _error(path)


def test_invalid_utf8_after_a_bom(tmp_path: Path) -> None:
    message = _error(_write(tmp_path, codecs.BOM_UTF8 + b"abc \xff\xfe def"))
    assert "not valid UTF-8" in message and "re-save it as UTF-8" in message


def test_parse_text_errors() -> None:
    with pytest.raises(InputError):
        parse_text("  \n ")
    with pytest.raises(InputError, match="no story text"):
        parse_text("The Gull\n\nby Ada Quill\n\n* * *")


# --- offsets property and speed ----------------------------------------------------------

_pieces = st.sampled_from(
    [
        "Chapter 1",
        "CHAPTER II.",
        "* * *",
        "# Part",
        "Prologue",
        "by Ada",
        "The Gull",
        "\u200b",
        BODY,
        "“Hi,” she said.",
        "x",
        "  ",
        "\r\n",
        "\n",
        "\r",
        "\n\n",
        "\r\n\r\n",
        "\t",
        "I",
        "\x07",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_pieces, min_size=1, max_size=30))
def test_offsets_property(parts: list[str]) -> None:
    text = "".join(parts)
    try:
        book = parse_text(text)
    except InputError:
        return
    assert book.source == text.replace("\r\n", "\n").replace("\r", "\n")
    check_offsets(book)


def test_a_large_text_is_read_whole() -> None:
    # Its speed is measured in benchmarks/segment_speed.py; here, that nothing is lost.
    chapter = (
        "Chapter {n}\n\n" + ("“Well,” said Maren, “the lamp is lit.”\n\n" + BODY + "\n\n") * 500
    )
    text = "".join(chapter.format(n=n) for n in range(1, 101))  # about 7 MB
    book = parse_text(text)
    assert len(book.chapters) == 100
    assert {len(c.paragraphs) for c in book.chapters} == {len(book.chapters[0].paragraphs)}
    spoken = sum(
        book.source[s:e].count("the lamp is lit") for c in book.chapters for s, e in c.paragraphs
    )
    assert spoken == text.count("the lamp is lit") == 50_000


# --- Project Gutenberg -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "titles"),
    [
        ("CHAPTER I.", "CHAPTER II.", ["Chapter I: The Well", "Chapter II: The Market"]),
        ("Chapter 1", "Chapter 2", ["Chapter 1: The Well", "Chapter 2: The Market"]),
        ("STAVE I.", "STAVE II.", ["Stave I: The Well", "Stave II: The Market"]),
        ("BOOK ONE", "BOOK TWO", ["Book One: The Well", "Book Two: The Market"]),
        ("I.", "II.", ["Chapter I: The Well", "Chapter II: The Market"]),
    ],
)
def test_gutenberg_text(tmp_path: Path, first: str, second: str, titles: list[str]) -> None:
    path = tmp_path / "pg99999.txt"
    path.write_text(GUTENBERG.format(first=first, second=second), encoding="utf-8")
    book = read_book(path)
    check_offsets(book)
    assert [c.title for c in book.chapters] == titles
    assert (book.title, book.author) == ("The Salt Road and Other Journeys", "Ada Quill")
    assert book.language == "en" and book.metadata["year"] == "2004"
    text = all_text(book)
    for word in ("Gutenberg", "License", "Produced by", "CONTENTS", "By Ada Quill"):
        assert word not in text
    assert paragraphs(book)[0].startswith("The well at the end")
    assert paragraphs(book, 1)[-1] == "THE END"


def test_gutenberg_old_footer_and_language() -> None:
    text = (
        "The Project Gutenberg EBook of Le Puits, by Ada Quill\n\nLanguage: French\n\n"
        "*** START OF THIS PROJECT GUTENBERG EBOOK LE PUITS ***\n\n"
        "CHAPITRE PREMIER\n\nLe puits était sec depuis onze étés.\n\n"
        "End of the Project Gutenberg EBook of Le Puits, by Ada Quill\n\nLicence text here."
    )
    book = parse_text(text)
    assert (book.title, book.author, book.language) == ("Le Puits", "Ada Quill", "fr")
    assert "Licence" not in all_text(book) and "End of" not in all_text(book)


# --- Markdown ----------------------------------------------------------------------------

MARKDOWN = """---
title: Le Port de Verre
author: Ada Quill
language: fr-FR
publisher: Quill Press
date: 2020-01-02
isbn: 978-0-00-000000-2
description: Une petite histoire.
cover: cover.png
---

<!-- a comment the reader never hears -->

# Le Départ

Elle a dit *bonjour* et **au revoir**, puis elle a lu [le livre](http://example.com)
avec soin.![une image](img.png) Il a ri.[^1] C'est `vrai` et ~~faux~~ \\*ici\\*.

***

La mer était _calme_ ce matin-là, et snake_case_word reste intact.

[^1]: Une note de bas de page.
[ref]: http://example.com

Le Retour
=========

> “Tu reviens?” demanda-t-il.

- Un point de liste, avec des mots.
"""


def test_markdown_book(tmp_path: Path) -> None:
    (tmp_path / "cover.png").write_bytes(make_png(1, 1, (255, 0, 0)))
    path = tmp_path / "port.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    book = read_book(path)
    check_offsets(book)
    assert (book.title, book.author, book.language) == ("Le Port de Verre", "Ada Quill", "fr")
    assert book.metadata["publisher"] == "Quill Press" and book.metadata["year"] == "2020"
    assert book.metadata["isbn"] == "978-0-00-000000-2"
    assert [c.title for c in book.chapters] == ["Le Départ", "Le Retour"]
    assert paragraphs(book) == [
        (
            "Elle a dit bonjour et au revoir, puis elle a lu le livre avec soin. Il a ri. "
            "C'est vrai et faux *ici*."
        ),
        "La mer était calme ce matin-là, et snake_case_word reste intact.",
    ]
    assert book.chapters[0].scene_breaks == frozenset({1})
    assert paragraphs(book, 1) == [
        "“Tu reviens?” demanda-t-il.",
        "Un point de liste, avec des mots.",
    ]
    assert read_cover(path) == (make_png(1, 1, (255, 0, 0)), "image/png")


def test_markdown_title_heading_and_levels() -> None:
    from narrate.ingest.markdown import parse_markdown

    text = f"# The Gull\n\nby Ada Quill\n\n## One\n\n{BODY}\n\n### A Scene\n\n{BODY}\n\n## Two\n\n{BODY}"
    book = parse_markdown(text)
    assert (book.title, book.author) == ("The Gull", "Ada Quill")
    assert [c.title for c in book.chapters] == ["One", "Two"]
    assert paragraphs(book) == [BODY, "A Scene", BODY]
    deeper = parse_markdown(text, heading_level=3)
    assert [c.title for c in deeper.chapters] == ["Opening", "A Scene"]
    flat = parse_markdown(f"{BODY}\n\n---\n\n{BODY}", fallback_title="Flat")
    assert [c.title for c in flat.chapters] == ["Flat"] and flat.chapters[0].scene_breaks == {1}


# --- EPUB --------------------------------------------------------------------------------


@pytest.mark.parametrize("nav", [True, False], ids=["epub3-nav", "ncx-only"])
def test_epub_book(tmp_path: Path, nav: bool) -> None:
    path = make_epub(tmp_path / "harbour.epub", nav=nav)
    book = read_book(path)
    check_offsets(book)
    assert (book.title, book.author, book.language) == ("The Glass Harbour", "Ada Quill", "en")
    assert [c.title for c in book.chapters] == [name for name, _ in EPUB_CHAPTERS]
    assert paragraphs(book) == [
        "The first words of the tide turns.",
        "“Hello,” said Maren.",
        "After the break & all.",
    ]
    assert all(c.scene_breaks == frozenset({2}) for c in book.chapters)
    text = all_text(book)
    for unwanted in ("Copyright", "footnote", "gulls", "1."):
        assert unwanted not in text
    assert book.metadata == {
        "language": "en-GB",
        "publisher": "Quill Press",
        "date": "2021-05-04",
        "year": "2021",
        "description": "A small test book.",
        "isbn": "9780000000002",
    }
    assert read_cover(path) == (make_png(1, 1, (255, 0, 0)), "image/png")


def test_epub_front_matter_and_continued_pages(tmp_path: Path) -> None:
    path = make_epub(tmp_path / "harbour.epub", split=True)
    book = read_book(path, include_front_matter=True, title="Other")
    assert book.title == "Other"
    assert [c.title for c in book.chapters] == ["Copyright"] + [name for name, _ in EPUB_CHAPTERS]
    assert paragraphs(book, 3)[-1] == "The third chapter goes on here."


def test_epub_errors(tmp_path: Path) -> None:
    fake = _write(tmp_path, b"not a zip at all", "fake.epub")
    assert "not a valid EPUB" in _error(fake)
    broken = tmp_path / "broken.epub"
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("mimetype", "application/epub+zip")
        archive.writestr("META-INF/container.xml", "<container>")
    assert "not a readable EPUB" in _error(broken)
    assert read_cover(_write(tmp_path, b"plain", "plain.txt")) is None


def test_epub_chapters_sharing_one_page(tmp_path: Path) -> None:
    epub = pytest.importorskip("ebooklib.epub")
    book = epub.EpubBook()
    book.set_identifier("anchors")
    book.set_title("Anchors")
    book.set_language("en")
    page = epub.EpubHtml(title="All", file_name="text/all.xhtml")
    page.content = (
        '<html><body><section id="one"><h2>One</h2><p>First part text.</p></section>'
        '<section id="two"><h2>Two</h2><p>Second part text.</p><p>More of it.</p></section>'
        "</body></html>"
    )
    book.add_item(page)
    book.toc = [
        epub.Link("text/all.xhtml#one", "The First", "a"),
        epub.Link("text/all.xhtml#two", "The Second", "b"),
    ]
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["nav", page]
    path = tmp_path / "anchors.epub"
    epub.write_epub(str(path), book)
    result = read_book(path)
    check_offsets(result)
    assert [c.title for c in result.chapters] == ["The First", "The Second"]
    assert paragraphs(result, 1) == ["Second part text.", "More of it."]
    assert read_cover(path) is None


_OPF2 = """<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="2.0" unique-identifier="bookid">
 <metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf">
  <dc:title>Der Leuchtturm</dc:title>
  <dc:creator opf:role="aut">Ada Quill</dc:creator>
  <dc:creator opf:role="trl">Some Translator</dc:creator>
  <dc:language>de</dc:language>
  <dc:identifier id="bookid" opf:scheme="ISBN">0-306-40615-2</dc:identifier>
  <meta name="cover" content="cover-image"/>
 </metadata>
 <manifest>
  <item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>
  <item id="cover-page" href="cover.xhtml" media-type="application/xhtml+xml"/>
  <item id="title-page" href="front.xhtml" media-type="application/xhtml+xml"/>
  <item id="c1" href="c1.xhtml" media-type="application/xhtml+xml"/>
  <item id="c2" href="c2.xhtml" media-type="application/xhtml+xml"/>
  <item id="cover-image" href="images/front.jpg" media-type="image/jpeg"/>
 </manifest>
 <spine toc="ncx">
  <itemref idref="cover-page"/><itemref idref="title-page"/>
  <itemref idref="c1"/><itemref idref="c2"/>
 </spine>
 <guide>
  <reference type="cover" href="cover.xhtml" title="Cover"/>
  <reference type="title-page" href="front.xhtml" title="Title"/>
 </guide>
</package>"""

_NCX = """<?xml version="1.0" encoding="utf-8"?>
<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1"><navMap>
 <navPoint id="p1"><navLabel><text>Erstes Kapitel</text></navLabel><content src="c1.xhtml"/></navPoint>
 <navPoint id="p2"><navLabel><text>Zweites Kapitel</text></navLabel><content src="c2.xhtml"/></navPoint>
</navMap></ncx>"""

_PAGE = '<html xmlns="http://www.w3.org/1999/xhtml"><body>{}</body></html>'
_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def test_handwritten_epub2(tmp_path: Path) -> None:
    pytest.importorskip("ebooklib")
    path = tmp_path / "leuchtturm.epub"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        archive.writestr(
            "META-INF/container.xml",
            '<?xml version="1.0"?><container version="1.0" '
            'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
            '<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
            "</rootfiles></container>",
        )
        archive.writestr("OEBPS/content.opf", _OPF2)
        archive.writestr("OEBPS/toc.ncx", _NCX)
        archive.writestr("OEBPS/cover.xhtml", _PAGE.format('<img src="images/front.jpg"/>'))
        archive.writestr("OEBPS/front.xhtml", _PAGE.format("<h1>Der Leuchtturm</h1><p>Ada</p>"))
        archive.writestr("OEBPS/c1.xhtml", _PAGE.format("<h2>I</h2><p>Der Wind kam auf.</p>"))
        archive.writestr("OEBPS/c2.xhtml", _PAGE.format("<p>Die Lampe brannte.</p>"))
        archive.writestr("OEBPS/images/front.jpg", _JPEG)
    book = read_book(path)
    check_offsets(book)
    assert (book.title, book.author, book.language) == ("Der Leuchtturm", "Ada Quill", "de")
    assert [c.title for c in book.chapters] == ["Erstes Kapitel", "Zweites Kapitel"]
    assert paragraphs(book) == ["Der Wind kam auf."]
    assert book.metadata["isbn"] == "0306406152"
    assert read_cover(path) == (_JPEG, "image/jpeg")


def test_html_to_blocks() -> None:
    from narrate.ingest.html_text import html_to_blocks

    markup = (
        "<html><head><title>Not story</title><style>p {}</style></head><body>"
        '<h1 epub:type="title">Three</h1>'
        '<p>One two <span id="page12"/>three <span epub:type="pagebreak">13</span>four.'
        '<a href="#fn1" id="r1"><sup>[1]</sup></a></p>'
        '<p class="scene-break"></p>'
        "<div><p>Line one<br/>line two &amp; more.</p></div>"
        '<p><img src="a.png" alt="a map of the coast"/>A <em>real</em> word.</p>'
        '<section epub:type="footnotes"><p id="fn1">1. The note.</p></section>'
        "</body></html>"
    )
    doc = html_to_blocks(markup)
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("heading", "Three"),
        ("text", "One two three four."),
        ("break", ""),
        ("text", "Line one\nline two & more."),
        ("text", "A real word."),
    ]
    assert "footnotes" not in doc.types
