"""Salience: who a pronoun or a description ("he", "her husband", "the toddler") means.

The reader's model of the scene: the last character of each gender mentioned
(as a subject, or at all), the characters mentioned lately, and what the
pronouns so far have taught about names of unknown gender.
"""

from __future__ import annotations

from narrate.segment.mentions import CHILD_NOUNS, SPOUSE, Mention
from narrate.segment.names import NameTable, title_word
from narrate.segment.wordlists import words

RECENCY_GAP = 150  # characters
# kin found by a shared surname; not "aunt" or "uncle": the one elder of her name is a parent
KIN = words("father mother husband wife brother sister son daughter")
ELDERS = words("father mother husband wife uncle aunt")  # "Mr. Bennet", "Mrs. Bennet"
YOUNG_TITLES = words("miss master")  # never anyone's father, mother, husband or wife


class Salience:
    """Who was last mentioned (as subject, or at all) of each gender."""

    def __init__(self, table: NameTable) -> None:
        self.table = table
        self.subj: dict[str, int] = {}
        self.any: dict[str, int] = {}
        self.recent: list[int] = []
        self.guess: dict[int, str] = {}
        self.narrator: int | None = None
        self.known = set(table.lookup.values())
        self.subj_pos: dict[str, int] = {}
        self.any_pos: dict[str, int] = {}  # gender learnt from a pronoun that took the name
        self.by_family: set[int] = set()  # id(mention) of kin words resolved by surname
        self.guessed: set[int] = set()  # id(mention) of descriptions resolved by a guess
        ents = table.entities
        kids = [e for e in ents if e.child > 0 or e.young]
        self.default_child = max(kids, key=lambda e: e.child + e.young).key if kids else None

    @property
    def unguessed(self) -> int | None:
        """A discovered first-person narrator: its gender is never guessed from a "he" or
        "she" nearby (it is "I"); a cast's narrator may be, its gender being the user's."""
        return None if self.table.from_cast else self.narrator

    def gender(self, e: int) -> str:
        g = self.table.entities[e].gender
        return self.guess.get(e, g) if g == "unknown" else g

    def is_child(self, e: int) -> bool:
        """A child, or one "the girl" or "the boy" may mean ("little Ada")."""
        ent = self.table.entities[e]
        return ent.young or ent.child > 0

    def pron(self, g: str) -> int | None:
        e = self.subj.get(g, self.any.get(g))
        if self.any_pos.get(g, -1) - self.subj_pos.get(g, -1) > RECENCY_GAP:
            e = self.any[g]  # the subject is far back; a later object is the better guess
        if e is None:
            # nobody of that gender known yet: the latest character of unknown gender
            for x in reversed(self.recent):
                # the narrator is "I": a stray "she" nearby says nothing of the narrator
                if self.gender(x) == "unknown" and x != self.unguessed:
                    self.guess[x] = g
                    return x
        return e

    def latest(
        self, g: str, exclude: int | None = None, adult: bool = True, elder: bool = False
    ) -> int | None:
        fallback = None
        for e in reversed(self.recent):
            if e == exclude or (adult and self.is_child(e)):
                continue
            title = self.table.entities[e].title
            if elder and title is not None and title_word(title) in YOUNG_TITLES:
                continue  # "Miss Hale" is nobody's mother or wife
            eg = self.gender(e)
            if g == "unknown" or eg == g:
                return e
            if eg == "unknown" and fallback is None and e != self.unguessed:
                fallback = e
        if fallback is not None and g != "unknown":
            self.guess[fallback] = g  # "his wife" tells us she is a woman
        return fallback

    def resolve(self, m: Mention) -> int | None:
        if m.kind == "name":
            return self.scene_pick(m.cands) if m.cands else m.ent
        if m.kind == "pron":
            if m.gender == "self":
                return self.narrator
            return self.pron(m.gender) if m.gender in ("male", "female") else None
        noun, g = m.word, m.gender
        if noun in ("latter", "former"):
            # "Ada and Cora ... the former": the two characters named last, in order
            pair = self.recent[-2:]
            return pair[-1 if noun == "latter" else 0] if len(pair) == 2 else None
        owner = (
            self.pron("male" if m.det == "his" else "female") if m.det in ("his", "her") else None
        )
        if m.det == "their" and noun in KIN:
            # "their father": the father of the latest of them with a surname
            owner = next((e for e in reversed(self.recent) if self.table.entities[e].last), None)
        if owner is not None and noun in KIN:
            kin = self.family(owner, noun, g)
            if kin is not None:
                self.by_family.add(id(m))
                return kin
        if noun in CHILD_NOUNS and (m.det != "the" or noun not in ("son", "daughter")):
            for e in reversed(self.recent):
                if self.is_child(e) and g in ("unknown", self.gender(e)):
                    return e
            if self.default_child is not None:
                dg = self.gender(self.default_child)
                if g in ("unknown", dg):
                    return self.default_child
            return None
        if m.det in ("his", "her") or noun in SPOUSE:
            self.guessed.add(id(m))  # only a guess: it sets no new focus
            return self.latest(g, exclude=owner, elder=noun in ELDERS)
        if g in ("male", "female"):
            self.guessed.add(id(m))  # "the old woman" may well be someone new
            focus = self.subj.get(g)
            return focus if focus is not None and not self.is_child(focus) else self.latest(g)
        return None

    def scene_pick(self, cands: tuple[int, ...]) -> int:
        """Which of several characters a shared name means: the one of them the scene
        named last, else the likeliest (the first: the family's head for a surname)."""
        for e in reversed(self.recent):
            if e in cands:
                return e
        return cands[0]

    def family(self, owner: int, noun: str, g: str) -> int | None:
        """'her father': the one man who shares her surname (Mr. Bennet for Elizabeth)."""
        ents = self.table.entities
        last = ents[owner].last
        if not last:
            return None
        found = [
            x.key
            for x in ents
            if x.key != owner
            and x.last == last
            and self.gender(x.key) == g
            and x.key in self.known
            and (
                noun not in ELDERS
                or x.title is not None
                and title_word(x.title) not in YOUNG_TITLES
            )
        ]
        return found[0] if len(found) == 1 else None

    def update(self, m: Mention, e: int) -> None:
        if m.possessive:
            g = self.gender(e)
            if g in ("male", "female") and m.kind == "name":
                self.any[g] = e  # "Ada's heart ... she": a weak antecedent
                self.any_pos[g] = m.start
                if m.clause_start and not (m.after_prep or m.subordinate or m.joined):
                    # "Ada's lips trembled.": the possessor is the topic of the sentence
                    self.subj[g] = e
                    self.subj_pos[g] = m.start
            self._touch(e)
            return
        g = self.gender(e)
        if g == "unknown" and m.gender in ("male", "female"):
            g = m.gender
        if g in ("male", "female") and m.gender != "self":
            # a first-person narrator is "I", never the "he" or "she" of the story
            self.any[g] = e
            self.any_pos[g] = m.start
            topic = not m.subordinate or m.kind == "pron"
            if m.clause_start and topic and (id(m) not in self.guessed or m.word in SPOUSE):
                self.subj[g] = e
                self.subj_pos[g] = m.start
        self._touch(e)

    def _touch(self, e: int) -> None:
        if e in self.recent:
            self.recent.remove(e)
        self.recent.append(e)
        if len(self.recent) > 12:
            del self.recent[0]

    def spoken_to(self, speaker: int | None, addressed: set[int], at: int) -> None:
        """After a line to someone of the other sex, "she" (or "he") is the one spoken to."""
        for x in sorted(addressed):
            g = self.gender(x)
            if x == speaker or g not in ("male", "female"):
                continue
            if speaker is None or self.gender(speaker) != g:
                self.subj[g] = self.any[g] = x
                self.subj_pos[g] = self.any_pos[g] = at
