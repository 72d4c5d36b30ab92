"""Questions too broad to answer with a span (pure functions). "What happened in China?" names one
thing and asks nothing in particular about it; twenty articles mention China, and no sentence of
one of them is the answer. Rather than "I couldn't find that", Newsdesk then says the question is
too broad and offers the articles that match it best (title, date; `suggestions`), to narrow it to one.

A question is too broad (`too_broad`) when all three hold:

- nothing answers it: no candidate is likely enough to be given;
- its wording asks for no particular thing (`vague_wording`): it asks for no kind of answer
  (who, when, where, how many) and names at most one thing ("China", "COVID-19"), or it asks
  broadly ("what happened", "tell me about", `qa.words.BROAD_ASKING`) about at most two ("the Hong
  Kong protests");
- it asks broadly in so many words, or what it finds is spread over several articles (`spread`):
  two or more, none holding more than half of the passages retrieved. A terse question ("Gdańsk
  mayor?") whose passages are one article's is about that article's story, and may simply have
  no answer there.

>>> too_broad("What happened in China?", ["a", "b", "c", "a"], found=False)
True
>>> too_broad("How many people died in China?", ["a", "b", "c", "a"], found=False)  # asks a number
False
>>> too_broad("China?", ["a", "a", "a", "b"], found=False)  # one article's story
False
>>> too_broad("What happened in China?", ["a", "a", "a", "b"], found=False)  # asks broadly
True
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from qa.answers.features import ABOUT_THE_QUESTION, coverage, topic_words
from qa.answers.kinds import question_kind
from qa.follow_ups import names_in
from qa.schema import Passage, Suggestion
from qa.words import BROAD_ASKING, GENERIC_WORDS, OPENING_WORDS

# A broad ask ("tell me about") about this many things or fewer is too broad: "the Hong Kong
# protests" is two (Hong Kong, protests); "the escape room's owner" is three.
MAX_BROAD_TOPICS = 2
# Articles offered to narrow a broad question to, best match first (each about the question:
# `qa.answers.features.ABOUT_THE_QUESTION`).
SUGGESTIONS = 5
# Passages searched for them: more than the reader reads, as a search lists them.
SUGGESTIONS_SEARCHED = 12
_BROAD = re.compile(r"\b(?:" + "|".join(re.escape(phrase) for phrase in BROAD_ASKING) + r")\b", re.IGNORECASE)


def asks_broadly(question: str) -> bool:
    """Whether ``question`` asks for everything about something.

    >>> asks_broadly("Tell me about the floods"), asks_broadly("What's going on in Gdańsk?")
    (True, True)
    >>> asks_broadly("What did the mayor say?")
    False
    """
    return _BROAD.search(question) is not None


def topics(question: str) -> list[str]:
    """The things ``question`` is about: each name once ("Hong Kong"), then each other word of
    substance; the words that ask broadly ("tell me about") are none.

    >>> topics("Tell me about the Hong Kong protests")
    ['Hong Kong', 'protests']
    >>> topics("What happened to the escape room's owner?"), topics("What happened?")
    (['escape', 'room', 'owner'], [])
    """
    asked = _BROAD.sub(" ", question)
    names = names_in(asked)
    in_names = {word for name in names for word in re.findall(r"\w+", name.lower())}
    ignored = GENERIC_WORDS | OPENING_WORDS | in_names
    return [*names, *(word for word in topic_words(asked) if word not in ignored)]


def vague_wording(question: str) -> bool:
    """Whether ``question`` asks for no particular thing: no kind of answer and one thing at most,
    or a broad ask about `MAX_BROAD_TOPICS` things at most.

    >>> vague_wording("What happened in China?"), vague_wording("China?"), vague_wording("What is COVID-19?")
    (True, True, True)
    >>> vague_wording("Tell me about the Hong Kong protests"), vague_wording("Who won in China?")
    (True, False)
    >>> vague_wording("What did the minister say about the budget?")  # asks about two things, not broadly
    False
    """
    if question_kind(question) != "other":
        return False
    count = len(topics(question))
    return count <= 1 or (asks_broadly(question) and count <= MAX_BROAD_TOPICS)


def spread(article_ids: Sequence[str]) -> bool:
    """Whether the passages retrieved (their articles' ids, best first) come from two articles or
    more, none of them holding more than half.

    >>> spread(["a", "b", "a", "c"]), spread(["a", "a", "a", "b"]), spread(["a"])
    (True, False, False)
    """
    counts = Counter(article_ids)
    return len(counts) >= 2 and 2 * max(counts.values()) <= len(article_ids)


def too_broad(question: str, article_ids: Sequence[str], found: bool) -> bool:
    """Whether to offer articles instead of an answer: nothing answers ``question``, its wording
    asks for no particular thing, and it asks broadly or the passages retrieved (``article_ids``)
    are spread over several articles."""
    return not found and vague_wording(question) and (asks_broadly(question) or spread(article_ids))


def suggestions(question: str, passages: Sequence[Passage], limit: int = SUGGESTIONS) -> tuple[Suggestion, ...]:
    """The articles of ``passages`` (best first) that are about what ``question`` names (their
    title and passage mention at least half of its `topics`' words), each once, at most ``limit``.

    >>> def passage(article, title, text):
    ...     return Passage(0, article, title, "2024-05-13", "", "", 0, 1, text, 0.1)
    >>> found = [passage("a", "Floods in China", "Rain."), passage("b", "Chess final", "Carlsen won."),
    ...          passage("c", "Visit", "Putin will visit China."), passage("a", "Floods in China", "More rain.")]
    >>> [s.article_id for s in suggestions("What happened in China?", found)]
    ['a', 'c']
    """
    words = [word for topic in topics(question) for word in re.findall(r"\w+", topic.lower())]
    offered: dict[str, Suggestion] = {}
    for passage in passages:
        if passage.article_id in offered or len(offered) == limit:
            continue
        if coverage(words, f"{passage.title}\n{passage.text}") >= ABOUT_THE_QUESTION:
            offered[passage.article_id] = Suggestion(passage.article_id, passage.title, passage.date)
    return tuple(offered.values())
