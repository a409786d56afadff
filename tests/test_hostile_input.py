"""Hostile input, round two: files that grow when read, covers, line endings, bracket runs.

Each case runs through the CLI. The ones that would exhaust memory run narrate
in a subprocess under an address-space limit a normal run fits in easily, so a
regression fails the test instead of the machine.
"""

from __future__ import annotations

import functools
import logging
import random
import re
import resource
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import GUTENBERG, error_line, make_png
from mutagen.id3 import ID3

from narrate.cli import main
from narrate.ingest import epub_package, images, read_cover
from narrate.tts import default_engine
from narrate.tts.espeak import library as espeak_lib
from narrate.tts.lexicon import apply_lexicon

STORY = 'The wind rose over the harbour. "Bring the boats in," said Maren.\n\nThey ran.\n'
MEMORY_MB = 1024  # a whole `narrate generate` of a short book fits in 600 MB


def narrate(*args: str, quiet: bool = True) -> Result:
    """Run narrate in this process; its warnings, without ``quiet``, reach ``caplog``."""
    return CliRunner().invoke(main, [*(["-q"] if quiet else []), *args])


def bounded(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`python -m narrate ARGS` with its address space capped at MEMORY_MB."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_MB << 20, MEMORY_MB << 20))

    return subprocess.run(
        [sys.executable, "-m", "narrate", "-q", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        preexec_fn=limit,
        timeout=120,
        check=False,
    )


def one_line(done: subprocess.CompletedProcess[str], code: int, *words: str) -> str:
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == code, (done.returncode, done.stderr[-2000:])
    assert len(lines) == 1 and lines[0].startswith("narrate: "), done.stderr[-2000:]
    for word in words:
        assert word.lower() in lines[0].lower(), (word, lines[0])
    return lines[0]


# --- 1 and 4: YAML that grows or nests without bound ----------------------------------------


def laughs(levels: int = 9, width: int = 9) -> list[str]:
    """The "billion laughs": each anchor holds ``width`` aliases of the one before."""
    rows = ['a0: &a0 "lol"']
    for n in range(1, levels + 1):
        rows.append(f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * width)}]")
    return rows


def test_alias_bomb_in_voices_yaml_is_refused(tmp_path: Path) -> None:
    text = "\n".join(laughs()) + "\nlexicon:\n  *a9 : x\n"  # the alias as a lexicon key
    assert len(text) < 600  # a few hundred bytes that would expand to 387 million values
    (tmp_path / "voices.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "story.txt").write_text(STORY, encoding="utf-8")
    done = bounded("script", "story.txt", "--voices", "voices.yaml", cwd=tmp_path)
    one_line(done, 3, "voices.yaml:", "aliases", "write the values out")


def test_alias_bomb_in_markdown_front_matter_is_refused(tmp_path: Path) -> None:
    front = "\n".join(laughs()) + "\ntitle: *a9\n"
    (tmp_path / "story.md").write_text(f"---\n{front}---\n\n# One\n\n{STORY}", encoding="utf-8")
    done = bounded("script", "story.md", cwd=tmp_path)
    # The line is the file's own: the alias that tips it over, past the opening '---'.
    one_line(done, 2, "story.md (front matter):", "aliases")


def test_alias_bomb_in_a_script_file_is_refused(tmp_path: Path) -> None:
    script = "\n".join(laughs()) + '\nlines:\n  - {text: "Bring the boats in,", speaker: *a9}\n'
    (tmp_path / "script.yaml").write_text(script, encoding="utf-8")
    (tmp_path / "story.txt").write_text(STORY, encoding="utf-8")
    done = bounded("generate", "story.txt", "--script", "script.yaml", "--out", "out", cwd=tmp_path)
    one_line(done, 3, "script.yaml:", "aliases")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.mp3"))


def test_aliases_within_bounds_still_work(tmp_path: Path) -> None:
    voices = tmp_path / "voices.yaml"
    voices.write_text(
        "narrator: &calm\n  voice: en-gb\n  rate: 160\n"
        "pools:\n  male: &men [en-us+m3, en-gb+m1]\n  unknown: *men\n",
        encoding="utf-8",
    )
    book = tmp_path / "story.txt"
    book.write_text(STORY, encoding="utf-8")
    result = narrate("cast", str(book), "--voices", str(voices))
    assert result.exit_code == 0, result.output


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("shape", ["flow", "block"])
def test_voices_yaml_nested_thousands_deep(tmp_path: Path, shape: str) -> None:
    if shape == "flow":
        text = f"lexicon:\n  x: {_nested(5000)}\n"
    else:
        text = "".join(f"{'  ' * i}k{i}:\n" for i in range(3000))
    voices = tmp_path / "voices.yaml"
    voices.write_text(text, encoding="utf-8")
    book = tmp_path / "story.txt"
    book.write_text(STORY, encoding="utf-8")
    line = error_line(narrate("script", str(book), "--voices", str(voices)), 3, "nested")
    assert re.search(r"voices\.yaml:\d+: ", line), line


def test_markdown_front_matter_nested_thousands_deep(tmp_path: Path) -> None:
    book = tmp_path / "story.md"
    book.write_text(f"---\ntitle: {_nested(5000)}\n---\n\n# One\n\n{STORY}", encoding="utf-8")
    error_line(narrate("script", str(book)), 2, "story.md (front matter):2:", "nested")


def test_markdown_front_matter_that_is_not_yaml_is_still_read(tmp_path: Path) -> None:
    # Two rules around prose are not front matter: the words are kept, not refused.
    book = tmp_path / "story.md"
    book.write_text('---\nShe said: "no: never".\n---\n\nThe end came.\n', encoding="utf-8")
    result = narrate("script", str(book))
    assert result.exit_code == 0, result.output
    assert "never" in result.stdout and "The end came." in result.stdout


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ("lines:\n  - text: Caf\xe9\n".encode("latin-1"), ("script.yaml", "not utf-8")),
        (b"lines:\n  - text: [unclosed\n", ("script.yaml:", "yaml syntax")),
        (b"lines:\n  - !!python/object/apply:os.system [echo]\n", ("script.yaml:2", "tag")),
        (
            b"lines:\n  - text: They ran.\n    speaker: !!int abc\n",
            ("script.yaml:3", "cannot read"),
        ),
    ],
    ids=["latin-1", "syntax", "code-tag", "bad-int"],
)
def test_bad_script_file_is_a_config_problem(tmp_path: Path, data: bytes, words: tuple) -> None:
    script = tmp_path / "script.yaml"
    script.write_bytes(data)
    book = tmp_path / "story.txt"
    book.write_text(STORY, encoding="utf-8")
    out = tmp_path / "out"
    result = narrate("generate", str(book), "--script", str(script), "--out", str(out))
    error_line(result, 3, *words)
    assert not list(out.rglob("*.mp3"))


# --- 2 and 11: EPUBs that inflate, and encrypted ones ----------------------------------------

_CONTAINER = (
    '<?xml version="1.0"?><container version="1.0" '
    'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
    '<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
    "</rootfiles></container>"
)
_OPF = """<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">
 <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
  <dc:title>The Zipped Harbour</dc:title><dc:creator>Ada Quill</dc:creator>
  <dc:language>en</dc:language>
 </metadata>
 <manifest>
  <item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
  <item id="css" href="style.css" media-type="text/css"/>
  <item id="c1" href="c1.xhtml" media-type="application/xhtml+xml"/>
  <item id="c2" href="c2.xhtml" media-type="application/xhtml+xml"/>
 </manifest>
 <spine><itemref idref="c1"/><itemref idref="c2"/></spine>
</package>"""
_NAV = (
    '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">'
    '<body><nav epub:type="toc"><ol><li><a href="c1.xhtml">The Tide</a></li>'
    '<li><a href="c2.xhtml">The Lamp</a></li></ol></nav></body></html>'
)


def _page(text: str) -> str:
    return f'<html xmlns="http://www.w3.org/1999/xhtml"><body><p>{text}</p></body></html>'


@functools.lru_cache(maxsize=2)
def _zeros(size: int) -> tuple[bytes, int]:
    """A raw deflate stream of ``size`` zero bytes (a multiple of 1 MiB), and its CRC-32.

    Cheap: a full flush resets the compressor, so every mebibyte deflates to the
    same bytes; the stream is that block repeated, then an empty final block.
    """
    mib = b"\0" * 2**20
    squeeze = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = squeeze.compress(mib) + squeeze.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(size // 2**20):
        crc = zlib.crc32(mib, crc)
    return block * (size // 2**20) + b"\x03\x00", crc


def write_epub(path: Path, members: dict[str, bytes | tuple[bytes, int, int]]) -> Path:
    """A ZIP written by hand, so a member may be a ready deflate stream (data, size, crc)."""
    local, central = b"", b""
    for name, body in members.items():
        raw = name.encode()
        if isinstance(body, tuple):
            data, size, crc = body
            method = 8
        else:
            stored = name == "mimetype"
            data = body if stored else zlib.compress(body, 6)[2:-4]
            size, crc, method = len(body), zlib.crc32(body), 0 if stored else 8
        fields = struct.pack("<HHHHHIII", 20, 0, method, 0, 0x21, crc, len(data), size)
        central += (
            struct.pack("<IH", 0x02014B50, 20)
            + fields
            + struct.pack("<HHHHHII", len(raw), 0, 0, 0, 0, 0, len(local))
            + raw
        )
        local += struct.pack("<I", 0x04034B50) + fields + struct.pack("<HH", len(raw), 0) + raw
        local += data
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(local), 0
    )
    path.write_bytes(local + central + end)
    return path


def epub_members(**extra: bytes | tuple[bytes, int, int]) -> dict[str, bytes | tuple]:
    members: dict[str, bytes | tuple] = {
        "mimetype": b"application/epub+zip",
        "META-INF/container.xml": _CONTAINER.encode(),
        "OEBPS/content.opf": _OPF.encode(),
        "OEBPS/nav.xhtml": _NAV.encode(),
        "OEBPS/style.css": b"p { margin: 0 }",
        "OEBPS/c1.xhtml": _page('"Bring the boats in," said Maren.').encode(),
        "OEBPS/c2.xhtml": _page("The lamp burned all night.").encode(),
    }
    members.update(extra)
    return members


def test_epub_is_read_with_the_hand_written_zip(tmp_path: Path) -> None:
    book = write_epub(tmp_path / "harbour.epub", epub_members())
    result = narrate("script", str(book))
    assert result.exit_code == 0, result.output
    assert "## The Tide" in result.stdout and "## The Lamp" in result.stdout


def test_a_style_sheet_that_inflates_to_a_gigabyte_is_never_read(tmp_path: Path) -> None:
    # 1 MB on disk, 1 GiB inflated: the style sheet is not needed, so it is not inflated.
    bomb = _zeros(2**30)
    write_epub(
        tmp_path / "harbour.epub", epub_members(**{"OEBPS/style.css": (bomb[0], 2**30, bomb[1])})
    )
    assert (tmp_path / "harbour.epub").stat().st_size < 2_000_000
    done = bounded("script", "harbour.epub", cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "The lamp burned all night." in done.stdout


def test_a_page_that_inflates_to_a_gigabyte_is_refused(tmp_path: Path) -> None:
    bomb = _zeros(2**30)
    write_epub(
        tmp_path / "harbour.epub", epub_members(**{"OEBPS/c2.xhtml": (bomb[0], 2**30, bomb[1])})
    )
    done = bounded("script", "harbour.epub", cwd=tmp_path)
    one_line(done, 2, "harbour.epub", "OEBPS/c2.xhtml", "zip bomb", "64 MB")


def test_epub_caps_on_each_member_and_on_the_total(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pages = {f"OEBPS/c{n}.xhtml": _page("word " * 30_000).encode() for n in (1, 2)}  # 150 kB each
    book = write_epub(tmp_path / "harbour.epub", epub_members(**pages))
    assert narrate("script", str(book)).exit_code == 0
    monkeypatch.setattr(epub_package, "MAX_MEMBER_BYTES", 100_000)
    error_line(narrate("script", str(book)), 2, "OEBPS/c1.xhtml", "zip bomb")
    monkeypatch.setattr(epub_package, "MAX_MEMBER_BYTES", 200_000)
    monkeypatch.setattr(epub_package, "MAX_TOTAL_BYTES", 250_000)
    error_line(narrate("script", str(book)), 2, "the parts narration reads", "zip bomb")


def test_a_member_larger_than_the_zip_says_is_not_read_past_its_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The index claims 1 kB; the stream holds 1 MiB of zeros: reading stops at the cap.
    bomb = _zeros(2**20)
    write_epub(tmp_path / "liar.epub", epub_members(**{"OEBPS/c2.xhtml": (bomb[0], 1000, bomb[1])}))
    monkeypatch.setattr(epub_package, "MAX_MEMBER_BYTES", 4000)
    error_line(narrate("script", str(tmp_path / "liar.epub")), 2, "liar.epub")


_ENCRYPTION = (
    "<?xml version='1.0'?><encryption xmlns='urn:oasis:names:tc:opendocument:xmlns:container' "
    "xmlns:enc='http://www.w3.org/2001/04/xmlenc#'><enc:EncryptedData>"
    "<enc:EncryptionMethod Algorithm='http://www.w3.org/2001/04/xmlenc#aes128-cbc'/>"
    "<enc:CipherData><enc:CipherReference URI='{uri}'/></enc:CipherData>"
    "</enc:EncryptedData></encryption>"
)


@pytest.mark.parametrize("quote", ["'", '"'], ids=["single-quotes", "double-quotes"])
def test_encrypted_epub_is_refused(tmp_path: Path, quote: str) -> None:
    xml = _ENCRYPTION.format(uri="OEBPS/c1.xhtml").replace("'", quote)
    book = write_epub(
        tmp_path / "locked.epub", epub_members(**{"META-INF/encryption.xml": xml.encode()})
    )
    error_line(narrate("script", str(book)), 2, "locked.epub", "DRM", "DRM-free copy")


def test_epub_with_only_obfuscated_fonts_is_read(tmp_path: Path) -> None:
    xml = _ENCRYPTION.format(uri="OEBPS/fonts/serif.otf")
    book = write_epub(
        tmp_path / "fonts.epub", epub_members(**{"META-INF/encryption.xml": xml.encode()})
    )
    result = narrate("script", str(book))
    assert result.exit_code == 0, result.output
    assert "The lamp burned all night." in result.stdout


# --- 3 and 10: covers ------------------------------------------------------------------------


def sparse_jpeg(path: Path, size: int) -> Path:
    """A JPEG's first bytes, then a hole: ``size`` bytes long, next to nothing on disk."""
    with path.open("wb") as handle:
        handle.write(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
        handle.truncate(size)
    return path


def test_two_gigabyte_cover_in_voices_yaml_is_refused(tmp_path: Path) -> None:
    sparse_jpeg(tmp_path / "cover.jpg", 2 * 2**30)
    (tmp_path / "voices.yaml").write_text("book:\n  cover: cover.jpg\n", encoding="utf-8")
    (tmp_path / "story.txt").write_text(STORY, encoding="utf-8")
    done = bounded("generate", "story.txt", "--voices", "voices.yaml", "--out", "out", cwd=tmp_path)
    one_line(done, 3, "voices.yaml:2: book.cover", "2048.0 MB", "20.0 MB")
    assert not list((tmp_path / "out").rglob("*.mp3"))


@pytest.mark.parametrize(
    ("content", "words"),
    [(None, ("300.0 MB", "smaller")), (b"GIF89a" + bytes(40), ("not a jpeg or png",))],
    ids=["huge", "gif"],
)
def test_bad_cover_option_is_refused_before_it_is_read(
    tmp_path: Path, content: bytes | None, words: tuple[str, ...]
) -> None:
    cover = tmp_path / "cover.jpg"
    if content is None:
        sparse_jpeg(cover, 300 * 2**20)
    else:
        cover.write_bytes(content)
    book = tmp_path / "story.txt"
    book.write_text(STORY, encoding="utf-8")
    out = tmp_path / "out"
    result = narrate("generate", str(book), "--cover", str(cover), "--out", str(out))
    error_line(result, 2, "the cover", "cover.jpg", *words)
    assert not list(out.rglob("*.mp3"))


def test_non_image_cover_in_voices_yaml_is_a_config_problem(tmp_path: Path) -> None:
    (tmp_path / "cover.jpg").write_text("not an image", encoding="utf-8")
    voices = tmp_path / "voices.yaml"
    voices.write_text("narrator: en-gb\nbook:\n  cover: cover.jpg\n", encoding="utf-8")
    book = tmp_path / "story.txt"
    book.write_text(STORY, encoding="utf-8")
    result = narrate("generate", str(book), "--voices", str(voices), "--out", str(tmp_path / "out"))
    error_line(result, 3, "voices.yaml:3: book.cover", "not a jpeg or png")


def _apic(folder: Path) -> list[bytes]:
    mp3s = sorted(folder.rglob("*.mp3"))
    assert mp3s
    return [frame.data for mp3 in mp3s for frame in ID3(mp3).getall("APIC")]


def _generate(book: Path, out: Path, *extra: str) -> Result:
    """A short generate run that shows warnings (read them with ``caplog``)."""
    args = ["--out", str(out), "--jobs", "1", "--no-spoken-titles", "--no-credits", *extra]
    return narrate("generate", str(book), *args, quiet=False)


def test_markdown_cover_outside_the_book_folder_is_not_embedded(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    secret = tmp_path / "private" / "photo.png"
    secret.parent.mkdir()
    secret.write_bytes(make_png(2, 2, (0, 0, 255)))
    folder = tmp_path / "book"
    folder.mkdir()
    (folder / "inside.png").symlink_to(secret)  # a link inside pointing out is outside too
    for name, cover in (("story.md", f"{secret}"), ("linked.md", "inside.png")):
        book = folder / name
        book.write_text(f"---\ntitle: Gulls\ncover: {cover}\n---\n\nThey ran.\n", "utf-8")
        result = _generate(book, tmp_path / f"out-{name}")
        assert result.exit_code == 0, result.output
        assert "outside the book's folder" in caplog.text and "--cover" in caplog.text
        caplog.clear()
        assert _apic(tmp_path / f"out-{name}") == []


def test_markdown_cover_inside_the_book_folder_is_embedded(tmp_path: Path) -> None:
    (tmp_path / "art").mkdir()
    (tmp_path / "art" / "front.png").write_bytes(make_png(3, 3, (9, 9, 9)))
    book = tmp_path / "story.md"
    book.write_text("---\ntitle: Gulls\ncover: art/front.png\n---\n\nThey ran.\n", "utf-8")
    result = _generate(book, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert _apic(tmp_path / "out") == [make_png(3, 3, (9, 9, 9))]


def test_an_epubs_cover_that_is_no_jpeg_or_png_is_left_out(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    opf = _OPF.replace(
        '<item id="css"',
        '<item id="pic" href="cover.gif" media-type="image/gif" '
        'properties="cover-image"/><item id="css"',
    )
    book = write_epub(
        tmp_path / "harbour.epub",
        epub_members(
            **{"OEBPS/content.opf": opf.encode(), "OEBPS/cover.gif": b"GIF89a" + bytes(9)}
        ),
    )
    result = _generate(book, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "harbour.epub: its cover cover.gif is not a JPEG or PNG" in caplog.text
    assert _apic(tmp_path / "out") == []


def test_an_epubs_cover_over_the_cap_is_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    opf = _OPF.replace(
        '<item id="css"',
        '<item id="pic" href="cover.png" media-type="image/png" '
        'properties="cover-image"/><item id="css"',
    )
    png = make_png(40, 40)
    members = {"OEBPS/content.opf": opf.encode(), "OEBPS/cover.png": png}
    book = write_epub(tmp_path / "harbour.epub", epub_members(**members))
    assert read_cover(book) == (png, "image/png")
    monkeypatch.setattr(images, "MAX_COVER_BYTES", len(png) - 1)
    caplog.set_level(logging.WARNING)
    assert read_cover(book) is None
    assert "over the" in caplog.text and "--cover" in caplog.text


# --- 6: line endings -------------------------------------------------------------------------

_WRAPPED = (
    "Chapter 1\n\nThe keeper climbed the stair and looked out over the\n"
    "grey water, where the boats were coming home.\n\n"
    '"I saw them first," said Wren, who was nine, "before\nanyone else."\n\n'
    '"You did," said Maren.\n\nChapter 2\n\nMorning came.\n'
)


@pytest.mark.parametrize("kind", ["gutenberg", "wrapped", "markdown"])
def test_crlf_and_cr_give_the_same_book(tmp_path: Path, kind: str) -> None:
    text = {
        "gutenberg": GUTENBERG.format(first="CHAPTER I", second="CHAPTER II"),
        "wrapped": _WRAPPED,
        "markdown": "# One\n\nThe keeper climbed\nthe stair.\n\n# Two\n\nMorning came.\n",
    }[kind]
    suffix = ".md" if kind == "markdown" else ".txt"
    outputs = []
    for name, ending in (("lf", "\n"), ("crlf", "\r\n"), ("cr", "\r")):
        book = tmp_path / f"book{suffix}"  # one name, so a title from it is the same
        book.write_bytes(text.replace("\n", ending).encode("utf-8"))
        listing = narrate("script", str(book), "--format", "json")
        cast = narrate("cast", str(book))
        assert listing.exit_code == 0 and cast.exit_code == 0, (name, listing.output)
        outputs.append((listing.stdout, cast.stdout))
    assert outputs[1] == outputs[0] and outputs[2] == outputs[0]
    if kind == "gutenberg":
        assert '"title": "The Salt Road and Other Journeys"' in outputs[0][0]
        assert "License" not in outputs[0][0] and "rumours travel" in outputs[0][0]
    if kind == "wrapped":
        assert "over the grey water" in outputs[0][0].replace("\\n", " ")


# --- 12: bracket runs never reach espeak-ng as phoneme input ---------------------------------

_LEXICON = {"Maren": "[[m'A:r@n]]", "gull": "[[g'Vl]]"}


def openers_from_the_book(sent: str) -> list[int]:
    """Positions of '[[' in text for espeak-ng that do not open a lexicon replacement."""
    starts = [i for i in range(len(sent) - 1) if sent.startswith("[[", i)]
    return [i for i in starts if not any(sent.startswith(r, i) for r in _LEXICON.values())]


def bracket_soup(rng: random.Random) -> str:
    pieces = ["[", "]", "[[", "]]", "[[[", " ", "h@'loU", "Maren", "gull", "x", "\n", "'"]
    return "".join(rng.choice(pieces) for _ in range(rng.randint(1, 40)))


def test_bracket_soups_never_open_phonemes() -> None:
    engine = default_engine()
    rng = random.Random(17)
    for _ in range(5000):
        text = bracket_soup(rng)
        sent = apply_lexicon(engine.escape(text), _LEXICON)  # as the pipeline prepares it
        assert openers_from_the_book(sent) == [], (text, sent)
        assert "]]" not in _strip_lexicon(sent), (text, sent)


def _strip_lexicon(sent: str) -> str:
    for replacement in _LEXICON.values():
        sent = sent.replace(replacement, "\0")
    return sent


def test_bracket_runs_in_a_book_reach_espeak_as_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = tmp_path / "story.txt"
    book.write_text(
        "She said [[[h@'loU]]] and [Maren] saw a gull]] then [[[[x]] and ]]]]] done.\n", "utf-8"
    )
    voices = tmp_path / "voices.yaml"
    voices.write_text("lexicon:\n" + "".join(f'  {k}: "{v}"\n' for k, v in _LEXICON.items()))
    sent: list[str] = []
    real = espeak_lib.Espeak.synthesize

    def watched(self: espeak_lib.Espeak, text: str, timeout: float) -> bytes:
        sent.append(text)
        return real(self, text, timeout)

    monkeypatch.setattr(espeak_lib.Espeak, "synthesize", watched)
    result = _generate(book, tmp_path / "out", "--voices", str(voices))
    assert result.exit_code == 0, result.output
    spoken = "".join(sent)
    assert "[[m'A:r@n]]" in spoken and "[[g'Vl]]" in spoken  # the lexicon's phonemes do
    assert openers_from_the_book(spoken) == [], spoken
