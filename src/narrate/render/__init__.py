"""Rendering: lines synthesized in workers, brought to one loudness, encoded into cached MP3 blocks, joined into chapters."""
