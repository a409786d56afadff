"""The confidences the attribution sieve gives a line, by the evidence that settled it.

Gathered in one place, in order of trust, so the sieve's passes can be compared
and tuned together. Turn-taking's own figures (ANCHOR, WEAK, TURN and those
``turn`` returns) live with it in dialogue.py.
"""

from __future__ import annotations

# an explicit said-tag beside the quote, by what names the speaker in it
BY_NAME = 0.95  # "said Tom"
BY_DESCRIPTION = 0.92  # "said her father"
TAGGED = 0.9  # "she said": the least a said-tag gives, so a line at or above it is tagged
TAG_BY_KIND = {"name": BY_NAME, "desc": BY_DESCRIPTION}  # Mention.kind -> confidence
# '"Yes," cried she as she turned. "Go away."': the tag after the quote before serves this one
TAG_BEFORE = 0.88
SHARED = 0.85  # another quote of the same paragraph has a speaker
LEAD_IN = 0.8  # the narration paragraph before ends leading into the quote ("thus:")
SUBJECT_BEFORE = 0.75  # the subject of the narration sentence before the quote
SUBJECT_AFTER = 0.74  # the subject of the narration sentence after it
LAST_SUBJECT = 0.7  # the latest subject anywhere in the paragraph's narration before it

# the conversation re-reads
BACKFILLED = 0.55  # a weak line re-read from the anchors of its conversation
UNTWINNED = 0.5  # a line taken from the one who spoke the tagged line right after it
# a lone line given to the subject of the narration beside it (confidence below
# SOFT_BELOW) joins the stretches turn-taking re-reads, paying SOFT_WEIGHT to change hands
SOFT_BELOW = 0.76
SOFT_WEIGHT = 1.5
