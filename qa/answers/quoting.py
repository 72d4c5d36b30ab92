"""How an answer is quoted: a figure with the hedge its article gives it.

"around 30 vehicles" quoted as "30" at 98% reads as an exact count the article never gave (the #24
walk-through: "30", "50 gallons", "19:00 local time" for "around", "around", "about"). SQuAD's
annotators leave such words out (taking them in on SQuAD v1.1 dev: EM 74.38 -> 73.76), so the
reader is not taught to; the answer takes them in after it, and the reader's scores stay its own.
"""

from __future__ import annotations

import re
from dataclasses import replace

from qa.schema import Span
from qa.words import NUMBER_WORDS

# Words that make a figure approximate or a bound, longest first so "just over" wins over "over".
HEDGES = (
    "more than",
    "less than",
    "fewer than",
    "at least",
    "at most",
    "up to",
    "as many as",
    "as much as",
    "an estimated",
    "just over",
    "just under",
    "well over",
    "close to",
    "upwards of",
    "about",
    "around",
    "approximately",
    "nearly",
    "almost",
    "roughly",
    "some",
    "over",
    "under",
)  # fmt: skip  ("estimated" alone is as often a verb: "the website estimated 120 people were inside")
_HEDGE_BEFORE = re.compile(r"(?<![\w-])(" + "|".join(re.escape(h) for h in HEDGES) + r")\s+\Z", re.IGNORECASE)
_FIGURE = re.compile(r"(?:US)?[$€£¥]?\d|(?:" + "|".join(sorted(NUMBER_WORDS)) + r"|a dozen|a hundred)\b", re.IGNORECASE)


# A question that says itself the figure is approximate or a bound ("About how many…?", "At
# roughly what time…?", "What maximum term…?", "…fail to exceed?") is answered by the figure alone.
_ASKS_APPROXIMATE = re.compile(
    r"\b(?:" + "|".join(re.escape(h) for h in HEDGES) + r"|maximum|minimum|exceed\w*)\b", re.IGNORECASE
)


def with_its_hedge(question: str, span: Span, text: str) -> Span:
    """``span`` (a slice of ``text``) with the hedge word that stands right before it, when it is a
    figure and ``question`` asks for it without one: "30" of "around 30 vehicles" becomes "around 30".
    The score is the span's own.

    >>> text = "firefighters sent around 30 vehicles at 19:00"
    >>> with_its_hedge("How many vehicles were sent?", Span(0, 25, 27, "30", 9.0), text)
    Span(passage_index=0, start=18, end=27, text='around 30', score=9.0)
    >>> with_its_hedge("About how many vehicles were sent?", Span(0, 25, 27, "30", 9.0), text).text
    '30'
    >>> with_its_hedge("What was sent?", Span(0, 28, 36, "vehicles", 9.0), text).text  # not a figure
    'vehicles'
    """
    if not _FIGURE.match(span.text) or _ASKS_APPROXIMATE.search(question):
        return span
    hedge = _HEDGE_BEFORE.search(text, 0, span.start)
    if hedge is None:
        return span
    return replace(span, start=hedge.start(), text=text[hedge.start() : span.end])


_LEADING_HEDGE = re.compile(r"\A\s*(?:" + "|".join(re.escape(h) for h in HEDGES) + r")\s+(?=\S)", re.IGNORECASE)


def without_hedge(answer: str) -> str:
    """``answer`` without a hedge that opens it: "under two hours" and "less than two hours" give
    the same figure, which one article's hedge must not make two answers of (a timeline listed
    both, the second from another story).

    >>> without_hedge("less than two hours"), without_hedge("At least 45"), without_hedge("over")
    ('two hours', '45', 'over')
    """
    return _LEADING_HEDGE.sub("", answer, count=1)
