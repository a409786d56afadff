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

import contextlib
import os
import signal
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from narrate.records import ChapterMark
from narrate.render.mp3 import Block


@dataclass(frozen=True)
class ChapterAudio:
    """One chapter's audio, ready to be joined into a whole-book file."""

    title: str
    duration: float  # exact seconds a player plays of the chapter's own file
    span: float  # exact seconds of its frames in a joined stream (delay and padding kept)
    chunks: Callable[[], Iterable[Block]]  # yields the chapter's MP3 blocks, in order
    # yields each block with its whole span as PCM (render.assemble.chapter_pcm), for the
    # formats encoded from the PCM; None when the run kept no PCM
    pcm: Callable[[], Iterable[tuple[Block, bytes]]] | None = None
    key: str = ""  # what the chapter's audio depends on, for a writer's cache; "" for none


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


def played_marks(chapters: Sequence[ChapterAudio]) -> tuple[ChapterMark, ...]:
    """One mark per chapter, back to back, each as long as the chapter's own file plays.

    The marks of a book made of the chapters' played audio one after another:
    the chapter files in a row.
    """
    marks, start = [], 0.0
    for chapter in chapters:
        marks.append(ChapterMark(chapter.title, start, start + chapter.duration))
        start += chapter.duration
    return tuple(marks)


def chapter_played_pcm(chapter: ChapterAudio) -> Iterator[bytes]:
    """A chapter's audio as 16-bit PCM, as its own MP3 file plays.

    A block's span is its delay, its samples and its padding (as its frames
    decode); the chapter drops its first block's delay and its last block's
    padding, as the chapter file's Info tag has players do, so the PCM lasts
    ``chapter.duration`` to the sample, and chapters played one after another
    fit :func:`played_marks`.
    """
    if chapter.pcm is None:
        raise ValueError(f"chapter {chapter.title!r} has no PCM")
    held: tuple[Block, bytes] | None = None
    first = True
    for block, span in chapter.pcm():
        if not block.data:
            continue
        if held is not None:
            yield held[1]
        if first:
            span = span[2 * block.delay :]
            first = False
        held = (block, span)
    if held is not None:
        block, span = held
        yield span[: len(span) - 2 * block.padding]


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is so that its clean-up runs (exit 130)."""


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """While writing a file, SIGTERM unwinds like Ctrl-C: temporary files are removed.

    Python's default for SIGTERM is to die at once, skipping every ``finally``.
    Only the main thread can set a handler; elsewhere this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: FrameType | None) -> None:
        raise Terminated

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
