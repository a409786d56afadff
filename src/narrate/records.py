"""The small frozen records passed between the pipeline's stages.

ingest -> Book; segment -> Script (characters + segments); cast -> Cast;
synth/assemble/tag consume those. Offsets are character offsets into
``Book.source`` (the input text as decoded), so ``source[start:end] == text``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

Kind = Literal["narration", "speech", "thought"]
Gender = Literal["male", "female", "unknown"]


@dataclass(frozen=True, slots=True)
class Chapter:
    """One chapter: its title and its paragraphs as (start, end) spans of the source."""

    index: int  # 1-based, in reading order
    title: str
    paragraphs: tuple[tuple[int, int], ...]
    # Paragraph indexes (into ``paragraphs``) that a scene break (* * *) precedes.
    scene_breaks: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class Book:
    source: str
    title: str
    author: str | None
    chapters: tuple[Chapter, ...]
    language: str = "en"
    # Extra metadata the book carries (publisher, year, isbn, description, ...).
    metadata: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    def text(self, start: int, end: int) -> str:
        return self.source[start:end]


@dataclass(frozen=True, slots=True)
class Character:
    name: str
    aliases: tuple[str, ...] = ()
    gender: Gender = "unknown"
    child: bool = False  # the user says so (voices.yaml age: child); else the text tells
    # where the text first names them ((start, end) in Book.source): why they are in the cast
    seen: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class Segment:
    chapter: int  # Chapter.index
    paragraph: int  # index into that chapter's paragraphs
    kind: Kind
    speaker: str | None  # a Character.name; None for narration
    text: str  # == book.source[start:end]
    start: int
    end: int
    confidence: float = 1.0
    # where the line whose choice of speaker this line's rests on starts (its own start
    # when its own evidence decides it: a said-tag, the narration beside it); a line taking
    # its speaker from the one before (carried on, turn-taking) rests on that one's choice
    decision: int | None = None


@dataclass(frozen=True, slots=True)
class Script:
    book: Book
    characters: tuple[Character, ...]
    segments: tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class Voice:
    """A voice identity plus the per-call settings it is read with."""

    engine: str  # "espeak", "nsss", "sapi5"
    voice_id: str  # e.g. "en-us+f3"
    rate: int = 175  # words per minute
    pitch: int = 50  # 0-100
    volume: float = 1.0  # 0-1

    def as_json(self) -> dict[str, object]:
        return {
            "engine": self.engine,
            "id": self.voice_id,
            "rate": self.rate,
            "pitch": self.pitch,
            "volume": self.volume,
        }


@dataclass(frozen=True, slots=True)
class Cast:
    narrator: Voice
    characters: dict[str, Voice] = field(hash=False)
    # How thoughts are read: "character" (their voice, softer) or "narrator".
    thoughts: Literal["character", "narrator"] = "character"

    def voice_for(self, segment: Segment) -> Voice:
        """The voice a segment is read with.

        Thoughts are read by the narrator in "narrator" mode; in "character"
        mode by the thinker's own voice at 80% of its volume, so they sound
        inward next to that character's speech.
        """
        if segment.kind == "narration" or segment.speaker is None:
            return self.narrator
        if segment.kind == "thought" and self.thoughts == "narrator":
            return self.narrator
        voice = self.characters.get(segment.speaker, self.narrator)
        if segment.kind == "thought":
            return replace(voice, volume=round(voice.volume * 0.8, 3))
        return voice


@dataclass(frozen=True, slots=True)
class VoiceInfo:
    """One voice the engine offers (as `narrate voices` lists it)."""

    id: str  # what Voice.voice_id takes, e.g. "en-us" or "en-us+f3"
    name: str
    gender: Gender
    languages: tuple[str, ...]
    age: int | None = None


@dataclass(frozen=True, slots=True)
class ChapterMark:
    """A chapter inside one audio file, times in seconds from exact frame counts."""

    title: str
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class TrackMeta:
    """Everything written into one output file's tags."""

    title: str  # the chapter title (or the book title for a whole-book file)
    album: str  # the book title
    artist: str | None  # the author
    track: int
    total: int
    language: str | None = None
    narrator: str | None = None
    year: str | None = None
    genre: str = "Audiobook"
    description: str | None = None  # also the comment: libraries fall back to it
    encoder: str | None = None  # the software that made the file (ID3 TSSE, MP4 ©too)
    series: str | None = None
    series_index: str | None = None
    publisher: str | None = None
    isbn: str | None = None
    cover: bytes | None = None  # image data
    cover_mime: str | None = None  # "image/png" / "image/jpeg"
    chapters: tuple[ChapterMark, ...] = ()
