"""Relative date expressions ("on Thursday", "last week", "two days ago") and the day or period
each means, counted from the publication date."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from qa.relative_dates.days import (
    WEEKDAYS,
    label,
    parse_published,
    period,
    week_start,
    weekday_on_or_after,
    weekday_on_or_before,
)
from qa.relative_dates.tense import FUTURE, sentence_tense

_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}


@dataclass(frozen=True)
class ResolvedDate:
    """The day (``start == end``) or period (``start`` to ``end``, inclusive) an expression means."""

    start: dt.date
    end: dt.date
    label: str


_WD = "|".join(WEEKDAYS)
_NUM = r"\d{1,5}|" + "|".join(_NUMBER_WORDS)
_PART = r"(?:morning|afternoon|evening|night|noon|midday|lunchtime)"
_UNIT = r"(?P<unit>day|week|fortnight|month|year)s?"

# Absolute dates need no resolving: a month name, or a four-digit year that is not a count of units.
_MONTH_NAME = re.compile(
    r"\b(?:january|february|march|april|june|july|august|september|october|november|december|sept)\b"
    r"|\b(?:jan|feb|mar|apr|jun|jul|aug|sep|oct|nov|dec)\.",
    re.IGNORECASE,
)
_MAY = re.compile(r"\bMAY\b|\bMay\b")
_YEAR = re.compile(r"(?<![\d.,])\b(?:1[6-9]|20)\d{2}\b(?!\s*(?:days?|weeks?|fortnights?|months?|years?)\b)")
_DIGIT_DATE = re.compile(r"\b\d{1,4}[/.]\d{1,2}(?:[/.]\d{1,4})?\b")

# A capitalised word next to a weekday makes a name, not a date: "Sunday Times", "Super Tuesday".
_TITLE_WD = "|".join(name.capitalize() for name in WEEKDAYS)
_NEXT_TO_WD = r"On|In|At|By|Of|Until|Till|Since|From|Before|After|Last|Next|This|Past|Coming|Early|Late|Earlier|Later"
_NAMED_DAY = re.compile(
    rf"\b(?!(?:{_NEXT_TO_WD})\b)[A-Z][a-z]*\s+(?:{_TITLE_WD})\b"
    rf"|\b(?:{_TITLE_WD})\s+(?!(?:{_NEXT_TO_WD}|Morning|Afternoon|Evening|Night|Noon|Midday|Lunchtime)\b)[A-Z]"
)
_MAX_MATCHES = 40

DayRange = tuple[dt.date, dt.date]
Handler = Callable[[re.Match[str], dt.date, Callable[[str], str | None]], DayRange | None]


def _number(text: str) -> int:
    return int(text) if text.isdigit() else _NUMBER_WORDS[text]


def _days(offset: int) -> Handler:
    def handler(match: re.Match[str], published: dt.date, tense: Callable[[str], str | None]) -> DayRange:
        day = published + dt.timedelta(days=offset)
        return day, day

    return handler


def _blocked(match: re.Match[str], published: dt.date, tense: Callable[[str], str | None]) -> None:
    return None


def _shift(sign: int) -> Handler:
    def handler(match: re.Match[str], published: dt.date, tense: Callable[[str], str | None]) -> DayRange:
        count = sign * _number(match["n"])
        unit = match["unit"]
        if unit in ("day", "week", "fortnight"):
            day = published + dt.timedelta(days=count * {"day": 1, "week": 7, "fortnight": 14}[unit])
            return day, day
        return period(unit, published, count)

    return handler


def _weekday(match: re.Match[str], published: dt.date, tense: Callable[[str], str | None]) -> DayRange:
    weekday = WEEKDAYS.index(match["wd"])
    modifier = (match["mod"] or "").split()
    if modifier and modifier[-1] in ("last", "past"):
        day = weekday_on_or_before(published - dt.timedelta(days=1), weekday)
    elif modifier and modifier[-1] in ("next", "coming"):
        day = weekday_on_or_after(published + dt.timedelta(days=1), weekday)
    elif modifier == ["this"]:
        day = week_start(published) + dt.timedelta(days=weekday)
    elif tense(match["wd"]) == FUTURE:
        day = weekday_on_or_after(published, weekday)
    else:
        day = weekday_on_or_before(published, weekday)
    return day, day


def _weekday_of_week(match: re.Match[str], published: dt.date, tense: Callable[[str], str | None]) -> DayRange:
    offset = {"last": -1, "this": 0, "next": 1}[match["mod"]]
    day = week_start(published) + dt.timedelta(weeks=offset, days=WEEKDAYS.index(match["wd"]))
    return day, day


def _weekend(match: re.Match[str], published: dt.date, tense: Callable[[str], str | None]) -> DayRange:
    modifier = (match["mod"] or "").split()
    saturday_this_week = week_start(published) + dt.timedelta(days=5)
    if modifier and modifier[-1] in ("last", "past"):
        saturday = saturday_this_week - dt.timedelta(weeks=1)
    elif modifier and modifier[-1] == "coming":
        saturday = weekday_on_or_after(published + dt.timedelta(days=1), 5)
    elif modifier == ["next"]:
        saturday = saturday_this_week + dt.timedelta(weeks=1)
    elif modifier == ["this"]:
        saturday = saturday_this_week
    elif tense("weekend") == FUTURE and published.weekday() != 6:
        saturday = weekday_on_or_after(published, 5)
    else:
        saturday = weekday_on_or_before(published, 5)
    return saturday, saturday + dt.timedelta(days=1)


_OFFSETS = {"this": 0, "current": 0, "last": -1, "previous": -1, "next": 1, "coming": 1}


def _whole_period(match: re.Match[str], published: dt.date, tense: Callable[[str], str | None]) -> DayRange:
    return period(match["unit"], published, _OFFSETS[match["mod"]])


def _two_away(sign: int) -> Handler:
    def handler(match: re.Match[str], published: dt.date, tense: Callable[[str], str | None]) -> DayRange:
        return period(match["unit"], published, 2 * sign)

    return handler


def _part_period(match: re.Match[str], published: dt.date, tense: Callable[[str], str | None]) -> DayRange:
    start, end = period(match["unit"], published, 0)
    if match["pos"] == "earlier":
        return start, max(start, published - dt.timedelta(days=1))
    return min(end, published + dt.timedelta(days=1)), end


# In order of priority: where two patterns match the same words, the first wins.
_PATTERNS: tuple[tuple[re.Pattern[str], Handler], ...] = tuple(
    (re.compile(rf"\b(?:{pattern})\b"), handler)
    for pattern, handler in (
        # Durations, not dates: "the past week", "the last two days", "the next few months".
        (
            r"(?:the )?(?:past|last|next|coming|previous|following) (?:few |several |couple of |"
            rf"(?:{_NUM}) )+(?:days|weeks|fortnights|months|years)",
            _blocked,
        ),
        (
            r"the (?:past|last|next) (?:week|fortnight|month|year)|(?<!this )past (?:week|fortnight|month|year)",
            _blocked,
        ),
        (r"(?:the )?day before yesterday", _days(-2)),
        (r"(?:the )?day after tomorrow", _days(2)),
        (r"(?:(?:earlier|later|early|late) )?(?:today|tonight|this (?:morning|afternoon|evening))", _days(0)),
        (rf"(?:(?:earlier|early|late) )?yesterday(?: {_PART})?|last (?:night|evening)", _days(-1)),
        (rf"(?:(?:early|late) )?tomorrow(?: {_PART})?", _days(1)),
        (rf"(?P<n>{_NUM}) {_UNIT} ago", _shift(-1)),
        (rf"in (?P<n>{_NUM}) {_UNIT}(?: time)?", _shift(1)),
        (rf"(?P<n>{_NUM}) {_UNIT} from (?:now|today)", _shift(1)),
        (rf"(?P<wd>{_WD})(?: {_PART})? (?:of )?(?P<mod>last|this|next) week", _weekday_of_week),
        (
            rf"(?:(?:early|late) (?:on )?)?(?:(?P<mod>last|next|this past|this coming|this|coming|past) )?"
            rf"(?P<wd>{_WD})(?: {_PART})?",
            _weekday,
        ),
        (r"(?:(?P<mod>last|next|this past|this coming|this|coming|past) )?weekend", _weekend),
        (r"(?P<pos>earlier|later) (?:in )?(?:this|the) (?P<unit>week|month|year)", _part_period),
        (r"the (?P<unit>week|month|year) before last", _two_away(-1)),
        (r"the (?P<unit>week|month|year) after next", _two_away(1)),
        (
            r"(?:(?:early|late|mid) )?(?:the )?(?P<mod>this|current|last|previous|next|coming)"
            r" (?P<unit>week|month|year)",
            _whole_period,
        ),
    )
)


def _normalise(expression: str) -> str:
    text = expression.replace("’", "'").replace("‘", "'").lower()
    text = re.sub(r"'s\b", "", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return text.strip()


def _is_absolute(expression: str) -> bool:
    """Whether ``expression`` names a date outright (or a weekday is part of a name)."""
    return bool(
        _MONTH_NAME.search(expression)
        or _MAY.search(expression)
        or _YEAR.search(expression)
        or _DIGIT_DATE.search(expression)
        or _NAMED_DAY.search(expression)
    )


def _the_one_match(text: str) -> tuple[int, re.Match[str]] | None:
    """The one relative date in ``text`` (the pattern's priority and its match), or None when it
    holds none or several: the widest matches are kept (a match inside another, such as "last
    week" inside "Friday last week", is dropped) and must all cover the same words."""
    found: list[tuple[int, int, int, re.Match[str]]] = []
    for priority, (pattern, _) in enumerate(_PATTERNS):
        for match in pattern.finditer(text):
            found.append((match.start(), match.end(), priority, match))
        if len(found) > _MAX_MATCHES:
            return None  # a list of dates, not one
    widest = [
        item
        for item in found
        if not any(
            other[0] <= item[0] and item[1] <= other[1] and (other[0], other[1]) != (item[0], item[1])
            for other in found
        )
    ]
    if len({(start, end) for start, end, _, _ in widest}) != 1:
        return None
    _, _, priority, match = min(widest, key=lambda item: item[2])
    return priority, match


def resolve_relative_date(expression: str, published: str, sentence: str = "") -> ResolvedDate | None:
    """The day or period that ``expression``, quoted from an article published on ``published``, means.

    ``sentence`` is the sentence holding the expression; its tense decides whether a bare weekday
    (or "the weekend") lies before or after publication. Without it, the expression's own words are
    used ("will arrive on Thursday"), and failing any clue the past is assumed.

    ``None`` when the expression holds no relative date (or holds an absolute one, or a weekday
    that is part of a name such as "Sunday Times"), when it holds two, or when ``published`` is not
    an ISO date. Never raises.

    >>> resolve_relative_date("Thursday", "2024-05-14", "Putin will arrive on Thursday.")
    ResolvedDate(start=datetime.date(2024, 5, 16), end=datetime.date(2024, 5, 16), label='Thursday, 16 May 2024')
    >>> resolve_relative_date("on Thursday", "2024-05-14", "Putin arrived on Thursday.").label
    'Thursday, 9 May 2024'
    >>> resolve_relative_date("Tuesday", "2024-05-14").label
    'Tuesday, 14 May 2024'
    >>> resolve_relative_date("last week", "2024-05-14").label
    'the week of 6 May 2024'
    >>> resolve_relative_date("last month", "2024-01-02").label
    'December 2023'
    >>> resolve_relative_date("two days ago", "2024-03-01").label
    'Wednesday, 28 February 2024'
    >>> resolve_relative_date("earlier this year", "2024-05-14").label
    '1 January – 13 May 2024'
    >>> print(resolve_relative_date("Xi Jinping", "2024-05-14"), resolve_relative_date("2 May 2024", "2024-05-14"))
    None None
    >>> print(resolve_relative_date("yesterday", ""))
    None
    """
    if not isinstance(expression, str):
        return None
    if not isinstance(sentence, str):
        sentence = ""
    day = parse_published(published)
    if day is None or not expression.strip() or _is_absolute(expression):
        return None
    chosen = _the_one_match(_normalise(expression))
    if chosen is None:
        return None
    priority, match = chosen

    def tense(word: str) -> str | None:
        # Without a sentence, the answer span itself may hold the verb: "will arrive on Thursday".
        return sentence_tense(sentence or expression, expression, word)

    try:
        resolved = _PATTERNS[priority][1](match, day, tense)
        if resolved is None:
            return None
        start, end = resolved
        return ResolvedDate(start, end, label(start, end))
    except (ValueError, OverflowError, KeyError, IndexError):
        return None
