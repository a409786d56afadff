"""Property tests: the segmenter never crashes on any Unicode and never loses text."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from narrate.errors import InputError
from narrate.ingest import parse_text
from narrate.records import Book
from narrate.segment.segmenter import segment

# Pieces prose is made of, weighted towards what trips quote and paragraph logic.
QUOTES = ['"', "\u201c", "\u201d", "'", "\u2018", "\u2019", "\u00ab", "\u00bb", "\u201e"]
PIECES = st.one_of(
    st.sampled_from(QUOTES),
    st.sampled_from(["\n", "\n\n", "\r\n", "\r", "\n \n", "  ", "\t"]),
    st.sampled_from([".", ",", "!", "?", "\u2026", "--", "\u2014", ";", ":", "* * *", "#"]),
    st.sampled_from(
        [
            "said",
            "asked",
            "Maren",
            "Tom",
            "he",
            "she",
            "Mrs. Holt",
            "Chapter 1",
            "CHAPTER II",
            "Dr.",
            "I",
            "thought",
        ]
    ),
    st.text(alphabet=st.characters(categories=["Lu", "Ll"]), min_size=1, max_size=8),
    st.sampled_from(["\u200b", "\u200d", "\ufeff", "\u202e", "\x07", "\x00", "\u00ad"]),
    st.text(max_size=4),
)
PROSE = st.lists(st.one_of(PIECES, st.just(" ")), max_size=80).map("".join)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _book(text: str) -> Book | None:
    try:
        return parse_text(text)
    except InputError:  # empty or no story text: a clean refusal, not a crash
        return None


def _check_coverage(book: Book) -> None:
    script = segment(book)
    source = book.source
    previous_end = -1
    for seg in script.segments:
        assert seg.text == source[seg.start : seg.end]
        assert seg.start >= previous_end, "segments overlap or run backwards"
        assert seg.text.strip(), "an empty segment"
        previous_end = seg.end
    expected = "".join(
        "".join(source[a:b].split()) for ch in book.chapters for a, b in ch.paragraphs
    )
    covered = "".join("".join(seg.text.split()) for seg in script.segments)
    assert covered == expected, "segments do not cover the chapters' text exactly once"


@SETTINGS
@given(st.text())
def test_segmenter_covers_arbitrary_unicode(text: str) -> None:
    book = _book(text)
    if book is not None:
        _check_coverage(book)


@SETTINGS
@given(PROSE)
def test_segmenter_covers_quote_heavy_prose(text: str) -> None:
    book = _book(text)
    if book is not None:
        _check_coverage(book)


@SETTINGS
@given(st.lists(PROSE, min_size=1, max_size=6))
def test_segmenter_covers_multi_chapter_books(chapters: list[str]) -> None:
    text = "".join(f"Chapter {n}\n\n{body}\n\n" for n, body in enumerate(chapters, start=1))
    book = _book(text)
    if book is not None:
        _check_coverage(book)
