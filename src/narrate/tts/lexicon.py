"""The pronunciation lexicon (voices.yaml `lexicon:`).

Applied only to the text sent to the speech engine, never to the script or
any other text output. Engine-neutral: a replacement in an engine's own markup
passes through verbatim, and the engine says whether it is well formed
(``Engine.lexicon_problem``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

Lexicon = Mapping[str, str] | Iterable[tuple[str, str]]


@lru_cache(maxsize=32)
def _compile(entries: tuple[tuple[str, str], ...]) -> re.Pattern[str]:
    """One alternation for the whole lexicon, so replacements are never re-replaced."""
    parts = []
    # Longest first: "Mrs. Holt" must win over "Holt".
    for word, _ in sorted(entries, key=lambda e: (-len(e[0]), e[0])):
        body = re.escape(word)
        parts.append(body if any(c.isupper() for c in word) else f"(?i:{body})")
    # \w boundaries on both sides; an apostrophe or hyphen ends a word ("Niamh's").
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)")


def apply_lexicon(text: str, lexicon: Lexicon) -> str:
    """``text`` with every lexicon entry replaced by how it should be spoken.

    ``lexicon`` maps a word or phrase to replacement text, or to the engine's
    phoneme markup, which passes through verbatim.

    * Whole words only: "Niamh" matches "Niamh", "Niamh's" and "Niamh," but
      not "Niamhs" or "MacNiamh". Entries may span words ("Mrs. Holt").
    * Case-aware: an entry all in lower case ("gaol") matches any
      capitalisation, and a plain-text replacement is capitalised where the
      word was ("Gaol" -> "Jail"); an entry with a capital ("US", "Niamh")
      matches exactly that spelling, so "US" leaves "us" alone.
    * Longer entries win over shorter ones they overlap, and each piece of
      text is replaced at most once (a replacement is never replaced again).
    """
    items = lexicon.items() if isinstance(lexicon, Mapping) else lexicon
    entries = tuple((str(k), str(v)) for k, v in items if str(k).strip())
    if not entries or not text:
        return text
    exact = dict(entries)
    folded = {k.casefold(): v for k, v in entries if not any(c.isupper() for c in k)}

    def replace(match: re.Match[str]) -> str:
        found = match.group(0)
        if found in exact:
            return exact[found]
        spoken = folded[found.casefold()]
        # Markup opens with a bracket or the like, which capitalising leaves alone.
        if found[:1].isupper():
            spoken = spoken[:1].upper() + spoken[1:]
        return spoken

    return _compile(entries).sub(replace, text)
