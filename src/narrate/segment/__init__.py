"""The script segmenter: a Book becomes narration, speech and thought segments, each with a speaker.

quotes finds the quotes; names holds the name model the others stand on;
characters and aliases find the cast; mentions and salience resolve names,
pronouns and descriptions; dialogue and attribution decide who speaks;
segmenter assembles the Script; scriptfile reads and writes it.
"""

from narrate.segment.segmenter import segment

__all__ = ["segment"]
