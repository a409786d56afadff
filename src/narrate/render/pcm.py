"""The rendered PCM beside each cached MP3 block, for the formats encoded from it (the M4B).

An M4B made from the MP3 blocks would be two generations of lossy coding; so
when one is asked for, each block's shaped 16-bit PCM (what LAME was given) is
kept too, as ``<key>.pcm`` next to ``<key>.mp3``. It is what the MP3 block
holds before coding, so the block's Info tag (its delay, padding and frame
count) places it in time exactly as in the MP3: a block's PCM plays from
``delay`` samples into its frames and is ``samples - delay - padding`` long.
A pause is silence of the same lengths, made on the spot
(:func:`narrate.render.assemble.chapter_pcm`).

PCM is about five times the size of the MP3 at 64 kbps, so it is kept only
for the runs that need it; ``narrate cache clear`` removes it with the blocks.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from narrate.render.cache import BlockCache


class PcmCache:
    """Shaped PCM stored as <root>/blocks/ab/<key>.pcm beside its block; writes are atomic."""

    def __init__(self, blocks: BlockCache) -> None:
        self.blocks = blocks

    def path(self, key: str) -> Path:
        return self.blocks.path(key).with_suffix(".pcm")

    def has(self, key: str) -> bool:
        return self.path(key).exists()

    def get(self, key: str) -> bytes | None:
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError:
            return None

    def drop(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def put(self, key: str, samples: bytes) -> None:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Named as BlockCache names its temporaries (the writer's pid inside), so its
        # sweep() removes what a killed writer left.
        tmp = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
        try:
            with tmp.open("xb") as out:
                out.write(samples)
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
