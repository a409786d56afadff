"""A stand-in for `espeak-ng -f BOOK --stdout` where the espeak-ng program is not installed.

It drives the same libespeak-ng (the system's or the espeakng-loader copy)
with espeak-ng's defaults (voice en, 175 words a minute) and streams a WAV to
stdout paragraph by paragraph, as the espeak-ng program does.
"""

from __future__ import annotations

import re
import struct
import sys
from pathlib import Path

from narrate.tts.espeak.library import SAMPLE_RATE, Espeak, locate


def main() -> None:
    text = Path(sys.argv[1]).read_text(encoding="utf-8", errors="replace")
    espeak = Espeak.get(locate())
    espeak.set_voice("en")
    out = sys.stdout.buffer
    # A streamed WAV: sizes unknown up front, so the maximum, as espeak-ng writes.
    out.write(
        b"RIFF"
        + struct.pack("<I", 0x7FFFFFFF)
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, 1, SAMPLE_RATE, SAMPLE_RATE * 2, 2, 16)
        + b"data"
        + struct.pack("<I", 0x7FFFFFFF - 36)
    )
    for paragraph in re.split(r"\n\s*\n", text):
        words = " ".join(paragraph.split())
        if words:
            out.write(espeak.synthesize(words, timeout=600))
    out.flush()


if __name__ == "__main__":
    main()
