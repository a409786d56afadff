"""The one table of the confidences attribution gives, by the evidence behind them.

Every confidence the sieve's passes give a line (:data:`Evidence`, the kinds of
evidence a :class:`narrate.segment.candidates.Candidate` names), and every level
the passes compare confidences against (:data:`Threshold`), lives in
:data:`CONFIDENCE`, in order of trust, so the passes can be compared and tuned
together. Nothing else in the segmenter writes a confidence as a number.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final, Literal

Evidence = Literal[
    # an explicit said-tag beside the quote, by what names the speaker in it
    "tag_by_name",  # "said Tom"
    "tag_by_description",  # "said her father"
    "tag_by_pronoun",  # "she said": the least a said-tag gives
    # '"Yes," cried she as she turned. "Go away."': the tag after the quote before
    "tag_of_quote_before",
    "carried_on",  # the paragraph carries on the unclosed speech of the one before
    "shared_in_paragraph",  # another quote of the same paragraph has a speaker
    "lead_in",  # the narration paragraph before ends leading into the quote ("thus:")
    "subject_before",  # the subject of the narration sentence before the quote
    "subject_after",  # the subject of the narration sentence after it
    "latest_subject",  # the latest subject anywhere in the paragraph's narration before it
    # turn-taking, for a paragraph none of the above settles
    "addressee_answers",  # the one the line before addressed answers
    "question_to_addressee",  # a question goes back to the one its asker last named
    "turns_alternate",  # two people taking turns
    "turn_by_address",  # "Yes, sir.": the last speaker of the gender addressed
    "tagged_line_ahead",  # the side of the turn-taking a tagged line further on gives
    "resumes_after_narration",  # the one who spoke before the narration, still in view
    "narrator_answers",  # a first-person narrator answers one lately named
    "recent_character",  # the latest character in view but the last speaker
    "narration_before",  # the character the narration paragraph before was about
    "recent_other",  # the latest character in view but the one a later line says answers
    # the conversation re-reads
    "decoded",  # a line the whole conversation, decoded as one sequence, gives someone else
    "refit",  # a stretch of untagged lines re-read as turns: its lines at most this
    "backfilled",  # a weak line re-read from the anchors of its conversation
    "untwinned",  # a line taken from the one who spoke the tagged line right after it
    # no evidence
    "unread",  # a quote the sieve gave no line (a default the segmenter never expects)
    "undecided",  # a line nothing settled: no speaker
    "narration",  # not a line: narration is nobody's, for certain
]

Threshold = Literal[
    "named_at_least",  # a line tagged with a name
    "tagged_at_least",  # a line with any said-tag
    "soft_below",  # a lone line given to a subject below this joins the turn-taking re-read
    "anchor_at_least",  # a line that anchors the turn-taking of its conversation
    "untwin_at_most",  # a line that may be untwinned from the tagged line after it
    "weak_at_most",  # a line that may be backfilled from the anchors of its conversation
]

_TABLE: dict[Evidence | Threshold, float] = {
    "tag_by_name": 0.95,
    "tag_by_description": 0.92,
    "tag_by_pronoun": 0.9,
    "tag_of_quote_before": 0.88,
    "carried_on": 0.86,
    "shared_in_paragraph": 0.85,
    "lead_in": 0.8,
    "subject_before": 0.75,
    "subject_after": 0.74,
    "latest_subject": 0.7,
    "addressee_answers": 0.65,
    "question_to_addressee": 0.6,
    "turns_alternate": 0.6,
    "turn_by_address": 0.55,
    "tagged_line_ahead": 0.45,
    "resumes_after_narration": 0.4,
    "narrator_answers": 0.4,
    "recent_character": 0.4,
    "narration_before": 0.35,
    "recent_other": 0.3,
    "decoded": 0.55,
    "refit": 0.6,
    "backfilled": 0.55,
    "untwinned": 0.5,
    "unread": 0.2,
    "undecided": 0.0,
    "narration": 1.0,
    "named_at_least": 0.95,
    "tagged_at_least": 0.9,
    "soft_below": 0.76,
    "anchor_at_least": 0.74,
    "untwin_at_most": 0.6,
    "weak_at_most": 0.45,
}
CONFIDENCE: Final[Mapping[Evidence | Threshold, float]] = MappingProxyType(_TABLE)

# Mention.kind of a said-tag's speaker -> the evidence it is
TAG_EVIDENCE: Final[Mapping[str, Evidence]] = MappingProxyType(
    {"name": "tag_by_name", "desc": "tag_by_description", "pron": "tag_by_pronoun"}
)
