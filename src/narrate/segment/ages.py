"""Age: which characters are children, read from the text as a reader reads it.

Nobody tells the reader that Wren is a child; the narration does, in the sentences
after it names her: "The little girl nodded", "drew the child close". A description
that says a character's age ("the little girl", "the child", "the baby") a sentence or
two after a name of the same gender is that name's (a second form of one
person is seldom in the sentence that names her, so the description's own sentence
is left out); "little Wren" says so outright (``aliases.child_cues``). Descriptions
that say a grown-up ("the woman", "his wife", "the old man"), like a grown-up's title
("Mrs. Holt", "Miss Cuthbert"), count against. A character the child descriptions and
cues point to at least twice, and three times as often as the grown-up ones, is a child
(not the woman who is named as she looks after one): read in a
child's voice, and the one "the little girl" means (``Salience``); "little Emma" said
twice of a heroine the narration calls "the young woman" a dozen times is not.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Sequence

from narrate.segment.aliases import SENTENCE_RE
from narrate.segment.mentions import Mention
from narrate.segment.names import NameTable, title_word
from narrate.segment.wordlists import FEMALE_TITLES, MALE_TITLES, OTHER_TITLES, words

# a description that is a child whatever its words ("the child", "the baby")
CHILD_HEADS = words("child toddler baby infant")
# nouns a child shares with the young ("the girl" may be eighteen): a child with an age word
YOUNG_HEADS = words("girl boy lad lass son daughter")
AGE_WORDS = re.compile(r"\b(?:little|small|tiny|wee)\b", re.IGNORECASE)
ADULT_HEADS = words("man woman gentleman lady husband wife mother father widow widower")
SPOUSES = words("husband wife")
OLD_WORDS = re.compile(r"\b(?:old|elderly|aged|grown)\b", re.IGNORECASE)
# titles a child is also given ("Master Tom", "Miss Ada", "Sister", "Brother")
YOUNG_TITLES = words("miss master mademoiselle mlle fraulein brother sister")
ADULT_TITLES = (MALE_TITLES | FEMALE_TITLES | OTHER_TITLES) - YOUNG_TITLES - {"cousin"}
GIVEN = 9  # Entity.child of a character the user's cast calls a child
BACK = 2  # sentences before the description's own that may hold its name
REACH = 600  # characters before a description searched for those sentences
MIN_VOTES = 2
GROWN_RATIO = 3  # a child is called one at least this many times as often as grown up
LONE_CUE_NAMED = 20  # times named, at most, for one "little X" to make X a child


def _age_of(text: str, m: Mention) -> str | None:
    """'child' or 'adult' for a description that says an age, else None."""
    words_before = text[m.start : m.end]
    if m.word in CHILD_HEADS or m.word in YOUNG_HEADS and AGE_WORDS.search(words_before):
        return "child"
    if m.word in ADULT_HEADS or OLD_WORDS.search(words_before):
        return "adult"
    return None


def _grown_title(toks: list[str], last: str | None) -> bool:
    """A grown-up's title: "Mrs. Holt", or a young one with the surname ("Miss
    Cuthbert"; "Miss Ada" and "Master Tom" may be children)."""
    if len(toks) < 2:
        return False
    title = title_word(toks[0])
    return title in ADULT_TITLES or title in YOUNG_TITLES and toks[-1] == last


def find_children(text: str, table: NameTable, mentions: Sequence[Mention]) -> None:
    """Mark the characters the text shows to be children (``Entity.young``)."""
    ents = table.entities
    votes: dict[str, Counter[int]] = {"child": Counter(), "adult": Counter()}
    girl_boy: dict[int, Counter[str]] = {}  # what the child descriptions say of the gender
    last: list[tuple[int, int]] = []  # (start, entity) of the name mentions so far
    named: Counter[int] = Counter()
    for m in mentions:
        if m.kind == "name" and m.ent is not None:
            last.append((m.start, m.ent))
            named[m.ent] += 1
            continue
        age = _age_of(text, m) if m.kind == "desc" else None
        if age is None or m.det != "the" and (age == "child" or m.word not in SPOUSES):
            continue  # "her child", "her mother" are not she; "his wife" may be
        # the sentence ends between the names just before and the description
        lo = max(0, m.start - REACH)
        ends = [x.end() for x in SENTENCE_RE.finditer(text, lo, m.start + 1)]
        for at, e in reversed(last[-12:]):
            back = len(ends) - bisect.bisect_right(ends, at)  # sentences back
            if at < lo or back > BACK:
                break
            if back == 0 or ents[e].main_name().startswith("The "):
                # the description's own sentence names someone else; a role ("the
                # cook") is a description itself
                continue
            if m.gender in ("unknown", ents[e].gender) or ents[e].gender == "unknown":
                votes[age][e] += 1
                if age == "child" and m.gender != "unknown":
                    girl_boy.setdefault(e, Counter())[m.gender] += 1
                break
    for ent in ents:
        if any(_grown_title(f.split(), ent.last) for f in ent.forms):
            votes["adult"][ent.key] += MIN_VOTES  # "Mrs. Holt", "Miss Cuthbert": grown up
    for ent in ents:
        # "little Wren" (the cues counted in discovery) and the descriptions; a lone
        # "little Cynthia" is said of a grown-up as well, unless she is seldom named
        n = ent.child + votes["child"][ent.key]
        enough = n >= MIN_VOTES or ent.child > 0 and named[ent.key] <= LONE_CUE_NAMED
        ent.young = ent.child >= GIVEN or enough and n >= GROWN_RATIO * votes["adult"][ent.key]
        said = girl_boy.get(ent.key)
        if ent.young and said and ent.gender == "unknown":
            # "the little girl" twice over: a girl
            ent.male += said["male"]
            ent.female += said["female"]
