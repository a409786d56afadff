"""The pronunciation lexicon: respell words in the text that is spoken.

Applied only to what goes to the speech engine, never to the script or any
text output. Rules:

* Whole words only: an entry matches where it is not part of a longer word.
  "Niamh" matches "Niamh", "Niamh's" and "Niamh," but not "Niamhs" or
  "MacNiamh". Entries may span words ("Mrs. Holt") or hold punctuation.
* Case-aware: an entry written all in lower case ("niamh") matches any
  capitalisation; an entry with a capital ("US", "Niamh") matches exactly
  that spelling, so "US" does not change "us".
* When a lower-case entry matches a capitalised word, a plain-text
  replacement is capitalised too ("gaol" -> "jail" turns "Gaol" into "Jail").
* A replacement in double brackets, ``[[n'i:v]]``, is espeak-ng phoneme
  input and is passed through verbatim (the speech layer enables phoneme
  input); text around it, such as a possessive "'s", stays as it was.
* Longer entries win over shorter ones that overlap them, and each piece of
  text is replaced at most once (a replacement is never replaced again).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

Lexicon = Mapping[str, str] | Iterable[tuple[str, str]]


def is_phonemes(replacement: str) -> bool:
    """True when ``replacement`` is espeak phoneme input such as ``[[n'i:v]]``."""
    text = replacement.strip()
    return text.startswith("[[") and text.endswith("]]")


@lru_cache(maxsize=32)
def _compile(entries: tuple[tuple[str, str], ...]) -> tuple[re.Pattern[str], dict[str, str]]:
    """One alternation for the whole lexicon, so replacements are never re-replaced."""
    parts = []
    # Longest first: "Mrs. Holt" must win over "Holt".
    for word, _ in sorted(entries, key=lambda e: (-len(e[0]), e[0])):
        body = re.escape(word)
        parts.append(body if any(c.isupper() for c in word) else f"(?i:{body})")
    # \w boundaries on both sides; an apostrophe or hyphen ends a word ("Niamh's").
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)")
    exact = dict(entries)
    return pattern, exact


def _normalise(lexicon: Lexicon) -> tuple[tuple[str, str], ...]:
    items = lexicon.items() if isinstance(lexicon, Mapping) else lexicon
    return tuple((str(k), str(v)) for k, v in items if str(k).strip())


def apply_lexicon(text: str, lexicon: Lexicon) -> str:
    """``text`` with every lexicon entry replaced by how it should be spoken.

    ``lexicon`` maps a word (or phrase) to replacement text or to espeak
    phonemes in ``[[...]]``; see the module docstring for the matching rules.
    """
    entries = _normalise(lexicon)
    if not entries or not text:
        return text
    pattern, exact = _compile(entries)
    folded = {k.casefold(): v for k, v in entries if not any(c.isupper() for c in k)}

    def replace(match: re.Match[str]) -> str:
        found = match.group(0)
        if found in exact:
            spoken = exact[found]
        else:
            spoken = folded[found.casefold()]
            if found[:1].isupper() and not is_phonemes(spoken):
                spoken = spoken[:1].upper() + spoken[1:]
        return spoken

    return pattern.sub(replace, text)
