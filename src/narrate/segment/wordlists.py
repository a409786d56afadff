"""Word lists for character discovery and speaker attribution (English)."""

from __future__ import annotations

import re


def words(s: str) -> frozenset[str]:
    return frozenset(s.split())


MALE_TITLES = words(
    "mr mister sir lord colonel col captain capt major general gen lieutenant lt sergeant "
    "sgt monsieur m herr signor senor don father brother uncle master count baron duke "
    "prince king rev reverend mynheer squire earl marquis viscount admiral commander"
)
FEMALE_TITLES = words(
    "mrs ms miss lady madame mme mlle mademoiselle madam dame mistress frau fraulein "
    "signora senora donna mother sister aunt countess baroness duchess princess queen"
)
OTHER_TITLES = words("dr doctor professor prof inspector judge cousin nurse")
TITLES = MALE_TITLES | FEMALE_TITLES | OTHER_TITLES
# the word a title's short form is read as ("Dr. Grant" is "the doctor")
TITLE_WORDS = {
    "dr": "doctor",
    "col": "colonel",
    "capt": "captain",
    "gen": "general",
    "lt": "lieutenant",
    "sgt": "sergeant",
    "rev": "reverend",
    "prof": "professor",
    "mme": "madame",
    "mlle": "mademoiselle",
}
# Capitalised words that are never characters (interjections, kin words, calendar...).
STOP = words(
    """i oh ah ay aye yes no nay well why what how who where when there here then now
    god heaven heavens lord christ jesus sir madam mama mamma papa pa ma mum mom dad
    daddy mummy mother father granny grandma grandpa grandmother grandfather baby
    chapter book part volume mr mrs miss ms dr monday tuesday wednesday thursday friday
    saturday sunday january february march april may june july august september october
    november december christmas easter english french german italian spanish russian
    american british indian the a an and but or if so do don don't hush hello goodbye
    good dear alas ha hm hmm ok okay o bless thank thanks please indeed nothing
    everybody everyone nobody somebody misses messrs he she it they we you his her hers its their
    theirs my mine our ours your yours him them me us this that these those some any
    all each every both either neither one none at in on of to for from with by as
    into upon after before behind beyond over under about above below between through
    is was are were be been being has had have having will would shall should can
    could must might not never always perhaps still yet just even only also too very
    then than though although because since unless until while whilst whether nor"""
)
MALE_NAMES = words(
    """john james william george charles thomas henry robert edward richard joseph david
    peter paul michael frank fred frederick arthur albert alfred harry jack tom dick
    bill ben benjamin sam samuel daniel edmund edgar walter hugh philip matthew mark
    luke andrew stephen anthony tony martin simon francis lewis louis ralph roger
    harold herbert hubert lawrence leonard victor vincent oliver oscar patrick dorian
    basil jake robert bob bobby jim jimmy joe johnny ned ted teddy tim toby will willie
    nicholas nick alexander alec alan allan adam abraham isaac jacob gilbert matthew
    eugene ernest felix gerald godfrey horace howard jasper julian kenneth leo lionel
    maurice max neville percy rupert sidney stanley timothy tristram wilfred"""
)
FEMALE_NAMES = words(
    """mary anne ann anna jane elizabeth emma catherine katherine kate kitty margaret
    sarah sara susan lucy lydia charlotte harriet fanny frances julia maria marianne
    elinor eleanor ellen helen isabella isabel louisa caroline georgiana amelia alice
    rose rosa edna adele grace agnes alicia amy beatrice bella betty bessie cecilia
    clara diana dorothy edith emily esther eva evelyn florence gertrude hannah hester
    jenny jessie josephine judith laura lara lily lizzy eliza lizzie louise mabel
    marian martha matilda maud nancy nelly olivia penelope phoebe polly rachel rebecca
    ruth sophia sophy sylvia theresa victoria violet marilla diana brett cynthia
    mildred henrietta"""
)
# A few standard English pet forms, so "Lizzy" joins "Elizabeth".
PET_NAMES = {
    "lizzy": "elizabeth",
    "lizzie": "elizabeth",
    "eliza": "elizabeth",
    "liz": "elizabeth",
    "beth": "elizabeth",
    "betsy": "elizabeth",
    "bess": "elizabeth",
    "bessie": "elizabeth",
    "kitty": "catherine",
    "kate": "catherine",
    "katie": "catherine",
    "fanny": "frances",
    "jenny": "jane",
    "nelly": "ellen",
    "polly": "mary",
    "molly": "mary",
    "maggie": "margaret",
    "meg": "margaret",
    "peggy": "margaret",
    "sally": "sarah",
    "bob": "robert",
    "bobby": "robert",
    "rob": "robert",
    "bill": "william",
    "will": "william",
    "willy": "william",
    "jim": "james",
    "jimmy": "james",
    "jack": "john",
    "johnny": "john",
    "dick": "richard",
    "tom": "thomas",
    "tommy": "thomas",
    "ned": "edward",
    "ted": "edward",
    "teddy": "edward",
    "harry": "henry",
    "fred": "frederick",
    "freddy": "frederick",
    "sam": "samuel",
    "ben": "benjamin",
    "nick": "nicholas",
    "tony": "anthony",
    "mike": "michael",
    "jake": "jacob",
    "joe": "joseph",
    "dan": "daniel",
    "danny": "daniel",
    "andy": "andrew",
    "charlie": "charles",
    "chas": "charles",
    "ellie": "eleanor",
    "nell": "eleanor",
    "susie": "susan",
    "sue": "susan",
    "annie": "anne",
    "nan": "anne",
    "nancy": "anne",
    "alec": "alexander",
    "alex": "alexander",
    "sandy": "alexander",
}
SPEECH_VERBS = words(
    """said says say asked asks whispered whispers murmured murmurs replied replies
cried cries shouted shouts pleaded pleads finished added adds answered answers
exclaimed called continued began begun muttered repeated returned remarked
responded retorted observed declared demanded inquired enquired insisted interrupted
protested screamed yelled sobbed sighed laughed groaned moaned snapped snarled
growled hissed breathed gasped stammered stuttered chattered suggested explained
admitted agreed announced argued begged bellowed blurted confessed countered coaxed
commanded chuckled croaked drawled echoed grumbled grunted howled implored lamented
mumbled mourned mused noted offered ordered persisted prayed promised purred raged
reasoned recalled reflected reiterated rejoined roared scoffed scolded shrieked
smiled snorted soothed spoke squealed stated swore teased told urged ventured vowed
wailed warned wondered thought sang sneered faltered cautioned corrected conceded
concluded proceeded resumed assented acknowledged pursued panted wept giggled
sniffed simpered joined put went broke cut struck chimed burst interposed ejaculated
questioned queried whimpered faltered hazarded explained volunteered retorted sobbed
objected remonstrated exclaimed urged pursued ventured conjectured accosted
interjected entreated assured quavered proclaimed vociferated asseverated besought
uttered addressed"""
)
# the speech verbs as one regex alternation, longest first
SPEECH_VERB_ALT = "|".join(sorted(set(SPEECH_VERBS), key=len, reverse=True))
VERB_RE = re.compile(r"\b(?:" + SPEECH_VERB_ALT + r")\b")
# The base forms a speech verb takes after "heard her", "to" or "could" (past forms above).
SPEECH_BASES = words(
    "say whisper add exclaim answer reply cry observe ask call murmur mutter remark repeat "
    "shout utter"
)
# Speech in a gerund ("could not help saying") or a noun ("was Emma's reply"): said-tags
# only next to a quote.
SPEECH_GERUNDS = words(
    "saying whispering exclaiming adding replying answering crying calling observing asking "
    "shouting murmuring muttering remarking addressing"
)
SPEECH_NOUNS = words(
    "reply remark answer rejoinder observation comment exclamation inquiry enquiry question "
    "words address consolation language amendment injunction speech response retort cry "
    "whisper greeting explanation salutation reproach"
)
# The head nouns of a description ("her husband", "the old woman") and the gender each gives.
NOUN_GENDER = {
    "man": "male",
    "gentleman": "male",
    "boy": "male",
    "husband": "male",
    "father": "male",
    "son": "male",
    "brother": "male",
    "uncle": "male",
    "nephew": "male",
    "lad": "male",
    "fellow": "male",
    "youth": "male",
    "toddler": "unknown",
    "child": "unknown",
    "baby": "unknown",
    "infant": "unknown",
    "woman": "female",
    "lady": "female",
    "girl": "female",
    "wife": "female",
    "mother": "female",
    "daughter": "female",
    "sister": "female",
    "aunt": "female",
    "niece": "female",
    "lass": "female",
    "maid": "female",
    "beauty": "female",
    "widow": "female",
    "stranger": "unknown",
    "hostess": "female",
    "host": "male",
    "landlady": "female",
    "landlord": "male",
    "mistress": "female",
    "master": "male",
    "companion": "unknown",
    "friend": "unknown",
    "cousin": "unknown",
    "guest": "unknown",
    "visitor": "unknown",
    "lover": "unknown",
    "guardian": "unknown",
    "nurse": "female",
    "servant": "unknown",
    "neighbour": "unknown",
    "neighbor": "unknown",
}
# Role nouns whose gender is part of the word ("the Duchess", "the landlady", "the
# waiter" of a period novel); ``role_gender`` adds the -man, -woman and -ess forms.
ROLE_GENDER = {
    **{
        w: "male"
        for w in words(
            "king prince duke earl count baron lord emperor marquis viscount squire sir "
            "waiter butler footman valet monk priest abbot friar father uncle brother son "
            "husband widower bridegroom groom nephew grandfather steward headwaiter "
            "schoolmaster landlord host master gentleman boy lad fellow man"
        )
    },
    **{
        w: "female"
        for w in words(
            "queen princess duchess countess baroness lady empress marchioness viscountess "
            "dame madam madame maid waitress housekeeper nun abbess mother aunt sister "
            "daughter wife widow bride niece grandmother stewardess schoolmistress "
            "governess landlady hostess mistress woman girl lass nurse"
        )
    },
}
NOT_ROLE_ESS = words(
    "witness business address mattress fortress wilderness access success express progress "
    "congress cypress duress recess caress prowess"
)
NOT_ROLE_MAN = ("human", "roman", "german", "ottoman", "shaman", "talisman")


def role_gender(noun: str) -> str:
    """The gender a role noun carries in itself: 'duchess' -> female, 'coachman' -> male;
    'unknown' for 'doctor' or 'stranger'."""
    w = noun.lower()
    if w in ROLE_GENDER:
        return ROLE_GENDER[w]
    if w.endswith("woman") or w.endswith("ess") and len(w) > 5 and w not in NOT_ROLE_ESS:
        return "female"
    if w.endswith("man") and len(w) > 5 and not w.endswith(NOT_ROLE_MAN):
        return "male"
    return "unknown"
