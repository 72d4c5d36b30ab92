"""What may be asked: one check of a question, its filters, ``top_k`` and history, for every door
(the Python API, the command line and the chat), so each bad value gets the same clear message.

>>> ask = check_request("  Who will Putin meet? ", date_from="2024-5-1", top_k=3)
>>> ask.question, ask.filters.date_from, ask.top_k
('Who will Putin meet?', '2024-05-01', 3)
>>> check_request("Who?", date_from="yesterday")
Traceback (most recent call last):
...
qa.questions.QuestionError: The from date 'yesterday' is not a date: write it as YYYY-MM-DD, e.g. 2024-05-14.
"""

from __future__ import annotations

import datetime as dt
import numbers
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from qa.errors import UsageError
from qa.follow_ups import answers_needed as answers_needed
from qa.follow_ups import asks_who_said_it as asks_who_said_it
from qa.follow_ups import attribution_question as attribution_question
from qa.follow_ups import contextual_query as contextual_query  # a conversation's follow-ups: qa.follow_ups
from qa.follow_ups import names_in as names_in
from qa.follow_ups import possible_topic as possible_topic
from qa.follow_ups import presumes_topic as presumes_topic
from qa.follow_ups import resolve_follow_up as resolve_follow_up
from qa.follow_ups import topic_of as topic_of
from qa.schema import Filters
from qa.words import FUNCTION_WORDS, OTHER_LANGUAGE_WORDS, STOPWORDS

MAX_QUESTION_CHARS = 1000
# The reader reads at most this many passages: 20 keeps one question under ~1 s on 2 cores;
# --top-k 100000 took 34 s and 1.2 GB before there was a limit.
MAX_TOP_K = 20
# Passages read per question: on the 5,884-article archive, 4 keeps answer F1 of 5 (82.6) at
# p50 118 ms instead of 157 ms (python bench/latency.py --corpus all --top-k 3 4 5).
DEFAULT_TOP_K = 4
MAX_HISTORY = 20  # earlier questions kept; a follow-up looks back through them to where its topic began
MAX_SOURCE_CHARS = 200
_DATE = re.compile(r"\A(\d{4})-(\d{1,2})-(\d{1,2})\Z")
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")
_LETTERS = re.compile(r"[^\W\d_]+")


class QuestionError(UsageError):
    """A question, filter or option cannot be used as given; the message names the value and
    says what would work."""


@dataclass(frozen=True)
class Request:
    """A checked question with everything that shapes its answer."""

    question: str
    filters: Filters = field(default_factory=Filters)
    top_k: int = DEFAULT_TOP_K
    history: tuple[str, ...] = ()


def check_question(question: object, what: str = "question") -> str:
    """The question, stripped; `QuestionError` when it is empty, holds no word, is too long or
    is not text.

    >>> check_question("?!?...")
    Traceback (most recent call last):
    ...
    qa.questions.QuestionError: The question holds no words: type a question about the articles, e.g. ...'.
    """
    question = check_text(question, what, MAX_QUESTION_CHARS)
    if not question:
        raise QuestionError(f"The {what} is empty: type a question about the articles.")
    if not _LETTER_OR_DIGIT.search(question):
        raise QuestionError(
            f"The {what} holds no words: type a question about the articles, e.g. 'Who will Putin meet?'."
        )
    return question


def looks_english(question: str) -> bool:
    """Whether ``question`` may be English, which the reader and the articles are: it is mostly in
    Latin letters, and it does not use two function words of another language and none of
    English's (`qa.words.OTHER_LANGUAGE_WORDS`). Only a hint for a question nothing answers
    (`qa.render.not_found`), never a refusal.

    >>> looks_english("Who will Putin meet?"), looks_english("Brexit deal vote result parliament January")
    (True, True)
    >>> looks_english("Who is Juan de la Cruz?"), looks_english("Quem é o presidente do Brasil?")
    (True, False)
    >>> looks_english("¿Quién es el gobernador de Puerto Rico?"), looks_english("Когда Путин посетит Китай?")
    (False, False)
    """
    words = _LETTERS.findall(question.lower())
    letters = "".join(words)
    if 2 * sum(unicodedata.name(char, "").startswith("LATIN") for char in letters) < len(letters):
        return False
    english = (FUNCTION_WORDS | STOPWORDS) - OTHER_LANGUAGE_WORDS
    other = [word for word in words if word in OTHER_LANGUAGE_WORDS and word not in english]
    return len(other) < 2 or any(word in english for word in words)


def check_text(value: object, what: str, limit: int) -> str:
    """``value`` stripped; `QuestionError` when it is not a string, is longer than ``limit``
    (counted as given, spaces too) or holds a character that is not text (a lone surrogate).

    >>> check_text(" Reuters ", "source", 200)
    'Reuters'
    >>> check_text("AP" + chr(0xD800), "source", 200)
    Traceback (most recent call last):
    ...
    qa.questions.QuestionError: The source holds a character that is not valid text (position 3); retype it ...
    """
    if not isinstance(value, str):
        raise QuestionError(f"The {what} must be text, not {type(value).__name__}.")
    if len(value) > limit:
        raise QuestionError(f"The {what} is {len(value):,} characters long; the limit is {limit:,}. Make it shorter.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise QuestionError(
            f"The {what} holds a character that is not valid text (position {error.start + 1}); "
            "retype it or paste it as plain text."
        ) from error
    return value.strip()


def check_date(value: object, name: str) -> str | None:
    """``YYYY-MM-DD`` (single-digit months and days are filled in), None for no date.

    >>> check_date("2024-5-1", "from"), check_date("", "to"), check_date(None, "to")
    ('2024-05-01', None, None)
    >>> check_date("2024-13-45", "to")
    Traceback (most recent call last):
    ...
    qa.questions.QuestionError: The to date '2024-13-45' is not a calendar date (month 1-12, then a day of that month).
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, str):
        raise QuestionError(f"The {name} date must be text like 2024-05-14, not {type(value).__name__}.")
    text = value.strip()
    if not text:
        return None
    match = _DATE.match(text)
    if not match:
        raise QuestionError(f"The {name} date {text[:40]!r} is not a date: write it as YYYY-MM-DD, e.g. 2024-05-14.")
    try:
        return dt.date(*(int(part) for part in match.groups())).isoformat()
    except ValueError as error:
        raise QuestionError(
            f"The {name} date {text!r} is not a calendar date (month 1-12, then a day of that month)."
        ) from error


def check_filters(date_from: object = None, date_to: object = None, source: object = None) -> Filters:
    """Checked filters; `QuestionError` for a bad date, From after To, or a bad source."""
    first, last = check_date(date_from, "from"), check_date(date_to, "to")
    if first and last and first > last:
        raise QuestionError(f"The from date {first} is after the to date {last}: swap them or widen the range.")
    source = None if source is None else check_text(source, "source", MAX_SOURCE_CHARS) or None
    return Filters(first, last, source)


def check_top_k(value: object) -> int:
    """How many passages to read: a whole number from 1 to `MAX_TOP_K`.

    >>> check_top_k(4)
    4
    >>> check_top_k(-3)
    Traceback (most recent call last):
    ...
    qa.questions.QuestionError: top_k must be a whole number from 1 to 20 (got -3).
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not 1 <= int(value) <= MAX_TOP_K:
        raise QuestionError(f"top_k must be a whole number from 1 to {MAX_TOP_K} (got {value!r}).")
    return int(value)


def check_history(history: object) -> tuple[str, ...]:
    """The earlier questions of a conversation, oldest first (empty ones dropped)."""
    if history is None:
        return ()
    if isinstance(history, str) or not isinstance(history, Sequence):
        raise QuestionError(f"history must be a list of the earlier questions (strings), not {type(history).__name__}.")
    earlier = []
    for number, item in enumerate(history[-MAX_HISTORY:], 1):
        if not isinstance(item, str):
            raise QuestionError(
                f"history must hold the earlier questions as strings; item {number} is {type(item).__name__}."
            )
        text = check_text(item, f"earlier question {number}", MAX_QUESTION_CHARS)
        if _LETTER_OR_DIGIT.search(text):  # blank or wordless ones ("?!") asked nothing to refer back to
            earlier.append(text)
    return tuple(earlier)


def check_request(
    question: object,
    top_k: object = DEFAULT_TOP_K,
    date_from: object = None,
    date_to: object = None,
    source: object = None,
    history: object = (),
) -> Request:
    """Everything a question comes with, checked at once."""
    return Request(
        question=check_question(question),
        filters=check_filters(date_from, date_to, source),
        top_k=check_top_k(top_k),
        history=check_history(history),
    )
