"""Character discovery: proper names with titles, alias clusters and gender.

Works from the text alone (capitalised names that are not common words of the
book), or from a cast the user gives, which then names every character.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence

from narrate.records import Character
from narrate.segment.ages import GIVEN
from narrate.segment.aliases import child_cues, cluster, gender_votes
from narrate.segment.descriptions import (
    description_speakers,
    role_genders,
)
from narrate.segment.names import (
    SEQ_RE,
    TOKEN_RE,
    Entity,
    NameTable,
    canonical_first,
    norm,
    phrase_pattern,
    title_gender,
    title_word,
)
from narrate.segment.wordlists import (
    FEMALE_NAMES,
    MALE_NAMES,
    NOUN_GENDER,
    SPEECH_VERB_ALT,
    STOP,
    TITLE_WORDS,
    TITLES,
    words,
)

LOWER_RE = re.compile(r"(?<![\w'\u2019-])[a-z]+(?![\w-])")

NARRATOR_ALIASES = words("narrator narr _narr i")
ARTICLES = words("the a an")
ADDRESS_WORDS = words("my dear dearest")  # a cast alias written as the form of address
# titles too common to name one character on their own
BARE_TITLE_STOP = words("mr mrs miss ms m mister master mistress madam dr sir lady lord")
ACTED_RE = re.compile(r"[ \t]+(?:[a-z]+ly[ \t]+)?(?!need|seem|succeed)[a-z]{2,}ed\b")
PLACE_PREP_RE = re.compile(
    r"(?:\b(?:in|from|at|into|near|through|via)|\b(?:went|go|goes|gone|going|come|came|"
    r"coming|returned|return|travelled|traveled|sent|moved|back|way|journey)\s+to)\s+"
    r"(?:the\s+)?$"
)
SUBJECT_BEFORE_RE = re.compile(r"(?:[,;:]|\b(?:and|but|as|while|when|then|that|so))\s+$")

TAG_AFTER_RE = re.compile(r"[\s,]*(?:\w+ly\s+)?(?:" + SPEECH_VERB_ALT + r")\b")
TAG_BEFORE_RE = re.compile(r"\b(?:" + SPEECH_VERB_ALT + r")[ \t\n]+$")
INVERTED_BEFORE_RE = re.compile(r"\b(?:" + SPEECH_VERB_ALT + r")[ \t\n]+(?:the[ \t\n]+)?$")
TAG_GOES_ON_RE = re.compile(
    r",\s+(?:(?:and|as)\s+(?:then\s+)?(?:he|she)\b"
    r"|(?:[a-z]+ly\s+)?[a-z]+ing(?:\s+[a-z]+)?\s+(?:his|her)\b)",
    re.IGNORECASE,
)
# The verb must follow a closing quotation mark: '"Yes," said the waiter' tags a speaker,
# "to say the truth," and "finished the letter;" do not.
ROLE_AFTER_RE = re.compile(
    r"[\"\u201d\u2019][ \t]*\n?[ \t]*(?:"
    + SPEECH_VERB_ALT
    + r")\s+the\s+(?:[a-z]+\s+)?([a-z]{3,})(?=\s*[,.;:!?\u2014]|-(?![a-z]))"
)
ROLE_BEFORE_RE = re.compile(
    r"(?:^|[.!?,]['\"\u201d\u2019]?\s+|['\"\u201d\u2019]\s*)[Tt]he\s+([a-z]{3,})\s+(?:"
    + SPEECH_VERB_ALT
    + r")\b",
    re.MULTILINE,
)
NAME_RUN = r"(?:[A-Z][a-z]*\.?\s+)*[A-Z][\w'-]+"  # "Mr. Wells", "Athelney Jones"
ROLE_STOP = words(
    "other others latter former same rest whole first second last one two three young old "
    "little poor good great eldest elder younger youngest new whole former next"
)


def _is_sentence_start(text: str, i: int) -> bool:
    j = i - 1
    while j >= 0 and text[j] in " \t\r\n\"'\u201c\u2018\u2019\u201d(_":
        if text[j] == "\n" and j > 0 and text[j - 1] == "\n":
            return True
        j -= 1
    return j < 0 or text[j] in ".!?:\u2014"


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
        return _cast_table(cast, text, raw, common)

    # candidate names: title + runs of non-common tokens
    cands: Counter[tuple[str | None, tuple[str, ...]]] = Counter()
    ends: dict[tuple[str | None, tuple[str, ...]], list[int]] = defaultdict(list)
    tagged: set[tuple[str | None, tuple[str, ...]]] = set()
    initial_only: set[tuple[str | None, tuple[str, ...]]] = set()
    the_count: Counter[tuple[str | None, tuple[str, ...]]] = Counter()
    place_count: Counter[tuple[str | None, tuple[str, ...]]] = Counter()
    acted: Counter[tuple[str | None, tuple[str, ...]]] = Counter()
    # uses only a person has: subject of a speech verb, addressed, he/she after it
    person_uses: Counter[tuple[str | None, tuple[str, ...]]] = Counter()
    seq_count = Counter(tuple(toks) for _t, toks, _s, _e, _i in raw)
    for title, toks, s, e, initial in raw:
        run: list[str] = []
        runs: list[list[str]] = []
        # a frequent run keeps its common words ("the Tin Soldier", "the Grey Heron")
        frequent = seq_count[tuple(toks)] >= 3 and len(toks) > 1
        for i, t in enumerate(toks):
            inner = frequent and i > 0 and bool(run)
            if (t.lower() in STOP if inner else common(t)) or t.lower() in TITLES:
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
            subject = initial or SUBJECT_BEFORE_RE.search(text, max(0, s - 8), s)
            # "said the Gryphon, shaking his head": the pronoun that goes on an inverted
            # said-tag is its subject's
            inverted = INVERTED_BEFORE_RE.search(text, max(0, s - 24), s) and TAG_GOES_ON_RE.match(
                text, e
            )
            if r[0] == toks[0] and (subject or inverted):
                ends[key].append(e)  # a likely subject: the pronouns after it are its own
                person_uses[key] += sum(gender_votes(text, e))
            if r[0] == toks[0] and PLACE_PREP_RE.search(text, max(0, s - 24), s):
                place_count[key] += 1
            if r == toks and ACTED_RE.match(text, e):
                acted[key] += 1
            elif r == toks and text[s - 2 : s] == ", " and text[e : e + 1] in ",.!?":
                acted[key] += 1  # "You look tired, Pell," - a name people are called by
                person_uses[key] += 1
            if (
                r[0] == toks[0]
                and text[max(0, s - 4) : s].lower() == "the "
                or k == 0
                and len(toks) > 1
                and toks[0] == "The"
                and r[0] == toks[1]
            ):
                the_count[key] += 1
            if TAG_AFTER_RE.match(text, e) or TAG_BEFORE_RE.search(text, max(0, s - 20), s):
                tagged.add(key)
                person_uses[key] += 1
    for key in initial_only:
        word = key[1][0].lower()
        if key not in tagged and (
            cands[key] < 2 or lower[word] > 0 or word.endswith(("ing", "ly", "ed"))
        ):
            del cands[key]  # a sentence-opening word, not a name
    places: set[str] = set()
    for key, n in place_count.items():
        if key not in cands or key[0] is not None or cands[key] < 3:
            continue
        if canonical_first(key[1][0]) in MALE_NAMES or canonical_first(key[1][0]) in FEMALE_NAMES:
            continue
        # "in Paris", "to Bath": a place is used as one far more than as a person; a
        # person's name now and then after "at" still speaks, is addressed, takes "he"
        if n >= 3 and n * 4 >= cands[key] and person_uses[key] * 3 < n:
            del cands[key]
            places.add(key[1][-1])
    for key in [k for k in cands if k[0] is None and len(k[1]) > 1 and k[1][-1] in places]:
        # "Upper Norwood" once "Norwood" is known for a place; "Ada Norwood" is a person
        first = canonical_first(key[1][0])
        if first not in MALE_NAMES | FEMALE_NAMES and person_uses[key] * 3 < cands[key]:
            del cands[key]
    table = cluster(cands, ends, text, tagged, the_count, acted)
    _role_speakers(table, text)
    description_speakers(table, text)
    role_genders(table)
    return table


def _role_speakers(table: NameTable, text: str) -> None:
    """Unnamed speakers known by a role ("said the waiter" again and again)."""
    roles: Counter[str] = Counter()
    # "said the painter, keeping his eyes down": the pronoun after the role is its own
    votes: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for m in (*ROLE_AFTER_RE.finditer(text), *ROLE_BEFORE_RE.finditer(text)):
        roles[m.group(1)] += 1
        mv, fv = gender_votes(text, m.end(1))
        votes[m.group(1)][0] += mv
        votes[m.group(1)][1] += fv
    titled: dict[str, list[int]] = defaultdict(list)
    for ent in table.entities:
        if ent.title and ent.key in table.lookup.values():
            titled[title_word(ent.title)].append(ent.key)
    titled["doctor"] += titled.get("dr", [])
    for noun, n in sorted(roles.items()):
        if n < 2 or noun in NOUN_GENDER or noun in ROLE_STOP or noun in table.lookup:
            continue
        if noun in TITLES:
            if len(set(titled.get(noun, []))) == 1:
                table.phrases[noun] = titled[noun][0]  # "the Count" is Count Mippipopolous
            continue
        named = _apposed(table, text, noun)
        if named is not None:
            table.phrases[noun] = named  # "Mr. Wells, the lawyer": the lawyer is Mr. Wells
            continue
        ent = Entity(len(table.entities), cast_name="The " + noun.capitalize())
        ent.forms["the " + noun] = n
        ent.tagged = n
        ent.male, ent.female = votes[noun]
        table.entities.append(ent)
        table.phrases[noun] = ent.key
    if table.phrases:
        table.phrase_re = phrase_pattern(table.phrases)


def _apposed(table: NameTable, text: str, noun: str) -> int | None:
    """The one character the text names in apposition to a role: "Mr. Wells, the
    lawyer", "the lawyer, Mr. Wells"; None if none, or more than one."""
    role = rf"(?:the|his|her|their|my|our|your)\s+(?:[a-z]+\s+){{0,2}}?{noun}\b"
    pats = (rf"({NAME_RUN})\s*,\s+{role}", rf"\b{role}\s*,\s+({NAME_RUN})")
    found: set[int] = set()
    for pat in pats:
        for m in re.finditer(pat, text):
            toks = m.group(1).split()
            for i in range(len(toks)):
                key = norm(" ".join(toks[i:]))
                if key in table.lookup:
                    found.add(table.lookup[key])
                    break
    return found.pop() if len(found) == 1 else None


def _family_names(
    entities: list[Entity], raw: list[tuple[str | None, list[str], int, int, bool]]
) -> None:
    """A surname for cast members listed by first name only: "Ada" is written
    "Ada Hale" in the book, and Hale is the family of others in the cast."""
    families = {e.last for e in entities if e.last}
    firsts: dict[str, list[Entity]] = defaultdict(list)
    for e in entities:
        if e.last:
            continue
        for form in e.forms:
            toks = form.split()
            if len(toks) == 1 and toks[0][:1].isupper():
                firsts[toks[0]].append(e)
    seen: dict[int, Counter[str]] = defaultdict(Counter)
    for _title, toks, _s, _e, _i in raw:
        if len(toks) == 2 and toks[1] in families and len(firsts.get(toks[0], ())) == 1:
            seen[firsts[toks[0]][0].key][toks[1]] += 1
    for e in entities:
        if seen[e.key]:
            e.last = seen[e.key].most_common(1)[0][0]


def _cast_table(
    cast: Sequence[Character],
    text: str,
    raw: list[tuple[str | None, list[str], int, int, bool]],
    common: Callable[[str], bool],
) -> NameTable:
    """Entities for the user's cast, with the short forms its names imply.

    A short form several of them could carry (a surname a family shares) names
    none of them outright: it is kept in ``shared``, for the reading to pick by the
    scene, unless it is a common word of the book ("Little", "First").
    """
    entities: list[Entity] = []
    lookup: dict[str, int] = {}
    derived: dict[str, set[int]] = defaultdict(set)
    titles: dict[str, set[int]] = defaultdict(set)
    phrases: dict[str, int] = {}
    narrator: int | None = None
    for ch in cast:
        ent = Entity(len(entities), cast_name=ch.name)
        ent.male = 9.0 if ch.gender == "male" else 0.0
        ent.female = 9.0 if ch.gender == "female" else 0.0
        ent.child = GIVEN if ch.child else 0  # "the little girl" is the child the cast names
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
            while toks and toks[0].lower() in ARTICLES | ADDRESS_WORDS:
                toks = toks[1:]  # "My Dear Miss Ada" is Miss Ada
            if not toks:
                continue
            # "Her Sister": an alias opening with a possessive is written in lower case
            lowered = (
                any(t[:1].islower() for t in toks)
                or toks[0][:1].isdigit()
                or (len(toks) > 1 and toks[0].lower() in ("his", "her", "their"))
            )
            if lowered or len(toks) < len(a.split()):
                # "the Mariner" is written "the mariner" in the text
                phrases.setdefault(" ".join(t.lower() for t in toks), ent.key)
            if lowered:
                continue
            lookup.setdefault(k, ent.key)
            core = toks[1:] if toks[0].rstrip(".").lower() in TITLES and len(toks) > 1 else toks
            if core is not toks:
                g = title_gender(toks[0])
                # "Mrs. Hale": her title and surname, for "her mother" to find her
                ent.title = ent.title or toks[0]
                known_first = canonical_first(core[0]) in MALE_NAMES | FEMALE_NAMES  # "Miss Ada"
                if len(core) == 1 and core[0][:1].isupper() and not known_first:
                    ent.last = ent.last or core[0]
                if ch.gender == "unknown":
                    ent.male += g == "male"
                    ent.female += g == "female"
            derived[norm(" ".join(toks))].add(ent.key)
            # "Mrs. Hale" is not called "Hale": a bare surname is a man's, or a full name's
            by_title = core is not toks and len(core) == 1 and core[0] == ent.last
            if not (by_title and title_gender(toks[0]) == "female"):
                derived[norm(" ".join(core))].add(ent.key)
            spelled = TITLE_WORDS.get(title_word(toks[0]), title_word(toks[0]))
            if core is not toks and spelled not in BARE_TITLE_STOP:
                # "said the Major", "cried Madame", "the doctor": the one cast member so titled
                titles[spelled].add(ent.key)
            if len(core) >= 2:
                derived[norm(core[0])].add(ent.key)
                derived[norm(core[-1])].add(ent.key)
                ent.first = ent.first or core[0]
                ent.last = ent.last or core[-1]
    for title, keys in titles.items():
        if len(keys) == 1 and title not in lookup:
            derived[title] |= keys
        if len(keys) == 1:
            # "the count was beaming": the one cast member so titled, in lower case
            phrases.setdefault("the " + title, next(iter(keys)))
    _family_names(entities, raw)
    seen = Counter(norm(" ".join(toks)) for _t, toks, _s, _e, _i in raw)
    seen.update(norm(f"{t} {' '.join(toks)}") for t, toks, _s, _e, _i in raw if t)
    weight = [sum(seen[norm(f)] for f in ent.forms) for ent in entities]
    families = Counter(norm(ent.last) for ent in entities if ent.last)
    shared: dict[str, tuple[int, ...]] = {}
    for k, keys in derived.items():
        if k in lookup or k in STOP:
            continue
        if len(keys) == 1:
            lookup[k] = next(iter(keys))  # an unambiguous short form of one name
            continue
        # "Charles" for two Charleses: the one the book names far more often
        ranked = sorted(keys, key=lambda e: (-weight[e], e))
        named = [e for e in keys if norm(entities[e].first or "") == k]
        if len(named) > 1:
            # a first name shared by two: within a family first names are used, and the
            # one whose surname no one else in the cast has is called by it
            kin = [e for e in named if families[norm(entities[e].last or "")] > 1]
            if len(kin) == 1:
                lookup[k] = kin[0]
                continue
        if weight[ranked[0]] >= 2 * weight[ranked[1]] + 2:
            lookup[k] = ranked[0]
        elif " " not in k and not common(k.capitalize()):
            shared[k] = _likeliest(keys, k, entities, weight)
    child_cues(entities, text)
    table = NameTable(entities, lookup, narrator=narrator, from_cast=True, shared=shared)
    if phrases:
        table.phrase_re = phrase_pattern(phrases)
        table.phrases = phrases
    return table


def _likeliest(
    keys: set[int], k: str, entities: list[Entity], weight: list[int]
) -> tuple[int, ...]:
    """The characters a shared one-word form may name, likeliest first: for a surname the
    family's head (the one called "Mr. Ashby", then "Mrs. Ashby"), then its men (a bare
    surname is how men are called), then the one the book names most."""

    def rank(e: int) -> tuple[int, bool, int, int]:
        ent = entities[e]
        titled = any(
            len(toks) == 2 and title_word(toks[0]) in TITLES and norm(toks[1]) == k
            for toks in (f.split() for f in ent.forms)
        )
        male = ent.male > ent.female
        return (0 if titled and male else 1 if titled else 2), not male, -weight[e], e

    return tuple(sorted(keys, key=rank))
