"""Character discovery: proper names with titles, alias clusters and gender.

Works from the text alone (capitalised names that are not common words of the
book), or from a cast the user gives, which then names every character.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from narrate.lexicon import (
    SPEECH_VERBS,
    FEMALE_NAMES,
    FEMALE_TITLES,
    MALE_NAMES,
    MALE_TITLES,
    PET_NAMES,
    STOP,
    TITLES,
    words,
)
from narrate.records import Character, Gender


_TITLE_ALT = "|".join(sorted((t.capitalize() for t in TITLES if t != "m"), key=len, reverse=True))
NAMEWORD = r"(?:[A-Z]'|Mc|Mac|De|Di|Le|La|O')?[A-Z][a-z]+(?:-[A-Z][a-z]+)*"
# A run of capitalised words, optionally after a title ("Mr. Bennet", "Jor-El").
SEQ_RE = re.compile(
    rf"(?<![\w'\u2019-])(?:(M\.|(?:{_TITLE_ALT})\.?)[ \t]*\n?[ \t]*)?({NAMEWORD}(?:[ \t]*\n?[ \t]*{NAMEWORD})*)"
)
TOKEN_RE = re.compile(NAMEWORD)
LOWER_RE = re.compile(r"(?<![\w'\u2019-])[a-z]+(?![\w-])")

NARRATOR_ALIASES = words("narrator narr _narr i")
ARTICLES = words("the a an")
CHILD_CUES = re.compile(r"\b(?:little|baby|infant|young)\s+$", re.IGNORECASE)

VERB_RE = re.compile(r"\b(?:" + "|".join(sorted(set(SPEECH_VERBS), key=len, reverse=True)) + r")\b")
TAG_AFTER_RE = re.compile(
    r"[\s,]*(?:\w+ly\s+)?(?:" + "|".join(sorted(set(SPEECH_VERBS), key=len, reverse=True)) + r")\b"
)
TAG_BEFORE_RE = re.compile(
    r"\b(?:" + "|".join(sorted(set(SPEECH_VERBS), key=len, reverse=True)) + r")[ \t\n]+$"
)
PRONOUN_RE = re.compile(r"\b(?:he|she|his|her|him|hers|himself|herself)\b", re.IGNORECASE)
SENT_END_RE = re.compile(r"[.!?;\"\u201c\u201d]")


def norm(s: str) -> str:
    return re.sub(r"[\s.]+", " ", s.replace("\u2019", "'")).strip().lower()


def _t(title: str) -> str:
    return title.rstrip(".").lower()


def title_gender(title: str | None) -> Gender:
    t = (title or "").rstrip(".").lower()
    if t in MALE_TITLES:
        return "male"
    if t in FEMALE_TITLES:
        return "female"
    return "unknown"


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
    child: int = 0
    cast_name: str | None = None

    @property
    def gender(self) -> Gender:
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
        if self.title and " " not in best and self.last == best:
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
    phrase_re: re.Pattern[str] | None = None  # lower-case cast names ("the barman")
    phrases: dict[str, int] = field(default_factory=dict)


def _is_sentence_start(text: str, i: int) -> bool:
    j = i - 1
    while j >= 0 and text[j] in " \t\r\n\"'\u201c\u2018\u2019\u201d(_":
        if text[j] == "\n" and j > 0 and text[j - 1] == "\n":
            return True
        j -= 1
    return j < 0 or text[j] in ".!?:\u2014"


def _gender_votes(text: str, end: int) -> tuple[int, int]:
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


def discover(text: str, cast: Sequence[Character] | None = None) -> NameTable:
    """Find the characters of a book (or map the given cast onto its text)."""
    lower = Counter(m.group() for m in LOWER_RE.finditer(text))
    cap_mid: Counter[str] = Counter()
    raw: list[tuple[str | None, list[str], int, int, bool]] = []
    for m in SEQ_RE.finditer(text):
        title = m.group(1)
        toks = TOKEN_RE.findall(m.group(2))
        start = m.start()
        initial = _is_sentence_start(text, start)
        if not title and not initial or title:
            for t in toks:
                cap_mid[t] += 1
        else:
            for t in toks[1:]:
                cap_mid[t] += 1
        raw.append((title, toks, start, m.end(), initial))

    def common(tok: str) -> bool:
        lt = tok.lower()
        if lt in STOP:
            return True
        return lower[lt] > 0 and lower[lt] >= cap_mid[tok]

    if cast:
        return _cast_table(cast, text, raw)

    # candidate names: title + runs of non-common tokens
    cands: Counter[tuple[str | None, tuple[str, ...]]] = Counter()
    ends: dict[tuple[str | None, tuple[str, ...]], list[int]] = defaultdict(list)
    tagged: set[tuple[str | None, tuple[str, ...]]] = set()
    initial_only: set[tuple[str | None, tuple[str, ...]]] = set()
    for title, toks, s, e, initial in raw:
        run: list[str] = []
        runs: list[list[str]] = []
        for t in toks:
            if common(t) or t.lower() in TITLES:
                if run:
                    runs.append(run)
                run = []
            else:
                run.append(t)
        if run:
            runs.append(run)
        for k, r in enumerate(runs):
            tt = title if (k == 0 and title and toks and r[0] == toks[0]) else None
            key = (tt if tt else None, tuple(r[:4]))
            if tt is None and len(r) == 1 and initial and r[0] == toks[0] and cap_mid[r[0]] == 0:
                initial_only.add(key)  # only ever seen opening a sentence
            cands[key] += 1
            ends[key].append(e)
            if key not in tagged and (
                TAG_AFTER_RE.match(text, e) or TAG_BEFORE_RE.search(text, max(0, s - 20), s)
            ):
                tagged.add(key)
    for key in initial_only:
        word = key[1][0].lower()
        if key not in tagged and (
            cands[key] < 2 or lower[word] > 0 or word.endswith(("ing", "ly", "ed"))
        ):
            del cands[key]  # a sentence-opening word, not a name
    return _cluster(cands, ends, text, tagged)


def _cluster(
    cands: Counter[tuple[str | None, tuple[str, ...]]],
    ends: dict[tuple[str | None, tuple[str, ...]], list[int]],
    text: str,
    tagged: set[tuple[str | None, tuple[str, ...]]],
) -> NameTable:
    entities: list[Entity] = []
    lookup: dict[str, int] = {}

    def new(first: str | None, last: str | None, title: str | None) -> Entity:
        ent = Entity(len(entities), first=first, last=last, title=title)
        entities.append(ent)
        return ent

    def add_form(ent: Entity, key: tuple[str | None, tuple[str, ...]], n: int) -> None:
        title, toks = key
        form = " ".join((title, *toks)) if title else " ".join(toks)
        ent.forms[form] += n
        lookup[norm(form)] = ent.key
        g = title_gender(title)
        if g == "male":
            ent.male += 3 * n
        elif g == "female":
            ent.female += 3 * n
        for e in ends.get(key, ()):
            mv, fv = _gender_votes(text, e)
            ent.male += mv
            ent.female += fv

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
        ent = next((x for x in by_first[first] if x.last == last), None)
        if ent is None:
            ent = new(first, last, None)
            by_first[first].append(ent)
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
        same = [x for x in by_last[tok] if x.title and _t(x.title) == _t(title)]
        if not same:
            same = [x for x in by_first[tok] if x.gender in (g, "unknown")]
            if _t(title) == "mrs":
                same = []  # Mrs. X is X's wife, not a woman called X
        if not same and _t(title) not in ("mrs", "mr"):
            same = [x for x in by_last[tok] if x.gender in (g, "unknown") and x.title is None]
        ent = same[0] if len(same) == 1 else new(None, tok, title)
        if ent.key == len(entities) - 1 and ent.last == tok and ent.title == title:
            by_last[tok].append(ent)
        add_form(ent, key, n)
    # 3. one bare name: a first name, a pet form, or a surname
    for key, n in order:
        title, toks = key
        if len(toks) != 1 or title:
            continue
        tok = toks[0]
        full = PET_NAMES.get(tok.lower(), "")
        hits = [x for x in entities if x.first and x.first.lower() in (tok.lower(), full)]
        if not hits:
            men = [x for x in by_last[tok] if x.gender == "male" or title_gender(x.title) == "male"]
            hits = men if len(men) == 1 else by_last[tok]
        if len(hits) == 1:
            add_form(hits[0], key, n)
            if hits[0].first is None and not any(x.last == tok for x in hits):
                hits[0].first = tok
        elif not hits:
            ent = new(tok, None, None)
            by_first[tok].append(ent)
            add_form(ent, key, n)
    for ent in entities:
        if ent.first:
            if ent.first.lower() in MALE_NAMES:
                ent.male += 2
            elif (
                ent.first.lower() in FEMALE_NAMES
                or PET_NAMES.get(ent.first.lower(), "") in FEMALE_NAMES
            ):
                ent.female += 2
    _child_cues(entities, text)
    return NameTable(entities, lookup)


def _child_cues(entities: list[Entity], text: str) -> None:
    for ent in entities:
        for form in ent.forms:
            pat = r"\b(?:little|baby|infant)\s+" + re.escape(form) + r"\b"
            ent.child += sum(1 for _ in re.finditer(pat, text))


def _cast_table(
    cast: Sequence[Character],
    text: str,
    raw: list[tuple[str | None, list[str], int, int, bool]],
) -> NameTable:
    """Entities for the user's cast, with the short forms its names imply."""
    entities: list[Entity] = []
    lookup: dict[str, int] = {}
    derived: dict[str, set[int]] = defaultdict(set)
    phrases: dict[str, int] = {}
    narrator: int | None = None
    for ch in cast:
        ent = Entity(len(entities), cast_name=ch.name)
        ent.male = 9.0 if ch.gender == "male" else 0.0
        ent.female = 9.0 if ch.gender == "female" else 0.0
        entities.append(ent)
        for a in (ch.name, *ch.aliases):
            k = norm(a)
            if k in NARRATOR_ALIASES:
                narrator = ent.key if narrator is None else narrator
                continue
            if not k or k in ("me", "he", "she"):
                continue
            ent.forms[a] += 1
            toks = a.split()
            while toks and toks[0].lower() in ARTICLES:
                toks = toks[1:]
            if not toks:
                continue
            lowered = any(t[:1].islower() for t in toks) or toks[0][:1].isdigit()
            if lowered or len(toks) < len(a.split()):
                # "the Mariner" is written "the mariner" in the text
                phrases.setdefault(" ".join(t.lower() for t in toks), ent.key)
            if lowered:
                continue
            lookup.setdefault(k, ent.key)
            core = toks[1:] if toks[0].rstrip(".").lower() in TITLES and len(toks) > 1 else toks
            if core is not toks:
                g = title_gender(toks[0])
                if ch.gender == "unknown":
                    ent.male += g == "male"
                    ent.female += g == "female"
            derived[norm(" ".join(toks))].add(ent.key)
            derived[norm(" ".join(core))].add(ent.key)
            if len(core) >= 2:
                derived[norm(core[0])].add(ent.key)
                derived[norm(core[-1])].add(ent.key)
                ent.first = ent.first or core[0]
                ent.last = ent.last or core[-1]
    for k, keys in derived.items():
        if len(keys) == 1 and k not in lookup and k not in STOP:
            lookup[k] = next(iter(keys))  # an unambiguous short form of one name
    _child_cues(entities, text)
    table = NameTable(entities, lookup, narrator=narrator)
    if phrases:
        alts = sorted(phrases, key=len, reverse=True)
        pat = "|".join(r"\s+".join(re.escape(w) for w in p.split()) for p in alts)
        table.phrase_re = re.compile(rf"\b(?:[Tt]he\s+|[Aa]n?\s+)?({pat})\b", re.IGNORECASE)
        table.phrases = phrases
    return table
