"""``--format mp3`` (the default): one tagged MP3 file per chapter."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from narrate.outdir import publish, temporary_beside
from narrate.output.formats import WriteOptions
from narrate.output.tags import tag_mp3
from narrate.records import TrackMeta
from narrate.render.assemble import Chunk, Layout, timeline
from narrate.render.mp3 import GaplessWriter


def write(path: Path, chunks: Iterable[Chunk], meta: TrackMeta, options: WriteOptions) -> Layout:
    """Write one chapter's MP3 (an Info tag frame, its blocks and pauses), tagged, atomically.

    Returns the timed utterances and the durations, for the transcripts and the manifest.
    """
    # Created inside the try (mode "xb"), so an interrupt at any moment leaves no file;
    # hidden and ending in .part, so a run killed outright leaves nothing a player
    # takes for audio (the next run sweeps it).
    with temporary_beside(path) as tmp:
        with tmp.open("xb") as out:
            frames = GaplessWriter(out)
            layout = timeline(chunks, options.sample_rate, frames.write)
            frames.finish()
        tag_mp3(tmp, meta, id3v23=options.id3v23)
        publish(tmp, path)
    return layout
