"""Files kept beside each cached MP3 block: its rendered PCM, and encodings made from it.

An M4B made from the MP3 blocks would be two generations of lossy coding; so
when one is asked for, each block's shaped 16-bit PCM (what LAME was given) is
kept too, as ``<key>.pcm`` next to ``<key>.mp3``. It is what the MP3 block
holds before coding, so the block's Info tag (its delay, padding and frame
count) places it in time exactly as in the MP3: a block's PCM plays from
``delay`` samples into its frames and is ``samples - delay - padding`` long.
A pause is silence of the same lengths, made on the spot
(:func:`narrate.render.assemble.chapter_pcm`). A whole-book writer may keep
what it encoded from a chapter's PCM the same way (the M4B's AAC, ``.aac``).

PCM is about five times the size of the MP3 at 64 kbps, so it is kept only
for the runs that need it; ``narrate cache clear`` removes it with the blocks.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from narrate.render.cache import BlockCache

PCM = ".pcm"


class Sidecar:
    """Files stored as <root>/blocks/ab/<key><suffix> beside the blocks; writes are atomic."""

    def __init__(self, blocks: BlockCache, suffix: str = PCM) -> None:
        self.blocks = blocks
        self.suffix = suffix

    def path(self, key: str) -> Path:
        return self.blocks.path(key).with_suffix(self.suffix)

    def has(self, key: str) -> bool:
        return self.path(key).exists()

    def get(self, key: str) -> bytes | None:
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError:
            return None

    def drop(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def temporary(self, key: str) -> Path:
        """A new name to write ``key``'s file under before :meth:`commit`."""
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Named as BlockCache names its temporaries (the writer's pid inside), so its
        # sweep() removes what a killed writer left.
        return target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.part")

    def commit(self, tmp: Path, key: str) -> None:
        os.replace(tmp, self.path(key))

    def put(self, key: str, data: bytes) -> None:
        tmp = self.temporary(key)
        try:
            with tmp.open("xb") as out:
                out.write(data)
            self.commit(tmp, key)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
