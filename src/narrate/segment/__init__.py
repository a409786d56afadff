"""The script segmenter: a Book becomes narration, speech and thought segments, each with a speaker.

quotes finds the quotes; names holds the name model the others stand on;
characters and aliases find the cast; mentions and salience resolve names,
pronouns and descriptions; attribution decides who speaks: a Reading (reading)
goes through the book a paragraph at a time (sieve), from its said-tags
(said_tags) and the narration around them, then re-reads the conversations
(rereads) by the turn-taking of dialogue, giving the confidences named in
confidence; segmenter assembles the Script; given adds to a cast the user
gives the characters it does not list; scriptfile reads and writes it;
wordlists holds the English words they use.
"""

from narrate.segment.segmenter import segment

__all__ = ["segment"]
