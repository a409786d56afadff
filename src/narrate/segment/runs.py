"""Runs of lines that hang on one choice of speaker.

The segmenter records for each spoken line where the choice its speaker rests
on was made (``Segment.decision``): at the line itself, when its own evidence
decides it, or at a line further back whose speaker it carries on, copies, or
takes its turn from. A run is the consecutive spoken lines of one chapter
resting on one choice: a story told over many paragraphs, or a long exchange
alternating from one uncertain reply. If the choice is wrong, the whole run is
wrong, and correcting its first line corrects the run (``follow_runs``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from narrate.records import Script, Segment


@dataclass(frozen=True, slots=True)
class Run:
    """Consecutive spoken lines of one chapter resting on one choice."""

    lines: tuple[Segment, ...]

    @property
    def first(self) -> Segment:
        return self.lines[0]

    @property
    def confidence(self) -> float:
        """The confidence of its least certain line."""
        return min(s.confidence for s in self.lines)

    @property
    def doubt(self) -> float:
        """The lines it may put in the wrong voice: (1 - confidence) times its length."""
        return (1.0 - self.confidence) * len(self.lines)


def decision_runs(script: Script) -> list[Run]:
    """The spoken lines of the script, in order, as runs (a line alone is a run of one)."""
    runs: list[list[Segment]] = []
    for seg in script.segments:
        if seg.kind == "narration":
            continue
        last = runs[-1][-1] if runs else None
        if (
            last is not None
            and seg.decision is not None
            and seg.decision == last.decision
            and seg.chapter == last.chapter
        ):
            runs[-1].append(seg)
        else:
            runs.append([seg])
    return [Run(tuple(r)) for r in runs]


def recast(run: Sequence[Segment], speaker: str) -> list[str | None]:
    """The run's speakers once its first line is given to ``speaker``: the lines its
    first line's speaker spoke go to the new one and, if the new one spoke in the run
    too (turns taken off by one), theirs go to the old one; others keep theirs."""
    old = run[0].speaker
    swap: dict[str | None, str | None] = {old: speaker}
    if any(s.speaker == speaker for s in run):
        swap[speaker] = old
    return [swap.get(s.speaker, s.speaker) for s in run]


def follow_runs(script: Script, corrected: Script) -> Script:
    """``corrected`` (``script`` with the user's corrections, line for line), and each run
    of ``script`` whose first line the user gave to another character recast to follow it
    (``recast``). A line of the run the user changed too keeps what the user gave it; a
    line recast is as settled as a corrected one."""
    segments = list(corrected.segments)
    where = {id(s): i for i, s in enumerate(script.segments)}
    for run in decision_runs(script):
        i = where[id(run.first)]
        new = segments[i]
        if len(run.lines) < 2 or new.kind == "narration" or new.speaker == run.first.speaker:
            continue
        assert new.speaker is not None
        for seg, who in zip(run.lines[1:], recast(run.lines, new.speaker)[1:], strict=True):
            j = where[id(seg)]
            mine = (segments[j].kind, segments[j].speaker) != (seg.kind, seg.speaker)
            if not mine and who is not None and who != seg.speaker:
                segments[j] = replace(segments[j], speaker=who, confidence=1.0)
    return replace(corrected, segments=tuple(segments))
