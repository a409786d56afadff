"""Small helpers shared by the format readers: text building, titles, languages."""

from __future__ import annotations

import re
import unicodedata

from narrate.errors import InputError
from narrate.records import Chapter

# Words kept lower case inside a title ("The Lamp at Gull Point").
_SMALL_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "but",
        "by",
        "for",
        "from",
        "in",
        "into",
        "nor",
        "of",
        "on",
        "or",
        "the",
        "to",
        "upon",
        "with",
        "o'",
        "o’",
    ]
)

_LANGUAGE_NAMES = {
    "english": "en",
    "french": "fr",
    "german": "de",
    "spanish": "es",
    "italian": "it",
    "dutch": "nl",
    "portuguese": "pt",
    "swedish": "sv",
    "danish": "da",
    "norwegian": "no",
    "finnish": "fi",
    "polish": "pl",
    "russian": "ru",
    "latin": "la",
    "greek": "el",
    "czech": "cs",
    "hungarian": "hu",
    "catalan": "ca",
    "esperanto": "eo",
    "welsh": "cy",
    "irish": "ga",
    "japanese": "ja",
    "chinese": "zh",
}

_LANG_CODE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")


def smart_title(text: str) -> str:
    """Title-case ``text`` the way book titles are written; keeps inner capitals."""
    words = text.split()
    out: list[str] = []
    for i, word in enumerate(words):
        lower = word.lower()
        if 0 < i < len(words) - 1 and lower in _SMALL_WORDS:
            out.append(lower)
        elif word.isupper() or word.islower():
            # Capitalise after hyphens too ("Rabbit-Hole"), but not after apostrophes.
            out.append("-".join(p[:1].upper() + p[1:].lower() for p in word.split("-")))
        else:
            out.append(word)
    return " ".join(out)


def title_from_stem(stem: str) -> str:
    """'my-book' -> 'My Book': the fallback title read_book derives from a file name."""
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", stem)  # "TheSignOfFour" -> words
    words = re.sub(r"[-_.]+", " ", words).strip()
    return smart_title(words) if words else "Untitled"


def tidy_title(text: str) -> str:
    """Collapse whitespace, drop a closing full stop, and soften ALL-CAPS titles."""
    text = " ".join(text.split()).strip(" .")
    letters = [c for c in text if c.isalpha()]
    if letters and all(c.isupper() for c in letters) and len(letters) > 1:
        text = smart_title(text)
    return text


def language_code(value: str | None) -> str | None:
    """Turn 'en-US', 'English' or 'fr_FR' into the primary subtag ('en', 'fr')."""
    if not value:
        return None
    value = value.strip()
    named = _LANGUAGE_NAMES.get(value.lower().split(",")[0].strip())
    if named:
        return named
    if _LANG_CODE.fullmatch(value):
        return re.split(r"[-_]", value)[0].lower()
    return None


# Very common function words; enough to tell the main European languages apart.
_STOPWORDS = {
    "en": "the and of to was he she it that his her you with had not but",
    "fr": "le les et des une est que qui dans pas elle il je vous sur avec",
    "de": "der die und das nicht ist ich sie zu den ein mit sich auf war",
    "es": "el los las y que del una por con para pero como más su no",
    "it": "il che di della non per una gli con sono ma come anche più",
    "nl": "het een en van ik niet dat is zijn op te met hij maar",
    "pt": "os não uma do da em que com para por mas como ele ela",
}
_WORDS = {code: frozenset(words.split()) for code, words in _STOPWORDS.items()}
_WORD = re.compile(r"[^\W\d_]+")


def detect_language(sample: str) -> str:
    """Guess the primary language of a prose sample; English unless another clearly wins."""
    counts = dict.fromkeys(_WORDS, 0)
    for word in _WORD.findall(sample.lower()):
        for code, words in _WORDS.items():
            if word in words:
                counts[code] += 1
    best = max(counts, key=lambda code: counts[code])
    if best != "en" and counts[best] >= 20 and counts[best] > 1.5 * counts["en"]:
        return best
    return "en"


def is_invisible(text: str) -> bool:
    """True if nothing in ``text`` would be seen: whitespace, control, format chars."""
    return all(c.isspace() or unicodedata.category(c) in ("Cc", "Cf") for c in text)


class TextBuilder:
    """Builds a synthetic source (EPUB, Markdown) while recording paragraph spans.

    Parts are collected in a list and joined once, so building is linear.
    """

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0
        self.chapters: list[Chapter] = []
        self._spans: list[tuple[int, int]] = []
        self._breaks: set[int] = set()
        self._pending_break = False

    def _append(self, text: str) -> tuple[int, int]:
        if self._parts:
            self._parts.append("\n\n")
            self._length += 2
        start = self._length
        self._parts.append(text)
        self._length += len(text)
        return start, self._length

    def heading(self, text: str) -> None:
        """Write a chapter heading into the source (not narrated as a paragraph)."""
        self._append(text)

    def paragraph(self, text: str) -> None:
        text = text.strip()
        if not text or is_invisible(text):
            return
        if self._pending_break and self._spans:
            self._breaks.add(len(self._spans))
        self._pending_break = False
        self._spans.append(self._append(text))

    def scene_break(self) -> None:
        self._pending_break = True

    def end_chapter(self, title: str) -> None:
        """Close the current chapter; a chapter without paragraphs is dropped."""
        if self._spans:
            self.chapters.append(
                Chapter(len(self.chapters) + 1, title, tuple(self._spans), frozenset(self._breaks))
            )
        self._spans, self._breaks, self._pending_break = [], set(), False

    @property
    def source(self) -> str:
        return "".join(self._parts)


def require_chapters(chapters: list[Chapter], name: str) -> tuple[Chapter, ...]:
    if not chapters:
        raise InputError(f"{name} has no story text: give a file that contains the story")
    return tuple(chapters)
