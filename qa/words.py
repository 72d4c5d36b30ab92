"""The word lists, in one place: what a search ignores, what an answer may not consist of, and
what marks a question as a follow-up."""

from __future__ import annotations

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

# Words that point back into the conversation: a question holding one is read as a follow-up.
REFERRING_WORDS = frozenset("he she it they him her them his hers its their there that this those these".split())

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
QUESTION_WORDS = frozenset("who whom whose what which when where why how is are was were do does did will can".split())
