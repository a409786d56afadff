"""A cast the user gives: the listed characters, plus the unlisted ones the text shows.

A voices.yaml usually names the characters whose voices the user cares about;
the others still speak, so they are discovered as without a file and added to
the listed ones. But a given cast is the cast: a discovered character any of
whose names reads, by the listed characters' name model, as one of theirs
("Ashby" for Tom Ashby, "Mrs. Hale" for a listed Mrs. Hale, a surname a listed
family shares) is that character, never a second speaker; and only a character
the text shows speaking under its own name ("said Perry") joins the cast,
since one found only through pronouns and turn-taking is, next to a given
cast, more often a listed character's lines taken from them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from narrate.records import Book, Character, Script
from narrate.segment.calibration import SHIPPED, Rate, rated
from narrate.segment.characters import discover
from narrate.segment.mentions import find_mentions
from narrate.segment.names import TITLE_BEFORE_RE, NameTable, norm
from narrate.segment.segmenter import segment

COMPLETE = 0.9  # the share of named lines a file's characters speak when it lists everyone


def with_discovered(
    book: Book, listed: list[Character] | None, found: Script | None = None
) -> list[Character] | None:
    """The user's characters plus those the text shows that the file does not list.

    A listed character without a gender takes the one the text shows. ``found``
    is ``segment(book, None)`` when the caller has it already.
    """
    if not listed:
        return listed
    script = found or segment(book, None)
    # a line tagged by name: the confidence the script gives one (no other kind of
    # evidence is given as much)
    by_name = rated("tag_by_name")
    named = Counter(s.speaker for s in script.segments if s.speaker and s.confidence >= by_name)
    table = discover(book.source, listed)
    owned = {c.name: listed_owners(table, c) for c in script.characters}
    # the share of the lines said-tags give by name that the file's characters speak:
    # near all, and the file lists everyone who speaks by name
    by_listed = sum(n for name, n in named.items() if owned.get(name))
    complete = by_listed >= COMPLETE * sum(named.values())
    merged = list(listed)
    for character in script.characters:
        owners = owned[character.name]
        # a role ("the lawyer") is a description, and next to a file that lists
        # everyone it describes one of them; a name the file lacks is someone else
        role = character.name.startswith("The ")
        if not owners and named[character.name] and not (role and complete):
            merged.append(character)
        if len(owners) == 1:
            n = owners.pop()
            if merged[n].gender == "unknown" and character.gender != "unknown":
                merged[n] = replace(merged[n], gender=character.gender)
    return merged


def listed_owners(table: NameTable, character: Character) -> set[int]:
    """The listed characters (indices into the given cast) a discovered one may be.

    Its main name (the form the book uses most) decides, read as the text would be
    read with only the given cast: "Mr. Ashby" is the one Ashby who is a man, "Ashby"
    any Ashby listed. A main name that reads as no one is someone the file lacks,
    whatever its other forms: a discovered cluster may hold a listed one's name by
    mistake ("Kitty" with "Catherine" next to a listed Lady Catherine).
    """
    return _read(table, character.name)


def _read(table: NameTable, name: str) -> set[int]:
    """The listed characters one name string reads as: a form of one of them, a form
    several could carry, or a whole name mention."""
    key = norm(name)
    family = key.removeprefix("the ")
    if family != key and family.endswith("s") and family[:-1] in table.shared:
        key = family[:-1]  # "the Ashbys": the listed Ashbys
    if key in table.lookup:
        return {table.lookup[key]}
    if key in table.shared:
        return set(table.shared[key])
    name = name.strip()
    found = [m for m in find_mentions(name, table) if m.kind == "name"]
    if len(found) != 1 or found[0].end != len(name):
        return set()
    m = found[0]
    before = name[: m.start]
    if before and not TITLE_BEFORE_RE.match(before):
        return set()  # a name the mention is only the end of ("John Ashby")
    return set(m.cands or ([] if m.ent is None else [m.ent]))


def segment_given(
    book: Book,
    listed: list[Character] | None,
    found: Script | None = None,
    confidence: Rate = SHIPPED,
) -> Script:
    """segment() with the user's cast (None or empty: every character discovered);
    ``found`` is the book segmented without a cast (``segment(book, None)``), when
    the caller has it; ``confidence`` as for segment()."""
    return segment(book, with_discovered(book, listed, found), confidence)
