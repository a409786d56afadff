"""Descriptions as characters: "the old man", "the stranger", "the little girl".

A reader who meets '"Come in," said the old man' again and again knows a character
by that description, one who speaks in a voice of his own, not the last man named.
A description tagged as the speaker of lines (the subject of a said-tag) at least
``MIN_TAGS`` times becomes a character of its own, with the gender its noun gives
(or the pronouns after its tags) and a child's age for "girl", "boy", "child" words.

It stays the named character's when the text ties it to one: in apposition ("Mr.
Hale, the old man", "the stranger, Ralph Hale"), or when, time and again, the name
just before it is the same one person of its gender (``ages.py`` reads children so):
the description is then a second way of naming them, written into the table's phrases.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict

from narrate.segment.ages import GIVEN
from narrate.segment.aliases import SENTENCE_RE, gender_votes
from narrate.segment.names import SEQ_RE, TOKEN_RE, Entity, NameTable, norm, phrase_pattern
from narrate.segment.wordlists import (
    NOUN_GENDER,
    ROLE_GENDER,
    SPEECH_VERB_ALT,
    role_gender,
    words,
)

# head nouns that describe a person by themselves; kin words ("her husband", "the
# mother") are someone's, and salience finds whose
HEADS = words(
    "man woman gentleman lady boy girl child lad lass youth fellow stranger maid widow baby"
)
CHILD_HEADS = words("child baby")
# A head that says by itself that the one described is nobody named yet, or a child's
# age word before a girl or boy word ("the little girl"); the others ("the man", "the
# child", "the old lady", "the young man") are in novels mostly a second word for someone
# named, however far back: as characters they cost more lines than they win
NEW_HEADS = words("stranger")
YOUNG_HEADS = words("boy girl lad lass")
CHILD_ADJ = words("little small tiny wee")
ADJ_STOP = words(
    "other same first second last one two three this that whole next former latter "
    "very most more only such own poor"
)
MIN_TAGS = 2  # said-tags a description needs to become a character
BACK = 2  # sentences before a description's own that may hold the name it stands for
REACH = 600  # characters searched for those sentences
TIE_SHARE = 0.5  # share of the names before a description's uses one must be to own it
BESIDE = 3  # a name beside the description (in its sentence) this often is someone else
NAME_RUN = r"(?:[A-Z][a-z]*\.?\s+)*[A-Z][\w'-]+"  # "Mr. Wells", "Athelney Jones"
# a said-tag naming its speaker: "said Tobias", "Tobias said"
NAME_TAG_RE = re.compile(
    rf"\b(?:{SPEECH_VERB_ALT})\s+({NAME_RUN})|({NAME_RUN})\s+(?:{SPEECH_VERB_ALT})\b"
)
VERB_BEFORE_RE = re.compile(rf"\b(?:{SPEECH_VERB_ALT})\s+$")
VERB_AFTER_RE = re.compile(rf"\s+(?:{SPEECH_VERB_ALT})\b")
_HEAD_ALT = "|".join(sorted(HEADS, key=len, reverse=True))
_DESC = rf"(?:([a-z]{{3,}})\s+)?({_HEAD_ALT})"
AFTER_RE = re.compile(
    r"[\"\u201d\u2019][ \t]*\n?[ \t]*(?:" + SPEECH_VERB_ALT + rf")\s+the\s+{_DESC}"
    r"(?=\s*[,.;:!?\u2014]|-(?![a-z]))"
)
BEFORE_RE = re.compile(
    r"(?:^|[.!?,]['\"\u201d\u2019]?\s+|['\"\u201d\u2019]\s*)[Tt]he\s+"
    + _DESC
    + r"\s+(?:"
    + SPEECH_VERB_ALT
    + r")\b",
    re.MULTILINE,
)


def _phrase(adj: str | None, head: str) -> str:
    return f"{adj} {head}" if adj and adj not in ADJ_STOP else head


def description_speakers(table: NameTable, text: str) -> None:
    """Add the descriptions tagged as speakers to ``table``: tied to the named
    character the text links them to, else characters of their own."""
    tags: Counter[str] = Counter()
    votes: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for m in (*AFTER_RE.finditer(text), *BEFORE_RE.finditer(text)):
        p = _phrase(m.group(1), m.group(2))
        tags[p] += 1
        mv, fv = gender_votes(text, m.end(2))
        votes[p][0] += mv
        votes[p][1] += fv
    added = False
    for p, n in sorted(tags.items()):
        if n < MIN_TAGS or p in table.phrases or p in table.lookup:
            continue
        head = p.split()[-1]
        adj = p.split()[0] if " " in p else ""
        if head not in NEW_HEADS and not (adj in CHILD_ADJ and head in YOUNG_HEADS | CHILD_HEADS):
            continue
        g = NOUN_GENDER.get(head, "unknown")
        named = _apposed(table, text, p)
        if named is None:
            named = _scene_tie(table, text, p, g)
        if named is not None:
            table.phrases[p] = named  # "the old man" is Mr. Hale
            added = True
            continue
        ent = Entity(
            len(table.entities), cast_name="The " + " ".join(w.capitalize() for w in p.split())
        )
        ent.forms["the " + p] = n
        ent.tagged = n
        mv, fv = votes[p]
        ent.male = mv + (6.0 if g == "male" else 0.0)
        ent.female = fv + (6.0 if g == "female" else 0.0)
        if head in CHILD_HEADS or head in YOUNG_HEADS and adj in CHILD_ADJ:
            ent.child = GIVEN  # "the little girl" is a child whoever she is
        table.entities.append(ent)
        table.phrases[p] = ent.key
        added = True
    if added:
        table.phrase_re = phrase_pattern(table.phrases)


def _apposed(table: NameTable, text: str, phrase: str) -> int | None:
    """The one character named in apposition to the description: "Mr. Hale, the old
    man", "the stranger, Ralph Hale"; None if none, or more than one."""
    desc = r"(?:[Tt]he|[Aa]n?)\s+" + r"\s+".join(map(re.escape, phrase.split())) + r"\b"
    found: set[int] = set()
    for pat in (rf"({NAME_RUN})\s*,\s+{desc}", rf"\b{desc}\s*,\s+({NAME_RUN})"):
        for m in re.finditer(pat, text):
            key = _known(table, m.group(1))
            if key is not None:
                found.add(key)
    return found.pop() if len(found) == 1 else None


def _known(table: NameTable, run: str) -> int | None:
    toks = run.split()
    for i in range(len(toks)):
        key = norm(" ".join(toks[i:]))
        if key in table.lookup:
            return table.lookup[key]
    return None


def _scene_tie(table: NameTable, text: str, phrase: str, g: str) -> int | None:
    """The named character the description follows time and again: at most ``BACK``
    sentences before its own, the latest name of its gender is the same one person for
    most of its uses. One named in the description's own sentence ("Tobias followed the
    old man in") is someone beside it, as is the speaker of the line a said-tag of the
    description answers: a name often so is not the description's."""
    pat = re.compile(
        r"\bthe\s+" + r"\s+".join(map(re.escape, phrase.split())) + r"\b", re.IGNORECASE
    )
    before: Counter[int] = Counter()
    beside: Counter[int] = Counter()
    for dm in pat.finditer(text):
        at = dm.start()
        lo = max(0, at - REACH)
        ends = [x.end() for x in SENTENCE_RE.finditer(text, lo, at + 1)]
        stop = SENTENCE_RE.search(text, dm.end())
        for sm in SEQ_RE.finditer(text, dm.end(), stop.end() if stop else len(text)):
            key = _known(table, " ".join(TOKEN_RE.findall(sm.group())))
            if key is not None:
                beside[key] += 1
        if VERB_BEFORE_RE.search(text, max(0, at - 20), at) or VERB_AFTER_RE.match(text, dm.end()):
            # "said the little girl" answering "said Hester": the one spoken to
            tags = list(NAME_TAG_RE.finditer(text, lo, at))
            partner = _known(table, tags[-1].group(1) or tags[-1].group(2)) if tags else None
            if partner is not None:
                beside[partner] += 1
        seen = False
        for sm in reversed(list(SEQ_RE.finditer(text, lo, at))):
            key = _known(table, " ".join(TOKEN_RE.findall(sm.group())))
            back = len(ends) - bisect.bisect_right(ends, sm.start())
            if back > BACK:
                break
            if key is None:
                continue
            if back == 0:
                beside[key] += 1
                continue
            eg = table.entities[key].gender
            if not seen and (g == "unknown" or eg in (g, "unknown")):
                before[key] += 1
                seen = True
    if not before:
        return None
    key, n = before.most_common(1)[0]
    tied = n >= 2 and n >= TIE_SHARE * sum(before.values()) and beside[key] * BESIDE <= n
    return key if tied else None


def role_genders(table: NameTable) -> None:
    """The gender a speaker's role name carries, for one the pronouns leave unknown:
    "the Duchess", "the waiter", "the coachman" (a role known as "the X", or a bare
    rank, "Queen")."""
    for ent in table.entities:
        if ent.gender != "unknown" or not ent.tagged:
            continue  # a role never seen speaking is left to the pronouns
        name = ent.main_name().split()
        role = name[0] == "The" or len(name) == 1 and name[0].lower() in ROLE_GENDER
        g = role_gender(name[-1]) if role else "unknown"
        if g == "male":
            ent.male += 6.0
        elif g == "female":
            ent.female += 6.0
