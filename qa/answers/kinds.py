"""What kind of answer a question asks for, and whether a span is of that kind.

A span of the wrong kind ("Sweden" for "How many goals…?") is a strong sign that the archive does
not hold the answer and the reader grabbed the nearest plausible words.

>>> question_kind("How many people died in the fire?"), question_kind("When was he born?")
('number', 'date')
>>> question_kind("Whom did she nominate?"), question_kind("Where did it happen?")
('person', 'place')
>>> kind_match("number", "five girls"), kind_match("number", "Sweden"), kind_match("other", "Sweden")
(1.0, 0.0, 0.5)
"""

from __future__ import annotations

import re
from typing import Literal

from qa.words import (
    COUNT_NOUNS,
    DATE_NOUNS,
    DATE_WORDS,
    MEASURE_WORDS,
    NUMBER_WORDS,
    OPENING_WORDS,
    PLACE_NOUNS,
    WH_WORDS,
    YES_NO_OPENERS,
)

AnswerKind = Literal["number", "date", "person", "place", "other"]


def _either(words: tuple[str, ...]) -> str:
    return "(" + "|".join(words) + ")"


_NUMBER_QUESTION = re.compile(rf"\bhow {_either(MEASURE_WORDS)}\b|\bwhat {_either(COUNT_NOUNS)}\b")
_DATE_QUESTION = re.compile(rf"^\s*when\b|\b(what|which|in what|on what) {_either(DATE_NOUNS)}\b")
_PERSON_QUESTION = re.compile(r"^\s*(who|whom|whose)\b|\b(who|whom)\b")
_PLACE_QUESTION = re.compile(rf"^\s*where\b|\b(in|to|from) which {_either(PLACE_NOUNS)}\b")
# Words that may come before the verb that opens a yes-or-no question: "And was he...", "So did...".
_LEADING = OPENING_WORDS - YES_NO_OPENERS
_TOKEN = re.compile(r"\w[\w'’]*")  # with its apostrophe: "didn't"


def question_kind(question: str) -> AnswerKind:
    """The kind of answer ``question`` asks for; "other" when its wording does not say."""
    asked = question.lower()
    if _NUMBER_QUESTION.search(asked):
        return "number"
    if _DATE_QUESTION.search(asked):
        return "date"
    if _PLACE_QUESTION.search(asked):
        return "place"
    if _PERSON_QUESTION.search(asked):
        return "person"
    return "other"


def kind_match(kind: AnswerKind, span: str) -> float:
    """1.0 when ``span`` is of the asked kind, 0.0 when it is not, 0.5 when the kind is "other"."""
    if kind == "other":
        return 0.5
    words = re.findall(r"[\w']+", span)
    lowered = {word.lower() for word in words}
    has_digit = any(char.isdigit() for char in span)
    if kind == "number":
        matched = has_digit or bool(lowered & NUMBER_WORDS)
    elif kind == "date":
        matched = has_digit or bool(lowered & DATE_WORDS)
    else:  # a person or a place is named: some word is capitalised
        matched = any(word[:1].isupper() for word in words)
    return 1.0 if matched else 0.0


def asks_yes_or_no(question: str) -> bool:
    """Whether ``question`` asks yes or no: it opens with a verb such as "did" or "is" (after
    "and", "so"...), asks no wh-word after it, and offers no choice with "or" (`qa.answers.yes_no`).

    >>> asks_yes_or_no("Did Putin visit China?"), asks_yes_or_no("And was the mayor of Gdańsk killed?")
    (True, True)
    >>> asks_yes_or_no("Who did Putin meet?"), asks_yes_or_no("Can you tell me when Putin arrives?")
    (False, False)
    >>> asks_yes_or_no("Did Putin fly to Beijing or Shanghai?")  # a choice a quote can make
    False"""
    words = [word.lower().replace("’", "'") for word in _TOKEN.findall(question)]
    while words and words[0] in _LEADING:
        words.pop(0)
    if not words or words[0] not in YES_NO_OPENERS:
        return False
    return not any(word in WH_WORDS or word == "or" for word in words[1:])
