"""Assembly: plan each chapter as utterances and pauses, then lay its audio out in time.

A chapter's audio is its blocks (from the cache) and pause blocks in order;
the writers in :mod:`narrate.output` store that stream as files. Times come
from the blocks' frame counts, so cue and chapter times are exact to the sample.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from narrate.config import Pauses
from narrate.errors import EngineError
from narrate.records import Cast, Chapter, Script, Segment, Voice
from narrate.render import mp3
from narrate.render.cache import BlockCache, make_key
from narrate.render.workers import Job, RenderSettings, job_key, spoken_text

# A sentence ends at . ! ? or … (with closing quotes/brackets) before a space.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+")
_EDGE_QUOTES = "\"'“”‘’«»"


@dataclass(frozen=True, slots=True)
class Utterance:
    key: str  # the block in the cache; "" for a pause-only item
    text: str  # the book's words (for transcripts)
    spoken: str  # what the engine reads
    voice: Voice
    speaker: str | None
    segment: int | None  # index into Script.segments; None for a spoken title
    pause_before: int  # ms of silence before it


@dataclass(frozen=True, slots=True)
class ChapterPlan:
    chapter: Chapter
    utterances: tuple[Utterance, ...]
    tail_pause: int
    bitrate: int

    def jobs(self) -> Iterable[Job]:
        for u in self.utterances:
            if u.key:
                yield Job(u.key, u.spoken, u.voice)

    def key(self, tags: object) -> str:
        """Everything the chapter file's bytes depend on."""
        return make_key(
            "chapter",
            self.bitrate,
            self.tail_pause,
            tags,
            [(u.key, u.pause_before) for u in self.utterances],
        )


def sentences(text: str) -> list[str]:
    return [part for part in _SENTENCE_END.split(text) if part.strip()]


def plan_chapter(
    script: Script,
    chapter: Chapter,
    cast: Cast,
    pauses: Pauses,
    speak: Callable[[str], str],
    settings: RenderSettings,
    *,
    spoken_title: bool = True,
    opening: str | None = None,
    closing: str | None = None,
) -> ChapterPlan:
    items: list[Utterance] = []

    def add(text: str, voice: Voice, speaker: str | None, index: int | None, pause: int) -> None:
        spoken = speak(spoken_text(text).strip(_EDGE_QUOTES + " "))
        key = job_key(spoken, voice, settings) if _speakable(spoken) else ""
        items.append(Utterance(key, text, spoken, voice, speaker, index, pause))

    if opening:
        add(opening, cast.narrator, None, None, 0)
    if spoken_title:
        add(chapter.title, cast.narrator, None, None, pauses.paragraph if opening else 0)
    previous: tuple[Segment, Voice] | None = None
    for index, seg in _chapter_segments(script, chapter):
        voice = cast.voice_for(seg)
        if previous is None:
            pause = pauses.chapter if items else 0
        elif seg.paragraph != previous[0].paragraph:
            pause = pauses.paragraph
            if seg.paragraph in chapter.scene_breaks:
                pause = max(pause, pauses.scene_break)
            if voice != previous[1]:
                pause = max(pause, pauses.speaker_change)
        else:
            pause = pauses.speaker_change if voice != previous[1] else pauses.sentence
        for n, sentence in enumerate(sentences(seg.text)):
            add(sentence, voice, seg.speaker, index, pause if n == 0 else pauses.sentence)
        previous = (seg, voice)
    if closing:
        add(closing, cast.narrator, None, None, pauses.chapter)
    return ChapterPlan(chapter, tuple(items), pauses.paragraph, settings.bitrate)


def _speakable(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def _chapter_segments(script: Script, chapter: Chapter) -> Iterable[tuple[int, Segment]]:
    for index, seg in enumerate(script.segments):
        if seg.chapter == chapter.index:
            yield index, seg


@dataclass(frozen=True, slots=True)
class Timed:
    """An utterance placed in its chapter file, in seconds from the file's start."""

    utterance: Utterance
    start: float
    end: float


class SilenceBank:
    """Encoded pause blocks, made once per length, at one bitrate and sample rate."""

    def __init__(self, bitrate: int, sample_rate: int) -> None:
        self.bitrate = bitrate
        self.sample_rate = sample_rate  # the speech's, so pauses and speech join up
        self._blocks: dict[int, mp3.Block] = {}

    def get(self, ms: int) -> mp3.Block:
        if ms not in self._blocks:
            self._blocks[ms] = mp3.silence(ms, self.bitrate, sample_rate=self.sample_rate)
        return self._blocks[ms]


# A piece of a chapter's audio: (MP3 bytes, the utterance or None for a pause, samples).
Chunk = tuple[bytes, Utterance | None, int]


def chapter_chunks(plan: ChapterPlan, cache: BlockCache, silence: SilenceBank) -> Iterator[Chunk]:
    """The chapter's MP3 data in order: (bytes, the utterance or None for a pause, samples)."""
    for u in plan.utterances:
        if u.pause_before:
            pause = silence.get(u.pause_before)
            yield pause.data, None, pause.samples
        if not u.key:
            continue
        data = cache.get(u.key)
        if data is None:
            raise EngineError(
                f"audio for {u.text[:60]!r} is missing from the cache: "
                "run the same command again to render it"
            )
        yield data, u, mp3.block_samples(data)
    tail = silence.get(plan.tail_pause)
    yield tail.data, None, tail.samples


def timeline(
    chunks: Iterable[Chunk],
    sample_rate: int,
    sink: Callable[[bytes], object] | None = None,
) -> tuple[list[Timed], float]:
    """Place each utterance in time (seconds from the chapter's start), passing data on."""
    samples = 0
    timed: list[Timed] = []
    for data, utterance, count in chunks:
        if sink is not None:
            sink(data)
        if utterance is not None:
            # The speech starts after the block's coding delay, not at its first frame.
            start = samples + min(mp3.DECODER_DELAY, count)
            timed.append(Timed(utterance, start / sample_rate, (samples + count) / sample_rate))
        samples += count
    return timed, samples / sample_rate
