"""Assembly: plan each chapter as utterances and pauses, then lay its audio out in time.

A chapter's audio is its blocks (from the cache) and pause blocks in order;
the writers in :mod:`narrate.output` store that stream as files. Times come
from the blocks' frame counts and their Info tags' delays and paddings, so cue and
chapter times are exact to the sample.
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
from narrate.render.headings import spoken_heading
from narrate.render.pcm import Sidecar
from narrate.render.workers import RenderSettings, job_key, spoken_text

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

    def add(
        text: str, voice: Voice, speaker: str | None, index: int | None, pause: int, say: str = ""
    ) -> None:
        """``say``, when given, is what is spoken in place of ``text`` (a heading's numbers)."""
        spoken = speak(spoken_text(say or text).strip(_EDGE_QUOTES + " "))
        key = job_key(spoken, voice, settings) if _speakable(spoken) else ""
        items.append(Utterance(key, text, spoken, voice, speaker, index, pause))

    if opening:
        add(opening, cast.narrator, None, None, 0)
    if spoken_title:
        pause = pauses.paragraph if opening else 0
        add(chapter.title, cast.narrator, None, None, pause, spoken_heading(chapter.title))
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


# A piece of a chapter's audio: its block, and the utterance it speaks (None for a pause).
Chunk = tuple[mp3.Block, Utterance | None]


def chapter_chunks(plan: ChapterPlan, cache: BlockCache, silence: SilenceBank) -> Iterator[Chunk]:
    """The chapter's blocks in order, each with its utterance (None for a pause)."""
    for u in plan.utterances:
        if u.pause_before:
            yield silence.get(u.pause_before), None
        if not u.key:
            continue
        data = cache.get(u.key)
        block = None
        if data is not None:
            try:
                block = mp3.read_block(data)
            except EngineError:  # intact as stored, yet not a block: never ship it
                cache.drop(u.key)
        if block is None:
            what = "was damaged and is dropped" if u.key in cache.damaged else "is missing"
            raise EngineError(
                f"the cached audio for {u.text[:60]!r} {what} (cache {cache.root}): "
                "run the same command again to render it"
            )
        yield block, u
    yield silence.get(plan.tail_pause), None


def block_pcm(block: mp3.Block, samples: bytes | None) -> bytes:
    """The block's whole decoded span as PCM: its delay, its samples, its padding.

    ``samples`` is its cached PCM, or None for a pause (silence throughout).
    """
    if samples is None:
        return bytes(2 * block.samples)
    if len(samples) != 2 * (block.samples - block.delay - block.padding):
        raise ValueError("PCM does not match its block")
    return bytes(2 * block.delay) + samples + bytes(2 * block.padding)


def chapter_pcm(
    plan: ChapterPlan, cache: BlockCache, silence: SilenceBank
) -> Iterator[tuple[mp3.Block, bytes]]:
    """Each of the chapter's blocks with its span as PCM (see :func:`block_pcm`), in order.

    A block whose PCM is missing or does not fit it is dropped from the cache
    (so the next run renders it again) and named in an EngineError.
    """
    store = Sidecar(cache)
    for block, utterance in chapter_chunks(plan, cache, silence):
        if utterance is None:
            yield block, block_pcm(block, None)
            continue
        samples = store.get(utterance.key)
        try:
            if samples is None:
                raise ValueError("no PCM kept")
            span = block_pcm(block, samples)
        except ValueError:
            store.drop(utterance.key)
            raise EngineError(
                f"the rendered audio of {utterance.text[:60]!r} does not match its MP3 block "
                "in the cache: run the same command again to render it anew"
            ) from None
        yield block, span


@dataclass(frozen=True, slots=True)
class Layout:
    """A chapter's utterances in time, and how long it lasts."""

    timed: list[Timed]
    duration: float  # seconds a player plays of the chapter's own file
    span: float  # seconds its frames take inside a whole-book stream (see timeline)


def timeline(
    chunks: Iterable[Chunk],
    sample_rate: int,
    sink: Callable[[mp3.Block], object] | None = None,
) -> Layout:
    """Place each utterance in time (seconds from the start of what a player plays).

    The one place where the Info tag's trimming enters the times: a player
    that reads the tag (ffmpeg, and the players built on it, foobar2000, iTunes)
    drops the first block's encoder delay and its own decoder delay from the
    start, and the last block's padding from the end. So every time is counted
    from the first block's first input sample (``lead`` samples into the decoded
    frames), and the chapter plays for its frames' samples less that delay and
    that padding. The blocks in between keep their delays and paddings as
    near-silent audio: each utterance's speech starts after its own block's
    delay and ends before its padding.

    ``span`` is the chapter's whole frames, delay and padding included: where
    chapters are joined into one whole-book stream, each next chapter starts
    that much later, and because every chapter opens with the same delay its
    first input sample lands exactly there in the book's played time.
    """
    samples = 0
    lead: int | None = None
    last: mp3.Block | None = None
    timed: list[Timed] = []
    for block, utterance in chunks:
        if sink is not None:
            sink(block)
        if lead is None:
            lead = block.delay + mp3.DECODING_DELAY
        if utterance is not None:
            start = samples + block.delay + mp3.DECODING_DELAY - lead
            end = samples + block.samples - block.padding + mp3.DECODING_DELAY - lead
            timed.append(Timed(utterance, start / sample_rate, end / sample_rate))
        samples += block.samples
        last = block
    if last is None or lead is None:
        return Layout(timed, 0.0, 0.0)
    played = samples - (lead - mp3.DECODING_DELAY) - last.padding
    return Layout(timed, played / sample_rate, samples / sample_rate)
