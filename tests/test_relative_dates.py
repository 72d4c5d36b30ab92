"""Relative date expressions resolved against an article's publication date (qa.relative_dates).

Most cases use an article published on Tuesday 14 May 2024. Its neighbourhood:

    Mon  6  Tue  7  Wed  8  Thu  9  Fri 10  Sat 11  Sun 12   <- last week
    Mon 13  TUE 14  Wed 15  Thu 16  Fri 17  Sat 18  Sun 19   <- this week
    Mon 20  Tue 21  Wed 22  Thu 23  Fri 24  Sat 25  Sun 26   <- next week
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest

from qa.relative_dates import ResolvedDate, expressions, resolve_relative_date
from qa.relative_dates.tense import FUTURE, PAST, sentence_tense

PUBLISHED = "2024-05-14"  # a Tuesday
D = dt.date


def _day(expression: str, published: str = PUBLISHED, sentence: str = "") -> dt.date:
    resolved = resolve_relative_date(expression, published, sentence)
    assert resolved is not None, expression
    assert resolved.start == resolved.end, resolved
    return resolved.start


def _span(expression: str, published: str = PUBLISHED, sentence: str = "") -> tuple[dt.date, dt.date]:
    resolved = resolve_relative_date(expression, published, sentence)
    assert resolved is not None, expression
    return resolved.start, resolved.end


# --- bare weekdays: the tense of the sentence decides --------------------------------------------

PAST_WEEKDAYS = {
    "Monday": D(2024, 5, 13),
    "Tuesday": D(2024, 5, 14),
    "Wednesday": D(2024, 5, 8),
    "Thursday": D(2024, 5, 9),
    "Friday": D(2024, 5, 10),
    "Saturday": D(2024, 5, 11),
    "Sunday": D(2024, 5, 12),
}
FUTURE_WEEKDAYS = {
    "Monday": D(2024, 5, 20),
    "Tuesday": D(2024, 5, 14),
    "Wednesday": D(2024, 5, 15),
    "Thursday": D(2024, 5, 16),
    "Friday": D(2024, 5, 17),
    "Saturday": D(2024, 5, 18),
    "Sunday": D(2024, 5, 19),
}


@pytest.mark.parametrize(("weekday", "expected"), PAST_WEEKDAYS.items())
def test_bare_weekday_in_a_past_tense_sentence_is_on_or_before_publication(weekday: str, expected: dt.date) -> None:
    assert _day(weekday, sentence=f"The minister said on {weekday} that talks had stalled.") == expected
    assert _day(f"on {weekday}", sentence=f"Police arrested the suspect on {weekday}.") == expected


@pytest.mark.parametrize(("weekday", "expected"), FUTURE_WEEKDAYS.items())
def test_bare_weekday_in_a_future_sentence_is_on_or_after_publication(weekday: str, expected: dt.date) -> None:
    assert _day(weekday, sentence=f"Putin will arrive on {weekday}.") == expected
    assert _day(f"on {weekday}", sentence=f"The vote is expected on {weekday}.") == expected


@pytest.mark.parametrize(("weekday", "expected"), PAST_WEEKDAYS.items())
def test_bare_weekday_without_a_clue_prefers_the_past(weekday: str, expected: dt.date) -> None:
    assert _day(weekday) == expected
    assert _day(weekday, sentence=f"Talks in Geneva on {weekday}.") == expected


def test_the_example_from_the_brief() -> None:
    resolved = resolve_relative_date("Thursday", "2024-05-14", "Putin will arrive on Thursday")
    assert resolved == ResolvedDate(D(2024, 5, 16), D(2024, 5, 16), "Thursday, 16 May 2024")


@pytest.mark.parametrize(
    ("expression", "sentence", "expected"),
    [
        # The clue nearest the expression governs it; "said" is only attribution here.
        ("Thursday", "Officials said Putin will arrive on Thursday.", D(2024, 5, 16)),
        ("Thursday", "Putin will arrive on Thursday, the Kremlin said.", D(2024, 5, 16)),
        ("Thursday", "Putin will arrive on Thursday, the Kremlin said on Monday.", D(2024, 5, 16)),
        ("Monday", "The Kremlin said on Monday that Putin will arrive on Thursday.", D(2024, 5, 13)),
        ("Monday", "He said on Monday that he will resign.", D(2024, 5, 13)),
        ("Friday", "The minister, who resigned on Friday, will testify next month.", D(2024, 5, 10)),
        # A participle after "will be" / "will remain" is not a past-tense clue.
        ("Saturday", "The summit will be held on Saturday.", D(2024, 5, 18)),
        ("Monday", "Schools will remain closed until Monday.", D(2024, 5, 20)),
        ("Monday", "The company plans to open the plant on Monday.", D(2024, 5, 20)),
        ("Wednesday", "The talks are scheduled for Wednesday.", D(2024, 5, 15)),
        ("Sunday", "The results are due on Sunday.", D(2024, 5, 19)),
        ("Wednesday", "The ceasefire was agreed on Wednesday.", D(2024, 5, 8)),
        ("Thursday", "Protesters marched through the capital on Thursday.", D(2024, 5, 9)),
        ("Friday", "Fighting broke out again on Friday.", D(2024, 5, 10)),
        # A capitalised -ed word is a name, not a past-tense verb.
        ("Friday", "Officials expect talks with Mohammed on Friday.", D(2024, 5, 17)),
        # The expression not found in the sentence: any future clue wins.
        ("Thursday", "Putin will arrive then.", D(2024, 5, 16)),
        ("Thursday", "Putin arrived then.", D(2024, 5, 9)),
        # Curly apostrophes and possessives.
        ("Thursday’s", "Thursday’s summit will be held in Beijing.", D(2024, 5, 16)),
        ("Monday's", "Monday's vote was delayed.", D(2024, 5, 13)),
    ],
)
def test_the_governing_verb_decides_past_or_future(expression: str, sentence: str, expected: dt.date) -> None:
    assert _day(expression, sentence=sentence) == expected


@pytest.mark.parametrize(
    ("expression", "sentence", "expected"),
    [
        ("Monday night", "Two people were killed in a strike on Monday night.", D(2024, 5, 13)),
        ("Saturday morning", "The march will start on Saturday morning.", D(2024, 5, 18)),
        ("early Tuesday", "The quake struck early Tuesday.", D(2024, 5, 14)),
        ("late on Sunday", "The bill passed late on Sunday.", D(2024, 5, 12)),
    ],
)
def test_weekday_with_a_time_of_day(expression: str, sentence: str, expected: dt.date) -> None:
    assert _day(expression, sentence=sentence) == expected


# --- weekdays with last / next / this ------------------------------------------------------------


@pytest.mark.parametrize(
    ("weekday", "last", "next_", "this"),
    [
        ("Monday", D(2024, 5, 13), D(2024, 5, 20), D(2024, 5, 13)),
        ("Tuesday", D(2024, 5, 7), D(2024, 5, 21), D(2024, 5, 14)),
        ("Wednesday", D(2024, 5, 8), D(2024, 5, 15), D(2024, 5, 15)),
        ("Thursday", D(2024, 5, 9), D(2024, 5, 16), D(2024, 5, 16)),
        ("Friday", D(2024, 5, 10), D(2024, 5, 17), D(2024, 5, 17)),
        ("Saturday", D(2024, 5, 11), D(2024, 5, 18), D(2024, 5, 18)),
        ("Sunday", D(2024, 5, 12), D(2024, 5, 19), D(2024, 5, 19)),
    ],
)
def test_last_next_and_this_weekday(weekday: str, last: dt.date, next_: dt.date, this: dt.date) -> None:
    # The modifier overrides the tense of the sentence.
    future = "The team will travel then."
    assert _day(f"last {weekday}", sentence=future) == last
    assert _day(f"this past {weekday}") == last
    assert _day(f"next {weekday}", sentence="He resigned.") == next_
    assert _day(f"this coming {weekday}") == next_
    assert _day(f"this {weekday}") == this


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("Friday last week", D(2024, 5, 10)),
        ("Monday of last week", D(2024, 5, 6)),
        ("Tuesday next week", D(2024, 5, 21)),
        ("Wednesday of this week", D(2024, 5, 15)),
        ("last Friday night", D(2024, 5, 10)),
        ("next Monday morning", D(2024, 5, 20)),
    ],
)
def test_weekday_in_a_named_week(expression: str, expected: dt.date) -> None:
    assert _day(expression) == expected


def test_weekdays_published_on_a_sunday() -> None:
    sunday = "2024-05-19"
    assert _day("last Sunday", sunday) == D(2024, 5, 12)
    assert _day("Sunday", sunday) == D(2024, 5, 19)
    assert _day("next Monday", sunday) == D(2024, 5, 20)
    assert _day("Monday", sunday, "Talks will resume on Monday.") == D(2024, 5, 20)
    assert _day("this Monday", sunday) == D(2024, 5, 13)
    assert _span("this week", sunday) == (D(2024, 5, 13), D(2024, 5, 19))


# --- single days ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("today", D(2024, 5, 14)),
        ("earlier today", D(2024, 5, 14)),
        ("later today", D(2024, 5, 14)),
        ("tonight", D(2024, 5, 14)),
        ("this morning", D(2024, 5, 14)),
        ("this afternoon", D(2024, 5, 14)),
        ("this evening", D(2024, 5, 14)),
        ("yesterday", D(2024, 5, 13)),
        ("yesterday afternoon", D(2024, 5, 13)),
        ("late yesterday", D(2024, 5, 13)),
        ("last night", D(2024, 5, 13)),
        ("tomorrow", D(2024, 5, 15)),
        ("tomorrow morning", D(2024, 5, 15)),
        ("the day before yesterday", D(2024, 5, 12)),
        ("the day after tomorrow", D(2024, 5, 16)),
        ("two days ago", D(2024, 5, 12)),
        ("2 days ago", D(2024, 5, 12)),
        ("a day ago", D(2024, 5, 13)),
        ("twelve days ago", D(2024, 5, 2)),
        ("a week ago", D(2024, 5, 7)),
        ("two weeks ago", D(2024, 4, 30)),
        ("a fortnight ago", D(2024, 4, 30)),
        ("in three days", D(2024, 5, 17)),
        ("in 10 days", D(2024, 5, 24)),
        ("in a week", D(2024, 5, 21)),
        ("in three weeks", D(2024, 6, 4)),
        ("in two weeks' time", D(2024, 5, 28)),
        ("three weeks from now", D(2024, 6, 4)),
        ("five days from today", D(2024, 5, 19)),
    ],
)
def test_single_days(expression: str, expected: dt.date) -> None:
    assert _day(expression) == expected


# --- periods -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "start", "end", "label"),
    [
        ("last week", D(2024, 5, 6), D(2024, 5, 12), "the week of 6 May 2024"),
        ("the previous week", D(2024, 5, 6), D(2024, 5, 12), "the week of 6 May 2024"),
        ("this week", D(2024, 5, 13), D(2024, 5, 19), "the week of 13 May 2024"),
        ("next week", D(2024, 5, 20), D(2024, 5, 26), "the week of 20 May 2024"),
        ("the coming week", D(2024, 5, 20), D(2024, 5, 26), "the week of 20 May 2024"),
        ("early next week", D(2024, 5, 20), D(2024, 5, 26), "the week of 20 May 2024"),
        ("the week before last", D(2024, 4, 29), D(2024, 5, 5), "the week of 29 April 2024"),
        ("last month", D(2024, 4, 1), D(2024, 4, 30), "April 2024"),
        ("this month", D(2024, 5, 1), D(2024, 5, 31), "May 2024"),
        ("next month", D(2024, 6, 1), D(2024, 6, 30), "June 2024"),
        ("late last month", D(2024, 4, 1), D(2024, 4, 30), "April 2024"),
        ("the month after next", D(2024, 7, 1), D(2024, 7, 31), "July 2024"),
        ("two months ago", D(2024, 3, 1), D(2024, 3, 31), "March 2024"),
        ("in 12 months", D(2025, 5, 1), D(2025, 5, 31), "May 2025"),
        ("last year", D(2023, 1, 1), D(2023, 12, 31), "2023"),
        ("this year", D(2024, 1, 1), D(2024, 12, 31), "2024"),
        ("next year", D(2025, 1, 1), D(2025, 12, 31), "2025"),
        ("a year ago", D(2023, 1, 1), D(2023, 12, 31), "2023"),
        ("in two years", D(2026, 1, 1), D(2026, 12, 31), "2026"),
        ("earlier this week", D(2024, 5, 13), D(2024, 5, 13), "Monday, 13 May 2024"),
        ("later this week", D(2024, 5, 15), D(2024, 5, 19), "15–19 May 2024"),
        ("earlier in the week", D(2024, 5, 13), D(2024, 5, 13), "Monday, 13 May 2024"),
        ("earlier this month", D(2024, 5, 1), D(2024, 5, 13), "1–13 May 2024"),
        ("later this month", D(2024, 5, 15), D(2024, 5, 31), "15–31 May 2024"),
        ("earlier this year", D(2024, 1, 1), D(2024, 5, 13), "1 January – 13 May 2024"),
        ("later this year", D(2024, 5, 15), D(2024, 12, 31), "15 May – 31 December 2024"),
        ("this weekend", D(2024, 5, 18), D(2024, 5, 19), "18–19 May 2024"),
        ("this coming weekend", D(2024, 5, 18), D(2024, 5, 19), "18–19 May 2024"),
        ("last weekend", D(2024, 5, 11), D(2024, 5, 12), "11–12 May 2024"),
        ("next weekend", D(2024, 5, 25), D(2024, 5, 26), "25–26 May 2024"),
        ("over the weekend", D(2024, 5, 11), D(2024, 5, 12), "11–12 May 2024"),
    ],
)
def test_periods(expression: str, start: dt.date, end: dt.date, label: str) -> None:
    assert resolve_relative_date(expression, PUBLISHED) == ResolvedDate(start, end, label)


def test_the_weekend_follows_the_tense() -> None:
    assert _span("the weekend", sentence="Talks will continue over the weekend.") == (D(2024, 5, 18), D(2024, 5, 19))
    assert _span("the weekend", sentence="Talks continued over the weekend.") == (D(2024, 5, 11), D(2024, 5, 12))
    # Published on a Saturday, the weekend is the current one either way.
    assert _span("the weekend", "2024-05-18") == (D(2024, 5, 18), D(2024, 5, 19))
    assert _span("the weekend", "2024-05-19", "Rain will fall over the weekend.") == (D(2024, 5, 18), D(2024, 5, 19))


# --- month, year and leap-year boundaries --------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "published", "start", "end"),
    [
        ("last month", "2024-01-02", D(2023, 12, 1), D(2023, 12, 31)),
        ("last year", "2024-01-02", D(2023, 1, 1), D(2023, 12, 31)),
        ("yesterday", "2024-01-01", D(2023, 12, 31), D(2023, 12, 31)),
        ("last week", "2024-01-01", D(2023, 12, 25), D(2023, 12, 31)),
        ("next month", "2023-12-31", D(2024, 1, 1), D(2024, 1, 31)),
        ("tomorrow", "2023-12-31", D(2024, 1, 1), D(2024, 1, 1)),
        ("next week", "2023-12-31", D(2024, 1, 1), D(2024, 1, 7)),
        ("this week", "2024-12-31", D(2024, 12, 30), D(2025, 1, 5)),
        ("Friday", "2024-01-02", D(2023, 12, 29), D(2023, 12, 29)),
        ("in two months", "2020-12-31", D(2021, 2, 1), D(2021, 2, 28)),
        ("yesterday", "2024-03-01", D(2024, 2, 29), D(2024, 2, 29)),
        ("yesterday", "2023-03-01", D(2023, 2, 28), D(2023, 2, 28)),
        ("two days ago", "2024-03-01", D(2024, 2, 28), D(2024, 2, 28)),
        ("tomorrow", "2024-02-28", D(2024, 2, 29), D(2024, 2, 29)),
        ("tomorrow", "2023-02-28", D(2023, 3, 1), D(2023, 3, 1)),
        ("last month", "2024-03-31", D(2024, 2, 1), D(2024, 2, 29)),
        ("last month", "2023-03-31", D(2023, 2, 1), D(2023, 2, 28)),
        ("next month", "2024-01-31", D(2024, 2, 1), D(2024, 2, 29)),
        ("a year ago", "2024-02-29", D(2023, 1, 1), D(2023, 12, 31)),
        ("later this month", "2024-05-31", D(2024, 5, 31), D(2024, 5, 31)),
        ("earlier this month", "2024-05-01", D(2024, 5, 1), D(2024, 5, 1)),
        ("later this year", "2024-12-31", D(2024, 12, 31), D(2024, 12, 31)),
    ],
)
def test_boundaries(expression: str, published: str, start: dt.date, end: dt.date) -> None:
    assert _span(expression, published) == (start, end)


def test_labels_across_a_year_end() -> None:
    resolved = resolve_relative_date("this week", "2024-12-31")
    assert resolved is not None and resolved.label == "the week of 30 December 2024"
    resolved = resolve_relative_date("earlier this week", "2025-01-02")
    assert resolved is not None and resolved.label == "30 December 2024 – 1 January 2025"
    resolved = resolve_relative_date("last month", "2024-03-10")
    assert resolved is not None and resolved.label == "February 2024"


# --- spelling, case and what surrounds the expression --------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("LAST WEEK", (D(2024, 5, 6), D(2024, 5, 12))),
        ("Last Friday", (D(2024, 5, 10), D(2024, 5, 10))),
        ("YESTERDAY", (D(2024, 5, 13), D(2024, 5, 13))),
        ("  on   Thursday.  ", (D(2024, 5, 9), D(2024, 5, 9))),
        ("Two Days Ago", (D(2024, 5, 12), D(2024, 5, 12))),
        ("last week's talks", (D(2024, 5, 6), D(2024, 5, 12))),
        ("at a summit on Friday", (D(2024, 5, 10), D(2024, 5, 10))),
        ("(Monday)", (D(2024, 5, 13), D(2024, 5, 13))),
        ("Last Friday Night", (D(2024, 5, 10), D(2024, 5, 10))),
        ("On Thursday", (D(2024, 5, 9), D(2024, 5, 9))),
        ("Friday Last Week", (D(2024, 5, 10), D(2024, 5, 10))),
    ],
)
def test_case_and_surrounding_words(expression: str, expected: tuple[dt.date, dt.date]) -> None:
    assert _span(expression) == expected


def test_published_may_carry_a_time() -> None:
    assert _day("yesterday", "2024-05-14T09:30:00Z") == D(2024, 5, 13)
    assert _day("yesterday", " 2024-05-14 ") == D(2024, 5, 13)


# --- nothing to resolve --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "expression",
    [
        "Xi Jinping",
        "2 May 2024",
        "May 2",
        "Tuesday, 2 May",
        "Thursday 16 May 2024",
        "in 2023",
        "14/05/2024",
        "March",
        "the past week",
        "over the past month",
        "the last week",
        "in the next few days",
        "the last two weeks",
        "for three days",
        "three weeks",
        "weeks ago",
        "Monday and Tuesday",
        "Christmas",
        "Sunday Times",
        "The Sunday Times",
        "Super Tuesday",
        "Tuesday Group",
        "dozens of people",
        "",
        "   ",
        "...",
    ],
)
def test_no_relative_date(expression: str) -> None:
    assert resolve_relative_date(expression, PUBLISHED) is None
    assert resolve_relative_date(expression, PUBLISHED, "The vote will take place then.") is None


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("will arrive on Thursday", D(2024, 5, 16)),
        ("arrived on Thursday", D(2024, 5, 9)),
        ("is due to land on Saturday", D(2024, 5, 18)),
    ],
)
def test_without_a_sentence_the_expression_itself_gives_the_tense(expression: str, expected: dt.date) -> None:
    assert _day(expression) == expected


def test_clauses_joined_by_and_keep_their_own_tense() -> None:
    sentence = "Biden met Xi on Wednesday and will fly home on Friday."
    assert _day("Wednesday", sentence=sentence) == D(2024, 5, 8)
    assert _day("Friday", sentence=sentence) == D(2024, 5, 17)


def test_a_long_sentence_is_handled_quickly() -> None:
    # Scoring every clue must not be quadratic in the sentence's length.
    assert _day("Thursday", sentence="walked " * 20_000 + "on Thursday") == D(2024, 5, 9)
    assert _day("Thursday", sentence="will be held " * 20_000 + "on Thursday") == D(2024, 5, 16)
    assert resolve_relative_date("Monday " * 5_000, PUBLISHED) is None


def test_lowercase_may_is_a_verb_not_a_month() -> None:
    assert _day("may arrive on Thursday", sentence="Putin may arrive on Thursday.") == D(2024, 5, 16)
    assert _day("Thursday", sentence="Putin may arrive on Thursday.") == D(2024, 5, 16)
    assert _day("Thursday", sentence="Putin may have arrived on Thursday.") == D(2024, 5, 9)


@pytest.mark.parametrize(
    "published",
    ["", "   ", "2024-13-01", "2024-02-30", "2023-02-29", "14/05/2024", "20240514", "yesterday", "2024-5-14"],
)
def test_unknown_or_invalid_publication_date(published: str) -> None:
    assert resolve_relative_date("yesterday", published) is None
    assert resolve_relative_date("Thursday", published, "Putin will arrive on Thursday.") is None


@pytest.mark.parametrize(
    ("expression", "published", "sentence"),
    [
        (None, PUBLISHED, ""),
        (42, PUBLISHED, ""),
        ("yesterday", None, ""),
        ("yesterday", dt.date(2024, 5, 14), ""),
        ("in 99999 years", PUBLISHED, ""),
        ("99999 days ago", "0100-01-01", ""),
        ("yesterday", "0001-01-01", ""),
        ("tomorrow", "9999-12-31", ""),
        ("next month", "9999-12-31", ""),
        ("last year", "0001-06-01", ""),
        ("\x00\ufffd", PUBLISHED, "\x00"),
    ],
)
def test_odd_input_gives_none_and_never_raises(expression: object, published: object, sentence: object) -> None:
    assert resolve_relative_date(expression, published, sentence) is None  # type: ignore[arg-type]


@pytest.mark.parametrize("sentence", ["", None, "\x00", "will " * 500, "Putin said: ,,,;;; will —– (Thursday"])
def test_odd_sentences_fall_back_gracefully(sentence: object) -> None:
    resolved = resolve_relative_date("Thursday", PUBLISHED, sentence)  # type: ignore[arg-type]
    assert resolved is not None and resolved.start in (D(2024, 5, 9), D(2024, 5, 16))


def test_resolved_date_is_frozen() -> None:
    resolved = resolve_relative_date("today", PUBLISHED)
    assert resolved == ResolvedDate(D(2024, 5, 14), D(2024, 5, 14), "Tuesday, 14 May 2024")
    with pytest.raises(dataclasses.FrozenInstanceError):
        resolved.start = D(2024, 1, 1)  # type: ignore[misc,union-attr]


def test_a_scheduled_present_means_the_coming_day():
    # The seed article (Tuesday 2024-05-14): the visit "begins Thursday" is 16 May, not 9 May.
    sentence = "Putin will meet with Chinese leader Xi Jinping during his visit that begins Thursday, the ministry said"
    assert resolve_relative_date("Thursday", "2024-05-14", sentence).label == "Thursday, 16 May 2024"


# --- which clue governs the expression: distances, ties and what is not a clue -------------------


@pytest.mark.parametrize(
    ("expression", "sentence", "expected"),
    [
        # Equally near, the clue before the expression wins: "said on Friday" is the attribution.
        ("Friday", "Officials said on Friday talks will resume.", D(2024, 5, 10)),
        # A clue after the expression is as far as the words between them, its own words not counted.
        ("Thursday", "Police said the trial on Thursday will be held behind closed doors.", D(2024, 5, 16)),
        # Words count even where no comma or "that" lies between clue and expression.
        ("Thursday", "Leaders will return home after the talks ended on Thursday.", D(2024, 5, 9)),
        # A clue right after the weekday, with no space between: the contracted "'ll".
        ("Friday", "Friday'll be quiet, the forecasters said.", D(2024, 5, 17)),
        # The expression is found first, then its weekday: the earlier "Friday" is another word.
        ("on Friday", "Friday prayers were cancelled, and the mosque will reopen on Friday.", D(2024, 5, 17)),
        # An expression at the very start of the sentence is read there, not at a later "Friday".
        ("Friday", "Friday was calm, but the protests will resume next Friday.", D(2024, 5, 10)),
        # A repeated expression is read where it first occurs.
        ("on Friday", "Officials met on Friday and will meet again on Friday.", D(2024, 5, 10)),
        # A possessive with either curly apostrophe is found in the sentence all the same.
        ("Friday’s summit", "Talks ended on Friday, and Friday’s summit will open in Beijing.", D(2024, 5, 17)),
        ("Friday‘s summit", "Talks ended on Friday, and Friday‘s summit will open in Beijing.", D(2024, 5, 17)),
        # A capitalised -ed word that opens the sentence is a verb, not a name.
        ("Friday", "Postponed on Friday, the match will now be played next month.", D(2024, 5, 10)),
        # Past-looking words inside a future clue ("will be named") are skipped, later clues still count.
        ("Friday", "A new envoy, who will be named later, arrived on Friday.", D(2024, 5, 10)),
        # An -ed adjective is not a past-tense clue, and the clues after it still count.
        ("Friday", "Officials expect a limited ceasefire on Friday.", D(2024, 5, 17)),
        ("Friday", "Aid deliveries will continue even though the limited truce expired on Friday.", D(2024, 5, 10)),
    ],
)
def test_the_nearest_clue_to_the_weekday_decides(expression: str, sentence: str, expected: dt.date) -> None:
    assert _day(expression, sentence=sentence) == expected


@pytest.mark.parametrize("apostrophe", ["'", "’", "‘"])
def test_contractions_point_forward_with_any_apostrophe(apostrophe: str) -> None:
    assert sentence_tense(f"He won{apostrophe}t attend the talks on Thursday.", "Thursday", "thursday") == FUTURE
    assert sentence_tense(f"They{apostrophe}ll meet again on Thursday.", "Thursday", "thursday") == FUTURE


def test_a_name_ending_in_ed_is_no_clue_and_later_clues_still_count() -> None:
    assert sentence_tense("Officials from the United Nations arrived on Friday.", "Friday", "friday") == PAST
    assert sentence_tense("Officials from the United Nations on Friday.", "Friday", "friday") is None


def test_without_an_anchor_word_distances_are_measured_from_the_expression() -> None:
    sentence = "The deal was struck on Monday, and tonight the leaders will sign it."
    assert sentence_tense(sentence, "tonight", "") == FUTURE
    # At the start of the sentence the expression is still found: the nearest clue wins, not any future one.
    assert sentence_tense("Yesterday the talks collapsed; next week they will resume.", "yesterday", "") == PAST
    # A clue inside the expression is not a clue to the verb that governs it.
    assert sentence_tense("The upcoming vote was postponed.", "upcoming vote", "") == PAST


def test_with_nothing_to_locate_any_future_clue_wins() -> None:
    assert sentence_tense("He said the summit will open.", "", "") == FUTURE
    assert sentence_tense("He said the summit opened.", "", "") == PAST
    assert sentence_tense("He said the summit will open.", "Thursday", "thursday") == FUTURE


def test_without_a_sentence_argument_the_expression_gives_the_tense() -> None:
    resolved = resolve_relative_date("will arrive on Thursday", PUBLISHED)
    assert resolved is not None and resolved.start == D(2024, 5, 16)
    resolved = resolve_relative_date("will arrive on Thursday", PUBLISHED, None)  # type: ignore[arg-type]
    assert resolved is not None and resolved.start == D(2024, 5, 16)


# --- the weekend around a weekend publication ----------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "published", "start"),
    [
        # "last" / "past": the weekend of the week before publication, even on a Saturday or Sunday.
        ("last weekend", "2024-05-18", D(2024, 5, 11)),
        ("last weekend", "2024-05-19", D(2024, 5, 11)),
        ("this past weekend", "2024-05-19", D(2024, 5, 11)),
        ("the past weekend", "2024-05-18", D(2024, 5, 11)),
        # "coming": the first Saturday after the publication day.
        ("this coming weekend", "2024-05-17", D(2024, 5, 18)),
        ("this coming weekend", "2024-05-18", D(2024, 5, 25)),
        ("the coming weekend", "2024-05-19", D(2024, 5, 25)),
        # "this" / "next": the weekend of the publication's own week, or of the week after.
        ("this weekend", "2024-05-19", D(2024, 5, 18)),
        ("next weekend", "2024-05-18", D(2024, 5, 25)),
    ],
)
def test_the_weekend_with_a_modifier_published_near_a_weekend(expression: str, published: str, start: dt.date) -> None:
    assert _span(expression, published) == (start, start + dt.timedelta(days=1))


def test_the_weekend_is_measured_from_the_word_weekend() -> None:
    # "said" lies beyond "over the", so the nearer "will meet" governs "weekend".
    sentence = "Officials said that over the weekend the two rival leaders will meet."
    assert _span("over the weekend", sentence=sentence) == (D(2024, 5, 18), D(2024, 5, 19))


# --- spelling of the expression ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("Monday‘s vote", (D(2024, 5, 13), D(2024, 5, 13))),
        ("Friday, last week", (D(2024, 5, 10), D(2024, 5, 10))),
        ("last\u00a0week", (D(2024, 5, 6), D(2024, 5, 12))),
    ],
)
def test_apostrophes_and_punctuation_inside_the_expression(expression: str, expected: tuple[dt.date, dt.date]) -> None:
    assert _span(expression) == expected


@pytest.mark.parametrize("expression", ["Friday 17/05", "on 17.05 (Friday)"])
def test_a_weekday_with_a_numeric_date_is_absolute(expression: str) -> None:
    assert resolve_relative_date(expression, PUBLISHED) is None


# --- the handler makers --------------------------------------------------------------------------
# The pattern table makes its handlers once, when qa.relative_dates.expressions is imported; these
# tests make them again, so that each maker's arithmetic is checked where a test runs it.

_COUNTED = re.compile(r"(?P<n>\w+) (?P<unit>day|week|fortnight|month|year)s?")
_PERIOD = re.compile(r"(?P<unit>week|month|year)")
TUESDAY = D(2024, 5, 14)


def _no_tense(word: str) -> None:
    return None


@pytest.mark.parametrize(("offset", "expected"), [(-2, D(2024, 5, 12)), (0, TUESDAY), (2, D(2024, 5, 16))])
def test_a_fixed_day_handler_counts_days_from_publication(offset: int, expected: dt.date) -> None:
    match = re.match("", "")
    assert expressions._days(offset)(match, TUESDAY, _no_tense) == (expected, expected)


@pytest.mark.parametrize(
    ("sign", "count", "expected"),
    [
        (-1, "two days", (D(2024, 5, 12), D(2024, 5, 12))),
        (1, "two days", (D(2024, 5, 16), D(2024, 5, 16))),
        (-1, "three weeks", (D(2024, 4, 23), D(2024, 4, 23))),
        (1, "a week", (D(2024, 5, 21), D(2024, 5, 21))),
        (-1, "a fortnight", (D(2024, 4, 30), D(2024, 4, 30))),
        (1, "two fortnights", (D(2024, 6, 11), D(2024, 6, 11))),
        (-1, "two months", (D(2024, 3, 1), D(2024, 3, 31))),
        (1, "one month", (D(2024, 6, 1), D(2024, 6, 30))),
        (-1, "three years", (D(2021, 1, 1), D(2021, 12, 31))),
        (1, "2 years", (D(2026, 1, 1), D(2026, 12, 31))),
    ],
)
def test_a_count_handler_shifts_days_exactly_and_months_or_years_as_whole_periods(
    sign: int, count: str, expected: tuple[dt.date, dt.date]
) -> None:
    match = _COUNTED.fullmatch(count)
    assert match is not None
    assert expressions._shift(sign)(match, TUESDAY, _no_tense) == expected


@pytest.mark.parametrize(
    ("sign", "unit", "expected"),
    [
        (-1, "week", (D(2024, 4, 29), D(2024, 5, 5))),
        (1, "week", (D(2024, 5, 27), D(2024, 6, 2))),
        (-1, "month", (D(2024, 3, 1), D(2024, 3, 31))),
        (1, "month", (D(2024, 7, 1), D(2024, 7, 31))),
        (-1, "year", (D(2022, 1, 1), D(2022, 12, 31))),
        (1, "year", (D(2026, 1, 1), D(2026, 12, 31))),
    ],
)
def test_a_two_away_handler_names_the_period_two_before_or_after(
    sign: int, unit: str, expected: tuple[dt.date, dt.date]
) -> None:
    match = _PERIOD.fullmatch(unit)
    assert match is not None
    assert expressions._two_away(sign)(match, TUESDAY, _no_tense) == expected
