"""Resolving relative date expressions ("on Thursday", "last week") against an article's date.

An extractive answer is quoted verbatim from an article, so a question such as "When will Putin
arrive?" is often answered with "Thursday", which means nothing without the article's date. This
module turns such an expression into the calendar day (or period) it denotes, counted from the
publication date, so that the answer can be shown as "Thursday, 16 May 2024".

News convention, and why it is followed here:

* A bare weekday ("on Tuesday") is the nearest such day around publication: wire copy avoids
  "last" and "next" and uses the weekday alone for anything within a week. Whether it lies before
  or after the publication date is carried by the verb: "said on Tuesday" points back, "will
  arrive on Thursday" points forward. So the tense of the sentence decides: past tense gives the
  most recent such day on or before publication, future tense the next one on or after it. With no
  clue, the past wins, because most news reports what has happened; the weekday of the
  publication date itself then resolves to that very day.
* The tense clue nearest the expression wins ("Officials said Putin will arrive on Thursday" is
  future: "will arrive" governs "Thursday", "said" is only attribution); a comma, a colon or a
  word such as "that", "and" or "while" between clue and expression counts as extra distance.
  "The weekend" follows the same rule; without a sentence the expression's own words are read.
* "last Friday" / "this past Friday" is the most recent Friday strictly before publication,
  "next Monday" / "this coming Monday" the first Monday strictly after it, and "this Monday" the
  Monday of the publication's own week. Weeks run Monday to Sunday (ISO 8601).
* "last week", "this month", "next year" denote the whole calendar period; "earlier this week"
  and "later this year" the part of the current period before or after publication.
* "two days ago", "in three weeks" are exact day arithmetic; "two months ago", "in two years"
  name the calendar month or year, since claiming a single day would be false precision.
* Absolute dates ("2 May 2024", "in 2023", "May 2") need no resolving and give ``None``, as does
  anything that is a duration rather than a date ("the past week", "for three days"), a weekday
  inside a name ("Sunday Times", "Super Tuesday") and a span holding two dates ("Monday and Tuesday").

Only the standard library is used; every function is pure and never raises on odd input.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["ResolvedDate", "resolve_relative_date"]

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
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

PAST = "past"
FUTURE = "future"


@dataclass(frozen=True)
class ResolvedDate:
    """The day (``start == end``) or period (``start`` to ``end``, inclusive) an expression means."""

    start: dt.date
    end: dt.date
    label: str


# --- publication date --------------------------------------------------------------------------

# ISO YYYY-MM-DD, optionally followed by a time ("2024-05-14T09:30:00Z") which is ignored.
_ISO_DATE = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.,+\-Z ]*)?\s*")


def _parse_published(published: object) -> dt.date | None:
    if not isinstance(published, str):
        return None
    match = _ISO_DATE.fullmatch(published)
    if match is None:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


# --- calendar arithmetic -----------------------------------------------------------------------


def _week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _month_start(day: dt.date, months: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _month_end(day: dt.date) -> dt.date:
    return _month_start(day, 1) - dt.timedelta(days=1)


def _weekday_on_or_before(day: dt.date, weekday: int) -> dt.date:
    return day - dt.timedelta(days=(day.weekday() - weekday) % 7)


def _weekday_on_or_after(day: dt.date, weekday: int) -> dt.date:
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def _period(unit: str, day: dt.date, offset: int) -> tuple[dt.date, dt.date]:
    """The whole calendar week, month or year ``offset`` periods away from the one holding ``day``."""
    if unit == "week":
        start = _week_start(day) + dt.timedelta(weeks=offset)
        return start, start + dt.timedelta(days=6)
    if unit == "month":
        start = _month_start(day, offset)
        return start, _month_end(start)
    year = day.year + offset
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


# --- labels --------------------------------------------------------------------------------------


def _day_month(day: dt.date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]}"


def _label(start: dt.date, end: dt.date) -> str:
    """Human text for a day or a period.

    >>> _label(dt.date(2024, 5, 16), dt.date(2024, 5, 16))
    'Thursday, 16 May 2024'
    >>> _label(dt.date(2024, 5, 6), dt.date(2024, 5, 12))
    'the week of 6 May 2024'
    >>> _label(dt.date(2024, 2, 1), dt.date(2024, 2, 29)), _label(dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    ('February 2024', '2023')
    >>> _label(dt.date(2024, 5, 13), dt.date(2024, 5, 14)), _label(dt.date(2024, 1, 1), dt.date(2024, 5, 13))
    ('13–14 May 2024', '1 January – 13 May 2024')
    """
    if start == end:
        return f"{_WEEKDAYS[start.weekday()].capitalize()}, {_day_month(start)} {start.year}"
    if start.weekday() == 0 and end == start + dt.timedelta(days=6):
        return f"the week of {_day_month(start)} {start.year}"
    if start.day == 1 and end == _month_end(start):
        return f"{_MONTHS[start.month - 1]} {start.year}"
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return str(start.year)
    if start.year != end.year:
        return f"{_day_month(start)} {start.year} – {_day_month(end)} {end.year}"
    if start.month != end.month:
        return f"{_day_month(start)} – {_day_month(end)} {end.year}"
    return f"{start.day}–{_day_month(end)} {end.year}"


# --- tense of the sentence -----------------------------------------------------------------------

# Future clues. An auxiliary swallows the verb it governs ("will be held", "will remain closed"), so
# that the participle is not read as a past-tense clue and the distance is measured from the verb.
_FUTURE_CUE = re.compile(
    r"""
    (?:\b(?:will|shall|would|won't|wouldn't)\b|(?<=\w)'ll\b|\b(?:may|might)\b(?!\s+(?:not\s+)?have\b))
        (?:\s+(?:not|also|now|then|still|again|only|soon|first|be|have|[a-z]+ly)\b)*(?:\s+[a-z]+\b)?(?:\s+[a-z]+ed\b)?
    | \b(?:is|are|am|isn't|aren't)\s+(?:(?:not|also|now|still|widely|currently)\s+)?
        (?:to|due|set|scheduled|expected|slated|poised|planning|planned|going|likely|about|preparing)\b
        (?:\s+(?:to|for|on))?(?:\s+be)?(?:\s+[a-z]+\b)?(?:\s+[a-z]+ed\b)?
    | \b(?:plans?|planning|intends?|intending|aims?|hopes?|expects?|scheduled|slated|expected|upcoming
        |forthcoming|next|tomorrow)\b
    # The news present of a schedule: "the visit that begins Thursday", "the summit opens Monday".
    | \b(?:begins?|starts?|opens?|arrives?|resumes?|kicks?\s+off|takes?\s+place|gets?\s+under\s+way)\b
    """,
    re.IGNORECASE | re.VERBOSE,
)
_IRREGULAR_PAST = (
    "was were had did wasn't weren't hadn't didn't ago yesterday earlier last previously said told met won"
    " lost held made took gave began left fell rose saw spoke became got sent ran struck brought found paid"
    " sold built kept flew drove wrote broke chose fought caught came went led fed fled shot stood wore threw"
    " grew knew drew hung sank sought taught thought felt meant heard spent bought withdrew overtook"
).split()
_IRREGULAR_PAST_SET = frozenset(_IRREGULAR_PAST)
_PAST_CUE = re.compile(r"\b(?:" + "|".join(_IRREGULAR_PAST) + r"|[a-z]{2,}ed)\b", re.IGNORECASE)
# Words ending in -ed that are not past tense (or are mostly adjectives).
_NOT_PAST = frozenset(
    "need speed indeed proceed exceed succeed feed seed weed breed bleed greed steed deed heed reed creed"
    " tweed hundred embed naked wicked sacred beloved rugged aged kindred ragged jagged crooked armed united"
    " limited related detailed advanced experienced interested alleged proposed".split()
)
# Clause boundaries between a clue and the expression make that clue less likely to govern it.
_BOUNDARY = re.compile(
    r"[,;:()\[\]—–]|\s-\s|\b(?:and|that|but|while|whereas|although|though|because|which|who|where|when)\b"
)
_BOUNDARY_COST = 3


def _sentence_tense(sentence: str, expression: str, anchor_word: str) -> str | None:
    """``PAST``, ``FUTURE`` or ``None`` (no clue) for the verb that governs ``expression``.

    Distances are measured from ``anchor_word`` (the weekday) where ``expression`` is found in the
    sentence, so that a clue inside a long answer span ("may arrive on Thursday") still counts.

    >>> _sentence_tense("Officials said Putin will arrive on Thursday.", "Thursday", "thursday")
    'future'
    >>> _sentence_tense("Putin will arrive on Thursday, the Kremlin said.", "Thursday", "thursday")
    'future'
    >>> _sentence_tense("He said on Monday that he will resign.", "Monday", "monday")
    'past'
    >>> _sentence_tense("Talks in Geneva on Friday.", "Friday", "friday") is None
    True
    """
    text = sentence.replace("’", "'").replace("‘", "'")
    lowered = text.lower()
    needle = expression.replace("’", "'").replace("‘", "'").strip().lower()
    position = lowered.find(needle) if needle else -1
    anchor = re.compile(rf"\b{re.escape(anchor_word)}\b").search(lowered, max(position, 0)) if anchor_word else None
    span: tuple[int, int] | None = None
    if anchor is not None:
        span = anchor.span()
    elif position >= 0:
        span = (position, position + len(needle))

    cues: list[tuple[int, int, str]] = [(m.start(), m.end(), FUTURE) for m in _FUTURE_CUE.finditer(text)]
    future_starts = [start for start, _, _ in cues]  # sorted and non-overlapping
    first_letter = len(text) - len(text.lstrip())
    for match in _PAST_CUE.finditer(text):
        start, end = match.span()
        previous = bisect.bisect_left(future_starts, end) - 1
        if previous >= 0 and cues[previous][1] > start:
            continue  # inside a future clue: "will be held"
        word = match.group(0)
        lowered_word = word.lower()
        # A regular -ed word must be a verb: not an adjective, and not a capitalised name inside the
        # sentence (Mohammed, United).
        if lowered_word not in _IRREGULAR_PAST_SET and (
            lowered_word in _NOT_PAST or (word[0].isupper() and start > first_letter)
        ):
            continue
        cues.append((start, end, PAST))
    if span is not None:
        # A clue running into the anchor ("is expected on Thursday") is cut short before it.
        cues = [
            (start, min(end, span[0]), kind) if start < span[0] else (start, end, kind)
            for start, end, kind in cues
            if start < span[0] or start >= span[1]
        ]
    if not cues:
        return None
    if span is None:
        return FUTURE if any(kind == FUTURE for _, _, kind in cues) else PAST

    words = [m.start() for m in re.finditer(r"\w+", text)]
    boundaries = [m.start() for m in _BOUNDARY.finditer(text)]

    def count(positions: list[int], start: int, end: int) -> int:
        return bisect.bisect_left(positions, end) - bisect.bisect_left(positions, start)

    def distance(cue: tuple[int, int, str]) -> tuple[int, int]:
        before = cue[1] <= span[0]
        start, end = (cue[1], span[0]) if before else (span[1], cue[0])
        return count(words, start, end) + _BOUNDARY_COST * count(boundaries, start, end), 0 if before else 1

    return min(cues, key=distance)[2]


# --- expressions ---------------------------------------------------------------------------------

_WD = "|".join(_WEEKDAYS)
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
_TITLE_WD = "|".join(name.capitalize() for name in _WEEKDAYS)
_NEXT_TO_WD = r"On|In|At|By|Of|Until|Till|Since|From|Before|After|Last|Next|This|Past|Coming|Early|Late|Earlier|Later"
_NAMED_DAY = re.compile(
    rf"\b(?!(?:{_NEXT_TO_WD})\b)[A-Z][a-z]*\s+(?:{_TITLE_WD})\b"
    rf"|\b(?:{_TITLE_WD})\s+(?!(?:{_NEXT_TO_WD}|Morning|Afternoon|Evening|Night|Noon|Midday|Lunchtime)\b)[A-Z]"
)
_MAX_MATCHES = 40

Span = tuple[dt.date, dt.date]
Handler = Callable[[re.Match[str], dt.date, Callable[[str], str | None]], Span | None]


def _number(text: str) -> int:
    return int(text) if text.isdigit() else _NUMBER_WORDS[text]


def _days(offset: int) -> Handler:
    def handler(match: re.Match[str], published: dt.date, tense: Callable[[str], str | None]) -> Span:
        day = published + dt.timedelta(days=offset)
        return day, day

    return handler


def _blocked(match: re.Match[str], published: dt.date, tense: Callable[[str], str | None]) -> None:
    return None


def _shift(sign: int) -> Handler:
    def handler(match: re.Match[str], published: dt.date, tense: Callable[[str], str | None]) -> Span:
        count = sign * _number(match["n"])
        unit = match["unit"]
        if unit in ("day", "week", "fortnight"):
            day = published + dt.timedelta(days=count * {"day": 1, "week": 7, "fortnight": 14}[unit])
            return day, day
        return _period(unit, published, count)

    return handler


def _weekday(match: re.Match[str], published: dt.date, tense: Callable[[str], str | None]) -> Span:
    weekday = _WEEKDAYS.index(match["wd"])
    modifier = (match["mod"] or "").split()
    if modifier and modifier[-1] in ("last", "past"):
        day = _weekday_on_or_before(published - dt.timedelta(days=1), weekday)
    elif modifier and modifier[-1] in ("next", "coming"):
        day = _weekday_on_or_after(published + dt.timedelta(days=1), weekday)
    elif modifier == ["this"]:
        day = _week_start(published) + dt.timedelta(days=weekday)
    elif tense(match["wd"]) == FUTURE:
        day = _weekday_on_or_after(published, weekday)
    else:
        day = _weekday_on_or_before(published, weekday)
    return day, day


def _weekday_of_week(match: re.Match[str], published: dt.date, tense: Callable[[str], str | None]) -> Span:
    offset = {"last": -1, "this": 0, "next": 1}[match["mod"]]
    day = _week_start(published) + dt.timedelta(weeks=offset, days=_WEEKDAYS.index(match["wd"]))
    return day, day


def _weekend(match: re.Match[str], published: dt.date, tense: Callable[[str], str | None]) -> Span:
    modifier = (match["mod"] or "").split()
    saturday_this_week = _week_start(published) + dt.timedelta(days=5)
    if modifier and modifier[-1] in ("last", "past"):
        saturday = saturday_this_week - dt.timedelta(weeks=1)
    elif modifier and modifier[-1] == "coming":
        saturday = _weekday_on_or_after(published + dt.timedelta(days=1), 5)
    elif modifier == ["next"]:
        saturday = saturday_this_week + dt.timedelta(weeks=1)
    elif modifier == ["this"]:
        saturday = saturday_this_week
    elif tense("weekend") == FUTURE and published.weekday() != 6:
        saturday = _weekday_on_or_after(published, 5)
    else:
        saturday = _weekday_on_or_before(published, 5)
    return saturday, saturday + dt.timedelta(days=1)


_OFFSETS = {"this": 0, "current": 0, "last": -1, "previous": -1, "next": 1, "coming": 1}


def _whole_period(match: re.Match[str], published: dt.date, tense: Callable[[str], str | None]) -> Span:
    return _period(match["unit"], published, _OFFSETS[match["mod"]])


def _two_away(sign: int) -> Handler:
    def handler(match: re.Match[str], published: dt.date, tense: Callable[[str], str | None]) -> Span:
        return _period(match["unit"], published, 2 * sign)

    return handler


def _part_period(match: re.Match[str], published: dt.date, tense: Callable[[str], str | None]) -> Span:
    start, end = _period(match["unit"], published, 0)
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
    day = _parse_published(published)
    if day is None or not expression.strip() or _is_absolute(expression):
        return None
    text = _normalise(expression)

    found: list[tuple[int, int, int, re.Match[str]]] = []
    for priority, (pattern, _) in enumerate(_PATTERNS):
        for match in pattern.finditer(text):
            found.append((match.start(), match.end(), priority, match))
        if len(found) > _MAX_MATCHES:
            return None  # a list of dates, not one
    # Keep the widest matches: drop any lying inside another ("last week" inside "Friday last week").
    widest = [
        item
        for item in found
        if not any(
            other[0] <= item[0] and item[1] <= other[1] and (other[0], other[1]) != (item[0], item[1])
            for other in found
        )
    ]
    spans = {(start, end) for start, end, _, _ in widest}
    if len(spans) != 1:
        return None
    _, _, priority, match = min(widest, key=lambda item: item[2])

    def tense(word: str) -> str | None:
        # Without a sentence, the answer span itself may hold the verb: "will arrive on Thursday".
        return _sentence_tense(sentence or expression, expression, word)

    try:
        resolved = _PATTERNS[priority][1](match, day, tense)
        if resolved is None:
            return None
        start, end = resolved
        return ResolvedDate(start, end, _label(start, end))
    except (ValueError, OverflowError, KeyError, IndexError):
        return None
