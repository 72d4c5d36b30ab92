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

# Words of the asking itself ("how many", "what year", "the name of"): an answer's sentence need
# not repeat them, so they do not count when measuring how much of a question a passage mentions.
ASKING_WORDS = frozenset("many much long old far fast big large year date day month name kind type".split())
