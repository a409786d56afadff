"""The name model every stage of character finding stands on.

What a name looks like in the text (the name regexes), how name strings are
normalised and keyed, what a title says about gender, and the two records the
other modules fill in and read: an Entity (one character's forms and evidence)
and the NameTable (name strings to entities).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from narrate.records import Gender
from narrate.segment.wordlists import (
    FEMALE_NAMES,
    FEMALE_TITLES,
    MALE_NAMES,
    MALE_TITLES,
    PET_NAMES,
    TITLES,
)

_TITLE_ALT = "|".join(sorted((t.capitalize() for t in TITLES if t != "m"), key=len, reverse=True))
NAMEWORD = r"(?:[A-Z]'|Mc|Mac|De|Di|Le|La|O')?[A-Z][a-z]+(?:-[A-Z][a-z]+)*"
# A run of capitalised words, optionally after a title ("Mr. Bennet", "Jor-El").
SEQ_RE = re.compile(
    rf"(?<![\w'\u2019])(?<!\w-)(?:(M\.|(?:{_TITLE_ALT})\.?)[ \t]*\n?[ \t]*)?({NAMEWORD}(?:[ \t]*\n?[ \t]*{NAMEWORD})*)"
)
TOKEN_RE = re.compile(NAMEWORD)
# a title just before a name that SEQ_RE read without it ("Of Mr. Ash": "Of Mr" was a run)
TITLE_BEFORE_RE = re.compile(rf"(?<![\w'\u2019])(M\.|(?:{_TITLE_ALT})\.?)[ \t]*\n?[ \t]*$")
TITLE_FORMS = {t.capitalize() for t in TITLES} | {t.capitalize() + "." for t in TITLES}


def norm(s: str) -> str:
    """The lookup key of a name string: 'Mr.  Bennet' -> 'mr bennet'."""
    return re.sub(r"[\s.]+", " ", s.replace("\u2019", "'")).strip().lower()


def canonical_first(first: str) -> str:
    """The first name a pet form stands for, lower case: 'Lizzy' -> 'elizabeth'."""
    low = first.lower()
    return PET_NAMES.get(low, low)


def title_word(title: str) -> str:
    """'Mrs.' -> 'mrs'."""
    return title.rstrip(".").lower()


def title_gender(title: str | None) -> Gender:
    """The gender a title gives ('Mrs.' -> female); 'unknown' for 'Dr.' or none."""
    t = (title or "").rstrip(".").lower()
    if t in MALE_TITLES:
        return "male"
    if t in FEMALE_TITLES:
        return "female"
    return "unknown"


def phrase_pattern(phrases: Iterable[str]) -> re.Pattern[str]:
    """The regex finding lower-case names ("the barman"), longest first, with or without
    an article before them; group 1 is the phrase."""
    alts = sorted(phrases, key=len, reverse=True)
    pat = "|".join(r"\s+".join(re.escape(w) for w in p.split()) for p in alts)
    return re.compile(rf"\b(?:[Tt]he\s+|[Aa]n?\s+)?({pat})\b", re.IGNORECASE)


@dataclass(slots=True)
class Entity:
    """A character being discovered: its name forms and evidence."""

    key: int
    forms: Counter[str] = field(default_factory=Counter)
    first: str | None = None
    last: str | None = None
    title: str | None = None
    male: float = 0.0
    female: float = 0.0
    child: int = 0  # "little X" cues: someone "the girl" or "the boy" may mean
    young: bool = False  # a child, as the text shows (segment.ages): read in a child's voice
    cast_name: str | None = None
    article: int = 0  # mentions written "the X" (the Gryphon)
    shared_last: bool = False  # another character has the same surname
    tagged: int = 0  # forms seen next to a speech verb
    acted: int = 0  # times seen as the subject of a past-tense verb

    @property
    def gender(self) -> Gender:
        if self.first and not self.cast_name and not self.title:
            c = canonical_first(self.first)
            # a well-known first name outweighs noisy pronoun counts
            if c in MALE_NAMES and self.female < 3 * self.male + 6:
                return "male"
            if c in FEMALE_NAMES and self.male < 3 * self.female + 6:
                return "female"
        if self.male > self.female * 1.5 and self.male >= 1:
            return "male"
        if self.female > self.male * 1.5 and self.female >= 1:
            return "female"
        return "unknown"

    def main_name(self) -> str:
        if self.cast_name:
            return self.cast_name
        ranked = sorted(self.forms.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))
        best = ranked[0][0]
        total = sum(self.forms.values())
        if self.article * 2 >= total and best.split()[0] not in TITLE_FORMS:
            return "The " + best  # a creature or role known as "the X"
        full = [f for f, n in ranked if len(f.split()) >= 2 and f.split()[0] not in TITLE_FORMS]
        if full and not self.shared_last:
            # "Bill Carver", unless a family shares the surname; with the first name
            # the book uses most ("Jim Dale", not a "James Dale" seen once)
            firsts = [f for f, _ in ranked if " " not in f and f != self.last]
            if (
                firsts
                and self.last
                and canonical_first(firsts[0]) == canonical_first(full[0].split()[0])
            ):
                return f"{firsts[0]} {self.last}"
            if firsts or self.forms[full[0]] >= 2:
                return full[0]
        if self.title and " " not in best and self.last == best and self.shared_last:
            # a bare surname is ambiguous in a family; the titled form is not
            titled = [f for f, _ in ranked if " " in f]
            if titled:
                return titled[0]
        return best


@dataclass(slots=True)
class NameTable:
    """Maps name strings (normalised) to entities."""

    entities: list[Entity]
    lookup: dict[str, int]
    narrator: int | None = None  # the first-person narrator, when known
    from_cast: bool = False  # built from the user's cast, not discovered
    phrase_re: re.Pattern[str] | None = None  # lower-case cast names ("the barman")
    phrases: dict[str, int] = field(default_factory=dict)
    # a given cast's short forms that several of its characters could carry (a surname
    # a family shares): normalised form -> those characters, the likeliest first
    shared: dict[str, tuple[int, ...]] = field(default_factory=dict)
