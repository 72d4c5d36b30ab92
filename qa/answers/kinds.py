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

AnswerKind = Literal["number", "date", "person", "place", "other"]

_NUMBER_QUESTION = re.compile(
    r"\bhow (many|much|long|old|far|fast|big|large|high|tall|deep|heavy)\b|\bwhat (percentage|number|proportion)\b"
)
_DATE_QUESTION = re.compile(r"^\s*when\b|\b(what|which|in what|on what) (year|date|day|month|time|decade|century)\b")
_PERSON_QUESTION = re.compile(r"^\s*(who|whom|whose)\b|\b(who|whom)\b")
_PLACE_QUESTION = re.compile(r"^\s*where\b|\b(in|to|from) which (city|country|town|state|region|province)\b")

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
