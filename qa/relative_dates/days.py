"""Calendar days for relative dates: the publication date, weeks (Monday to Sunday, ISO 8601),
months and years around it, and how a day or a period is written for a reader."""

from __future__ import annotations

import datetime as dt
import re

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = (
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

# ISO YYYY-MM-DD, optionally followed by a time ("2024-05-14T09:30:00Z") which is ignored.
_ISO_DATE = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.,+\-Z ]*)?\s*")


def parse_published(published: object) -> dt.date | None:
    if not isinstance(published, str):
        return None
    match = _ISO_DATE.fullmatch(published)
    if match is None:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def month_start(day: dt.date, months: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(day: dt.date) -> dt.date:
    return month_start(day, 1) - dt.timedelta(days=1)


def weekday_on_or_before(day: dt.date, weekday: int) -> dt.date:
    return day - dt.timedelta(days=(day.weekday() - weekday) % 7)


def weekday_on_or_after(day: dt.date, weekday: int) -> dt.date:
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def period(unit: str, day: dt.date, offset: int) -> tuple[dt.date, dt.date]:
    """The whole calendar week, month or year ``offset`` periods away from the one holding ``day``."""
    if unit == "week":
        start = week_start(day) + dt.timedelta(weeks=offset)
        return start, start + dt.timedelta(days=6)
    if unit == "month":
        start = month_start(day, offset)
        return start, month_end(start)
    year = day.year + offset
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def day_month(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]}"


def label(start: dt.date, end: dt.date) -> str:
    """Human text for a day or a period.

    >>> label(dt.date(2024, 5, 16), dt.date(2024, 5, 16))
    'Thursday, 16 May 2024'
    >>> label(dt.date(2024, 5, 6), dt.date(2024, 5, 12))
    'the week of 6 May 2024'
    >>> label(dt.date(2024, 2, 1), dt.date(2024, 2, 29)), label(dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    ('February 2024', '2023')
    >>> label(dt.date(2024, 5, 13), dt.date(2024, 5, 14)), label(dt.date(2024, 1, 1), dt.date(2024, 5, 13))
    ('13–14 May 2024', '1 January – 13 May 2024')
    """
    if start == end:
        return f"{WEEKDAYS[start.weekday()].capitalize()}, {day_month(start)} {start.year}"
    if start.weekday() == 0 and end == start + dt.timedelta(days=6):
        return f"the week of {day_month(start)} {start.year}"
    if start.day == 1 and end == month_end(start):
        return f"{MONTHS[start.month - 1]} {start.year}"
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return str(start.year)
    if start.year != end.year:
        return f"{day_month(start)} {start.year} – {day_month(end)} {end.year}"
    if start.month != end.month:
        return f"{day_month(start)} – {day_month(end)} {end.year}"
    return f"{start.day}–{day_month(end)} {end.year}"
