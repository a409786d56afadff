"""``--format mp3-single``: the whole book as one MP3 with ID3 chapters (CTOC + CHAP)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from narrate.outdir import publish
from narrate.output.formats import WriteOptions
from narrate.output.tags import tag_mp3
from narrate.output.whole_book import (
    ChapterAudio,
    book_blocks,
    chapter_marks,
    check_chapters,
    temp_file_beside,
)
from narrate.records import TrackMeta
from narrate.render.mp3 import GaplessWriter


def write_single_mp3(
    path: Path, chapters: Sequence[ChapterAudio], meta: TrackMeta, *, id3v23: bool = False
) -> None:
    """Write the whole book as one MP3 with ID3 chapters (CTOC + CHAP), atomically.

    narrate's blocks are self-contained LAME streams joined frame by frame
    behind one Info tag (the first block's delay, the last block's padding),
    so each mark lands on the first sample of its chapter (see chapter_marks).
    """
    path = Path(path)
    check_chapters(chapters)
    tagged = replace(meta, chapters=chapter_marks(chapters))
    tmp = temp_file_beside(path, ".part")
    try:
        with tmp.open("wb") as out:
            frames = GaplessWriter(out)
            frames.write_all(book_blocks(chapters))
            frames.finish()
        tag_mp3(tmp, tagged, id3v23=id3v23)
        publish(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)  # a no-op once published


def write(
    path: Path, chapters: Sequence[ChapterAudio], meta: TrackMeta, options: WriteOptions
) -> None:
    """The registry's writer (see :mod:`narrate.output.formats`)."""
    write_single_mp3(path, chapters, meta, id3v23=options.id3v23)
