"""The word lists, in one place: what a search ignores, what an answer may not consist of, and
what marks a question as a follow-up."""

from __future__ import annotations

import re
import string

# Words too common to help a BM25 search.
STOPWORDS = frozenset(
    "a an and are as at be by did do does for from had has have he her his how in is it its of on or she that the "
    "their them they this to was were what when where which who whom why will with would".split()
)

# Words that carry no answer by themselves: a span made only of these and the question's own
# words is never an answer (see qa.answers.answers_nothing).
FUNCTION_WORDS = frozenset(
    "a an the of in on at to for from by with and or as is are was were be been being do does did "
    "who whom whose what which when where why how".split()
)

# Words that point back into the conversation (qa.follow_ups): a person's pronouns stand for the
# conversation's most recent person, "they" for its most recent people, "there" for its most
# recent place, "it" and "that" for what it was last about.
PERSON_PRONOUNS = frozenset("he she him her his hers".split())
GROUP_PRONOUNS = frozenset("they them their theirs".split())
THING_PRONOUNS = frozenset("it its".split())
DEMONSTRATIVES = frozenset("that this those these".split())
REFERRING_WORDS = PERSON_PRONOUNS | GROUP_PRONOUNS | THING_PRONOUNS | DEMONSTRATIVES | {"there"}
# "there" next to one of these is not a place: "Were there any deaths?", "there was a fire".
BE_WORDS = frozenset("is are was were be been being isn't aren't wasn't weren't".split())
# Countries and continents by their short English names, lower case: a place wherever it stands
# ("What happened to Venezuela?" asks about no person a later "he" could stand for).
COUNTRIES = frozenset(
    name.strip()
    for name in (
        "afghanistan, albania, algeria, andorra, angola, argentina, armenia, australia, austria, azerbaijan, "
        "bahamas, bahrain, bangladesh, barbados, belarus, belgium, belize, benin, bhutan, bolivia, bosnia, "
        "botswana, brazil, brunei, bulgaria, burkina faso, burundi, cambodia, cameroon, canada, chad, chile, "
        "china, colombia, comoros, congo, costa rica, croatia, cuba, cyprus, czechia, czech republic, denmark, "
        "djibouti, dominica, dominican republic, ecuador, egypt, el salvador, eritrea, estonia, eswatini, "
        "ethiopia, fiji, finland, france, gabon, gambia, georgia, germany, ghana, greece, grenada, guatemala, "
        "guinea, guyana, haiti, honduras, hungary, iceland, india, indonesia, iran, iraq, ireland, israel, "
        "italy, ivory coast, jamaica, japan, jordan, kazakhstan, kenya, kiribati, kosovo, kuwait, kyrgyzstan, "
        "laos, latvia, lebanon, lesotho, liberia, libya, liechtenstein, lithuania, luxembourg, madagascar, "
        "malawi, malaysia, maldives, mali, malta, mauritania, mauritius, mexico, micronesia, moldova, monaco, "
        "mongolia, montenegro, morocco, mozambique, myanmar, burma, namibia, nauru, nepal, netherlands, "
        "new zealand, nicaragua, niger, nigeria, north korea, south korea, korea, north macedonia, norway, "
        "oman, pakistan, palau, palestine, panama, papua new guinea, paraguay, peru, philippines, poland, "
        "portugal, qatar, romania, russia, rwanda, samoa, san marino, saudi arabia, senegal, serbia, "
        "seychelles, sierra leone, singapore, slovakia, slovenia, somalia, south africa, south sudan, spain, "
        "sri lanka, sudan, suriname, sweden, switzerland, syria, taiwan, tajikistan, tanzania, thailand, togo, "
        "tonga, trinidad and tobago, tunisia, turkey, türkiye, turkmenistan, tuvalu, uganda, ukraine, "
        "united arab emirates, united kingdom, britain, great britain, england, scotland, wales, "
        "northern ireland, united states, us, usa, uk, uae, america, uruguay, uzbekistan, vanuatu, vatican, venezuela, "
        "vietnam, yemen, zambia, zimbabwe, puerto rico, greenland, hong kong, macau, "
        "africa, asia, europe, oceania, antarctica, north america, south america, latin america, middle east"
    ).split(",")
)
# A name right after one of these is a place: "in Gdańsk", "visit China", "the mayor of Paris".
PLACE_PREPOSITIONS = frozenset(
    "in at to from near into across around through toward towards outside inside within throughout via of "
    "visit visits visited visiting leave leaves left reach reached enter entered".split()
)
# "to" after one of these names a person, not a place: "What happened to Navalny?", "he spoke to Xi".
TO_PERSON_VERBS = frozenset(
    "happen happens happened happening say says said speak speaks spoke talk talks talked write writes wrote "
    "reply replies replied respond responds responded listen listens listened belong belongs belonged "
    "married apologise apologised apologize apologized according".split()
)
# The last word of a name that is an institution, an award or an event, never a person (so never
# what "he" or "him" stands for): "the Supreme Court", "a Nobel Prize", "the World Cup".
INSTITUTION_NOUNS = frozenset(
    "court senate party ministry council committee parliament congress department agency commission union "
    "bank company corporation police army government assembly church club prize award cup festival "
    "orchestra foundation institute university school hospital airport cathedral museum organisation "
    "organization association office house forces games olympics summit conference league federation".split()
)
# Capitalised words that open a question or address the reader, never a name ("And the price?").
OPENING_WORDS = frozenset(
    "and but so also then now tell please give name list show i can could should would may might must has "
    "have had after before during since according".split()
)
# Words that name no topic: two questions sharing only these are not about the same thing.
GENERIC_WORDS = frozenset(
    "say said says tell told happen happened happens take took taken get got make made go went going come came "
    "people thing things any some all more most about after before during over into than then also just "
    "can could should may might must been being not no yes".split()
)
# Words of a title before a name: "President Xi" and "President Putin" are not the same person.
TITLE_WORDS = frozenset(
    "president prime minister mayor coach king queen prince princess chancellor governor senator general pope "
    "sir dr mr mrs ms chief leader secretary premier judge captain duke duchess earl emperor empress sheikh "
    "ayatollah archbishop bishop cardinal patriarch sultan emir lama".split()
)
# Function words of the other languages news is most often asked in (Spanish, French, German,
# Portuguese, Italian) that English does not use: two of them and no English one, and a question
# that finds nothing is told that Newsdesk reads English (qa.questions.looks_english).
OTHER_LANGUAGE_WORDS = frozenset(
    "el la los las es un una que del y en por para qué quién quien cuándo cuando dónde donde cómo como "
    "le les est et du des une qui quoi où ou sont der die das und ist nicht wer wie wo wann ein eine "
    "é o os do da quem onde não il lo gli che chi dove è sono".split()
)
# Words that ask for the state of things at the latest report: "Who is the governor now?", "How
# many have died so far?" (qa.answers.decision.asks_for_latest).
LATEST_WORDS = ("now", "currently", "latest", "still", "so far", "to date", "as of today")
# Nouns for one person, which "he" or "she" may stand for when no name was given: "Who stabbed the
# mayor of Gdańsk?" -> "How old was he?" is about the mayor of Gdańsk.
# Not "general" or "chief" ("the general election", "the chief executive"), nor "pilot" ("the pilot
# project"): more often adjectives than people.
PERSON_NOUNS = TITLE_WORDS - {"sir", "dr", "mr", "mrs", "ms", "prime", "general", "chief"} | frozenset(
    "suspect attacker assailant gunman killer victim driver owner spokesman spokeswoman spokesperson "
    "founder chairman chairwoman director singer actor actress author player manager ambassador "
    "pilot captain officer doctor judge lawyer prosecutor witness survivor coach commander photographer "
    "journalist reporter winner candidate leader".split()
)
# Nouns of events, in groups of words for the same event: "the visit" or "that trip" in a follow-up
# is the event an earlier question spoke of ("When will Putin visit China?").
EVENT_NOUN_GROUPS = (
    frozenset("visit visits trip trips tour journey travel stay".split()),
    frozenset("meeting meetings meet meets met talks summit".split()),  # "Putin met Xi": a meeting
    frozenset("fire fires blaze".split()),
    frozenset("attack attacks assault raid bombing explosion blast".split()),
    frozenset("flood floods flooding".split()),
    frozenset("crash accident collision derailment".split()),
    frozenset("election elections vote poll referendum".split()),
    frozenset("match game final race tournament championship".split()),
    frozenset("trial hearing verdict sentence".split()),
    frozenset("protest protests demonstration rally march".split()),
    frozenset("strike walkout".split()),
    frozenset("earthquake quake".split()),
    frozenset("storm hurricane typhoon cyclone".split()),
    frozenset("deal agreement treaty accord".split()),
    frozenset("war conflict invasion".split()),
    *(
        frozenset([word])
        for word in "speech ceremony inauguration concert festival conference launch landing rescue investigation "
        "arrest shooting murder outbreak eruption shutdown".split()
    ),
)
EVENT_NOUNS = frozenset().union(*EVENT_NOUN_GROUPS)
# Events one goes on: "Putin's visit to China", where other events are "the fire in Gdańsk".
TRAVEL_NOUNS = frozenset("visit visits trip trips tour journey travel".split())
# Capitalised words that name no story of their own (qa.answers.story): the publisher, the wires
# it quotes and the time zones of its datelines appear in articles of every story.
STORYLESS_NAMES = frozenset("wikinews ap reuters afp bbc cnn utc gmt bst est edt pst pdt".split())

# What a question asks for, by the words that ask it (qa.answers.kinds): "how tall" asks for a
# number, "in what year" for a date, "in which city" for a place.
MEASURE_WORDS = ("many", "much", "long", "old", "far", "fast", "big", "large", "high", "tall", "deep", "heavy")
COUNT_NOUNS = ("percentage", "number", "proportion")
DATE_NOUNS = ("year", "date", "day", "month", "time", "decade", "century")
PLACE_NOUNS = ("city", "country", "town", "state", "region", "province")

# Words of the asking itself ("how many", "what year", "the name of"): an answer's sentence need
# not repeat them, so they do not count when measuring how much of a question a passage mentions.
# Only words that rarely name a topic: "high", "state", "town" or "number" ask in "how high", "which
# state", but name what a question is about in "high school", "state visit", "Cape Town".
ASKING_WORDS = frozenset((*(word for word in MEASURE_WORDS if word != "high"), *DATE_NOUNS, "name", "kind", "type"))

# Ways of asking for everything about something (qa.answers.vague): "What happened in China?" asks
# nothing in particular, where "What happened to the escape room's owner?" asks about one person.
BROAD_ASKING = (
    "what happened",
    "what has happened",
    "what is happening",
    "what's happening",
    "what is going on",
    "what's going on",
    "what is new",
    "what's new",
    "what about",
    "tell me about",
    "tell me more about",
    "anything about",
    "anything on",
    "news about",
    "news on",
    "news from",
    "what do you know about",
    "what do you have on",
    "overview of",
    "update on",
    "summarise",
    "summarize",
)

# Words that make a span a number or a date (qa.answers.kinds), with or without digits.
NUMBER_WORDS = frozenset(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred hundreds "
    "thousand thousands million millions billion billions trillion dozen dozens half quarter".split()
)
DATE_WORDS = frozenset(
    "january february march april may june july august september october november december jan feb mar apr jun "
    "jul aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday today yesterday "
    "tomorrow tonight week month year weekend morning evening night spring summer autumn fall winter century "
    "decade".split()
)

# The words that open or frame a question, never part of a name in it ("Did Putin ...").
WH_WORDS = frozenset("who whom whose what which when where why how".split())
QUESTION_WORDS = WH_WORDS | frozenset("is are was were do does did will can".split())
# What opens a question that asks yes or no ("Did Putin visit China?", "Is it true that..."), when
# no wh-word follows and it offers no choice ("Did he fly to Paris or Rome?"): qa.answers.yes_no.
YES_NO_OPENERS = BE_WORDS | frozenset(
    "do does did don't doesn't didn't will won't would wouldn't can can't could couldn't has have had "
    "hasn't haven't hadn't should shouldn't shall may might must".split()
)

# Words of one role stand for each other (qa.answers.asked); the roles in `RIVAL_ROLES` are what a
# wrong sentence says instead of what was asked.
ROLES: dict[str, frozenset[str]] = {
    "suspect": frozenset(
        "suspect suspects suspected accused attacker attackers assailant assailants gunman gunmen perpetrator "
        "perpetrators culprit killer arrested arrest detained detain custody charged apprehended".split()
    ),
    "victim": frozenset("victim victims".split()),
    "dead": frozenset("killed kill kills dead died die dies death deaths fatalities perished toll".split()),
    "injured": frozenset("injured injuring injuries injury wounded wounding hurt".split()),
    "launch": frozenset("launched launch launches launching liftoff lifted".split()),
    "winner": frozenset("won win wins winner winners victory beat defeated".split()),
    "loser": frozenset("lost lose loses loser losers defeat".split()),
}
RIVAL_ROLES: dict[str, frozenset[str]] = {
    "suspect": frozenset({"victim", "dead", "injured"}),  # the victims are the ones killed or hurt
    "victim": frozenset({"suspect"}),
    "dead": frozenset({"injured"}),
    "injured": frozenset({"dead"}),
    "winner": frozenset({"loser"}),
    "loser": frozenset({"winner"}),
}

# A word, as the answer rules, the lexical index and the made unanswerable questions split text.
WORD = re.compile(r"\w+")
# A possessive ending: "Putin's" is Putin.
POSSESSIVE = re.compile(r"['’]s\Z")
# Two words are one when their first this many letters agree: "elected" ~ "election",
# "launched" ~ "launch", "detained" ~ "detain".
STEM_LETTERS = 5
_ARTICLES = re.compile(r"\b(a|an|the)\b", re.UNICODE)
_PUNCTUATION = frozenset(string.punctuation)


def normalize_answer(text: str) -> str:
    """An answer as the official SQuAD evaluation compares answers: lower-case, without
    punctuation and the articles a/an/the, whitespace collapsed. Newsdesk's answer rules compare
    answers the same way (`qa.answers`), and the metrics in `qa.squad` score by it.

    >>> normalize_answer("The  Eiffel Tower!")
    'eiffel tower'
    """
    text = "".join(ch for ch in text.lower() if ch not in _PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", text).split())
