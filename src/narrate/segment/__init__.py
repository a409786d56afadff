"""The script segmenter: a Book becomes narration, speech and thought segments, each with a speaker.

quotes finds the quotes; names holds the name model the others stand on;
characters and aliases find the cast; mentions and salience resolve names,
pronouns and descriptions; attribution decides who speaks: a Reading (reading)
goes through the book a paragraph at a time (sieve), trying its table of named
passes in order (quote_passes: said-tags from said_tags and the narration around
them; turn_passes: the conversation), each returning a Candidate (candidates),
then re-reads the conversations (rereads): each decoded as one sequence of
speakers (decode), then by the turn-taking of dialogue, giving the confidences
of the one table in confidence, which calibration turns into chances of being
right (its weights fitted by fit); segmenter assembles the Script; given adds to
a cast the user gives the characters it does not list; scriptfile writes the
script (JSON, text, editable YAML) and corrections applies an edited one;
wordlists holds the English words they use.
"""

from narrate.segment.segmenter import segment

__all__ = ["segment"]
