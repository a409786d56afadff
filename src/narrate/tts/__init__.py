"""Speech synthesis through pyttsx3: text + Voice -> 16-bit mono PCM at 22,050 Hz.

On every platform narrate drives pyttsx3. Where libespeak-ng can be loaded
(system-wide, or the copy the espeakng-loader wheel ships) the engine is
narrate's in-memory espeak-ng driver; otherwise pyttsx3's platform driver
(nsss on macOS, sapi5 on Windows) renders to a file that ffmpeg converts.
"""

from narrate.tts.engine import (
    SAMPLE_RATE,
    Synthesizer,
    engine_info,
    list_voices,
)

__all__ = ["SAMPLE_RATE", "Synthesizer", "engine_info", "list_voices"]
