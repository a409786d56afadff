"""Alias clusters: which name forms denote one character (Elizabeth, Lizzy, Miss Bennet)."""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from collections.abc import Iterator

from narrate.records import Gender
from narrate.segment.names import (
    Entity,
    NameTable,
    canonical_first,
    norm,
    title_gender,
    title_word,
)
from narrate.segment.wordlists import FEMALE_NAMES, MALE_NAMES, TITLES, words

FIRST_NAME_TITLES = words(
    "sir lady dame miss master aunt uncle cousin madame mademoiselle mlle don donna lord"
)
PLACE_WORDS = words(
    "park hall house street parsonage abbey castle court lodge square place road lane "
    "cottage manor church island islands river mountain mountains hill hills bridge row "
    "gardens garden station hotel inn office college school city town county ocean sea"
)
CHILD_RE = re.compile(r"\b(?:little|baby|infant)\s+([A-Z][\w'-]*)")
PRONOUN_RE = re.compile(r"\b(?:he|she|his|her|him|hers|himself|herself)\b", re.IGNORECASE)
SENT_END_RE = re.compile(r"[.!?;\"\u201c\u201d]")
# a sentence ends at . ! ? before a capital, but not after a title's stop ("Mr. Hale")
SENTENCE_RE = re.compile(
    r"(?<!\b[MD]r)(?<!\bMrs)(?<!\bSt)[.!?]+['\"\u201d\u2019]?\s+(?=[A-Z\"\u201c])"
)
WIFE_TITLES = frozenset(("mrs", "lady", "madame", "mme", "dame"))


class Together:
    """How often two names share a sentence: one person is seldom named twice in one
    sentence by two forms, two people often are ("Mrs. Hale kissed Ada")."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in SENTENCE_RE.finditer(text)]
        self.first_at: dict[tuple[str | None, str], int] = {}

    def _found(self, title: str | None, tok: str) -> Iterator[re.Match[str]]:
        # a pattern opening with its literal is searched fast; the word start is checked after
        head = re.escape(title.rstrip(".")) + r"\.?\s+" if title else ""
        for m in re.finditer(rf"{head}{re.escape(tok)}(?![\w-])", self.text):
            at = m.start()
            if at == 0 or not (self.text[at - 1].isalnum() or self.text[at - 1] in "-_'"):
                yield m

    def share(self, title: str | None, tok: str, word: str) -> float:
        """The share of the sentences naming ``title tok`` that also hold ``word``."""
        wre = re.compile(rf"\b{re.escape(word)}(?![\w-])")
        n = both = 0
        for m in self._found(title, tok):
            k = bisect.bisect_right(self.starts, m.start()) - 1
            lo = self.starts[k]
            hi = self.starts[k + 1] if k + 1 < len(self.starts) else len(self.text)
            n += 1
            both += wre.search(self.text, lo, hi) is not None
        return both / n if n else 0.0

    def first(self, title: str | None, tok: str) -> int:
        """Where ``title tok`` is first written (len(text) when never)."""
        if (title, tok) not in self.first_at:
            m = next(self._found(title, tok), None)
            self.first_at[(title, tok)] = m.start() if m else len(self.text)
        return self.first_at[(title, tok)]


def gender_votes(text: str, end: int) -> tuple[int, int]:
    """The first he/she-type pronoun after a mention, in its sentence."""
    if text[end : end + 1] in ("'", "\u2019"):
        return 0, 0  # after "X's", a pronoun is as often about someone else
    window = text[end : end + 120]
    m = SENT_END_RE.search(window)
    if m:
        window = window[: m.start()]
    p = PRONOUN_RE.search(window)
    if not p:
        return 0, 0
    w = p.group().lower()
    return (1, 0) if w in ("he", "his", "him", "himself") else (0, 1)


def cluster(
    cands: Counter[tuple[str | None, tuple[str, ...]]],
    ends: dict[tuple[str | None, tuple[str, ...]], list[int]],
    text: str,
    tagged: set[tuple[str | None, tuple[str, ...]]],
    the_count: Counter[tuple[str | None, tuple[str, ...]]],
    acted: Counter[tuple[str | None, tuple[str, ...]]],
) -> NameTable:
    entities: list[Entity] = []
    lookup: dict[str, int] = {}

    def new(first: str | None, last: str | None, title: str | None) -> Entity:
        ent = Entity(len(entities), first=first, last=last, title=title)
        if first:
            # a known first name is better evidence than pronoun counts
            if canonical_first(first) in MALE_NAMES:
                ent.male += 4
            elif canonical_first(first) in FEMALE_NAMES:
                ent.female += 4
        entities.append(ent)
        return ent

    def add_form(ent: Entity, key: tuple[str | None, tuple[str, ...]], n: int) -> None:
        title, toks = key
        form = " ".join((title, *toks)) if title else " ".join(toks)
        ent.forms[form] += n
        ent.article += the_count[key]
        ent.tagged += key in tagged
        ent.acted += acted[key]
        lookup[norm(form)] = ent.key
        g = title_gender(title)
        if g == "male":
            ent.male += 3 * n
        elif g == "female":
            ent.female += 3 * n
        for e in ends.get(key, ()):
            mv, fv = gender_votes(text, e)
            ent.male += mv
            ent.female += fv

    together = Together(text)

    def two_people(title: str, tok: str, x: Entity) -> bool:
        """The text shows that "Mr. Hale" is not the Hale ``x`` ("Mr. Tom Hale"): the
        first name is often in the same sentence, or ``x`` is titled like the short form
        yet only written so after the short form was in use (a brother told apart)."""
        if x.first and together.share(title, tok, x.first) > 0.05:
            return True
        if x.title and x.first and title_word(x.title) == title_word(title):
            return together.first(x.title, f"{x.first} {tok}") > together.first(title, tok)
        return False

    # person evidence: a title, or several mentions
    keep = dict(cands)
    # 1. full names without title (First Last)
    by_first: dict[str, list[Entity]] = defaultdict(list)
    by_last: dict[str, list[Entity]] = defaultdict(list)
    order = sorted(keep.items(), key=lambda kv: (-len(kv[0][1]), -kv[1], kv[0][1]))
    for key, n in order:
        title, toks = key
        if len(toks) < 2:
            continue
        first, last = toks[0], toks[-1]
        ent = next((x for x in by_first[canonical_first(first)] if x.last == last), None)
        if ent is None:
            ent = new(first, last, None)
            by_first[canonical_first(first)].append(ent)
            by_last[last].append(ent)
        if title:
            ent.title = ent.title or title
        add_form(ent, key, n)
    # 2. title + one name: Mr. Bennet / Sir William / Miss Bennet
    for key, n in order:
        title, toks = key
        if len(toks) != 1 or not title:
            continue
        tok = toks[0]
        g = title_gender(title)
        same = [x for x in by_last[tok] if x.title and title_word(x.title) == title_word(title)]
        same = [x for x in same if not two_people(title, tok, x)]
        if not same:
            if title_word(title) in FIRST_NAME_TITLES:  # Sir William, Miss Lizzy
                same = [x for x in by_first[canonical_first(tok)] if compatible(x, g)]
            if title_word(title) == "mrs":
                same = []  # Mrs. X is X's wife, not a woman called X
        if not same and title_word(title) not in WIFE_TITLES:
            same = [x for x in by_last[tok] if compatible(x, g) and x.title is None]
            same = [x for x in same if not two_people(title, tok, x)]
        elif not same and title_word(title) == "mrs":
            # "Mrs. Hale" is the one woman written "Ada Hale", unless a mother and a
            # daughter share the name or the two names meet in one sentence
            women = [x for x in by_last[tok] if x.first and x.gender == "female"]
            if len(women) == 1 and (women[0].title is None or title_word(women[0].title) == "mrs"):
                same = [x for x in women if not two_people(title, tok, x)]
        if len(same) > 1:
            sizes = sorted((sum(x.forms.values()), x.key) for x in same)
            if sizes[-1][0] >= 4 * sizes[-2][0]:
                same = [entities[sizes[-1][1]]]  # one clearly dominant bearer of the name
        if len(same) == 1:
            ent = same[0]
        else:
            ent = new(None, tok, title)
            by_last[tok].append(ent)
        add_form(ent, key, n)
    # 3. one bare name: a first name, a pet form, or a surname
    for key, n in order:
        title, toks = key
        if len(toks) != 1 or title:
            continue
        tok = toks[0]
        hits = [x for x in entities if x.first and canonical_first(x.first) == canonical_first(tok)]
        if not hits:
            men = [x for x in by_last[tok] if x.gender == "male" or title_gender(x.title) == "male"]
            hits = men if len(men) == 1 else by_last[tok]
        if len(hits) > 1:
            sizes = sorted((sum(x.forms.values()), x.key) for x in hits)
            if sizes[-1][0] >= 4 * sizes[-2][0]:
                hits = [entities[sizes[-1][1]]]  # one clearly dominant bearer of the name
        if len(hits) == 1:
            add_form(hits[0], key, n)
            if hits[0].first is None and not any(x.last == tok for x in hits):
                hits[0].first = tok
        elif not hits:
            ent = new(tok, None, None)
            by_first[canonical_first(tok)].append(ent)
            add_form(ent, key, n)
    child_cues(entities, text)
    surnames = Counter(e.last for e in entities if e.last and person(e))
    for e in entities:
        e.shared_last = bool(e.last and surnames[e.last] > 1)
    stems = {t.lower() for e in entities for f in e.forms for t in f.split()[-1:]}
    owner = {norm(f): e.key for e in entities for f in e.forms}

    def plural(f: str, e: Entity) -> bool:
        """'the Miss Bennets' when another character is 'Miss Bennet' ('Bennets' when
        one is called 'Bennet'); not 'Mrs. Braddocks' for a 'Mrs. Braddock' written once."""
        if not f.endswith("s"):
            return False
        ours = sum(e.forms.values())
        for k in (1, 2):
            other = owner.get(norm(f[:-k]), e.key)
            # the one called so is named about as often as the plural: not a misspelling
            if other != e.key and 2 * sum(entities[other].forms.values()) >= ours:
                return True
        return False

    for e in entities:
        f = e.main_name().split()[-1]
        one = len(e.forms) == 1 and f.endswith("s")
        if (
            one
            and (f[:-1].lower() in stems or f[:-2].lower() in stems)
            or e.forms
            and all(plural(form, e) for form in e.forms)
        ):
            e.tagged = 0
            e.male = e.female = 0.0
            e.acted = -99  # "the Hales": a family, not one speaker
    for k in [k for k, e in lookup.items() if not person(entities[e])]:
        del lookup[k]  # a place or a thing: never a speaker
    return NameTable(entities, lookup)


def compatible(ent: Entity, g: Gender) -> bool:
    if g == "unknown":
        return True
    same, other = (ent.male, ent.female) if g == "male" else (ent.female, ent.male)
    return other <= same


def person(ent: Entity) -> bool:
    """Evidence that a name is a character: a title, a said-tag, pronouns, a known first name."""
    if ent.acted < 0 or any(f.split()[-1].lower() in PLACE_WORDS for f in ent.forms if " " in f):
        return False  # a family ("the Hales") or a place (Ashby Park, Mill Street)
    votes = ent.male + ent.female
    if ent.title or ent.tagged or ent.child or votes >= 2:
        return True
    return votes >= 1 or ent.acted > 0


def child_cues(entities: list[Entity], text: str) -> None:
    """Count "little X" / "baby X": such a character is a child ("the toddler"). The
    name after "little" is the character's own, not a title ("little Miss Ada" says
    nothing of every Miss), and one no other character carries."""
    cues = Counter(
        m.group(1) for m in CHILD_RE.finditer(text) if m.group(1).rstrip(".").lower() not in TITLES
    )
    if not cues:
        return
    names = [
        {t for form in ent.forms for t in form.split()[:1] if t.rstrip(".").lower() not in TITLES}
        for ent in entities
    ]
    bearers = Counter(t for own in names for t in own)
    for ent, own in zip(entities, names, strict=True):
        # "little Charles" is none of three Charleses: the child is someone else
        ent.child += sum(cues.get(t, 0) for t in own if bearers[t] == 1)
