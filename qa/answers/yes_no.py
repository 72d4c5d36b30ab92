"""A question that asks yes or no ("Did Putin visit China?": `qa.answers.kinds.asks_yes_or_no`).
A quote cannot say yes or no, and the reader, trained on questions a span answers, picks whatever
span looks likeliest ("China's Foreign Ministry said Tuesday" at 52%). So Newsdesk shows the
sentence that bears on it most, the one that holds the reader's best span (`evidence_bounds`),
for the journalist to judge, and claims no answer: no confidence that it is right, no other
articles that "also report" it, no timeline. When that sentence's article is not about what the
question asks (`bears_on`), nothing is shown. A span that only repeats the question ("Xi
Jinping" for "Will Putin meet Xi Jinping?"), never an answer, may lead to the evidence here.
"""

from __future__ import annotations

import re

from qa.answers.features import ABOUT_THE_QUESTION, coverage, topic_words
from qa.answers.story import mentioned, name_runs
from qa.chunking import sentence_at, sentence_spans
from qa.schema import Passage
from qa.words import REFERRING_WORDS

_TOKEN = re.compile(r"\w[\w'’]*")


def bears_on(question: str, passage: Passage) -> bool:
    """Whether ``passage``'s article is about what ``question`` asks: its title and text name
    every name the question names (one of each name's words) and mention at least
    `ABOUT_THE_QUESTION` of its topic words.

    >>> seed = Passage(0, "a", "Putin to visit China", "2024-05-14", "", "", 0, 40,
    ...                "Putin will make a state visit to China.", 0.1)
    >>> bears_on("Did Putin visit China?", seed), bears_on("Did Putin visit Mars?", seed)
    (True, False)
    """
    text = f"{passage.title}\n{passage.text}"
    seen = mentioned(passage.title, passage.text)
    if any(not run & seen for run in name_runs(question)):
        return False
    return coverage(topic_words(question), text) >= ABOUT_THE_QUESTION


def evidence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The ``[start, end)`` in ``text`` of the evidence for the span ``[start, end)``: the sentence
    that holds it, and the one before when that sentence opens by referring back ("He died
    today." says nothing of whom alone).

    >>> text = "The mayor of Gdańsk was stabbed on stage. He died today. The city mourned."
    >>> text[slice(*evidence_bounds(text, 45, 49))], text[slice(*evidence_bounds(text, 4, 9))]
    ('The mayor of Gdańsk was stabbed on stage. He died today.', 'The mayor of Gdańsk was stabbed on stage.')
    """
    first, last = sentence_at(text, start, end)
    opening = _TOKEN.match(text, first)
    if opening is None or opening.group().lower() not in REFERRING_WORDS:
        return first, last
    before = [sentence_start for sentence_start, sentence_end in sentence_spans(text) if sentence_end <= first]
    return (before[-1] if before else first), last
