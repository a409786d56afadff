"""What every whole-book writer shares: the chapters' audio, their marks, a temporary file.

Chapters arrive as streams of narrate's MP3 blocks with exact durations (from
frame counts), so chapter marks are computed, never measured: the joined
stream plays from its first block's first input sample (its Info tag trims
the encoder delay), so each chapter starts where the spans of those before it
end, and the book ends where its last chapter's own file would
(:func:`narrate.render.assemble.timeline` explains the two lengths). The writers
stream the audio through a temporary file in the target folder and rename it
into place when it is complete: memory stays bounded however long the book
is, and a failure or interruption leaves no partial file behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from narrate.records import ChapterMark
from narrate.render.mp3 import Block


@dataclass(frozen=True)
class ChapterAudio:
    """One chapter's audio, ready to be joined into a whole-book file."""

    title: str
    duration: float  # exact seconds a player plays of the chapter's own file
    span: float  # exact seconds of its frames in a joined stream (delay and padding kept)
    chunks: Callable[[], Iterable[Block]]  # yields the chapter's MP3 blocks, in order


def chapter_marks(chapters: Sequence[ChapterAudio]) -> tuple[ChapterMark, ...]:
    """One mark per chapter, back to back from 0 s.

    Summing the exact spans (rather than rounding each chapter) keeps the
    error from growing with the chapter count; the last mark ends where the
    played audio does.
    """
    marks = []
    start = 0.0
    for n, chapter in enumerate(chapters):
        if chapter.duration < 0 or chapter.span < 0:
            raise ValueError(f"chapter {chapter.title!r} has a negative duration")
        end = start + (chapter.duration if n == len(chapters) - 1 else chapter.span)
        marks.append(ChapterMark(chapter.title, start, end))
        start = end
    return tuple(marks)


def check_chapters(chapters: Sequence[ChapterAudio]) -> None:
    if not chapters:
        raise ValueError("a whole-book file needs at least one chapter")


def temp_file_beside(path: Path, suffix: str) -> Path:
    """A new, empty, hidden file in ``path``'s folder, for the writer to fill and rename."""
    # In the target folder so the final rename never crosses file systems;
    # hidden so a half-written file is never mistaken for a finished one.
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
    os.close(fd)
    return Path(name)


def book_blocks(chapters: Sequence[ChapterAudio]) -> Iterator[Block]:
    """Every chapter's MP3 blocks, in book order."""
    for chapter in chapters:
        for block in chapter.chunks():
            if block.data:
                yield block
