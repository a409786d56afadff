"""Each pass of the attribution sieve on its own: the candidate and evidence it returns.

Every test reads a tiny invented passage as far as one paragraph (conftest's
``reading_at``), runs one pass on one quote, and checks what it proposes, or
that it proposes nothing where it must not decide.
"""

from __future__ import annotations

from typing import get_args

from conftest import reading_at

from narrate.records import Character
from narrate.segment.candidates import Candidate
from narrate.segment.confidence import CONFIDENCE, Evidence, Threshold
from narrate.segment.quote_passes import (
    latest_subject,
    lead_in,
    narration_subject,
    paragraph_neighbours,
    said_tag,
    tag_of_quote_before,
)
from narrate.segment.reading import Reading
from narrate.segment.rereads import REREADS, backfilled, refitted, reread_conversations, untwinned
from narrate.segment.sieve import PASSES, choose, spot
from narrate.segment.turn_passes import addressee, speech_carried_on, turn_taking

CAST = [
    Character("Ann", (), "female"),
    Character("Tom", (), "male"),
    Character("Mary", (), "female"),
]
ASKED = '"Are you coming?" asked Ann.\n\n"Yes," said Tom.\n\n'
# Ann, Tom, then an untagged line before Ann's own tagged one
TWINNED = (
    '"Is it late?" asked Ann.\n\n"Very late," said Tom.\n\n"Then we must go."\n\n'
    '"We must," said Ann.\n\n"And quickly," said Tom.'
)
KITCHEN = (
    "Ann, Tom and Mary sat in the kitchen.\n\n"
    '"The bread is burning," said Ann.\n\n'
    '"Is the oven too hot, Mary?" asked Tom.\n\n'
    '"It has always been too hot."\n\n'
    '"Then why not mend it?"\n\n'
    '"I have no time," said Ann.\n\n'
    '"Nor have I," said Tom.'
)


def at(text: str, pi: int = 0) -> Reading:
    return reading_at(text, pi, CAST)


def who(r: Reading, name: str) -> int:
    return r.names.index(name)


def tagged(r: Reading, name: str, after: bool = True) -> Candidate:
    return Candidate.of("said_tag", "tag_by_name", who(r, name), after)


def test_the_passes_are_declared_in_order_of_trust() -> None:
    assert [p.name for p in PASSES] == [
        "said_tag",
        "tag_of_quote_before",
        "narration_subject",
        "latest_subject",
        "lead_in",
        "paragraph_neighbours",
        "speech_carried_on",
        "addressee",
        "turn_taking",
    ]
    # the quote's own narration first, then its neighbours, then the conversation
    reads = [p.reads for p in PASSES]
    assert reads == sorted(reads, key=["quote", "paragraph", "conversation"].index)
    assert [p.name for p in REREADS] == ["decode", "backfill", "untwin", "reparity"]


def test_the_confidence_table_names_every_kind_of_evidence_and_threshold_once() -> None:
    assert set(CONFIDENCE) == set(get_args(Evidence)) | set(get_args(Threshold))
    assert all(0.0 <= c <= 1.0 for c in CONFIDENCE.values())


def test_the_thresholds_tell_the_said_tags_apart() -> None:
    c = CONFIDENCE
    assert c["tag_by_name"] >= c["named_at_least"] > c["tag_by_description"]
    assert c["tag_by_description"] > c["tag_by_pronoun"] >= c["tagged_at_least"]
    # a tag borrowed from the quote before is no tag of the line's own
    assert c["tag_of_quote_before"] < c["tagged_at_least"]
    # the weakest a said-tag or the narration gives still anchors the turn-taking
    assert c["subject_after"] >= c["anchor_at_least"] > c["tagged_line_ahead"]


def test_a_candidate_takes_its_confidence_from_the_table() -> None:
    c = Candidate.of("lead_in", "lead_in", 3)
    assert (c.speaker, c.confidence, c.evidence, c.pass_name) == (3, 0.8, "lead_in", "lead_in")
    assert not c.after and not c.thought


def test_said_tag_after_the_quote_names_the_speaker() -> None:
    r = at('"Come in," said Tom.')
    c = said_tag(r, spot(r, 0, 0, [None]))
    assert c == Candidate(who(r, "Tom"), 0.95, "tag_by_name", "said_tag", after=True)


def test_said_tag_before_the_quote() -> None:
    r = at('Tom said, "Come in."')
    c = said_tag(r, spot(r, 0, 0, [None]))
    assert c is not None and c.speaker == who(r, "Tom") and not c.after


def test_said_tag_by_a_pronoun_is_the_least_a_tag_gives() -> None:
    r = at('Ann looked up. "Yes," she said.')
    c = said_tag(r, spot(r, 0, 0, [None]))
    assert c is not None and c.speaker == who(r, "Ann")
    assert (c.evidence, c.confidence) == ("tag_by_pronoun", CONFIDENCE["tagged_at_least"])


def test_said_tag_with_a_verb_of_thinking_makes_a_thought_which_the_driver_records() -> None:
    r = at('"How dull," thought Ann.')
    c = said_tag(r, spot(r, 0, 0, [None]))
    assert c is not None and c.thought and c.speaker == who(r, "Ann")
    assert not r.result.thoughts  # the pass writes nothing
    choose(r, 0)
    assert r.result.thoughts == {id(r.quotes[0][0])}


def test_said_tag_none_without_a_tag_or_for_the_one_addressed() -> None:
    r = at('"Come in."')
    assert said_tag(r, spot(r, 0, 0, [None])) is None
    r = at('"Tom, come here," said Tom.')
    assert said_tag(r, spot(r, 0, 0, [None])) is None


def test_the_tag_after_the_quote_before_serves_the_next_quote() -> None:
    r = at('"Yes," cried Ann as she turned. "Go away."')
    lines = [tagged(r, "Ann"), None]
    c = tag_of_quote_before(r, spot(r, 0, 1, lines))
    assert c == Candidate(
        who(r, "Ann"), 0.88, "tag_of_quote_before", "tag_of_quote_before", follows=(0, 0)
    )


def test_no_tag_of_the_quote_before_when_it_came_before_it_or_was_no_tag() -> None:
    r = at('"Yes," cried Ann as she turned. "Go away."')
    assert tag_of_quote_before(r, spot(r, 0, 0, [None, None])) is None
    assert tag_of_quote_before(r, spot(r, 0, 1, [tagged(r, "Ann", after=False), None])) is None
    subject = Candidate.of("narration_subject", "subject_after", who(r, "Ann"), True)
    assert tag_of_quote_before(r, spot(r, 0, 1, [subject, None])) is None


def test_narration_subject_before_the_quote_then_after_it() -> None:
    r = at('Tom shut the door. "It is late."')
    c = narration_subject(r, spot(r, 0, 0, [None]))
    assert c == Candidate(who(r, "Tom"), 0.75, "subject_before", "narration_subject")
    r = at('"It is late." Tom shut the door.')
    c = narration_subject(r, spot(r, 0, 0, [None]))
    assert c == Candidate(who(r, "Tom"), 0.74, "subject_after", "narration_subject", after=True)


def test_narration_subject_after_a_line_is_no_reaction_of_its_last_speaker() -> None:
    # '"No." Ann looked away.' after Ann's own line: she reacts to this one, not says it
    r = at('"Where were you?" asked Ann.\n\n"No." Ann looked away.', 1)
    assert narration_subject(r, spot(r, 1, 0, [None])) is None


def test_latest_subject_reaches_back_past_the_sentence_before() -> None:
    r = at('Tom went to the window and looked out. The rain had stopped. "It is late."')
    s = spot(r, 0, 0, [None])
    assert narration_subject(r, s) is None
    assert latest_subject(r, s) == Candidate(who(r, "Tom"), 0.7, "latest_subject", "latest_subject")


def test_lead_in_from_the_narration_paragraph_before() -> None:
    r = at('Tom turned to the window and said:\n\n"It is late."', 1)
    c = lead_in(r, spot(r, 1, 0, [None]))
    assert c == Candidate(who(r, "Tom"), 0.8, "lead_in", "lead_in")


def test_no_lead_in_for_a_quote_after_narration_of_its_own() -> None:
    r = at('Tom turned and said:\n\nAnn smiled. "It is late."', 1)
    assert lead_in(r, spot(r, 1, 0, [None])) is None


def test_neighbours_give_the_nearest_speaker_the_earlier_on_a_tie() -> None:
    r = at('"One." "Two." "Three." "Four."')
    lines: list[Candidate | None] = [None, tagged(r, "Tom"), None, tagged(r, "Ann")]
    first = paragraph_neighbours(r, spot(r, 0, 0, lines))
    assert first == Candidate(
        who(r, "Tom"), 0.85, "shared_in_paragraph", "paragraph_neighbours", follows=(0, 1)
    )
    third = paragraph_neighbours(r, spot(r, 0, 2, lines))
    assert third is not None and third.speaker == who(r, "Tom")


def test_neighbours_never_give_a_quote_to_the_one_it_addresses() -> None:
    r = at('"Yes," said Ann. "No." "Come here, Ann." "Now."')
    lines: list[Candidate | None] = [tagged(r, "Ann"), None, None, None]
    assert paragraph_neighbours(r, spot(r, 0, 2, lines)) is None
    assert paragraph_neighbours(r, spot(r, 0, 1, [None] * 4)) is None


def test_speech_carried_on_from_the_paragraph_before() -> None:
    r = at('Tom said, "We walked all day.\n\n"Then we slept by the road."', 1)
    c = speech_carried_on(r, spot(r, 1, 0, [None]))
    assert c == Candidate(who(r, "Tom"), 0.86, "carried_on", "speech_carried_on", follows=(0, 0))
    r = at(ASKED + '"Then hurry."', 2)
    assert speech_carried_on(r, spot(r, 2, 0, [None])) is None


def test_the_one_addressed_answers_before_turn_taking_is_asked() -> None:
    r = at('"Are you coming, Ann?" asked Tom.\n\n"Yes."', 1)
    s = spot(r, 1, 0, [None])
    assert addressee(r, s) == Candidate(who(r, "Ann"), 0.65, "addressee_answers", "addressee")
    assert [c.speaker if c else None for c in choose(r, 1)] == [who(r, "Ann")]
    r = at('"Are you coming?" asked Tom.\n\n"Yes."', 1)
    assert addressee(r, spot(r, 1, 0, [None])) is None


def test_turn_taking_gives_the_line_back_to_the_one_before_last() -> None:
    r = at(ASKED + '"Then hurry."', 2)
    c = turn_taking(r, spot(r, 2, 0, [None]))
    assert c == Candidate(who(r, "Ann"), 0.6, "turns_alternate", "turn_taking")


def test_turn_taking_with_nobody_in_view_decides_nothing() -> None:
    r = at('"Come in."')
    assert turn_taking(r, spot(r, 0, 0, [None])) is None
    assert choose(r, 0) == [None]
    assert 0 in r.turned  # the driver notes that turn-taking had the last word


def test_the_driver_takes_the_first_candidate_and_turn_taking_speaks_for_all() -> None:
    r = at('Tom shut the door. "It is late," said Ann.')
    assert narration_subject(r, spot(r, 0, 0, [None])) is not None
    (c,) = choose(r, 0)
    assert c is not None and (c.pass_name, c.speaker) == ("said_tag", who(r, "Ann"))
    r = at(ASKED + '"Then hurry." "Do."', 2)
    lines = choose(r, 2)
    assert len(lines) == 2 and lines[0] is lines[1] and lines[0] is not None
    assert lines[0].pass_name == "turn_taking"


def test_untwin_gives_a_line_back_from_the_tagged_speaker_after_it() -> None:
    r = at(TWINNED, 99)
    assert r.last_speaker[2] == who(r, "Ann")
    assert untwinned(r) == {2: Candidate(who(r, "Tom"), 0.5, "untwinned", "untwin")}
    assert r.last_speaker[2] == who(r, "Ann")  # the pass only proposes


def test_backfill_rereads_a_weak_line_from_the_anchors_around_it() -> None:
    r = at(TWINNED, 99)
    assert backfilled(r) == {}  # the untagged line is no weak one
    # as if turn-taking had only weakly given it to Tom, who speaks the line before
    r.last_speaker[2], r.first_confidence[2] = who(r, "Tom"), CONFIDENCE["recent_character"]
    assert backfilled(r) == {2: Candidate(who(r, "Ann"), 0.55, "backfilled", "backfill")}


def test_reparity_refits_a_stretch_read_against_the_lines_around_it() -> None:
    r = at(KITCHEN, 99)
    assert refitted(r) == {}  # Mary answers Tom, Tom asks again: it fits
    tom, mary = who(r, "Tom"), who(r, "Mary")
    r.last_speaker[3] = r.first_speaker[3] = tom
    r.last_speaker[4] = r.first_speaker[4] = mary
    fixed = refitted(r)
    # Tom asked, so the answer is someone else's; Tom asks again before Ann's tagged line
    assert set(fixed) == {3, 4} and fixed[3].speaker not in (tom, None)
    assert fixed[4] == Candidate(tom, 0.6, "refit", "reparity")
    assert r.last_speaker[3] == tom  # the pass only proposes


def test_the_reread_driver_applies_each_reread_before_the_next() -> None:
    r = at(TWINNED, 99)
    q = r.quotes[2][0]
    assert r.result.confidence[id(q)] == CONFIDENCE["turns_alternate"]
    reread_conversations(r)
    assert r.last_speaker[2] == who(r, "Tom")
    assert (r.result.speakers[id(q)], r.result.confidence[id(q)]) == ("Tom", 0.5)
